package mattermost

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/internal/adaptertest"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite"
)

// TestEndToEndWithRealServer drives a real Mattermost server (11.x). It
// needs only GETBACK_E2E_MATTERMOST_URL and
// GETBACK_E2E_MATTERMOST_ADMIN_TOKEN (a system admin's personal access
// token) and creates everything else: a team, a regional channel, a
// second user, a bot account of its own and its tokens, and the slash
// commands pointing at a getback it starts on 127.0.0.1. It removes all
// of them, and puts back the server settings it changed, when it ends.
// Run it with `make e2e-mattermost`.
func TestEndToEndWithRealServer(t *testing.T) {
	mmURL, adminToken := os.Getenv("GETBACK_E2E_MATTERMOST_URL"), os.Getenv("GETBACK_E2E_MATTERMOST_ADMIN_TOKEN")
	if mmURL == "" || adminToken == "" {
		t.Skip("set GETBACK_E2E_MATTERMOST_URL and GETBACK_E2E_MATTERMOST_ADMIN_TOKEN to run against a real Mattermost server (make e2e-mattermost)")
	}
	mmURL = strings.TrimRight(mmURL, "/")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	client := func(token string) *model.Client4 {
		c := model.NewAPIv4Client(mmURL)
		c.SetToken(token)
		return c
	}
	admin := client(adminToken)
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// cleanup removes something the test made, after the test, in the
	// reverse order of making.
	cleanup := func(what string, undo func(ctx context.Context) (*model.Response, error)) {
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if _, err := undo(ctx); err != nil {
				t.Errorf("clean up %s: %v", what, err)
			}
		})
	}
	me, _, err := admin.GetMe(ctx, "")
	must(err, "admin token")

	// The server must be allowed to call getback on loopback; bots, tokens
	// and custom commands must be on; and what the test makes must be
	// deletable. The settings come back as they were at the end.
	cfg, _, err := admin.GetConfig(ctx)
	must(err, "read the server config")
	ss := cfg.ServiceSettings
	before := model.ServiceSettings{AllowedUntrustedInternalConnections: ss.AllowedUntrustedInternalConnections,
		EnableBotAccountCreation: ss.EnableBotAccountCreation, EnableUserAccessTokens: ss.EnableUserAccessTokens,
		EnableCommands: ss.EnableCommands, EnablePostIconOverride: ss.EnablePostIconOverride,
		EnableAPITeamDeletion: ss.EnableAPITeamDeletion, EnableAPIUserDeletion: ss.EnableAPIUserDeletion}
	cleanup("the server settings", func(ctx context.Context) (*model.Response, error) {
		_, resp, err := admin.PatchConfig(ctx, &model.Config{ServiceSettings: before})
		return resp, err
	})
	allowed := model.SafeDereference(ss.AllowedUntrustedInternalConnections)
	if !strings.Contains(allowed, "127.0.0.1") {
		allowed = strings.TrimSpace(allowed + " 127.0.0.1")
	}
	on := true
	_, _, err = admin.PatchConfig(ctx, &model.Config{ServiceSettings: model.ServiceSettings{AllowedUntrustedInternalConnections: &allowed,
		EnableBotAccountCreation: &on, EnableUserAccessTokens: &on, EnableCommands: &on, EnablePostIconOverride: &on,
		EnableAPITeamDeletion: &on, EnableAPIUserDeletion: &on}})
	must(err, "patch the server config")

	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000_000)
	team, _, err := admin.CreateTeam(ctx, &model.Team{Name: "getback-e2e-" + suffix, DisplayName: "getback e2e " + suffix, Type: model.TeamOpen})
	must(err, "create the team")
	cleanup("the team", func(ctx context.Context) (*model.Response, error) { return admin.PermanentDeleteTeam(ctx, team.Id) })
	admin.AddTeamMember(ctx, team.Id, me.Id)
	channel, _, err := admin.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "region-9", DisplayName: "Region 9", Type: model.ChannelTypeOpen})
	must(err, "create the channel")
	password := "Passw0rd!" + suffix
	user2, _, err := admin.CreateUser(ctx, &model.User{Username: "rd" + suffix, Email: "rd" + suffix + "@example.org",
		Password: password, Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "UTC"}})
	must(err, "create the second user")
	cleanup("the second user", func(ctx context.Context) (*model.Response, error) { return admin.PermanentDeleteUser(ctx, user2.Id) })
	_, _, err = admin.AddTeamMember(ctx, team.Id, user2.Id)
	must(err, "add the second user to the team")
	_, _, err = admin.AddChannelMember(ctx, channel.Id, user2.Id)
	must(err, "add the second user to the channel")

	// Setup names the real cause of a refused admin token, without it.
	_, err = Setup(ctx, client("bogus-"+suffix), SetupOptions{Team: team.Name, PublicURL: "http://127.0.0.1:1"})
	if err == nil || !strings.Contains(err.Error(), "refused the admin token") || strings.Contains(err.Error(), "bogus-"+suffix) {
		t.Fatalf("setup with a bad admin token: %v", err)
	}

	// getback on loopback, with a bot account of the test's own.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err, "listen")
	public := "http://" + ln.Addr().String()
	botName := "getback-e2e-" + suffix
	res, err := Setup(ctx, admin, SetupOptions{Team: team.Name, PublicURL: public, Bot: true, BotUsername: botName})
	must(err, "set up the commands and the bot")
	if !res.BotCreated || res.Admin != me.Username {
		t.Fatalf("setup: %+v", res)
	}
	cleanup("the bot account", func(ctx context.Context) (*model.Response, error) { return admin.PermanentDeleteUser(ctx, res.BotID) })
	cmds, _, err := admin.ListCommands(ctx, team.Id, true)
	must(err, "list the commands")
	for _, c := range cmds {
		cleanup("/"+c.Trigger, func(ctx context.Context) (*model.Response, error) { return admin.DeleteCommand(ctx, c.Id) })
	}
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "getback.db"))
	must(err, "open the store")
	defer db.Close()
	logs := &errorLog{}
	a := New(Config{URL: mmURL, BotToken: res.BotToken, CommandTokens: res.Tokens, PublicURL: public, Inline: true,
		Log: slog.New(logs)})
	ws := Workspace(team.Id)
	admins, unresolved := commands.ResolveAdmins(ctx, a, ws, []string{me.Username, "nobody-" + suffix})
	if !admins[me.Id] || len(admins) != 1 || unresolved["nobody-"+suffix] == nil {
		t.Fatalf("admins by name: %v, unresolved %v", admins, unresolved)
	}
	digests := &bot.Reporter{Store: db}
	a.SetCommands(&commands.Runner{Store: db, Users: a, Now: time.Now, Admins: admins, Reporter: digests, Outbox: db, Log: adaptertest.Quiet})
	mux := http.NewServeMux()
	a.Register(mux)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, r)
		t.Logf("the server called %s %s: %d", r.Method, r.URL.Path, rec.Code)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	})}
	go srv.Serve(ln)
	defer srv.Close()
	events, stopEvents := context.WithCancel(ctx)
	eventsDone := make(chan struct{})
	go func() { a.RunEvents(events); close(eventsDone) }()
	defer func() { stopEvents(); <-eventsDone }()

	// A meeting with two GETBACK items, through the real command pipeline.
	cmd := fmt.Sprintf(`/meeting add state:Nevada date:2026-11-24 location:"Carson City" awareness:"SoS asks for clearances" `+
		`followup:"GETBACK (1): send the contact list. RD FORAC. GETBACK (2): share the phishing offer. @%s FORAC."`, user2.Username)
	cr, _, err := admin.ExecuteCommand(ctx, channel.Id, cmd)
	must(err, "execute /meeting add")
	if !strings.Contains(cr.Text, "Logged meeting #1: Nevada, 2026-11-24 (Region 9).") || !strings.Contains(cr.Text, "Created 2 getbacks") {
		t.Fatalf("reply: %q", cr.Text)
	}
	gbs, _, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
	must(err, "read the getbacks")
	if len(gbs) != 2 || gbs[0].Owner != "RD" || gbs[1].Owner != user2.Id || gbs[1].OwnerKind != bot.OwnerUser {
		t.Fatalf("extracted getbacks: %+v", gbs)
	}
	// With no arguments the command opens the dialog, its dates as date
	// elements: the server must accept it.
	_, _, err = admin.ExecuteCommand(ctx, channel.Id, "/meeting add")
	must(err, "execute /meeting add without arguments")
	a.Wait()
	if msg := logs.errors(); msg != "" {
		t.Fatalf("opening the dialog: %s", msg)
	}
	// A submission the server relays: field errors come back per field,
	// and a valid one logs the meeting, its dates as pickers send them.
	state := a.sign.dialogState(commands.FormMeetingAdd, channel.Id, me.Id, time.Now().Add(time.Hour))
	submit := model.SubmitDialogRequest{URL: public + "/mattermost/dialogs", CallbackId: commands.FormMeetingAdd, State: state,
		UserId: me.Id, ChannelId: channel.Id, TeamId: team.Id, Submission: map[string]any{"date": "someday"}}
	sr, _, err := admin.SubmitInteractiveDialog(ctx, submit)
	must(err, "submit the dialog with errors")
	if sr.Errors["state"] == "" || sr.Errors["date"] == "" {
		t.Fatalf("dialog field errors: %+v", sr)
	}
	submit.Submission = map[string]any{"state": "Guam", "date": "2026-11-25", "next": "2026-12-09T00:00:00Z"}
	sr, _, err = admin.SubmitInteractiveDialog(ctx, submit)
	must(err, "submit the dialog")
	if len(sr.Errors) > 0 || sr.Error != "" {
		t.Fatalf("valid dialog: %+v", sr)
	}
	if m, err := db.FindMeetingByID(ctx, ws, 2); err != nil || m.Date.String() != "2026-11-25" || m.NextDate.String() != "2026-12-09" {
		t.Fatalf("the dialog's meeting: %+v %v", m, err)
	}
	cr, _, err = admin.ExecuteCommand(ctx, channel.Id, "/digest config region:9 channel:~region-9 tz:UTC day:monday hour:9")
	must(err, "execute /digest config")
	if !strings.Contains(cr.Text, escape("Saved. Region 9: ~region-9")) {
		t.Fatalf("digest config: %q", cr.Text)
	}

	// The second user is no admin: the refusal names whom to ask.
	owner := model.NewAPIv4Client(mmURL)
	_, _, err = owner.Login(ctx, user2.Username, password)
	must(err, "log in as the second user")
	cr, _, err = owner.ExecuteCommand(ctx, channel.Id, "/digest post region:9")
	must(err, "execute /digest post as a user")
	if !strings.Contains(cr.Text, escape("Only admins can post digests: ask @"+me.Username)) {
		t.Fatalf("refusal: %q", cr.Text)
	}

	// A reminder and a digest, with the clock set to Monday 09:00 UTC.
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	db.SetCheckpoint(ctx, bot.SchedulerCheckpoint, monday.Add(-time.Minute))
	clock := func() time.Time { return monday.Add(time.Minute) }
	sched := &bot.Scheduler{Store: db, Reporter: digests, Now: clock, Platforms: []string{Platform}, Log: adaptertest.Quiet}
	tick, err := sched.Tick(ctx)
	must(err, "scheduler tick")
	if tick.Reminders < 1 || tick.Digests != 1 {
		t.Fatalf("tick: %+v", tick)
	}
	sender := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{Platform: a}, Now: clock, Log: adaptertest.Quiet}
	sent, err := sender.Drain(ctx)
	must(err, "drain the outbox")
	if sent < 2 {
		items, _ := db.FindOutbox(ctx, bot.OutboxFilter{})
		for _, it := range items {
			t.Logf("outbox %s %s attempts=%d error=%q", it.Key, it.Status, it.Attempts, it.LastError)
		}
		t.Fatalf("sent %d posts", sent)
	}

	// Read both back through the API, as the bot.
	botClient := client(res.BotToken)
	dm, _, err := botClient.CreateDirectChannel(ctx, res.BotID, user2.Id)
	must(err, "find the DM channel")
	find := func(channelID, want string) *model.Post {
		t.Helper()
		posts, _, err := botClient.GetPostsForChannel(ctx, channelID, 0, 50, "", false, false)
		must(err, "read posts")
		for _, id := range posts.Order {
			p := posts.Posts[id]
			if strings.Contains(p.Message+attachmentText(p), want) {
				return p
			}
		}
		t.Fatalf("no post in %s contains %q", channelID, want)
		return nil
	}
	reminder := find(dm.Id, "share the phishing offer")
	if reminder.UserId != res.BotID || len(reminder.Attachments()) == 0 || len(reminder.Attachments()[0].Actions) == 0 {
		t.Fatalf("reminder: %+v", reminder)
	}
	digest := find(channel.Id, "Region 9 weekly digest")
	if digest.UserId != res.BotID || !strings.Contains(digest.Message, "SoS asks for clearances") {
		t.Fatalf("digest: %q", digest.Message)
	}
	// The server keeps each post's delivery key, so that after a crash the
	// outbox finds what it had posted instead of posting it again.
	key, _ := digest.GetProp(deliveryProp).(string)
	if !strings.HasPrefix(key, "digest:") {
		t.Fatalf("digest delivery key: %v", digest.GetProps())
	}
	ref, found, err := a.Delivered(ctx, bot.Target{Workspace: ws, Channel: channel.Id}, key, time.Now().Add(-10*time.Minute))
	must(err, "look the digest up by its delivery key")
	if !found || ref.ID != digest.Id {
		t.Fatalf("Delivered(%s): %v %+v, want post %s", key, found, ref, digest.Id)
	}
	if _, found, _ := a.Delivered(ctx, bot.Target{Workspace: ws, Channel: channel.Id}, key+"x", time.Now().Add(-10*time.Minute)); found {
		t.Fatal("Delivered found a key that was never posted")
	}

	// The owner clicks Done on the reminder the way the webapp does: the
	// post is updated, and the closed item's card goes with its buttons.
	done := reminder.Attachments()[0].Actions[0]
	if done.Name != "Done" {
		t.Fatalf("first action is %q", done.Name)
	}
	_, err = owner.DoPostActionWithCookie(ctx, reminder.Id, done.Id, "", "")
	must(err, "click Done on the reminder")
	if g, err := db.FindGetbackByID(ctx, ws, gbs[1].ID); err != nil || g.Status != bot.StatusDone {
		t.Fatalf("the click did not close #%d: %+v %v (log: %s)", gbs[1].ID, g, err, logs.errors())
	}
	updated, _, err := botClient.GetPost(ctx, reminder.Id, "")
	must(err, "read the updated reminder")
	if !strings.Contains(updated.Message, "you owe nothing") || len(updated.Attachments()) != 0 {
		t.Fatalf("updated reminder: %q with %d attachments: %s", updated.Message, len(updated.Attachments()), attachmentText(updated))
	}

	// A button on an ephemeral answer: the owner lists their items and
	// clicks Done. The server stores no such post: an update of it is
	// refused (404), and a bot may not post ephemeral messages by default,
	// so the new state arrives as ephemeral text.
	for _, text := range []string{"confirm the fusion center contact", "send the tabletop schedule", "book the training room"} {
		_, _, err = admin.ExecuteCommand(ctx, channel.Id, fmt.Sprintf(`/getback add @%s "%s"`, user2.Username, text))
		must(err, "execute /getback add")
	}
	sock := listenAs(t, mmURL, owner.AuthToken)
	listMine := func(owes string) (*model.Post, func(card string) *model.PostAction) {
		t.Helper()
		_, _, err = owner.ExecuteCommand(ctx, channel.Id, "/getback list mine")
		must(err, "execute /getback list mine")
		list := sock.await(t, "the list", func(ev string, p *model.Post) bool {
			return ev == string(model.WebsocketEventEphemeralMessage) && strings.Contains(p.Message, owes)
		})
		return list, func(card string) *model.PostAction {
			t.Helper()
			for _, att := range list.Attachments() {
				for _, act := range att.Actions {
					if act.Name == "Done" && strings.Contains(att.Text, card) && act.Cookie != "" {
						return act
					}
				}
			}
			t.Fatalf("no Done button with a cookie for %q: %s", card, attachmentText(list))
			return nil
		}
	}
	list, button := listMine("You owe 3")
	_, err = owner.DoPostActionWithCookie(ctx, list.Id, button("confirm the fusion center contact").Id, "", button("confirm the fusion center contact").Cookie)
	must(err, "click Done on the ephemeral list")
	text := sock.await(t, "the list's new state as text", func(ev string, p *model.Post) bool {
		return ev == string(model.WebsocketEventEphemeralMessage) && p.Id != list.Id && strings.Contains(p.Message, "You owe 2")
	})
	notice, state, _ := strings.Cut(text.Message, "\n\n")
	if !strings.Contains(notice, "Marked #") || strings.Contains(state, "confirm the fusion center contact") ||
		!strings.Contains(state, "send the tabletop schedule") {
		t.Fatalf("the new state as text: %q", text.Message)
	}

	// With --ephemeral, setup lets the bot post ephemeral messages: the
	// next click replaces the list in the owner's client, buttons and all.
	postAll, _, err := admin.GetRoleByName(ctx, model.SystemPostAllRoleId)
	must(err, "read the role system_post_all")
	granted, err := Setup(ctx, admin, SetupOptions{Team: team.Name, PublicURL: public, Bot: true, BotUsername: botName, Ephemeral: true})
	must(err, "set up --ephemeral")
	if granted.RolePatched {
		cleanup("the role system_post_all", func(ctx context.Context) (*model.Response, error) {
			_, resp, err := admin.PatchRole(ctx, postAll.Id, &model.RolePatch{Permissions: &postAll.Permissions})
			return resp, err
		})
	}
	if !granted.RoleGiven {
		t.Fatalf("setup --ephemeral: %+v", granted)
	}
	a.mu.Lock()
	a.noEphemeralUntil = time.Time{} // the adapter would ask again within ephemeralRecheck
	a.mu.Unlock()
	list, button = listMine("You owe 2")
	_, err = owner.DoPostActionWithCookie(ctx, list.Id, button("send the tabletop schedule").Id, "", button("send the tabletop schedule").Cookie)
	must(err, "click Done on the ephemeral list")
	now := sock.await(t, "the list replaced", func(ev string, p *model.Post) bool {
		return p.Id == list.Id && strings.Contains(p.Message, "You owe 1")
	})
	if strings.Contains(attachmentText(now), "send the tabletop schedule") || !strings.Contains(attachmentText(now), "book the training room") {
		t.Fatalf("the new state: %q %s", now.Message, attachmentText(now))
	}
	if n := len(now.Attachments()); n == 0 || len(now.Attachments()[0].Actions) == 0 || now.Attachments()[0].Actions[0].Cookie == "" {
		t.Fatalf("the replaced list has no working buttons: %s", attachmentText(now))
	}

	// A direct message to the bot is answered with the help.
	_, _, err = owner.CreatePost(ctx, &model.Post{ChannelId: dm.Id, Message: "help"})
	must(err, "DM the bot")
	now2 := func() time.Time { return time.Now() }
	dmSender := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{Platform: a}, Now: now2, Log: adaptertest.Quiet}
	deadline := time.Now().Add(30 * time.Second)
	for {
		dmSender.Drain(ctx)
		posts, _, err := botClient.GetPostsForChannel(ctx, dm.Id, 0, 20, "", false, false)
		must(err, "read the DM")
		answered := false
		for _, p := range posts.Posts {
			answered = answered || (p.UserId == res.BotID && strings.Contains(p.Message, "/getback — Track GETBACK items"))
		}
		if answered {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no help in the DM (log: %s)", logs.errors())
		}
		time.Sleep(200 * time.Millisecond)
	}

	// Setup again, rotating: the bot gets a new token and the old one is
	// revoked, so the running getback's token stops working.
	again, err := Setup(ctx, admin, SetupOptions{Team: team.Name, PublicURL: public, Bot: true, BotUsername: botName, RotateToken: true})
	must(err, "set up again, rotating the token")
	if again.BotCreated || again.OldTokens != 2 || again.Revoked != 2 || len(cmdsAfter(ctx, t, admin, team.Id)) != len(cmds) {
		t.Fatalf("second setup: %+v", again)
	}
	if err := a.Ping(ctx); err == nil || !strings.Contains(err.Error(), "refused the token") || strings.Contains(err.Error(), res.BotToken) {
		t.Fatalf("the revoked token: %v", err)
	}
	a.Wait()
}

func cmdsAfter(ctx context.Context, t *testing.T, admin *model.Client4, team string) []*model.Command {
	cmds, _, err := admin.ListCommands(ctx, team, true)
	if err != nil {
		t.Fatalf("list the commands: %v", err)
	}
	return cmds
}

// userSocket is a user's websocket: the events their client would get.
type userSocket struct {
	ws *model.WebSocketClient
}

func listenAs(t *testing.T, mmURL, token string) *userSocket {
	t.Helper()
	u := "ws" + strings.TrimPrefix(mmURL, "http")
	ws, err := model.NewWebSocketClient4(u, token)
	if err != nil {
		t.Fatalf("websocket: %v", err)
	}
	ws.Listen()
	t.Cleanup(ws.Close)
	return &userSocket{ws: ws}
}

// await returns the first post event that match accepts.
func (s *userSocket) await(t *testing.T, what string, match func(event string, p *model.Post) bool) *model.Post {
	t.Helper()
	timeout := time.After(30 * time.Second)
	for {
		select {
		case ev, ok := <-s.ws.EventChannel:
			if !ok {
				t.Fatalf("the websocket closed waiting for %s", what)
			}
			raw, _ := ev.GetData()["post"].(string)
			if raw == "" {
				continue
			}
			p := &model.Post{}
			if json.Unmarshal([]byte(raw), p) != nil {
				continue
			}
			if match(string(ev.EventType()), p) {
				return p
			}
		case <-timeout:
			t.Fatalf("no event for %s", what)
		}
	}
}

// errorLog is a slog handler that keeps the messages of error records.
type errorLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *errorLog) Enabled(_ context.Context, level slog.Level) bool { return level >= slog.LevelWarn }
func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler               { return l }
func (l *errorLog) WithGroup(string) slog.Handler                    { return l }
func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	msg := r.Message
	r.Attrs(func(a slog.Attr) bool { msg += " " + a.String(); return true })
	l.mu.Lock()
	l.msgs = append(l.msgs, msg)
	l.mu.Unlock()
	return nil
}

func (l *errorLog) errors() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.msgs, "; ")
}
