package slack

import (
	"context"
	"strings"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// interaction handles a button click or a modal submission and returns the
// immediate HTTP answer (nil for an empty 200).
func (a *Adapter) interaction(ctx context.Context, cb slackgo.InteractionCallback) any {
	switch cb.Type {
	case slackgo.InteractionTypeBlockActions:
		if len(cb.ActionCallback.BlockActions) == 0 || (cb.TriggerID != "" && !a.firstTime(ctx, "trigger:"+cb.TriggerID)) {
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
	res := a.runner.Act(ctx, commands.Action{
		Call:     commands.Call{Workspace: ws, User: a.caller(ctx, ws, cb.User.ID, cb.User.Name), Channel: channel},
		Name:     name,
		Value:    value,
		Selected: act.SelectedUser,
		View:     viewOf(act.BlockID),
	})
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
	user := a.caller(ctx, ws, cb.User.ID, cb.User.Name)
	rep, err := a.runner.Submit(ctx, commands.Submission{
		Call:   commands.Call{Workspace: ws, User: user, Channel: channel},
		FormID: formID, Values: formValues(cb.View.State),
	})
	if err != nil {
		errs := map[string]string{}
		if fields := bot.ErrorFields(err); len(fields) > 0 {
			for field, msg := range fields {
				errs[field] = clipRunes(msg, 150)
			}
		} else {
			// Not about one field: show it on the first one.
			first := "state"
			if len(cb.View.Blocks.BlockSet) > 0 {
				if ib, ok := cb.View.Blocks.BlockSet[0].(*slackgo.InputBlock); ok {
					first = ib.BlockID
				}
			}
			errs[first] = clipRunes(bot.ErrorMessage(err), 150)
		}
		return slackgo.NewErrorsViewSubmissionResponse(errs)
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
	if !ok || !a.firstTime(ctx, "event:"+outer.EventID) {
		return
	}
	ws := Workspace(ev.TeamID)
	switch inner := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if a.runner == nil || a.runner.Outbox == nil {
			return
		}
		rep := bot.Reply{Text: "Hi! I track meetings and GETBACK items. Try /meeting add, /getback list mine, or /getback help."}
		item := &bot.OutboxItem{Key: "mention:" + ws + ":" + outer.EventID, Target: bot.Target{Workspace: ws, Channel: inner.Channel},
			Reply: rep, NextAttempt: a.cfg.Now()}
		if _, err := a.runner.Outbox.Enqueue(ctx, item); err != nil {
			a.log.Error("queue mention reply", "err", err)
		}
	case *slackevents.MessageEvent:
		// A direct message to the bot ("help", or anything else) gets the
		// help. The bot's own posts and edits are not messages to answer.
		if inner.ChannelType != "im" || inner.BotID != "" || inner.SubType != "" || inner.User == "" ||
			a.runner == nil || a.runner.Outbox == nil {
			return
		}
		item := &bot.OutboxItem{Key: "dm:" + ws + ":" + outer.EventID, Target: bot.Target{Workspace: ws, Channel: inner.Channel},
			Reply: a.runner.DirectMessage(inner.Text), NextAttempt: a.cfg.Now()}
		if _, err := a.runner.Outbox.Enqueue(ctx, item); err != nil {
			a.log.Error("queue direct message reply", "err", err)
		}
	case *slackevents.UserChangeEvent:
		a.users.Drop(inner.User.ID)
		a.userList.Drop("")
		if a.runner != nil {
			if p, err := a.runner.Store.FindPerson(ctx, ws, inner.User.ID); err == nil {
				su := inner.User
				u := toUser(&slackgo.User{ID: su.ID, Name: su.Name, RealName: su.RealName, TZ: su.TZ,
					Profile: slackgo.UserProfile{DisplayName: su.Profile.DisplayName}})
				if p.TZ != u.TZ || p.Name != u.Label() {
					p.TZ, p.Name = u.TZ, u.Label()
					ctx = bot.WithActor(ctx, bot.Actor{Workspace: ws, UserID: inner.User.ID})
					if err := a.runner.Store.UpsertPerson(ctx, p); err != nil {
						a.log.Error("update person from user_change", "err", err)
					}
				}
			}
		}
	}
}
