// Package mattermost connects getback to Mattermost with the server's own
// client library (model.Client4 and the model types): slash commands,
// interactive dialogs and message buttons arrive over HTTP; posts and DMs
// go out with the bot account's token. It implements bot.Messenger and
// bot.Updater for the outbox, and commands.Directory for the commands.
package mattermost

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/inbound"
	"github.com/getbackhq/getback/bot"
)

// Platform is the platform name, and the prefix of Mattermost workspace
// ids ("mattermost:<team id>").
const Platform = "mattermost"

// Workspace returns getback's workspace id for a Mattermost team.
func Workspace(teamID string) string { return Platform + ":" + teamID }

func teamOf(ws string) string { return strings.TrimPrefix(ws, Platform+":") }

// Config configures the adapter.
type Config struct {
	// URL is the Mattermost server's address; BotToken the bot account's
	// access token.
	URL      string
	BotToken string
	// CommandTokens are the tokens of getback's slash commands; a request
	// must carry one of them.
	CommandTokens []string
	// PublicURL is where Mattermost reaches getback (button and dialog
	// callbacks): GETBACK_PUBLIC_URL, default http://GETBACK_ADDR.
	PublicURL  string
	HTTPClient *http.Client
	Log        *slog.Logger
	// AckWithin bounds how long a command may run in the request when the
	// work queue is full; default 2.5 s.
	AckWithin time.Duration
	// MaxBody bounds a request body; default 256 KiB.
	MaxBody int64
	// Workers and Queue size the work queue (defaults: the number of CPUs,
	// at least 2, and 4096).
	Workers, Queue int
	// Inline answers commands in the HTTP response (the reply then shows
	// in the API's command execution result too) when they finish within
	// AckWithin, instead of acknowledging at once and answering through
	// response_url.
	Inline bool
	// Observe, when set, is told how each command went: its name with the
	// subcommand (commands.Kind), how long it took, and the outcome.
	Observe func(command string, took time.Duration, outcome string)
	// Now is the clock for dialog expiry, cached users and remembered
	// action ids; default time.Now.
	Now func() time.Time
	// Dedupe, when set, remembers trigger ids in the store, so that a
	// retried command or a double click is run once across every replica
	// sharing it; without it, this process remembers them.
	Dedupe inbound.Deduper
}

// Adapter is getback's Mattermost connection.
type Adapter struct {
	inbound.Intake // SetCommands, Wait, Drain

	cfg  Config
	api  *model.Client4
	pipe *inbound.Pipeline
	log  *slog.Logger
	sign signer
	work *inbound.Queue

	users *inbound.Cache[bot.User]
	dms   *inbound.Cache[string] // direct channel ids by user id

	mu    sync.Mutex
	botID string
	// noEphemeralUntil: the server refused the bot an ephemeral post; do
	// not ask again before then.
	noEphemeralUntil time.Time
}

// New returns an adapter; SetCommands must be called before it serves.
func New(cfg Config) *Adapter {
	inbound.Defaults(&cfg.AckWithin, &cfg.MaxBody, &cfg.Now)
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	api := model.NewAPIv4Client(strings.TrimRight(cfg.URL, "/"))
	api.SetToken(cfg.BotToken)
	if cfg.HTTPClient != nil {
		api.HTTPClient = cfg.HTTPClient
	}
	pipe := inbound.NewPipeline(inbound.Settings{Platform: Platform, Log: cfg.Log, Workers: cfg.Workers, Queue: cfg.Queue,
		Dedupe: cfg.Dedupe, AckWithin: cfg.AckWithin, Inline: cfg.Inline, Observe: cfg.Observe, Now: cfg.Now})
	a := &Adapter{cfg: cfg, api: api, pipe: pipe, log: pipe.Log, work: pipe.Work, sign: newSigner(cfg.BotToken),
		users: inbound.NewCache[bot.User](cfg.Now),
		dms:   inbound.NewCache[string](cfg.Now)}
	pipe.Users = a
	a.Intake = inbound.IntakeOf(a.pipe)
	return a
}

// Register adds the Mattermost endpoints to mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /mattermost/commands", a.serveCommand)
	mux.HandleFunc("POST /mattermost/actions", a.serveAction)
	mux.HandleFunc("POST /mattermost/dialogs", a.serveDialog)
}

// readBody reads a request's body, or answers 400 or 413 itself.
func (a *Adapter) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, status, err := inbound.ReadBody(w, r, a.cfg.MaxBody)
	if err != nil {
		inbound.Refuse(w, status)
		return nil, false
	}
	return body, true
}

// tokenOK compares the request's command token with the configured ones
// in constant time.
func (a *Adapter) tokenOK(tok string) bool { return CommandTokenOK(tok, a.cfg.CommandTokens) }

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// empty is the answer when there is nothing to say: Mattermost treats an
// empty body as an error.
var empty = struct{}{}
