package mattermost

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/inbound"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// serveAction handles a button click or a choice in a user picker. The
// request carries no token: the context's signature is what proves the
// button is one getback rendered.
func (a *Adapter) serveAction(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readBody(w, r)
	if !ok {
		return
	}
	var req model.PostActionIntegrationRequest
	if err := json.Unmarshal(body, &req); err != nil || req.UserId == "" {
		http.Error(w, "bad action", http.StatusBadRequest)
		return
	}
	str := func(k string) string { s, _ := req.Context[k].(string); return s }
	ws, action, value, view, eph, n, sig := str("ws"), str("action"), str("value"), str("view"), str("eph"), str("nonce"), str("sig")
	signed := a.sign.ok(sig, "action", ws, action, value, view, eph, n) ||
		(eph == "" && a.sign.ok(sig, "action", ws, action, value, view, n)) // buttons posted before the flag
	if n == "" || !strings.HasPrefix(ws, Platform+":") || !signed {
		a.log.Warn("refused an action with a bad signature", "user", req.UserId, "remote", r.RemoteAddr)
		http.Error(w, "invalid action signature", http.StatusUnauthorized)
		return
	}
	res, fresh := a.pipe.Act(r.Context(), req.TriggerId, commands.Action{
		Call:     commands.Call{Workspace: ws, User: bot.User{ID: req.UserId, Name: req.UserName}, Channel: req.ChannelId},
		Name:     action,
		Value:    value,
		Selected: str("selected_option"),
		View:     view,
	})
	if !fresh {
		writeJSON(w, empty)
		return
	}
	writeJSON(w, a.actionResponse(r.Context(), ws, eph == "1", req, res))
}

// actionResponse answers a click. A stored post (a DM, a channel post) is
// updated to its new state through the answer. An ephemeral one (the
// answer to a command) is not stored, and the server answers an update of
// it with 404. When the bot may post ephemeral messages, the new state
// goes out as one under the clicked post's id, which takes the clicked
// post's place in the user's client; otherwise (the default: a bot lacks
// create_post_ephemeral) the answer's ephemeral_text carries the notice
// and the new state as text.
func (a *Adapter) actionResponse(ctx context.Context, ws string, eph bool, req model.PostActionIntegrationRequest, res commands.ActionResult) model.PostActionIntegrationResponse {
	resp := model.PostActionIntegrationResponse{SkipSlackParsing: true}
	if res.Notice != "" && (res.Error || res.Update == nil) {
		resp.EphemeralText = escape(res.Notice)
	}
	if res.Update == nil {
		return resp
	}
	state := res.Update.Split(limits)[0]
	if !eph {
		resp.Update = a.replacement(ws, state, false)
		return resp
	}
	if a.replaceEphemeral(ctx, req.UserId, req.ChannelId, req.PostId, a.replacement(ws, state, true)) {
		return resp
	}
	var text strings.Builder
	if res.Notice != "" {
		text.WriteString(escape(res.Notice) + "\n\n")
	}
	text.WriteString(markdown(state))
	resp.EphemeralText = text.String()
	return resp
}

// ephemeralRecheck is how long the adapter trusts a refusal to let the bot
// post ephemeral messages before it tries again (an admin may grant it).
const ephemeralRecheck = 10 * time.Minute

// replaceEphemeral sends post to a user as an ephemeral post under id, in
// place of the ephemeral post of that id the user sees. It reports whether
// the server took it.
func (a *Adapter) replaceEphemeral(ctx context.Context, user, channel, id string, post *model.Post) bool {
	a.mu.Lock()
	refused := a.cfg.Now().Before(a.noEphemeralUntil)
	a.mu.Unlock()
	if refused {
		return false
	}
	post.Id, post.ChannelId = id, channel
	_, resp, err := a.api.CreatePostEphemeral(ctx, &model.PostEphemeral{UserID: user, Post: post})
	if err == nil {
		return true
	}
	if statusOf(resp, err) == http.StatusForbidden {
		a.mu.Lock()
		first := a.noEphemeralUntil.IsZero()
		a.noEphemeralUntil = a.cfg.Now().Add(ephemeralRecheck)
		a.mu.Unlock()
		if first {
			a.log.Info("the bot may not post ephemeral messages: a click on a command's answer gets the new state as text; "+
				"`getback mattermost setup --bot --ephemeral` lets it replace the answer, buttons and all", "err", apiError("post ephemeral", resp, err))
		}
		return false
	}
	a.log.Warn("could not replace an ephemeral message; the new state goes as text", "err", apiError("post ephemeral", resp, err))
	return false
}

// serveDialog handles a dialog submission: field errors go back into the
// dialog; on success the dialog closes and the confirmation arrives as a
// DM. The request carries no token: the signed state proves the dialog is
// one getback opened for this user.
func (a *Adapter) serveDialog(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readBody(w, r)
	if !ok {
		return
	}
	var req model.SubmitDialogRequest
	if err := json.Unmarshal(body, &req); err != nil || req.UserId == "" {
		http.Error(w, "bad submission", http.StatusBadRequest)
		return
	}
	formID, channel, valid := a.sign.checkDialogState(req.State, req.UserId, a.cfg.Now())
	if !valid || formID != req.CallbackId {
		a.log.Warn("refused a dialog submission with a bad state", "user", req.UserId, "remote", r.RemoteAddr)
		http.Error(w, "invalid dialog state", http.StatusUnauthorized)
		return
	}
	if req.Cancelled {
		writeJSON(w, empty)
		return
	}
	values := map[string]string{}
	for k, v := range req.Submission {
		switch x := v.(type) {
		case string:
			values[k] = x
		case nil:
			values[k] = ""
		default:
			b, _ := json.Marshal(x)
			values[k] = string(b)
		}
	}
	ws := Workspace(req.TeamId)
	rep, user, err := a.pipe.Submit(r.Context(), commands.Submission{
		Call: commands.Call{Workspace: ws, User: bot.User{ID: req.UserId}, Channel: channel}, FormID: formID, Values: values})
	if err != nil {
		fields, whole := inbound.FieldErrors(err)
		writeJSON(w, model.SubmitDialogResponse{Errors: fields, Error: whole})
		return
	}
	a.work.Go(r.Context(), func(ctx context.Context) {
		if _, err := a.Post(ctx, bot.Target{Workspace: ws, User: user.ID}, rep); err != nil {
			a.log.Error("dialog confirmation DM failed", "err", err)
		}
	})
	writeJSON(w, empty)
}
