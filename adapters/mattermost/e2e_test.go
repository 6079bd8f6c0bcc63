package mattermost

import (
	"context"
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

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
	"github.com/getbackhq/getback/storage/sqlite"
)

// TestEndToEndWithRealServer drives a real Mattermost server. It needs only
// GETBACK_E2E_MATTERMOST_URL and GETBACK_E2E_MATTERMOST_ADMIN_TOKEN (a
// system admin's personal access token) and creates everything else: a
// team, a regional channel, a second user, the bot account and its token,
// and the slash commands pointing at a getback it starts on 127.0.0.1.
// Run it with `make e2e-mattermost`.
func TestEndToEndWithRealServer(t *testing.T) {
	mmURL, adminToken := os.Getenv("GETBACK_E2E_MATTERMOST_URL"), os.Getenv("GETBACK_E2E_MATTERMOST_ADMIN_TOKEN")
	if mmURL == "" || adminToken == "" {
		t.Skip("set GETBACK_E2E_MATTERMOST_URL and GETBACK_E2E_MATTERMOST_ADMIN_TOKEN to run against a real Mattermost server (make e2e-mattermost)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	admin := model.NewAPIv4Client(strings.TrimRight(mmURL, "/"))
	admin.SetToken(adminToken)
	me, _, err := admin.GetMe(ctx, "")
	if err != nil {
		t.Fatalf("admin token: %v", err)
	}
	must := func(err error, what string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	// The server must be allowed to call getback on loopback, and bots,
	// tokens and custom commands must be on.
	cfg, _, err := admin.GetConfig(ctx)
	must(err, "read the server config")
	allowed := model.SafeDereference(cfg.ServiceSettings.AllowedUntrustedInternalConnections)
	if !strings.Contains(allowed, "127.0.0.1") {
		allowed = strings.TrimSpace(allowed + " 127.0.0.1")
	}
	on := true
	patch := &model.Config{ServiceSettings: model.ServiceSettings{AllowedUntrustedInternalConnections: &allowed,
		EnableBotAccountCreation: &on, EnableUserAccessTokens: &on, EnableCommands: &on, EnablePostIconOverride: &on}}
	_, _, err = admin.PatchConfig(ctx, patch)
	must(err, "patch the server config")

	suffix := fmt.Sprintf("%d", time.Now().UnixNano()%1_000_000_000)
	team, _, err := admin.CreateTeam(ctx, &model.Team{Name: "getback-e2e-" + suffix, DisplayName: "getback e2e " + suffix, Type: model.TeamOpen})
	must(err, "create the team")
	admin.AddTeamMember(ctx, team.Id, me.Id)
	channel, _, err := admin.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "region-9", DisplayName: "Region 9", Type: model.ChannelTypeOpen})
	must(err, "create the channel")
	user2, _, err := admin.CreateUser(ctx, &model.User{Username: "rd" + suffix, Email: "rd" + suffix + "@example.org",
		Password: "Passw0rd!" + suffix, Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "UTC"}})
	must(err, "create the second user")
	_, _, err = admin.AddTeamMember(ctx, team.Id, user2.Id)
	must(err, "add the second user to the team")

	// getback on loopback.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(err, "listen")
	public := "http://" + ln.Addr().String()
	res, err := Setup(ctx, admin, SetupOptions{Team: team.Name, PublicURL: public, Bot: true})
	must(err, "set up the commands and the bot")
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "getback.db"))
	must(err, "open the store")
	defer db.Close()
	logs := &errorLog{}
	a := New(Config{URL: mmURL, BotToken: res.BotToken, CommandTokens: res.Tokens, PublicURL: public, Inline: true,
		Log: slog.New(logs)})
	digests := &bot.Digests{Store: db}
	a.SetRunner(&commands.Runner{Store: db, Users: a, Now: time.Now, Digests: digests, Outbox: db, Log: quiet})
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
	ws := Workspace(team.Id)

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
	// With no arguments the command opens the dialog: the server must
	// accept it (it validates every element).
	_, _, err = admin.ExecuteCommand(ctx, channel.Id, "/meeting add")
	must(err, "execute /meeting add without arguments")
	a.Wait()
	if msg := logs.errors(); msg != "" {
		t.Fatalf("opening the dialog: %s", msg)
	}
	// A submission the server relays: field errors come back per field,
	// and a valid one logs the meeting.
	state := a.sign.dialogState(commands.FormMeetingAdd, channel.Id, me.Id, time.Now().Add(time.Hour))
	submit := model.SubmitDialogRequest{URL: public + "/mattermost/dialogs", CallbackId: commands.FormMeetingAdd, State: state,
		UserId: me.Id, ChannelId: channel.Id, TeamId: team.Id, Submission: map[string]any{"date": "someday"}}
	sr, _, err := admin.SubmitInteractiveDialog(ctx, submit)
	must(err, "submit the dialog with errors")
	if sr.Errors["state"] == "" || sr.Errors["date"] == "" {
		t.Fatalf("dialog field errors: %+v", sr)
	}
	submit.Submission = map[string]any{"state": "Guam", "date": "2026-11-25"}
	sr, _, err = admin.SubmitInteractiveDialog(ctx, submit)
	must(err, "submit the dialog")
	if len(sr.Errors) > 0 || sr.Error != "" {
		t.Fatalf("valid dialog: %+v", sr)
	}
	if _, err := db.FindMeetingByID(ctx, ws, 2); err != nil {
		t.Fatalf("the dialog's meeting: %v", err)
	}
	cr, _, err = admin.ExecuteCommand(ctx, channel.Id, "/digest config region:9 channel:~region-9 tz:UTC day:monday hour:9")
	must(err, "execute /digest config")
	if !strings.Contains(cr.Text, "Saved. Region 9: ~region-9") {
		t.Fatalf("digest config: %q", cr.Text)
	}

	// A reminder and a digest, with the clock set to Monday 09:00 UTC.
	monday := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	db.SetCheckpoint(ctx, bot.SchedulerCheckpoint, monday.Add(-time.Minute))
	clock := func() time.Time { return monday.Add(time.Minute) }
	sched := &bot.Scheduler{Store: db, Digests: digests, Now: clock, Platforms: []string{Platform}, Log: quiet}
	tick, err := sched.Tick(ctx)
	must(err, "scheduler tick")
	if tick.Reminders < 1 || tick.Digests != 1 {
		t.Fatalf("tick: %+v", tick)
	}
	sender := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{Platform: a}, Now: clock, Log: quiet}
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
	botClient := model.NewAPIv4Client(strings.TrimRight(mmURL, "/"))
	botClient.SetToken(res.BotToken)
	dm, _, err := botClient.CreateDirectChannel(ctx, res.BotID, user2.Id)
	must(err, "find the DM channel")
	find := func(channelID, want string) *model.Post {
		t.Helper()
		posts, _, err := botClient.GetPostsForChannel(ctx, channelID, 0, 50, "", false, false)
		must(err, "read posts")
		for _, id := range posts.Order {
			p := posts.Posts[id]
			text := p.Message
			for _, att := range p.Attachments() {
				text += "\n" + att.Text
			}
			if strings.Contains(text, want) {
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
	if key, _ := digest.GetProp(deliveryProp).(string); !strings.HasPrefix(key, "digest:") {
		t.Fatalf("digest delivery key: %v", digest.GetProps())
	}
	key := digest.GetProp(deliveryProp).(string)
	ref, found, err := a.Delivered(ctx, bot.Target{Workspace: ws, Channel: channel.Id}, key, time.Now().Add(-10*time.Minute))
	must(err, "look the digest up by its delivery key")
	if !found || ref.ID != digest.Id {
		t.Fatalf("Delivered(%s): %v %+v, want post %s", key, found, ref, digest.Id)
	}
	if _, found, _ := a.Delivered(ctx, bot.Target{Workspace: ws, Channel: channel.Id}, key+"x", time.Now().Add(-10*time.Minute)); found {
		t.Fatal("Delivered found a key that was never posted")
	}

	// The owner clicks Done on the reminder: the server calls getback's
	// action endpoint with the signed context, and the post is updated.
	owner := model.NewAPIv4Client(strings.TrimRight(mmURL, "/"))
	_, _, err = owner.Login(ctx, user2.Username, "Passw0rd!"+suffix)
	must(err, "log in as the owner")
	done := reminder.Attachments()[0].Actions[0]
	if done.Name != "Done" {
		t.Fatalf("first action is %q", done.Name)
	}
	_, err = owner.DoPostAction(ctx, reminder.Id, done.Id)
	must(err, "click Done")
	g, err := db.FindGetbackByID(ctx, ws, gbs[1].ID)
	must(err, "read the item")
	if g.Status != bot.StatusDone {
		t.Fatalf("the click did not close #%d: %s (log: %s)", g.ID, g.Status, logs.errors())
	}
	updated, _, err := botClient.GetPost(ctx, reminder.Id, "")
	must(err, "read the updated reminder")
	if !strings.Contains(updated.Message, "you owe nothing") {
		t.Fatalf("updated reminder: %q", updated.Message)
	}
	a.Wait()
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
