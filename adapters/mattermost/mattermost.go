// Package mattermost connects getback to Mattermost with the server's own
// client library (model.Client4 and the model types): slash commands,
// interactive dialogs and message buttons arrive over HTTP; posts and DMs
// go out with the bot account's token. It implements bot.Messenger.
package mattermost

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/inbound"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
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
	Dedupe interface {
		FirstSeen(ctx context.Context, key string) (bool, error)
	}
}

// Adapter is getback's Mattermost connection.
type Adapter struct {
	cfg    Config
	api    *model.Client4
	runner *commands.Runner
	log    *slog.Logger
	sign   signer
	recent inbound.Recent
	work   *inbound.Queue

	mu    sync.Mutex
	botID string
	// noEphemeralUntil: the server refused the bot an ephemeral post; do
	// not ask again before then.
	noEphemeralUntil time.Time
	users            map[string]cachedUser
	dms              map[string]string
}

type cachedUser struct {
	u  bot.User
	at time.Time
}

// New returns an adapter; SetRunner must be called before it serves.
func New(cfg Config) *Adapter {
	if cfg.AckWithin <= 0 {
		cfg.AckWithin = 2500 * time.Millisecond
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 256 << 10
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	cfg.PublicURL = strings.TrimRight(cfg.PublicURL, "/")
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	api := model.NewAPIv4Client(strings.TrimRight(cfg.URL, "/"))
	api.SetToken(cfg.BotToken)
	if cfg.HTTPClient != nil {
		api.HTTPClient = cfg.HTTPClient
	}
	work := inbound.NewQueue(cfg.Workers, cfg.Queue)
	work.Log = log.With("platform", Platform)
	return &Adapter{cfg: cfg, api: api, log: log.With("platform", Platform), sign: newSigner(cfg.BotToken),
		work: work, users: map[string]cachedUser{}, dms: map[string]string{},
		recent: inbound.Recent{Now: cfg.Now}}
}

// firstTime reports whether a delivery key is new; when the store cannot
// tell, the delivery is processed (a duplicate beats a loss).
func (a *Adapter) firstTime(ctx context.Context, key string) bool {
	if a.cfg.Dedupe == nil {
		return a.recent.Add(key)
	}
	first, err := a.cfg.Dedupe.FirstSeen(ctx, "mattermost:"+key)
	if err != nil {
		a.log.Error("dedupe lookup failed", "err", err)
		return true
	}
	return first
}

// SetRunner sets the command runner.
func (a *Adapter) SetRunner(r *commands.Runner) { a.runner = r }

// Wait blocks until background work started by requests has finished.
func (a *Adapter) Wait() { a.work.Wait() }

// Drain waits at most d for the work behind acknowledged requests (answers
// still to post) and returns how many jobs it gave up on.
func (a *Adapter) Drain(d time.Duration) int { return a.work.WaitTimeout(d) }

// Register adds the Mattermost endpoints to mux.
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /mattermost/commands", a.serveCommand)
	mux.HandleFunc("POST /mattermost/actions", a.serveAction)
	mux.HandleFunc("POST /mattermost/dialogs", a.serveDialog)
}

func (a *Adapter) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBody))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		} else {
			http.Error(w, "bad request", http.StatusBadRequest)
		}
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

// commandRequest is a slash command as Mattermost posts it.
type commandRequest struct {
	TeamID, ChannelID, ChannelName, UserID, UserName string
	Command, Text, TriggerID, ResponseURL            string
	Mentions                                         map[string]string
}

func (a *Adapter) serveCommand(w http.ResponseWriter, r *http.Request) {
	body, ok := a.readBody(w, r)
	if !ok {
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	if !a.tokenOK(RequestToken(r, form)) {
		a.log.Warn("refused a command with a bad token", "remote", r.RemoteAddr)
		http.Error(w, "invalid token", http.StatusUnauthorized)
		return
	}
	cr := commandRequest{TeamID: form.Get("team_id"), ChannelID: form.Get("channel_id"), ChannelName: form.Get("channel_name"),
		UserID: form.Get("user_id"), UserName: form.Get("user_name"), Command: form.Get("command"), Text: form.Get("text"),
		TriggerID: form.Get("trigger_id"), ResponseURL: form.Get("response_url")}
	if m, err := model.UserMentionMapFromURLValues(form); err == nil {
		cr.Mentions = m
	}
	if cr.UserID == "" || cr.TeamID == "" || cr.Command == "" {
		http.Error(w, "not a slash command", http.StatusBadRequest)
		return
	}
	writeJSON(w, a.command(r.Context(), cr))
}

// command acknowledges a command that reads at once ({}) and runs it from
// the queue, answering through response_url or opening the dialog. A
// command that writes runs in the request and is answered there, after its
// commit, so an acknowledged write survives a crash; so does any command
// when the queue is full, or with Inline. One still running after AckWithin
// is acknowledged and answered later.
func (a *Adapter) command(ctx context.Context, cr commandRequest) any {
	start := time.Now()
	// A repeated delivery (the same trigger id, on any replica) is run
	// once; a queued read checks when it runs, so that acknowledging it
	// writes nothing.
	fresh := func(ctx context.Context) bool { return cr.TriggerID == "" || a.firstTime(ctx, "trigger:"+cr.TriggerID) }
	kind := commands.Classify(cr.Command, cr.Text)
	deliver := func(ctx context.Context, rep bot.Reply) {
		if rep.Form != nil {
			if err := a.openDialog(ctx, cr, rep.Form); err == nil {
				return
			}
			rep = dialogFailed
		}
		a.respond(ctx, Workspace(cr.TeamID), cr.ResponseURL, rep.Split(limits))
	}
	if !a.cfg.Inline && !kind.Writes && a.work.TryGo(ctx, func(ctx context.Context) {
		if !fresh(ctx) {
			return
		}
		rep := a.runCommand(ctx, cr)
		a.observe(kind.Name, start, outcome(rep))
		deliver(ctx, rep)
	}) {
		return empty
	}
	if !fresh(ctx) {
		return empty
	}
	done := make(chan bot.Reply, 1)
	a.work.Go(ctx, func(ctx context.Context) { done <- a.runCommand(ctx, cr) })
	timer := time.NewTimer(a.cfg.AckWithin)
	defer timer.Stop()
	select {
	case rep := <-done:
		a.observe(kind.Name, start, outcome(rep))
		if rep.Form != nil {
			deliver(ctx, rep)
			return empty
		}
		parts := rep.Split(limits)
		if len(parts) > 1 {
			a.work.Go(ctx, func(ctx context.Context) { a.respond(ctx, Workspace(cr.TeamID), cr.ResponseURL, parts[1:]) })
		}
		return a.commandResponse(Workspace(cr.TeamID), parts[0])
	case <-timer.C:
		a.work.Go(ctx, func(ctx context.Context) {
			rep := <-done
			a.observe(kind.Name, start, "late")
			deliver(ctx, rep)
		})
		return empty
	}
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

// caller describes the user behind a request, with the time zone and admin
// flag from the server when it answers.
func (a *Adapter) caller(ctx context.Context, ws, id, name string) bot.User {
	u, err := a.LookupUser(ctx, ws, id)
	if err != nil {
		a.log.Warn("user lookup failed; going on with the id", "user", id, "err", err)
		return bot.User{ID: id, Name: name}
	}
	return u
}

func (a *Adapter) runCommand(ctx context.Context, cr commandRequest) bot.Reply {
	ws := Workspace(cr.TeamID)
	rep := a.runner.Run(ctx, commands.Call{Workspace: ws, User: a.caller(ctx, ws, cr.UserID, cr.UserName),
		Channel: cr.ChannelID, ChannelName: cr.ChannelName, Command: cr.Command, Text: cr.Text, Mentions: cr.Mentions})
	return a.picturesByDM(ctx, ws, cr.UserID, rep)
}

// dialogFailed answers a command whose dialog could not be opened.
var dialogFailed = bot.Reply{Text: "I couldn't open the form. Give the fields on one line instead: " +
	commands.Usage("meeting add"), Error: true}

// dialogTTL is how long an opened dialog may be submitted.
const dialogTTL = 24 * time.Hour

// openDialog opens a form with the command's trigger (valid about 30 s).
func (a *Adapter) openDialog(ctx context.Context, cr commandRequest, f *bot.Form) error {
	d, ok := dialog(f)
	if !ok {
		a.respond(ctx, Workspace(cr.TeamID), cr.ResponseURL, []bot.Reply{{Text: "This meeting has a field too long to edit in a dialog; " +
			"change fields with /meeting edit ID field:value instead.", Error: true}})
		return nil
	}
	d.State = a.sign.dialogState(f.ID, cr.ChannelID, cr.UserID, a.cfg.Now().Add(dialogTTL))
	resp, err := a.api.OpenInteractiveDialog(ctx, model.OpenDialogRequest{TriggerId: cr.TriggerID,
		URL: a.cfg.PublicURL + "/mattermost/dialogs", Dialog: d})
	if err != nil {
		err = apiError("open the dialog", resp, err)
		a.log.Error("opening the dialog failed", "err", err)
	}
	return err
}

// respond posts messages to a command's response_url, in order.
func (a *Adapter) respond(ctx context.Context, ws, responseURL string, parts []bot.Reply) {
	for _, p := range parts {
		body, _ := json.Marshal(a.commandResponse(ws, p))
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, responseURL, strings.NewReader(string(body)))
		if err != nil {
			a.log.Error("bad response_url", "err", err)
			return
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := a.api.HTTPClient.Do(req)
		if err != nil {
			a.log.Error("response_url post failed", "err", err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			a.log.Error("response_url refused the answer", "status", resp.StatusCode)
			return
		}
	}
}

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
	if req.TriggerId != "" && !a.firstTime(r.Context(), "trigger:"+req.TriggerId) {
		writeJSON(w, empty)
		return
	}
	res := a.runner.Act(r.Context(), commands.Action{
		Call:     commands.Call{Workspace: ws, User: a.caller(r.Context(), ws, req.UserId, req.UserName), Channel: req.ChannelId},
		Name:     action,
		Value:    value,
		Selected: str("selected_option"),
		View:     view,
	})
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
	user := a.caller(r.Context(), ws, req.UserId, "")
	rep, err := a.runner.Submit(r.Context(), commands.Submission{
		Call: commands.Call{Workspace: ws, User: user, Channel: channel}, FormID: formID, Values: values})
	if err != nil {
		out := model.SubmitDialogResponse{}
		if fields := bot.ErrorFields(err); len(fields) > 0 {
			out.Errors = map[string]string{}
			for f, m := range fields {
				out.Errors[f] = m
			}
		} else {
			out.Error = bot.ErrorMessage(err)
		}
		writeJSON(w, out)
		return
	}
	a.work.Go(r.Context(), func(ctx context.Context) {
		if _, err := a.Post(ctx, bot.Target{Workspace: ws, User: user.ID}, rep); err != nil {
			a.log.Error("dialog confirmation DM failed", "err", err)
		}
	})
	writeJSON(w, empty)
}
