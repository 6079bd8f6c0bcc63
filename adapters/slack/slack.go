// Package slack connects getback to Slack with github.com/slack-go/slack:
// slash commands, buttons, modals and events over signed HTTP requests or
// Socket Mode, and posts and DMs with the bot token. It implements
// bot.Messenger for the outbox and the command runner.
package slack

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/getbackhq/getback/adapters/inbound"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// Platform is the platform name, and the prefix of Slack workspace ids
// ("slack:T0123").
const Platform = "slack"

// Workspace returns getback's workspace id for a Slack team.
func Workspace(teamID string) string { return Platform + ":" + teamID }

// Config configures the adapter.
type Config struct {
	BotToken      string
	SigningSecret string
	// AppToken (xapp-...) enables Socket Mode.
	AppToken string
	// APIURL overrides Slack's API base, e.g. for tests and proxies.
	APIURL     string
	HTTPClient *http.Client
	Log        *slog.Logger
	// AckWithin is how long a slash command may run before Slack gets an
	// empty acknowledgement and the answer follows through response_url;
	// Slack allows 3 s. Default 2.5 s.
	AckWithin time.Duration
	// MaxBody bounds a request body; default 256 KiB.
	MaxBody int64
	// Workers bounds the commands running at once after their
	// acknowledgement (default: the number of CPUs, at least 2); Queue
	// bounds those running or waiting
	// (default 4096).
	Workers, Queue int
	// Observe, when set, is told how each command went: its name with the
	// subcommand (commands.Kind), how long it took, and "ok", "error" or
	// "late".
	Observe func(command string, took time.Duration, outcome string)
	// Now is the clock by which cached user and channel details and
	// remembered trigger ids expire; default time.Now.
	Now func() time.Time
	// FileWaits are the pauses before posting a message with pictures
	// again when Slack says a just-uploaded file is not ready; after the
	// last, the message goes without them. Default 1 s, then 2 s.
	FileWaits []time.Duration
}

// Deduper remembers deliveries already handled.
type Deduper interface {
	FirstSeen(ctx context.Context, key string) (bool, error)
}

// Adapter is getback's Slack connection.
type Adapter struct {
	cfg    Config
	api    *slackgo.Client
	runner *commands.Runner
	dedupe Deduper
	log    *slog.Logger

	users    *inbound.Cache[bot.User]
	userList *inbound.Cache[[]slackgo.User]
	channels *inbound.Cache[bot.Channel]
	dms      *inbound.Cache[string]
	// recent remembers trigger ids (slash commands and clicks are not
	// retried by Slack, but may be replayed); events use the store.
	recent inbound.Recent
	// work runs commands after their acknowledgement, and follow-ups.
	work *inbound.Queue
}

// New returns an adapter; SetRunner must be called before it serves.
func New(cfg Config, dedupe Deduper) *Adapter {
	if cfg.AckWithin <= 0 {
		cfg.AckWithin = 2500 * time.Millisecond
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 256 << 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	opts := []slackgo.Option{slackgo.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.APIURL != "" {
		u := cfg.APIURL
		if !strings.HasSuffix(u, "/") {
			u += "/"
		}
		opts = append(opts, slackgo.OptionAPIURL(u))
	}
	if cfg.AppToken != "" {
		opts = append(opts, slackgo.OptionAppLevelToken(cfg.AppToken))
	}
	work := inbound.NewQueue(cfg.Workers, cfg.Queue)
	work.Log = log.With("platform", Platform)
	return &Adapter{cfg: cfg, api: slackgo.New(cfg.BotToken, opts...), dedupe: dedupe, log: log.With("platform", Platform),
		work:     work,
		users:    &inbound.Cache[bot.User]{TTL: cacheTTL, Now: cfg.Now},
		userList: &inbound.Cache[[]slackgo.User]{TTL: cacheTTL, Now: cfg.Now},
		channels: &inbound.Cache[bot.Channel]{TTL: cacheTTL, Now: cfg.Now},
		dms:      &inbound.Cache[string]{TTL: cacheTTL, Now: cfg.Now},
		recent:   inbound.Recent{Now: cfg.Now}}
}

// SetRunner sets the command runner (which uses the adapter as its user
// directory, hence the two steps).
func (a *Adapter) SetRunner(r *commands.Runner) { a.runner = r }

// Wait blocks until background work started by requests has finished.
func (a *Adapter) Wait() { a.work.Wait() }

// Drain waits at most d for the work behind acknowledged requests (answers
// still to post) and returns how many jobs it gave up on.
func (a *Adapter) Drain(d time.Duration) int { return a.work.WaitTimeout(d) }

// Register adds the Slack endpoints to mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /slack/commands", a.serveCommand)
	mux.HandleFunc("POST /slack/interactivity", a.serveInteractivity)
	mux.HandleFunc("POST /slack/events", a.serveEvents)
}

// verified reads the body and checks Slack's v0 signature over it (and the
// timestamp: at most five minutes old). It answers 401 or 413 itself and
// returns ok=false when the request must not be processed.
func (a *Adapter) verified(w http.ResponseWriter, r *http.Request) (body []byte, ok bool) {
	body, status, err := VerifiedBody(w, r, a.cfg.SigningSecret, a.cfg.MaxBody)
	if err == nil {
		return body, true
	}
	switch status {
	case http.StatusUnauthorized:
		a.log.Warn("refused a request with a bad signature", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "invalid signature", status)
	case http.StatusRequestEntityTooLarge:
		http.Error(w, "request too large", status)
	default:
		http.Error(w, "bad request", status)
	}
	return nil, false
}

// VerifiedBody reads a request's body, at most maxBody bytes, and checks
// Slack's v0 signature over it with the signing secret (and the
// timestamp: at most five minutes old). When the request must be refused
// it returns the HTTP status to answer (400, 401 or 413) and why. The
// adapter checks every request with it; the load tool's signature-only
// baseline does too.
func VerifiedBody(w http.ResponseWriter, r *http.Request, secret string, maxBody int64) (body []byte, status int, err error) {
	body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, http.StatusRequestEntityTooLarge, err
		}
		return nil, http.StatusBadRequest, err
	}
	sv, err := slackgo.NewSecretsVerifier(r.Header, secret)
	if err == nil {
		sv.Write(body)
		err = sv.Ensure()
	}
	if err != nil {
		return nil, http.StatusUnauthorized, err
	}
	return body, http.StatusOK, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	if v == nil {
		w.WriteHeader(http.StatusOK)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	sc, err := parseSlashCommand(body)
	if err != nil || sc.UserID == "" || sc.TeamID == "" {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	if msg := a.command(r.Context(), sc); msg != nil {
		writeJSON(w, msg)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// parseSlashCommand decodes a slash command's form body as
// slackgo.SlashCommandParse does (the first value of a field counts), in
// one pass over the body that keeps only the fields a command has: the
// acknowledgement is on the clock, and ParseForm builds two maps of every
// field first.
func parseSlashCommand(body []byte) (slackgo.SlashCommand, error) {
	var sc slackgo.SlashCommand
	var seen uint32
	rest := string(body)
	for rest != "" {
		var pair string
		pair, rest, _ = strings.Cut(rest, "&")
		if strings.Contains(pair, ";") {
			return sc, errors.New("invalid semicolon separator in form")
		}
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err := url.QueryUnescape(k)
		if err != nil {
			return sc, err
		}
		v, err = url.QueryUnescape(v)
		if err != nil {
			return sc, err
		}
		i, field := slashField(&sc, k)
		if field == nil || seen&(1<<i) != 0 {
			continue
		}
		seen |= 1 << i
		*field = v
	}
	return sc, nil
}

// slashField returns the place of a slash command's form field and its
// number, or nil for a field getback does not read.
func slashField(sc *slackgo.SlashCommand, key string) (int, *string) {
	switch key {
	case "team_id":
		return 0, &sc.TeamID
	case "team_domain":
		return 1, &sc.TeamDomain
	case "channel_id":
		return 2, &sc.ChannelID
	case "channel_name":
		return 3, &sc.ChannelName
	case "user_id":
		return 4, &sc.UserID
	case "user_name":
		return 5, &sc.UserName
	case "command":
		return 6, &sc.Command
	case "text":
		return 7, &sc.Text
	case "response_url":
		return 8, &sc.ResponseURL
	case "trigger_id":
		return 9, &sc.TriggerID
	case "api_app_id":
		return 10, &sc.APIAppID
	case "enterprise_id":
		return 11, &sc.EnterpriseID
	}
	return 0, nil
}

func (a *Adapter) serveInteractivity(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil || form.Get("payload") == "" {
		http.Error(w, "no payload", http.StatusBadRequest)
		return
	}
	var cb slackgo.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &cb); err != nil {
		http.Error(w, "bad payload", http.StatusBadRequest)
		return
	}
	writeJSON(w, a.interaction(r.Context(), cb))
}

func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request) {
	body, ok := a.verified(w, r)
	if !ok {
		return
	}
	ev, err := slackevents.ParseEvent(json.RawMessage(body), slackevents.OptionNoVerifyToken())
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	if ev.Type == slackevents.URLVerification {
		var ch slackevents.ChallengeResponse
		json.Unmarshal(body, &ch)
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, ch.Challenge)
		return
	}
	a.event(r.Context(), ev)
	w.WriteHeader(http.StatusOK)
}

// firstTime reports whether a delivery key is new, on any replica sharing
// the store (this process alone without one); when the store cannot tell,
// the delivery is processed (a duplicate beats a loss).
func (a *Adapter) firstTime(ctx context.Context, key string) bool {
	if key == "" {
		return true
	}
	if a.dedupe == nil {
		return a.recent.Add(key)
	}
	first, err := a.dedupe.FirstSeen(ctx, "slack:"+key)
	if err != nil {
		a.log.Error("dedupe lookup failed", "err", err)
		return true
	}
	return first
}

// caller describes the user behind a request, with the time zone and admin
// flag from users.info when Slack answers.
func (a *Adapter) caller(ctx context.Context, ws, id, name string) bot.User {
	u, err := a.LookupUser(ctx, ws, id)
	if err != nil {
		a.log.Warn("users.info failed; going on with the id", "user", id, "err", err)
		return bot.User{ID: id, Name: name}
	}
	return u
}

// background runs fn after the request, with a context that outlives it.
func (a *Adapter) background(ctx context.Context, fn func(ctx context.Context)) { a.work.Go(ctx, fn) }

// command handles a slash command. A command that reads is acknowledged at
// once (nil: an empty 200) and queued; Workers of them run at a time,
// answering through response_url (or opening the modal with the trigger).
// A command that writes runs in the request and is answered there, after
// its commit, so an acknowledged write survives a crash. So does a read
// when the queue is full: acknowledgements slow down rather than the queue
// growing without bound. A command still running after AckWithin is
// acknowledged and answered later through response_url.
func (a *Adapter) command(ctx context.Context, sc slackgo.SlashCommand) *response {
	start := time.Now()
	// A repeated delivery (the same trigger id, on any replica) is run
	// once; a queued read checks when it runs, so that acknowledging it
	// writes nothing.
	fresh := func(ctx context.Context) bool { return sc.TriggerID == "" || a.firstTime(ctx, "trigger:"+sc.TriggerID) }
	kind := commands.Classify(sc.Command, neutralText(sc.Text))
	queued := !kind.Writes && a.work.TryGo(ctx, func(ctx context.Context) {
		if !fresh(ctx) {
			return
		}
		rep := a.runCommand(ctx, sc)
		a.observe(kind.Name, start, outcome(rep))
		if rep.Form != nil {
			if err := a.openForm(ctx, sc, rep.Form); err != nil {
				rep = formFailed
			} else {
				return
			}
		}
		a.sendResponse(ctx, sc.ResponseURL, rep.Split(limits), false)
	})
	if queued || !fresh(ctx) {
		return nil
	}
	done := make(chan bot.Reply, 1)
	a.background(ctx, func(ctx context.Context) { done <- a.runCommand(ctx, sc) })
	timer := time.NewTimer(a.cfg.AckWithin)
	defer timer.Stop()
	select {
	case rep := <-done:
		a.observe(kind.Name, start, outcome(rep))
		return a.answer(ctx, sc, rep)
	case <-timer.C:
		a.background(ctx, func(ctx context.Context) {
			rep := <-done
			a.observe(kind.Name, start, "late")
			if rep.Form != nil { // trigger_id expired: explain instead
				rep = bot.Reply{Text: "That took too long to open the form; try again, or give the fields on one line: " +
					commands.Usage("meeting add"), Error: true}
			}
			a.sendResponse(ctx, sc.ResponseURL, rep.Split(limits), false)
		})
		return nil
	}
}

// runCommand runs a slash command as its caller.
func (a *Adapter) runCommand(ctx context.Context, sc slackgo.SlashCommand) bot.Reply {
	ws := Workspace(sc.TeamID)
	return a.runner.Run(ctx, neutralCall(commands.Call{Workspace: ws, User: a.caller(ctx, ws, sc.UserID, sc.UserName),
		Channel: sc.ChannelID, ChannelName: sc.ChannelName, Command: sc.Command, Text: sc.Text}))
}

func outcome(rep bot.Reply) string {
	if rep.Error {
		return "error"
	}
	return "ok"
}

func (a *Adapter) observe(command string, start time.Time, outcome string) {
	if a.cfg.Observe != nil {
		a.cfg.Observe(command, time.Since(start), outcome)
	}
}

// answer turns a reply into the immediate response: a modal opened with the
// trigger, or the first message (the rest, if Slack's limits split it,
// follow through response_url in order).
func (a *Adapter) answer(ctx context.Context, sc slackgo.SlashCommand, rep bot.Reply) *response {
	if rep.Form != nil {
		if err := a.openForm(ctx, sc, rep.Form); err != nil {
			return message(formFailed)
		}
		return nil
	}
	parts := rep.Split(limits)
	if len(parts[0].Images) > 0 {
		// Pictures are uploaded before they can be shown: acknowledge now
		// and answer through response_url.
		a.background(ctx, func(ctx context.Context) { a.sendResponse(ctx, sc.ResponseURL, parts, false) })
		return nil
	}
	if len(parts) > 1 {
		a.background(ctx, func(ctx context.Context) { a.sendResponse(ctx, sc.ResponseURL, parts[1:], false) })
	}
	return message(parts[0])
}

// formFailed answers a command whose modal could not be opened.
var formFailed = bot.Reply{Text: "I couldn't open the form. Give the fields on one line instead: " +
	commands.Usage("meeting add"), Error: true}

// openForm opens a modal with the command's trigger (valid for 3 s).
func (a *Adapter) openForm(ctx context.Context, sc slackgo.SlashCommand, f *bot.Form) error {
	_, err := a.api.OpenViewContext(ctx, sc.TriggerID, modal(f, sc.ChannelID))
	if err != nil {
		a.log.Error("views.open failed", "err", err)
	}
	return err
}

// sendResponse posts messages to a response_url, in order.
func (a *Adapter) sendResponse(ctx context.Context, responseURL string, parts []bot.Reply, replace bool) {
	for _, p := range parts {
		files := a.uploadOrLog(ctx, p)
		err := slackgo.PostWebhookCustomHTTPContext(ctx, responseURL, a.cfg.HTTPClient, webhook(p, replace, files...))
		if err != nil && len(files) > 0 {
			a.log.Warn("answering without pictures: Slack refused them", "err", err)
			err = slackgo.PostWebhookCustomHTTPContext(ctx, responseURL, a.cfg.HTTPClient, webhook(p, replace))
		}
		if err != nil {
			a.log.Error("response_url post failed", "err", err)
			return
		}
		replace = false
	}
}
