package mattermost

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/inbound"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

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

// command handles a slash command through the shared pipeline (see
// inbound.Pipeline.Handle) and returns the request's answer: the reply
// itself, or {} with the answer through response_url or the dialog opened
// with the trigger. Pictures go to the caller by DM (picturesByDM).
func (a *Adapter) command(ctx context.Context, cr commandRequest) any {
	ws := Workspace(cr.TeamID)
	later := func(ctx context.Context, rep bot.Reply) {
		if rep.Form != nil {
			if err := a.openDialog(ctx, cr, rep.Form); err == nil {
				return
			}
			rep = inbound.FormFailed
		}
		a.respond(ctx, ws, cr.ResponseURL, a.picturesByDM(ctx, ws, cr.UserID, rep).Split(limits))
	}
	ans := a.pipe.Handle(ctx, inbound.Command{
		Call: commands.Call{Workspace: ws, User: bot.User{ID: cr.UserID, Name: cr.UserName},
			Channel: cr.ChannelID, ChannelName: cr.ChannelName, Command: cr.Command, Text: cr.Text, Mentions: cr.Mentions},
		Trigger: cr.TriggerID,
		Answer: func(ctx context.Context, rep bot.Reply) any {
			if rep.Form != nil {
				later(ctx, rep)
				return nil
			}
			parts := a.picturesByDM(ctx, ws, cr.UserID, rep).Split(limits)
			if len(parts) > 1 {
				a.work.Go(ctx, func(ctx context.Context) { a.respond(ctx, ws, cr.ResponseURL, parts[1:]) })
			}
			return a.commandResponse(ws, parts[0])
		},
		// A dialog's trigger lasts longer than AckWithin: a late form
		// still tries to open.
		Later: func(ctx context.Context, rep bot.Reply, late bool) { later(ctx, rep) },
	})
	if ans == nil {
		return empty
	}
	return ans
}

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
