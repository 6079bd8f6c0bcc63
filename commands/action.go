package commands

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// Action is a click on a button (or a choice in a user picker) of a message
// getback posted.
type Action struct {
	Call
	Name     string // bot.ActionDone, bot.ActionSnoozeDay, ...
	Value    string // the button's value: an item id, or a command for ActionPage
	Selected string // the user id picked in a Reassign user select
	View     string // the View of the message the button was on
}

// ActionResult says what to show after a click.
type ActionResult struct {
	// Notice is a short confirmation or error for the clicker.
	Notice string
	Error  bool
	// Update, when set, replaces the clicked message: a fresh rendering of
	// its view.
	Update *bot.Reply
}

// Act performs a button click: it changes the item (with the same
// permission checks as the commands) and re-renders the message.
func (r *Runner) Act(ctx context.Context, a Action) (res ActionResult) {
	defer r.recoverPanic(ctx, "action", func(err error) { res = ActionResult{Notice: bot.ErrorMessage(err), Error: true} })
	ctx, inv, err := r.begin(ctx, a.Call)
	if err != nil {
		return ActionResult{Notice: bot.ErrorMessage(err), Error: true}
	}
	if a.Name == bot.ActionPage {
		cmd, text := SplitCommand(a.Value)
		req, err := Parse(cmd, text, inv.today)
		if err != nil {
			return ActionResult{Notice: err.Error(), Error: true}
		}
		rep, err := inv.run(ctx, req)
		if err != nil {
			return ActionResult{Notice: bot.ErrorMessage(err), Error: true}
		}
		return ActionResult{Update: &rep}
	}
	id, err := strconv.ParseInt(a.Value, 10, 64)
	if err != nil {
		return ActionResult{Notice: "That button is damaged; try the command instead.", Error: true}
	}
	var rep bot.Reply
	switch a.Name {
	case bot.ActionDone:
		rep, err = inv.getbackClose(ctx, GetbackClose{ID: id, Status: bot.StatusDone})
	case bot.ActionSnoozeDay, bot.ActionSnoozeWeek:
		days := 1
		if a.Name == bot.ActionSnoozeWeek {
			days = 7
		}
		var g *bot.Getback
		if g, err = inv.changeable(ctx, id); err == nil {
			rep, err = inv.snooze(ctx, g, inv.today.AddDays(days))
		}
	case bot.ActionReassign:
		if a.Selected == "" {
			return ActionResult{Notice: "Pick someone to reassign it to.", Error: true}
		}
		var g *bot.Getback
		if g, err = inv.changeable(ctx, id); err == nil {
			var u bot.User
			if u, err = inv.resolveUser(ctx, UserRef{ID: a.Selected}); err == nil {
				rep, err = inv.reassign(ctx, g, u)
			}
		}
	default:
		return ActionResult{Notice: fmt.Sprintf("Unknown action %q.", a.Name), Error: true}
	}
	if err == nil {
		err = inv.saveCaller(ctx)
	}
	if err != nil {
		if bot.ErrorCode(err) == bot.EINTERNAL {
			r.log().ErrorContext(ctx, "action failed", "action", a.Name, "err", err)
		}
		return ActionResult{Notice: bot.ErrorMessage(err), Error: true}
	}
	res = ActionResult{Notice: rep.Text}
	if up, ok := inv.render(ctx, a.View); ok {
		res.Update = &up
	}
	return res
}

// render produces a fresh rendering of a message's view.
func (inv *invocation) render(ctx context.Context, view string) (bot.Reply, bool) {
	switch {
	case view == "":
		return bot.Reply{}, false
	case view == bot.ViewReminder:
		if inv.r.Reporter == nil {
			return bot.Reply{}, false
		}
		rep, ok, err := inv.r.Reporter.Reminder(ctx, inv.person, inv.today)
		if err != nil {
			return bot.Reply{}, false
		}
		if !ok {
			rep = bot.Reply{Text: "All done: you owe nothing right now. 🎉", View: bot.ViewReminder}
		}
		return rep, true
	case strings.HasPrefix(view, "/"):
		cmd, text := SplitCommand(view)
		req, err := Parse(cmd, text, inv.today)
		if err != nil {
			return bot.Reply{}, false
		}
		rep, err := inv.run(ctx, req)
		if err != nil {
			return bot.Reply{}, false
		}
		return rep, true
	}
	return bot.Reply{}, false
}
