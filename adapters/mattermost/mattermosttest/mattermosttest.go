// Package mattermosttest is a stand-in for Mattermost's REST API (v4) on
// loopback: an HTTP server that answers the calls getback makes with the
// model package's JSON, records every call, and can be told to misbehave
// (rate limits, answers lost after a post was created, file uploads
// refused). It takes file uploads (POST /api/v4/files) as the server does,
// records them, and attaches a post's file_ids only when they name files
// uploaded to the post's channel and not attached yet, as the server does. Tests, the load
// generator and the crash test point MATTERMOST_URL at it.
package mattermosttest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/internal/calllog"
)

// Call is one request the server received.
type Call struct {
	Method, Path string
	Body         []byte
	At           time.Time
}

// Upload is a file uploaded with POST /api/v4/files.
type Upload struct {
	ID      string
	Channel string
	Name    string
	Data    []byte
	Post    string // the post it is attached to; "" while unattached
}

// BotID is the user id of the bot account (users/me).
const BotID = "botid"

// Server is a fake Mattermost server. It knows the bot account; add users
// with SetUser and channels with AddChannel.
type Server struct {
	// URL is the value for MATTERMOST_URL.
	URL string

	srv *httptest.Server

	// Log records the calls by path: "/hooks/commands/" counts the
	// answers posted to response_urls (Count, CountEach). Posts are kept
	// whether calls are or not.
	calllog.Log[Call]

	mu          sync.Mutex
	users       map[string]*model.User
	channels    map[string]string // name -> id
	rateLimited int
	lost        int
	seq         int
	posts       []*model.Post
	now         func() time.Time
	uploads     []*Upload
	failUploads int

	tokens       map[string]string // token -> user id; "" refuses the token
	teams        map[string]string // name -> id
	commands     []*model.Command
	accessTokens []*model.UserAccessToken
	sockets      []*socket
	views        map[string][]*model.Post // user id -> ephemeral posts shown
	hooks        map[string]hook
	routes       map[string]string
	roles        map[string]*model.Role // by name
}

// SetClock makes the server read now for the instants it records (post
// create_at and update_at, Call.At), so that a test's pinned clock governs
// the fake as it governs the store and the sender. The default is time.Now.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// NewServer starts a fake Mattermost on 127.0.0.1.
func NewServer() *Server {
	s := &Server{users: map[string]*model.User{BotID: {Id: BotID, Username: "getback", IsBot: true, Roles: model.SystemUserRoleId}},
		channels: map[string]string{}, now: time.Now,
		tokens: map[string]string{}, teams: map[string]string{}, views: map[string][]*model.Post{}, hooks: map[string]hook{},
		routes: map[string]string{}, roles: defaultRoles()}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// ResponseURL returns a command response_url; posts to it are recorded
// under the path /hooks/commands/<id>.
func (s *Server) ResponseURL(id string) string { return s.URL + "/hooks/commands/" + id }

// SetUser adds or replaces a user.
func (s *Server) SetUser(u *model.User) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u.Id] = u
}

// AddChannel makes a team channel known by name.
func (s *Server) AddChannel(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[name] = id
}

// RateLimit makes the next n posts answer 429 (Retry-After: 3).
func (s *Server) RateLimit(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimited = n
}

// LoseReplies makes the next n posts be created and then answer 500, as
// when a connection drops after the server acted.
func (s *Server) LoseReplies(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost = n
}

// FailUploads makes the next n file uploads answer 403, as a server
// whose file attachments an admin turned off does.
func (s *Server) FailUploads(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failUploads = n
}

// Uploads returns the files uploaded, oldest first.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Upload
	for _, u := range s.uploads {
		c := *u
		c.Data = append([]byte(nil), u.Data...)
		out = append(out, c)
	}
	return out
}

// Calls returns the recorded calls of an HTTP method whose path starts
// with prefix ("" and "" for all).
func (s *Server) Calls(method, prefix string) []Call { return s.Log.Calls(isCall(method, prefix)) }

// WaitFor polls until n such calls arrived or the timeout passes, and
// returns the calls so far.
func (s *Server) WaitFor(method, prefix string, n int, timeout time.Duration) []Call {
	return s.Log.WaitFor(isCall(method, prefix), n, timeout)
}

func isCall(method, prefix string) func(Call) bool {
	return func(c Call) bool { return (method == "" || c.Method == method) && strings.HasPrefix(c.Path, prefix) }
}

// Posts returns the posts created, oldest first.
func (s *Server) Posts() []*model.Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*model.Post(nil), s.posts...)
}

func appError(w http.ResponseWriter, status int, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(model.NewAppError("fake", id, nil, "", status))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	at := s.now()
	s.mu.Unlock()
	s.Add(r.URL.Path, Call{r.Method, r.URL.Path, body, at})
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	p := r.URL.Path
	if p == "/api/v4/websocket" {
		s.serveWebsocket(w, r)
		return
	}
	if strings.HasPrefix(p, "/api/v4/") {
		me, ok := s.caller(w, r)
		if !ok {
			return
		}
		if p == "/api/v4/users/me" {
			if u := s.user(func(u *model.User) bool { return u.Id == me }); u != nil {
				reply(u)
				return
			}
		}
		if p == "/api/v4/posts/ephemeral" && r.Method == http.MethodPost {
			s.serveEphemeral(w, me, body)
			return
		}
		if parts := strings.Split(p, "/"); len(parts) == 7 && parts[3] == "posts" && parts[5] == "actions" && r.Method == http.MethodPost {
			s.serveAction(w, me, parts[4], parts[6], body)
			return
		}
	}
	if s.serveAdmin(w, r, body, reply) {
		return
	}
	switch {
	case strings.HasPrefix(p, "/hooks/commands/"):
		s.serveHook(w, strings.TrimPrefix(p, "/hooks/commands/"), body)
	case p == "/api/v4/users/me":
		s.mu.Lock()
		u := s.users[BotID]
		s.mu.Unlock()
		reply(u)
	case strings.HasPrefix(p, "/api/v4/users/username/"):
		if u := s.user(func(u *model.User) bool { return u.Username == strings.TrimPrefix(p, "/api/v4/users/username/") }); u != nil {
			reply(u)
			return
		}
		appError(w, 404, "app.user.missing_account.const")
	case strings.HasPrefix(p, "/api/v4/users/"):
		if u := s.user(func(u *model.User) bool { return u.Id == strings.TrimPrefix(p, "/api/v4/users/") }); u != nil {
			reply(u)
			return
		}
		appError(w, 404, "app.user.missing_account.const")
	case p == "/api/v4/channels/direct":
		var ids []string
		json.Unmarshal(body, &ids)
		if len(ids) != 2 {
			appError(w, 400, "api.context.invalid_body_param.app_error")
			return
		}
		reply(&model.Channel{Id: "dm_" + ids[1], Type: model.ChannelTypeDirect})
	case p == "/api/v4/posts" && r.Method == http.MethodPost:
		s.createPost(w, body)
	case p == "/api/v4/files" && r.Method == http.MethodPost:
		s.uploadFiles(w, r, body)
	case strings.HasPrefix(p, "/api/v4/posts/") && r.Method == http.MethodPut:
		// An update through the API (PUT /posts/{id}) replaces the message
		// and the props.
		var post model.Post
		json.Unmarshal(body, &post)
		stored := s.Post(strings.TrimPrefix(p, "/api/v4/posts/"))
		if stored == nil {
			// The server checks the permission on the post's channel first.
			appError(w, http.StatusForbidden, "api.context.permissions.app_error")
			return
		}
		if post.GetProps() == nil { // the server then drops every prop
			post.SetProps(model.StringInterface{})
		}
		s.update(stored, &post)
		reply(s.Post(stored.Id))
	case strings.HasPrefix(p, "/api/v4/channels/") && strings.HasSuffix(p, "/posts") && r.Method == http.MethodGet:
		channel := strings.TrimSuffix(strings.TrimPrefix(p, "/api/v4/channels/"), "/posts")
		since, _ := strconv.ParseInt(r.URL.Query().Get("since"), 10, 64)
		list := model.NewPostList()
		s.mu.Lock()
		for _, post := range s.posts {
			if post.ChannelId == channel && post.UpdateAt >= since {
				list.AddPost(post)
				list.AddOrder(post.Id)
			}
		}
		s.mu.Unlock()
		reply(list)
	case p == "/api/v4/actions/dialogs/open":
		reply(map[string]string{"status": "OK"})
	case strings.HasPrefix(p, "/api/v4/teams/") && strings.Contains(p, "/channels/name/"):
		name := p[strings.LastIndex(p, "/")+1:]
		s.mu.Lock()
		id, ok := s.channels[name]
		s.mu.Unlock()
		if !ok {
			appError(w, 404, "store.sql_channel.get_by_name.missing.app_error")
			return
		}
		reply(&model.Channel{Id: id, Name: name, Type: model.ChannelTypeOpen})
	case strings.HasSuffix(p, "/members") && r.Method == http.MethodPost:
		w.WriteHeader(http.StatusCreated)
		reply(&model.ChannelMember{ChannelId: strings.Split(p, "/")[4], UserId: BotID})
	case p == "/api/v4/system/ping":
		reply(map[string]string{"status": "OK"})
	default:
		appError(w, 404, "api.context.404.app_error")
	}
}

func (s *Server) user(match func(*model.User) bool) *model.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, u := range s.users {
		if match(u) {
			return u
		}
	}
	return nil
}

func (s *Server) createPost(w http.ResponseWriter, body []byte) {
	var post model.Post
	if err := json.Unmarshal(body, &post); err != nil || post.ChannelId == "" {
		appError(w, 400, "api.context.invalid_body_param.app_error")
		return
	}
	s.mu.Lock()
	limited := s.rateLimited > 0
	if limited {
		s.rateLimited--
	}
	s.seq++
	post.Id = fmt.Sprintf("post%d", s.seq)
	lost := false
	if !limited {
		// The server attaches only files uploaded to the post's channel
		// and not attached to another post; it drops other ids.
		var ids model.StringArray
		for _, id := range post.FileIds {
			for _, u := range s.uploads {
				if u.ID == id && u.Channel == post.ChannelId && u.Post == "" {
					u.Post = post.Id
					ids = append(ids, id)
				}
			}
		}
		post.FileIds = ids
		post.CreateAt = s.now().UnixMilli()
		post.UpdateAt = post.CreateAt
		s.posts = append(s.posts, &post)
		lost = s.lost > 0
		if lost {
			s.lost--
		}
	}
	s.mu.Unlock()
	switch {
	case limited:
		w.Header().Set("Retry-After", "3")
		appError(w, 429, "api.context.rate_limited")
	case lost:
		appError(w, 500, "api.context.500.app_error")
	default:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(&post)
	}
}

// uploadFiles takes POST /api/v4/files: a multipart form with channel_id
// and one or more "files" parts, answered with their FileInfos.
func (s *Server) uploadFiles(w http.ResponseWriter, r *http.Request, body []byte) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		appError(w, 400, "api.file.upload_file.incorrect_number_of_files.app_error")
		return
	}
	channel := ""
	type file struct {
		name string
		data []byte
	}
	var files []file
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err != nil {
			break
		}
		data, _ := io.ReadAll(part)
		switch part.FormName() {
		case "channel_id":
			channel = string(data)
		case "files":
			files = append(files, file{part.FileName(), data})
		}
	}
	if channel == "" || len(files) == 0 {
		appError(w, 400, "api.file.upload_file.incorrect_number_of_files.app_error")
		return
	}
	s.mu.Lock()
	refuse := s.failUploads > 0
	if refuse {
		s.failUploads--
	}
	res := &model.FileUploadResponse{ClientIds: []string{}}
	if !refuse {
		for _, f := range files {
			s.seq++
			u := &Upload{ID: fmt.Sprintf("file%d", s.seq), Channel: channel, Name: f.name, Data: f.data}
			s.uploads = append(s.uploads, u)
			res.FileInfos = append(res.FileInfos, &model.FileInfo{Id: u.ID, ChannelId: channel, Name: f.name,
				Extension: strings.TrimPrefix(path.Ext(f.name), "."), Size: int64(len(f.data)), MimeType: "image/png",
				CreatorId: BotID, CreateAt: s.now().UnixMilli()})
		}
	}
	s.mu.Unlock()
	if refuse {
		appError(w, 403, "api.file.attachments.disabled.app_error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(res)
}

// NewCommandRequest returns a slash command POST to getback's Mattermost
// endpoint (u), carrying the command token as Mattermost sends it.
func NewCommandRequest(u string, form url.Values) *http.Request {
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Token "+form.Get("token"))
	return req
}
