package mattermosttest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// What users see and click, as Mattermost 11.2 handles it (observed on a
// real server): ephemeral posts (command answers, and posts made through
// /api/v4/posts/ephemeral) live only in the user's client, so the server
// hands their buttons out with a cookie that stands in for the stored
// post. A click (POST /api/v4/posts/{id}/actions/{action}) calls the
// integration and applies its answer: an update of a post the server never
// stored fails with 404 app.post.get.app_error (the click has happened by
// then), an update without props keeps the post's old ones, one with
// props replaces them, ephemeral_text arrives as a new ephemeral post. An
// ephemeral post sent again under its id replaces it in the client.
// Creating ephemeral posts takes create_post_ephemeral, which a bot
// (system_user) lacks: see the roles in admin.go.

// Login returns a session token for a user, as POST /users/login gives
// one; requests carrying it act as that user.
func (s *Server) Login(userID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	tok := fmt.Sprintf("session%d", s.seq)
	s.tokens[tok] = userID
	return tok
}

// Route sends the requests the server makes to integration URLs starting
// with prefix (button clicks) to target instead: tests give getback a
// public URL that is not where it listens.
func (s *Server) Route(prefix, target string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[prefix] = target
}

// View returns the ephemeral posts a user's client shows, oldest first: a
// post sent again under the same id replaces the one shown.
func (s *Server) View(userID string) []*model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*model.Post
	for _, p := range s.views[userID] {
		out = append(out, p.Clone())
	}
	return out
}

// Post returns a stored post by id, or nil.
func (s *Server) Post(id string) *model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.posts {
		if p.Id == id {
			return p.Clone()
		}
	}
	return nil
}

// ResponseURLFor returns a command's response_url for a user in a
// channel: an ephemeral answer posted to it shows in the user's view, an
// in_channel one is stored as the user's post.
func (s *Server) ResponseURLFor(id, userID, channelID string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks[id] = hook{userID, channelID}
	return s.URL + "/hooks/commands/" + id
}

type hook struct{ user, channel string }

// ShowCommandResponse does with a command's answer (the HTTP response to
// the command) what the server does: an ephemeral one becomes an
// ephemeral post in the user's view, an in_channel one a post stored as
// the user's. It returns the post.
func (s *Server) ShowCommandResponse(userID, channelID string, cr *model.CommandResponse) *model.Post {
	p := &model.Post{ChannelId: channelID, UserId: userID, Message: cr.Text}
	if len(cr.Attachments) > 0 {
		p.AddProp(model.PostPropsAttachments, cr.Attachments)
	}
	// The attachments arrive as JSON; round-trip so that they read back
	// as the server's would.
	b, _ := json.Marshal(p)
	p = &model.Post{}
	json.Unmarshal(b, p)
	if cr.ResponseType == model.CommandResponseTypeInChannel {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.seq++
		p.Id = fmt.Sprintf("post%d", s.seq)
		p.CreateAt = s.now().UnixMilli()
		p.UpdateAt = p.CreateAt
		p.GenerateActionIds()
		s.posts = append(s.posts, p)
		return p.Clone()
	}
	return s.sendEphemeral(userID, p)
}

// sendEphemeral shows a post in a user's view with cookies on its buttons,
// replacing a post shown under the same id.
func (s *Server) sendEphemeral(userID string, p *model.Post) *model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p.Id == "" {
		s.seq++
		p.Id = fmt.Sprintf("eph%d", s.seq)
	}
	p.Type = model.PostTypeEphemeral
	p.CreateAt = s.now().UnixMilli()
	p.GenerateActionIds()
	for _, att := range p.Attachments() {
		for _, act := range att.Actions {
			c := model.PostActionCookie{Type: act.Type, PostId: p.Id, RootPostId: p.Id, ChannelId: p.ChannelId,
				DataSource: act.DataSource, Integration: act.Integration}
			b, _ := json.Marshal(c)
			act.Cookie = base64.StdEncoding.EncodeToString(b)
		}
	}
	view := s.views[userID]
	for i, old := range view {
		if old.Id == p.Id {
			view[i] = p
			return p.Clone()
		}
	}
	s.views[userID] = append(view, p)
	return p.Clone()
}

// serveHook takes an answer posted to a command's response_url.
func (s *Server) serveHook(w http.ResponseWriter, id string, body []byte) {
	s.mu.Lock()
	h, ok := s.hooks[id]
	s.mu.Unlock()
	if ok {
		var cr model.CommandResponse
		if err := json.Unmarshal(body, &cr); err != nil {
			appError(w, http.StatusBadRequest, "web.incoming_webhook.parse.app_error")
			return
		}
		s.ShowCommandResponse(h.user, h.channel, &cr)
	}
	w.WriteHeader(http.StatusOK)
}

// serveEphemeral answers POST /api/v4/posts/ephemeral.
func (s *Server) serveEphemeral(w http.ResponseWriter, caller string, body []byte) {
	var req model.PostEphemeral
	if err := json.Unmarshal(body, &req); err != nil || req.UserID == "" || req.Post == nil {
		appError(w, http.StatusBadRequest, "api.context.invalid_body_param.app_error")
		return
	}
	if !s.can(caller, "create_post_ephemeral") {
		appError(w, http.StatusForbidden, "api.context.permissions.app_error")
		return
	}
	req.Post.UserId = caller
	p := s.sendEphemeral(req.UserID, req.Post)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(p)
}

// serveAction answers POST /api/v4/posts/{post_id}/actions/{action_id}: a
// user's click, relayed to the integration.
func (s *Server) serveAction(w http.ResponseWriter, caller, postID, actionID string, body []byte) {
	var req model.DoPostActionRequest
	if len(body) > 0 {
		json.Unmarshal(body, &req)
	}
	var ck model.PostActionCookie
	var stored *model.Post
	if req.Cookie != "" {
		b, err := base64.StdEncoding.DecodeString(req.Cookie)
		if err != nil || json.Unmarshal(b, &ck) != nil || ck.PostId != postID || ck.Integration == nil {
			appError(w, http.StatusBadRequest, "api.post.do_action.action_integration.app_error")
			return
		}
	} else {
		if stored = s.Post(postID); stored == nil {
			// The server finds no channel to check the clicker's
			// permission in (an ephemeral post clicked without its cookie).
			appError(w, http.StatusForbidden, "api.context.permissions.app_error")
			return
		}
		act := stored.GetAction(actionID)
		if act == nil || act.Integration == nil {
			appError(w, http.StatusNotFound, "api.post.do_action.action_id.app_error")
			return
		}
		ck = model.PostActionCookie{Type: act.Type, PostId: postID, ChannelId: stored.ChannelId, DataSource: act.DataSource,
			Integration: act.Integration}
	}
	s.mu.Lock()
	s.seq++
	trigger := fmt.Sprintf("trigger%d", s.seq)
	s.mu.Unlock()
	up := model.PostActionIntegrationRequest{UserId: caller, ChannelId: ck.ChannelId, PostId: postID, TriggerId: trigger,
		Type: ck.Type, Context: map[string]any{}}
	if u := s.user(func(u *model.User) bool { return u.Id == caller }); u != nil {
		up.UserName = u.Username
	}
	for k, v := range ck.Integration.Context {
		up.Context[k] = v
	}
	if req.SelectedOption != "" {
		up.Context["selected_option"] = req.SelectedOption
		up.DataSource = ck.DataSource
	}
	b, _ := json.Marshal(up)
	resp, err := http.Post(s.routed(ck.Integration.URL), "application/json", bytes.NewReader(b))
	if err != nil {
		appError(w, http.StatusBadRequest, "api.post.do_action.action_integration.app_error")
		return
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		appError(w, http.StatusBadRequest, "api.post.do_action.action_integration.app_error")
		return
	}
	var answer model.PostActionIntegrationResponse
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &answer); err != nil {
			appError(w, http.StatusBadRequest, "api.post.do_action.action_integration.app_error")
			return
		}
	}
	if answer.Update != nil {
		if stored == nil {
			stored = s.Post(postID)
		}
		if stored == nil {
			appError(w, http.StatusNotFound, "app.post.get.app_error")
			return
		}
		s.update(stored, answer.Update)
	}
	if answer.EphemeralText != "" {
		s.sendEphemeral(caller, &model.Post{ChannelId: ck.ChannelId, UserId: caller, Message: answer.EphemeralText})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(model.PostActionAPIResponse{Status: "OK", TriggerId: trigger})
}

// update replaces a stored post's message, and its props when the update
// carries any (an update without props keeps the old ones).
func (s *Server) update(stored, upd *model.Post) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.posts {
		if p.Id != stored.Id {
			continue
		}
		p.Message = upd.Message
		if upd.GetProps() != nil {
			p.SetProps(upd.GetProps())
			p.GenerateActionIds()
		}
		p.EditAt = s.now().UnixMilli()
		p.UpdateAt = p.EditAt
	}
}

func (s *Server) routed(u string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	for prefix, target := range s.routes {
		if strings.HasPrefix(u, prefix) {
			return target + strings.TrimPrefix(u, prefix)
		}
	}
	return u
}
