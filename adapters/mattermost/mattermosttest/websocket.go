package mattermosttest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"
)

// The fake's websocket (/api/v4/websocket): it authenticates the
// connection's first message (the authentication challenge) as the real
// server does, says hello, and then pushes the events of posts made with
// PostAsUser.

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// socket is one open websocket.
type socket struct {
	mu   sync.Mutex
	conn *websocket.Conn
	user string
}

func (c *socket) send(v any) error {
	var b []byte
	var err error
	if ev, ok := v.(*model.WebSocketEvent); ok {
		b, err = ev.ToJSON()
	} else {
		b, err = json.Marshal(v)
	}
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.conn.WriteMessage(websocket.TextMessage, b)
}

// Listeners returns how many websockets are open and authenticated.
func (s *Server) Listeners() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sockets)
}

// DropListeners closes every open websocket, as a server restart would.
func (s *Server) DropListeners() {
	s.mu.Lock()
	socks := s.sockets
	s.sockets = nil
	s.mu.Unlock()
	for _, c := range socks {
		c.conn.Close()
	}
}

func (s *Server) serveWebsocket(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	var challenge struct {
		Seq    int64          `json:"seq"`
		Action string         `json:"action"`
		Data   map[string]any `json:"data"`
	}
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if err := conn.ReadJSON(&challenge); err != nil || challenge.Action != string(model.WebsocketAuthenticationChallenge) {
		conn.Close()
		return
	}
	conn.SetReadDeadline(time.Time{})
	tok, _ := challenge.Data["token"].(string)
	s.mu.Lock()
	user, known := s.tokens[tok]
	s.mu.Unlock()
	if !known {
		user = BotID
	}
	c := &socket{conn: conn, user: user}
	if user == "" {
		c.send(map[string]any{"status": "FAIL", "seq_reply": challenge.Seq,
			"error": map[string]any{"id": "api.web_socket_router.not_authenticated.app_error"}})
		conn.Close()
		return
	}
	c.send(map[string]any{"status": "OK", "seq_reply": challenge.Seq})
	c.send(model.NewWebSocketEvent(model.WebsocketEventHello, "", "", user, nil, ""))
	s.mu.Lock()
	s.sockets = append(s.sockets, c)
	s.mu.Unlock()
	// Read until the client goes; the fake takes no requests.
	for {
		if _, _, err := conn.ReadMessage(); err != nil {
			break
		}
	}
	s.mu.Lock()
	for i, o := range s.sockets {
		if o == c {
			s.sockets = append(s.sockets[:i], s.sockets[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	conn.Close()
}

// PostAsUser stores a post a user made in a channel and sends the posted
// event to every open websocket, as the server does for the channel's
// members (a channel id starting dm_ is a direct channel).
func (s *Server) PostAsUser(userID, channelID, message string) *model.Post {
	s.mu.Lock()
	s.seq++
	p := &model.Post{Id: fmt.Sprintf("post%d", s.seq), UserId: userID, ChannelId: channelID, Message: message,
		CreateAt: s.now().UnixMilli()}
	p.UpdateAt = p.CreateAt
	s.posts = append(s.posts, p)
	socks := append([]*socket(nil), s.sockets...)
	s.mu.Unlock()
	typ := model.ChannelTypeOpen
	if strings.HasPrefix(channelID, "dm_") {
		typ = model.ChannelTypeDirect
	}
	raw, _ := json.Marshal(p)
	ev := model.NewWebSocketEvent(model.WebsocketEventPosted, "", channelID, "", nil, "")
	ev.Add("post", string(raw))
	ev.Add("channel_type", string(typ))
	ev.Add("sender_name", "@"+userID)
	for _, c := range socks {
		c.send(ev)
	}
	return p
}
