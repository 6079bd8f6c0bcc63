// Package slack connects getback to Slack with github.com/slack-go/slack:
// slash commands, buttons, modals and events over signed HTTP requests or
// Socket Mode, and posts and DMs with the bot token. It implements
// bot.Messenger and bot.Updater for the outbox, and commands.Directory
// for the commands.
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
type Deduper = inbound.Deduper

// Adapter is getback's Slack connection.
type Adapter struct {
	inbound.Intake // SetCommands, Wait, Drain

	cfg  Config
	api  *slackgo.Client
	pipe *inbound.Pipeline
	log  *slog.Logger

	users    *inbound.Cache[bot.User]
	userList *inbound.Cache[[]slackgo.User]
	channels *inbound.Cache[bot.Channel]
	dms      *inbound.Cache[string]
	// work runs commands after their acknowledgement, and follow-ups.
	work *inbound.Queue
}

// New returns an adapter; SetCommands must be called before it serves.
// Without dedupe (the store), replayed deliveries are recognised in this
// process only.
func New(cfg Config, dedupe Deduper) *Adapter {
	inbound.Defaults(&cfg.AckWithin, &cfg.MaxBody, &cfg.Now)
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
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
	// Slash commands and clicks are not retried by Slack, but may be
	// replayed: their trigger ids are remembered, like event ids.
	pipe := inbound.NewPipeline(inbound.Settings{Platform: Platform, Log: cfg.Log, Workers: cfg.Workers, Queue: cfg.Queue,
		Dedupe: dedupe, AckWithin: cfg.AckWithin, Observe: cfg.Observe, Now: cfg.Now})
	a := &Adapter{cfg: cfg, api: slackgo.New(cfg.BotToken, opts...), pipe: pipe, log: pipe.Log, work: pipe.Work,
		users:    inbound.NewCache[bot.User](cfg.Now),
		userList: inbound.NewCache[[]slackgo.User](cfg.Now),
		channels: inbound.NewCache[bot.Channel](cfg.Now),
		dms:      inbound.NewCache[string](cfg.Now)}
	pipe.Users = a
	a.Intake = inbound.IntakeOf(a.pipe)
	return a
}

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
	if status == http.StatusUnauthorized {
		a.log.Warn("refused a request with a bad signature", "path", r.URL.Path, "reason", err.Error(), "remote", r.RemoteAddr)
		http.Error(w, "invalid signature", status)
	} else {
		inbound.Refuse(w, status)
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
	if body, status, err = inbound.ReadBody(w, r, maxBody); err != nil {
		return nil, status, err
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

// background runs fn after the request, with a context that outlives it.
func (a *Adapter) background(ctx context.Context, fn func(ctx context.Context)) { a.work.Go(ctx, fn) }

// command handles a slash command through the shared pipeline (see
// inbound.Pipeline.Handle): the answer in the request, or nil for an empty
// acknowledgement with the answer through response_url or the modal
// opened with the trigger.
func (a *Adapter) command(ctx context.Context, sc slackgo.SlashCommand) *response {
	msg, _ := a.pipe.Handle(ctx, inbound.Command{
		Call: neutralCall(commands.Call{Workspace: Workspace(sc.TeamID), User: bot.User{ID: sc.UserID, Name: sc.UserName},
			Channel: sc.ChannelID, ChannelName: sc.ChannelName, Command: sc.Command, Text: sc.Text}),
		Trigger: sc.TriggerID,
		Answer:  func(ctx context.Context, rep bot.Reply) any { return a.answer(ctx, sc, rep) },
		Later: func(ctx context.Context, rep bot.Reply, late bool) {
			if rep.Form != nil {
				switch {
				case late: // trigger_id expired: explain instead
					rep = formTooLate
				case a.openForm(ctx, sc, rep.Form) == nil:
					return
				default:
					rep = inbound.FormFailed
				}
			}
			a.sendResponse(ctx, sc.ResponseURL, rep.Split(limits), false)
		},
	}).(*response)
	return msg
}

// formTooLate answers a command whose modal was ready only after its
// trigger expired (Slack allows 3 s).
var formTooLate = bot.Reply{Text: "That took too long to open the form; try again, or give the fields on one line: " +
	commands.Usage("meeting add"), Error: true}

// answer turns a reply into the immediate response: a modal opened with the
// trigger, or the first message (the rest, if Slack's limits split it,
// follow through response_url in order).
func (a *Adapter) answer(ctx context.Context, sc slackgo.SlashCommand, rep bot.Reply) *response {
	if rep.Form != nil {
		if err := a.openForm(ctx, sc, rep.Form); err != nil {
			return message(inbound.FormFailed)
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
