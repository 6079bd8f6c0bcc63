package mattermost

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/websocket"
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// Reconnection backoff of the event stream.
const (
	eventsBackoffMin = time.Second
	eventsBackoffMax = time.Minute
)

// RunEvents listens to Mattermost's websocket with the bot's token until
// ctx ends, reconnecting with backoff when the connection drops. A
// message posted to the bot in a direct channel ("help", or anything
// else) is answered with the help: Mattermost has no `help` command of
// getback's, and a DM is where people look. Several replicas may listen:
// the answer goes through the outbox under the post's id, once.
func (a *Adapter) RunEvents(ctx context.Context) error {
	backoff := eventsBackoffMin
	for ctx.Err() == nil {
		connected, err := a.listen(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if connected {
			backoff = eventsBackoffMin
		}
		a.log.Warn("the Mattermost event stream stopped; reconnecting", "in", backoff.String(), "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, eventsBackoffMax)
	}
	return nil
}

// eventsURL is the server's address with a websocket scheme.
func (a *Adapter) eventsURL() string {
	u := strings.TrimRight(a.cfg.URL, "/")
	switch {
	case strings.HasPrefix(u, "https://"):
		return "wss://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		return "ws://" + strings.TrimPrefix(u, "http://")
	}
	return u
}

// listen runs one websocket connection until it drops or ctx ends;
// connected says whether the server accepted it.
func (a *Adapter) listen(ctx context.Context) (connected bool, err error) {
	dialer := &websocket.Dialer{HandshakeTimeout: 10 * time.Second, Proxy: http.ProxyFromEnvironment}
	ws, err := model.NewWebSocketClient4WithDialer(dialer, a.eventsURL(), a.cfg.BotToken)
	if err != nil {
		return false, apiError("connect to the event stream", nil, err)
	}
	ws.Listen()
	stop := context.AfterFunc(ctx, ws.Close)
	defer stop()
	defer ws.Close()
	for {
		select {
		case ev, ok := <-ws.EventChannel:
			if !ok {
				if ws.ListenError != nil {
					return connected, apiError("read the event stream", nil, ws.ListenError)
				}
				return connected, nil
			}
			if ev.EventType() == model.WebsocketEventHello {
				connected = true
				a.log.Info("listening to Mattermost events")
			}
			a.event(ctx, ev)
		case <-ws.ResponseChannel:
		case <-ws.PingTimeoutChannel:
			return connected, nil
		}
	}
}

// event answers a post in a direct channel with the bot.
func (a *Adapter) event(ctx context.Context, ev *model.WebSocketEvent) {
	if ev.EventType() != model.WebsocketEventPosted || a.pipe.Commands == nil {
		return
	}
	data := ev.GetData()
	if t, _ := data["channel_type"].(string); t != string(model.ChannelTypeDirect) {
		return
	}
	raw, _ := data["post"].(string)
	var p model.Post
	if err := json.Unmarshal([]byte(raw), &p); err != nil || p.Id == "" || p.Type != "" || p.UserId == "" {
		return // system messages carry a type
	}
	botID, err := a.me(ctx)
	if err != nil || p.UserId == botID {
		return
	}
	if from, ok := p.GetProp(model.PostPropsFromBot).(string); ok && from == "true" {
		return
	}
	if u, err := a.LookupUser(ctx, "", p.UserId); err != nil || u.Bot {
		return // another bot: no conversation between machines
	}
	team := ""
	if b := ev.GetBroadcast(); b != nil {
		team = b.TeamId
	}
	ws := Workspace(team)
	m := commands.Message{Key: "dm:" + Platform + ":" + p.Id, Workspace: ws, Channel: p.ChannelId, Text: p.Message}
	a.pipe.Message(ctx, m, func(ctx context.Context, rep bot.Reply) error {
		_, err := a.Post(ctx, bot.Target{Workspace: ws, Channel: p.ChannelId}, rep)
		return err
	})
}
