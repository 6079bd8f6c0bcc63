package slack

import (
	"context"
	"strings"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/getbackhq/getback/adapters/inbound"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// interaction handles a button click or a modal submission and returns the
// immediate HTTP answer (nil for an empty 200).
func (a *Adapter) interaction(ctx context.Context, cb slackgo.InteractionCallback) any {
	switch cb.Type {
	case slackgo.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 {
			return nil
		}
		a.blockAction(ctx, cb, cb.ActionCallback.BlockActions[0])
		return nil
	case slackgo.InteractionTypeViewSubmission:
		if cb.View.CallbackID != formCallback {
			return nil
		}
		return a.submit(ctx, cb)
	}
	return nil
}

// blockAction runs a click and then, after the HTTP answer, updates the
// clicked message (chat.update, or response_url for an ephemeral one) and
// tells the clicker about a refusal.
func (a *Adapter) blockAction(ctx context.Context, cb slackgo.InteractionCallback, act *slackgo.BlockAction) {
	ws := Workspace(cb.Team.ID)
	name, value := parseActionID(act.ActionID)
	if name == bot.ActionPage {
		value = act.Value
	}
	channel := cb.Channel.ID
	if channel == "" {
		channel = cb.Container.ChannelID
	}
	res, ok := a.pipe.Act(ctx, cb.TriggerID, commands.Action{
		Call:     commands.Call{Workspace: ws, User: bot.User{ID: cb.User.ID, Name: cb.User.Name}, Channel: channel},
		Name:     name,
		Value:    value,
		Selected: act.SelectedUser,
		View:     viewOf(act.BlockID),
	})
	if !ok {
		return
	}
	ts := cb.Container.MessageTs
	if ts == "" {
		ts = cb.Message.Timestamp
	}
	a.background(ctx, func(ctx context.Context) {
		if res.Update != nil {
			parts := res.Update.Split(limits)
			if cb.Container.IsEphemeral || ts == "" {
				a.sendResponse(ctx, cb.ResponseURL, parts, true)
			} else if err := a.Update(ctx, ws, bot.MessageRef{Channel: channel, ID: ts}, parts[0]); err != nil {
				a.log.Error("chat.update failed", "err", err)
			}
		}
		if res.Notice != "" && (res.Error || res.Update == nil) {
			a.sendResponse(ctx, cb.ResponseURL, []bot.Reply{{Text: res.Notice, Error: res.Error}}, false)
		}
	})
}

// submit handles a modal submission: field errors go back into the modal;
// on success the modal closes and the confirmation arrives as an ephemeral
// message in the channel the command was typed in (or as a DM).
func (a *Adapter) submit(ctx context.Context, cb slackgo.InteractionCallback) any {
	formID, channel, _ := strings.Cut(cb.View.PrivateMetadata, "\n")
	ws := Workspace(cb.Team.ID)
	rep, user, err := a.pipe.Submit(ctx, commands.Submission{
		Call:   commands.Call{Workspace: ws, User: bot.User{ID: cb.User.ID, Name: cb.User.Name}, Channel: channel},
		FormID: formID, Values: formValues(cb.View.State),
	})
	if err != nil {
		fields, whole := inbound.FieldErrors(err)
		if fields == nil {
			// Not about one field: show it on the first one.
			first := "state"
			if len(cb.View.Blocks.BlockSet) > 0 {
				if ib, ok := cb.View.Blocks.BlockSet[0].(*slackgo.InputBlock); ok {
					first = ib.BlockID
				}
			}
			fields = map[string]string{first: whole}
		}
		for f, m := range fields {
			fields[f] = clipRunes(m, 150)
		}
		return slackgo.NewErrorsViewSubmissionResponse(fields)
	}
	a.background(ctx, func(ctx context.Context) {
		if channel != "" {
			_, err := a.api.PostEphemeralContext(ctx, channel, user.ID, slackgo.MsgOptionText(fallback(rep), false),
				slackgo.MsgOptionBlocks(blocks(rep)...))
			if err == nil {
				return
			}
			a.log.Warn("chat.postEphemeral failed; sending a DM", "err", err)
		}
		if _, err := a.Post(ctx, bot.Target{Workspace: ws, User: user.ID}, rep); err != nil {
			a.log.Error("confirmation DM failed", "err", err)
		}
	})
	return nil
}

// event handles Events API callbacks: a mention gets a pointer to the
// commands and a direct message the help (through the outbox), a profile
// change refreshes the user.
func (a *Adapter) event(ctx context.Context, ev slackevents.EventsAPIEvent) {
	outer, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || !a.pipe.FirstTime(ctx, "event:"+outer.EventID) {
		return
	}
	ws := Workspace(ev.TeamID)
	var m commands.Message
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		m = commands.Message{Key: "mention:" + ws + ":" + outer.EventID, Workspace: ws, Channel: inner.Channel, Text: inner.Text, Mention: true}
	case *slackevents.MessageEvent:
		// A direct message to the bot ("help", or anything else) gets the
		// help. The bot's own posts and edits are not messages to answer.
		if inner.ChannelType != "im" || inner.BotID != "" || inner.SubType != "" || inner.User == "" {
			return
		}
		m = commands.Message{Key: "dm:" + ws + ":" + outer.EventID, Workspace: ws, Channel: inner.Channel, Text: inner.Text}
	case *slackevents.UserChangeEvent:
		a.users.Drop(inner.User.ID)
		a.userList.Drop("")
		su := inner.User
		a.pipe.UserChanged(ctx, ws, toUser(&slackgo.User{ID: su.ID, Name: su.Name, RealName: su.RealName, TZ: su.TZ,
			Profile: slackgo.UserProfile{DisplayName: su.Profile.DisplayName}}))
		return
	default:
		return
	}
	a.pipe.Message(ctx, m, func(ctx context.Context, rep bot.Reply) error {
		_, err := a.Post(ctx, bot.Target{Workspace: ws, Channel: m.Channel}, rep)
		return err
	})
}
