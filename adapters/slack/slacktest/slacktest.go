// Package slacktest is a stand-in for Slack's Web API on loopback: an
// HTTP server that answers the methods getback calls with Slack's JSON,
// records every call, and can be told to misbehave (rate limits, slow
// methods, answers lost after the call took effect). It takes file uploads
// as Slack does (files.getUploadURLExternal, a POST of the bytes to the
// URL it hands out, files.completeUploadExternal), records them, and
// refuses a message whose image blocks show a file that was not uploaded
// and completed. Tests, the load
// generator and the crash test point SLACK_API_URL at it.
package slacktest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getbackhq/getback/adapters/internal/calllog"
)

// Call is one request the server received.
type Call struct {
	Method string         // Web API method ("chat.postMessage"), or "response/<id>" for a response_url
	Form   url.Values     // form-encoded calls
	JSON   map[string]any // JSON calls (views.open, response_url)
	At     time.Time
}

// Message is a message chat.postMessage created.
type Message struct {
	Channel  string
	TS       string
	Text     string
	Metadata map[string]any // as sent: {"event_type":…, "event_payload":{…}}
	// Files are the ids of the uploaded files its image blocks show
	// (slack_file), in order.
	Files []string
}

// Upload is a file uploaded with files.getUploadURLExternal, the POST of
// its bytes, and files.completeUploadExternal.
type Upload struct {
	ID     string
	Name   string
	Alt    string
	Length int    // as announced to files.getUploadURLExternal
	Data   []byte // as posted to the upload URL
	// Completed is set by files.completeUploadExternal; Channel is the
	// channel it was shared to there ("" when kept private).
	Completed bool
	Channel   string
}

// Server is a fake Slack Web API. Its zero roster knows no users; add them
// with SetUser. Start it with NewServer and Close it when done.
type Server struct {
	// URL is the server's base address; the Web API is under URL+"/api/".
	URL string

	srv *httptest.Server

	// Log records the calls by method: "response/" counts the answers
	// posted to response_urls (Count, CountEach). Posted messages are
	// kept whether calls are or not.
	calllog.Log[Call]

	mu          sync.Mutex
	users       map[string]map[string]any
	channels    map[string]string // id -> name
	rateLimited map[string]int    // method -> how many more calls answer 429
	retryAfter  int
	slow        map[string]time.Duration
	lost        map[string]int // method -> how many more calls take effect but answer 500
	socketURL   string
	seq         int
	posted      []Message
	now         func() time.Time
	uploads     map[string]*Upload
	uploadIDs   []string   // in the order files.getUploadURLExternal handed them out
	uploadSets  [][]string // file ids of each files.completeUploadExternal
	notReady    int        // messages with files still to refuse
}

// SetClock makes the server read now for the instants it hands out
// (message timestamps) and records (Call.At), so that a test's pinned clock
// governs the fake as it governs the store and the sender. The default is
// time.Now.
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

// NewServer starts a fake Slack on 127.0.0.1.
func NewServer() *Server {
	s := &Server{users: map[string]map[string]any{}, channels: map[string]string{}, rateLimited: map[string]int{},
		slow: map[string]time.Duration{}, lost: map[string]int{}, retryAfter: 1, now: time.Now,
		uploads: map[string]*Upload{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// APIURL is the value for SLACK_API_URL.
func (s *Server) APIURL() string { return s.URL + "/api/" }

// ResponseURL returns a response_url whose posts are recorded as calls of
// method "response/<id>".
func (s *Server) ResponseURL(id string) string { return s.URL + "/response/" + id }

// SetUser adds or replaces a user, as users.info returns it ("id", "name",
// "real_name", "tz", "is_admin", "profile").
func (s *Server) SetUser(u map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[u["id"].(string)] = u
}

// AddChannel makes a channel known to conversations.list.
func (s *Server) AddChannel(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = name
}

// RateLimit makes the next n calls of method answer 429 with Retry-After
// seconds.
func (s *Server) RateLimit(method string, n, retryAfter int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rateLimited[method], s.retryAfter = n, retryAfter
}

// Slow delays every answer of method by d.
func (s *Server) Slow(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slow[method] = d
}

// LoseReplies makes the next n calls of method take effect and then
// answer 500, as when a connection drops after Slack acted.
func (s *Server) LoseReplies(method string, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lost[method] = n
}

// SetSocketURL sets the WebSocket address apps.connections.open returns.
func (s *Server) SetSocketURL(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.socketURL = u
}

// Calls returns the recorded calls of one method, or all with "".
func (s *Server) Calls(method string) []Call { return s.Log.Calls(isMethod(method)) }

// WaitFor polls until method was called n times or the timeout passes,
// and returns the calls so far.
func (s *Server) WaitFor(method string, n int, timeout time.Duration) []Call {
	return s.Log.WaitFor(isMethod(method), n, timeout)
}

func isMethod(method string) func(Call) bool {
	return func(c Call) bool { return method == "" || c.Method == method }
}

// FilesNotReady makes the next n messages that show uploaded files in
// image blocks be refused with invalid_blocks ("invalid slack file"), as
// Slack answers while a just-uploaded file is being processed.
func (s *Server) FilesNotReady(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.notReady = n
}

// Uploads returns every file upload begun, in order.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Upload
	for _, id := range s.uploadIDs {
		u := *s.uploads[id]
		u.Data = append([]byte(nil), u.Data...)
		out = append(out, u)
	}
	return out
}

// UploadSets returns the file ids of each files.completeUploadExternal
// call that succeeded, in order.
func (s *Server) UploadSets() [][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([][]string, len(s.uploadSets))
	for i, set := range s.uploadSets {
		out[i] = append([]string(nil), set...)
	}
	return out
}

// Posted returns the messages chat.postMessage created, oldest first.
func (s *Server) Posted() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.posted...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	method := strings.TrimPrefix(strings.TrimPrefix(r.URL.Path, "/api/"), "/")
	call := Call{Method: method}
	keep := s.Keeping()
	switch {
	case !keep && strings.HasPrefix(method, "response/"):
		// Only counted: decoding answers a load run does not keep would
		// take the machine's time from the process under test.
	case strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"):
		json.Unmarshal(body, &call.JSON)
	default:
		call.Form, _ = url.ParseQuery(string(body))
	}
	s.mu.Lock()
	now := s.now()
	call.At = now
	s.Add(method, call)
	limited := s.rateLimited[method] > 0
	if limited {
		s.rateLimited[method]--
	}
	delay, retryAfter := s.slow[method], s.retryAfter
	s.seq++
	// A real ts: seconds since the epoch, and a sequence for uniqueness.
	ts := fmt.Sprintf("%d.%06d", now.Unix(), s.seq%1000000)
	s.mu.Unlock()
	time.Sleep(delay)
	if limited {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		w.WriteHeader(http.StatusTooManyRequests)
		return
	}
	reply := func(v map[string]any) {
		v["ok"] = true
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(v)
	}
	fail := func(code string) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": code})
	}
	switch {
	case strings.HasPrefix(method, "upload/"):
		s.receiveUpload(w, r, strings.TrimPrefix(method, "upload/"), body)
		return
	}
	switch method {
	case "files.getUploadURLExternal":
		name, length := call.Form.Get("filename"), call.Form.Get("length")
		n, err := strconv.Atoi(length)
		if name == "" || err != nil || n <= 0 {
			fail("invalid_arguments")
			return
		}
		s.mu.Lock()
		id := fmt.Sprintf("F%04d", len(s.uploadIDs)+1)
		s.uploads[id] = &Upload{ID: id, Name: name, Alt: call.Form.Get("alt_txt"), Length: n}
		s.uploadIDs = append(s.uploadIDs, id)
		s.mu.Unlock()
		reply(map[string]any{"upload_url": s.URL + "/upload/" + id, "file_id": id})
	case "files.completeUploadExternal":
		var files []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		if err := json.Unmarshal([]byte(call.Form.Get("files")), &files); err != nil || len(files) == 0 {
			fail("invalid_arguments")
			return
		}
		s.mu.Lock()
		var ids []string
		var bad bool
		for _, f := range files {
			u, ok := s.uploads[f.ID]
			bad = bad || !ok || len(u.Data) != u.Length
			ids = append(ids, f.ID)
		}
		if !bad {
			for _, id := range ids {
				s.uploads[id].Completed, s.uploads[id].Channel = true, call.Form.Get("channel_id")
			}
			s.uploadSets = append(s.uploadSets, ids)
		}
		s.mu.Unlock()
		if bad {
			fail("file_not_found")
			return
		}
		out := []any{}
		for _, f := range files {
			out = append(out, map[string]any{"id": f.ID, "title": f.Title})
		}
		reply(map[string]any{"files": out})
	case "chat.postMessage":
		m := Message{Channel: call.Form.Get("channel"), TS: ts, Text: call.Form.Get("text")}
		json.Unmarshal([]byte(call.Form.Get("metadata")), &m.Metadata)
		var refused []string
		m.Files, refused = s.imageFiles(call.Form.Get("blocks"))
		if len(refused) > 0 {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{"ok": false, "error": "invalid_blocks", "errors": refused,
				"response_metadata": map[string]any{"messages": refused}})
			return
		}
		s.mu.Lock()
		s.posted = append(s.posted, m)
		lost := s.lost[method] > 0
		if lost {
			s.lost[method]--
		}
		s.mu.Unlock()
		if lost {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		reply(map[string]any{"channel": m.Channel, "ts": ts})
	case "chat.update":
		reply(map[string]any{"channel": call.Form.Get("channel"), "ts": call.Form.Get("ts")})
	case "chat.postEphemeral":
		reply(map[string]any{"message_ts": ts})
	case "views.open":
		reply(map[string]any{"view": map[string]any{"id": "V1"}})
	case "conversations.open":
		reply(map[string]any{"channel": map[string]any{"id": "D" + call.Form.Get("users")}})
	case "conversations.history":
		reply(map[string]any{"messages": s.history(call.Form), "has_more": false})
	case "users.info":
		s.mu.Lock()
		u, ok := s.users[call.Form.Get("user")]
		s.mu.Unlock()
		if !ok {
			fail("user_not_found")
			return
		}
		reply(map[string]any{"user": u})
	case "users.list":
		var members []any
		s.mu.Lock()
		for _, u := range s.users {
			members = append(members, u)
		}
		s.mu.Unlock()
		reply(map[string]any{"members": members, "response_metadata": map[string]any{"next_cursor": ""}})
	case "conversations.list":
		var chans []any
		s.mu.Lock()
		for id, name := range s.channels {
			chans = append(chans, map[string]any{"id": id, "name": name})
		}
		s.mu.Unlock()
		reply(map[string]any{"channels": chans, "response_metadata": map[string]any{"next_cursor": ""}})
	case "auth.test":
		reply(map[string]any{"user_id": "UBOT", "team_id": "T1"})
	case "apps.connections.open":
		s.mu.Lock()
		u := s.socketURL
		s.mu.Unlock()
		reply(map[string]any{"url": u})
	default:
		if strings.HasPrefix(method, "response/") {
			io.WriteString(w, "ok")
			return
		}
		fail("unknown_method")
	}
}

// imageFiles returns the slack_file ids of a message's image blocks and,
// when the message must be refused, why: a file that was not uploaded and
// completed, or one "not ready" (FilesNotReady).
func (s *Server) imageFiles(blocksJSON string) (ids, refused []string) {
	var blocks []struct {
		Type      string `json:"type"`
		SlackFile *struct {
			ID string `json:"id"`
		} `json:"slack_file"`
	}
	json.Unmarshal([]byte(blocksJSON), &blocks)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, b := range blocks {
		if b.Type != "image" || b.SlackFile == nil {
			continue
		}
		ids = append(ids, b.SlackFile.ID)
		if u, ok := s.uploads[b.SlackFile.ID]; !ok || !u.Completed {
			refused = append(refused, fmt.Sprintf("[ERROR] invalid slack file [json-pointer:/blocks/%d/slack_file]", i))
		}
	}
	if len(ids) > 0 && len(refused) == 0 && s.notReady > 0 {
		s.notReady--
		refused = append(refused, "[ERROR] invalid slack file [json-pointer:/blocks/1/slack_file]")
	}
	return ids, refused
}

// receiveUpload takes a file's bytes at its upload URL: a multipart form
// with the file in part "file", as slack-go sends it, or the raw bytes.
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request, id string, body []byte) {
	data := body
	if mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && strings.HasPrefix(mt, "multipart/") {
		data = nil
		mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				break
			}
			if part.FormName() == "file" {
				data, _ = io.ReadAll(part)
			}
		}
	}
	s.mu.Lock()
	u, ok := s.uploads[id]
	if ok {
		u.Data = append([]byte(nil), data...)
	}
	s.mu.Unlock()
	if !ok {
		http.Error(w, "no such upload", http.StatusNotFound)
		return
	}
	fmt.Fprintf(w, "OK - %d", len(data))
}

// history answers conversations.history: the channel's messages since
// "oldest", newest first, with metadata when asked for.
func (s *Server) history(f url.Values) []any {
	s.mu.Lock()
	defer s.mu.Unlock()
	msgs := []any{}
	for i := len(s.posted) - 1; i >= 0; i-- {
		m := s.posted[i]
		if m.Channel != f.Get("channel") || m.TS < f.Get("oldest") {
			continue
		}
		out := map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "bot_id": "BBOT"}
		if m.Metadata != nil && f.Get("include_all_metadata") == "1" {
			out["metadata"] = m.Metadata
		}
		msgs = append(msgs, out)
	}
	return msgs
}

// Sign returns the X-Slack-Signature of a request body sent at ts, as
// Slack computes it: v0= and the hex HMAC-SHA256 of "v0:<ts>:<body>".
func Sign(secret string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%d:%s", ts, body)
	return "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// NewRequest returns a POST of a form to one of getback's Slack endpoints
// (u), signed with secret now, as Slack sends it. The timestamp is the
// machine's clock: Slack signs with its own clock and the signature's
// freshness is checked against the receiving machine's, not a test's
// pinned one.
func NewRequest(u, secret string, form url.Values) *http.Request {
	body := form.Encode()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	ts := time.Now().Unix()
	req.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(ts, 10))
	req.Header.Set("X-Slack-Signature", Sign(secret, ts, body))
	return req
}
