package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/getbackhq/getback/bot"
)

func (inv *invocation) getbackAdd(ctx context.Context, q GetbackAdd) (bot.Reply, error) {
	g := &bot.Getback{Workspace: inv.Workspace, Text: q.Text, Due: q.Due, MeetingID: q.MeetingID,
		Status: bot.StatusOpen, AssignedBy: inv.User.ID}
	if q.Label != "" {
		g.Owner, g.OwnerKind = q.Label, bot.OwnerLabel
	} else {
		u, err := inv.resolveUser(ctx, q.Owner)
		if err != nil {
			return bot.Reply{}, err
		}
		g.Owner, g.OwnerKind = u.ID, bot.OwnerUser
	}
	// The store numbers an item of a meeting (after the meeting's last)
	// in the transaction that writes it.
	if !g.Due.IsZero() && g.Due.Before(inv.today) {
		return bot.Reply{}, bot.Errorf(bot.EINVALID, "Due date %s is in the past.", g.Due)
	}
	if err := g.Validate(); err != nil {
		return bot.Reply{}, err
	}
	if err := inv.r.Store.CreateGetback(inv.withNotices(ctx, inv.assignmentNotices(ctx, []string{g.Owner})), g); err != nil {
		return bot.Reply{}, err
	}
	inv.noticesQueued()
	g, err := inv.r.Store.FindGetbackByID(ctx, inv.Workspace, g.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	r := bot.Reply{Text: fmt.Sprintf("Added getback #%d for %s%s.", g.ID, inv.ownerName(ctx, g), dueText(g.Due))}
	labels, err := inv.myLabels(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	r.Blocks = []bot.Block{inv.getbackBlock(ctx, g, labels, true)}
	if g.Due.IsZero() {
		r.Blocks = append(r.Blocks, bot.Block{Note: fmt.Sprintf("No due date: set one with /getback due %d friday.", g.ID)})
	}
	return r, nil
}

func dueText(d bot.Date) string {
	if d.IsZero() {
		return ""
	}
	return ", due " + d.Weekday().String()[:3] + " " + d.String()
}

func (inv *invocation) getbackList(ctx context.Context, q GetbackList) (bot.Reply, error) {
	page := max(q.Page, 1)
	f := bot.GetbackFilter{Workspace: inv.Workspace, Region: q.Region, Limit: PageSize, Offset: (page - 1) * PageSize, CountCap: CountCap}
	status := bot.StatusOpen
	switch q.Status {
	case "all":
		f.Status = nil
	case bot.StatusDone:
		status = bot.StatusDone
		f.Status = &status
	default:
		f.Status = &status
		f.OverdueFirstOn = &inv.today
	}
	if q.MeetingID != 0 {
		f.MeetingID = &q.MeetingID
	}
	if q.Overdue {
		f.OverdueOn = &inv.today
		f.OverdueFirstOn = &inv.today
	}
	who := "" // whose items, for the title
	switch {
	case q.Mine:
		labels, err := inv.myLabels(ctx)
		if err != nil {
			return bot.Reply{}, err
		}
		f.Owners = append([]string{inv.User.ID}, labels...)
		who = "you"
	case q.User != nil:
		u, err := inv.resolveUser(ctx, *q.User)
		if err != nil {
			return bot.Reply{}, err
		}
		labels, err := inv.labelsOf(ctx, u.ID)
		if err != nil {
			return bot.Reply{}, err
		}
		f.Owners = append([]string{u.ID}, labels...)
		who = u.Label()
		if q.User.Name == u.ID && u.Name != "" {
			// Named by id (the platform gave no name): the list's view and
			// next-page command name the user by handle, which reads again
			// without the call's mentions.
			q.User = &UserRef{Name: u.Name}
		}
	case q.Label != "":
		f.Owners = []string{q.Label}
		who = q.Label
	}
	gbs, total, err := inv.r.Store.FindGetbacks(ctx, f)
	if err != nil {
		return bot.Reply{}, err
	}
	kind := map[string]string{"": "open ", bot.StatusDone: "done ", "all": ""}[q.Status]
	if q.Overdue {
		kind = "overdue "
	}
	if total == 0 {
		if q.Mine && q.Status == "" && !q.Overdue {
			return bot.Message("You owe nothing. Nice."), nil
		}
		msg := fmt.Sprintf("No %sgetbacks.", kind)
		if who != "" {
			msg = fmt.Sprintf("No %sgetbacks for %s.", kind, who)
		}
		return bot.Message(msg), nil
	}
	r := bot.Reply{Text: listTitle(who, kind, total, q.Status == "" || q.Overdue), View: q.text(page)}
	if f.OverdueFirstOn != nil && !q.Overdue {
		od := f
		od.OverdueOn = &inv.today
		if n, err := inv.r.Store.CountGetbacks(ctx, od); err == nil && n > 0 {
			r.Text = strings.TrimSuffix(r.Text, ".") + fmt.Sprintf(", %s overdue (listed first).", countText(n, CountCap))
		}
	}
	blocks, err := inv.getbackBlocks(ctx, gbs, true)
	if err != nil {
		return bot.Reply{}, err
	}
	r.Blocks = append(r.Blocks, blocks...)
	r.Blocks = append(r.Blocks, pager(total, CountCap, page, len(gbs), q.text)...)
	return r, nil
}

// listTitle says how many items a list holds and whose they are.
func listTitle(who, kind string, n int, owed bool) string {
	items := kind + bot.PluralWord(n, "getback", "getbacks")
	count := countText(n, CountCap)
	switch {
	case who == "":
		return fmt.Sprintf("%s %s.", strings.ToUpper(count[:1])+count[1:], items)
	case who == "you" && owed:
		return fmt.Sprintf("You owe %s %s.", count, items)
	case owed:
		return fmt.Sprintf("%s owes %s %s.", who, count, items)
	case who == "you":
		return fmt.Sprintf("%s %s of yours.", strings.ToUpper(count[:1])+count[1:], items)
	}
	return fmt.Sprintf("%s %s owned by %s.", strings.ToUpper(count[:1])+count[1:], items, who)
}

func (q GetbackList) text(page int) string {
	parts := []string{"/getback list"}
	if q.Mine {
		parts = append(parts, "mine")
	}
	if q.Overdue {
		parts = append(parts, "overdue")
	}
	if q.Status != "" {
		parts = append(parts, q.Status)
	}
	if q.User != nil {
		parts = append(parts, q.User.String())
	}
	if q.Label != "" {
		parts = append(parts, "owner:"+quote(q.Label))
	}
	if q.Region != nil {
		parts = append(parts, fmt.Sprintf("region:%d", *q.Region))
	}
	if q.MeetingID != 0 {
		parts = append(parts, fmt.Sprintf("meeting:%d", q.MeetingID))
	}
	if page > 1 {
		parts = append(parts, fmt.Sprintf("page:%d", page))
	}
	return strings.Join(parts, " ")
}

// ownerName renders an item's owner: a person's name, or a label with the
// person it is mapped to.
func (inv *invocation) ownerName(ctx context.Context, g *bot.Getback) string {
	if g.OwnerKind == bot.OwnerUser {
		return inv.name(ctx, g.Owner)
	}
	ms, err := inv.ownerMappings(ctx)
	if err == nil {
		for _, m := range ms {
			if m.Label == g.Owner {
				return g.Owner + " (" + inv.name(ctx, m.UserID) + ")"
			}
		}
	}
	return g.Owner
}

// getbackBlock renders one item, with buttons when it is open and the
// caller may change it.
func (inv *invocation) getbackBlock(ctx context.Context, g *bot.Getback, labels []string, withButtons bool) bot.Block {
	return bot.GetbackBlock(g, inv.today, inv.ownerName(ctx, g), withButtons && bot.CanChangeGetback(inv.actor, g, labels))
}

// getbackBlocks renders the items of a list, their owners' names read at
// once; see getbackBlock for the buttons.
func (inv *invocation) getbackBlocks(ctx context.Context, gbs []*bot.Getback, withButtons bool) ([]bot.Block, error) {
	labels, err := inv.myLabels(ctx)
	if err != nil {
		return nil, err
	}
	inv.prefetchOwners(ctx, gbs)
	blocks := make([]bot.Block, 0, len(gbs))
	for _, g := range gbs {
		blocks = append(blocks, inv.getbackBlock(ctx, g, labels, withButtons))
	}
	return blocks, nil
}

func (inv *invocation) getbackShow(ctx context.Context, id int64) (bot.Reply, error) {
	g, err := inv.r.Store.FindGetbackByID(ctx, inv.Workspace, id)
	if err != nil {
		return bot.Reply{}, err
	}
	labels, err := inv.myLabels(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	r := bot.Reply{Text: fmt.Sprintf("Getback #%d (%s)", g.ID, g.Status), View: fmt.Sprintf("/getback show %d", g.ID)}
	r.Blocks = []bot.Block{inv.getbackBlock(ctx, g, labels, true)}
	if g.AssignedBy != "" {
		r.Blocks = append(r.Blocks, bot.Block{Note: "Assigned by " + inv.name(ctx, g.AssignedBy)})
	}
	return r, nil
}

// changeable loads an item and checks that the caller may change it.
func (inv *invocation) changeable(ctx context.Context, id int64) (*bot.Getback, error) {
	g, err := inv.r.Store.FindGetbackByID(ctx, inv.Workspace, id)
	if err != nil {
		return nil, err
	}
	labels, err := inv.myLabels(ctx)
	if err != nil {
		return nil, err
	}
	if !bot.CanChangeGetback(inv.actor, g, labels) {
		return nil, bot.Errorf(bot.EUNAUTHORIZED, "Only the owner of #%d, whoever assigned it, or an admin can change it.", id)
	}
	return g, nil
}

func (inv *invocation) getbackClose(ctx context.Context, q GetbackClose) (bot.Reply, error) {
	g, err := inv.changeable(ctx, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	if !g.IsOpen() {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d is already %s; /getback reopen %d first to change it.", g.ID, g.Status, g.ID)
	}
	status, note := q.Status, q.Note
	if status == bot.StatusCancelled {
		text := fmt.Sprintf("%s cancelled getback #%d, which was yours: you no longer owe it.", inv.actor.Name, g.ID)
		if note != "" {
			text = fmt.Sprintf("%s cancelled getback #%d, which was yours (%q): you no longer owe it.", inv.actor.Name, g.ID, clip(note, 200))
		}
		ctx = inv.withNotices(ctx, inv.formerOwnerNotice(ctx, g, "cancel", text, inv.ownerName(ctx, g)))
	}
	g, err = inv.r.Store.UpdateGetback(ctx, inv.Workspace, g.ID, bot.GetbackUpdate{Status: &status, DoneNote: &note})
	if err != nil {
		return bot.Reply{}, err
	}
	inv.noticesQueued()
	verb := map[string]string{bot.StatusDone: "done", bot.StatusCancelled: "cancelled"}[status]
	return bot.Message(fmt.Sprintf("Marked #%d %s: %s", g.ID, verb, clip(g.Text, 120))), nil
}

func (inv *invocation) getbackReopen(ctx context.Context, id int64) (bot.Reply, error) {
	g, err := inv.changeable(ctx, id)
	if err != nil {
		return bot.Reply{}, err
	}
	if g.IsOpen() {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d is already open.", id)
	}
	open := bot.StatusOpen
	if _, err := inv.r.Store.UpdateGetback(ctx, inv.Workspace, id, bot.GetbackUpdate{Status: &open}); err != nil {
		return bot.Reply{}, err
	}
	return bot.Message(fmt.Sprintf("Reopened #%d: %s", id, clip(g.Text, 120))), nil
}

func (inv *invocation) getbackReassign(ctx context.Context, q GetbackReassign) (bot.Reply, error) {
	g, err := inv.changeable(ctx, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	if !g.IsOpen() {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d is %s; reopen it before reassigning.", g.ID, g.Status)
	}
	u, err := inv.resolveUser(ctx, q.To)
	if err != nil {
		return bot.Reply{}, err
	}
	return inv.reassign(ctx, g, u)
}

func (inv *invocation) reassign(ctx context.Context, g *bot.Getback, u bot.User) (bot.Reply, error) {
	if g.OwnerKind == bot.OwnerUser && g.Owner == u.ID {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d already belongs to %s.", g.ID, u.Label())
	}
	kind := bot.OwnerUser
	before := g
	ctx = inv.withNotices(ctx, inv.assignmentNotices(ctx, []string{u.ID}), inv.formerOwnerNotice(ctx, before, "unassign",
		fmt.Sprintf("%s reassigned getback #%d, which was yours, to %s: you no longer owe it.", inv.actor.Name, g.ID, u.Label()),
		inv.name(ctx, u.ID)))
	g, err := inv.r.Store.UpdateGetback(ctx, inv.Workspace, g.ID, bot.GetbackUpdate{Owner: &u.ID, OwnerKind: &kind, AssignedBy: &inv.User.ID})
	if err != nil {
		return bot.Reply{}, err
	}
	inv.noticesQueued()
	return bot.Message(fmt.Sprintf("Reassigned #%d to %s.", g.ID, u.Label())), nil
}

func (inv *invocation) getbackDue(ctx context.Context, q GetbackDue) (bot.Reply, error) {
	g, err := inv.changeable(ctx, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	if !q.Due.IsZero() && q.Due.Before(inv.today) {
		return bot.Reply{}, bot.Errorf(bot.EINVALID, "Due date %s is in the past.", q.Due)
	}
	due := q.Due
	if _, err := inv.r.Store.UpdateGetback(ctx, inv.Workspace, g.ID, bot.GetbackUpdate{Due: &due}); err != nil {
		return bot.Reply{}, err
	}
	if due.IsZero() {
		return bot.Message(fmt.Sprintf("#%d has no due date now.", g.ID)), nil
	}
	return bot.Message(fmt.Sprintf("#%d is now due %s %s.", g.ID, due.Weekday(), due)), nil
}

func (inv *invocation) getbackSnooze(ctx context.Context, q GetbackSnooze) (bot.Reply, error) {
	g, err := inv.changeable(ctx, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	return inv.snooze(ctx, g, q.Until)
}

func (inv *invocation) snooze(ctx context.Context, g *bot.Getback, until bot.Date) (bot.Reply, error) {
	if !g.IsOpen() {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d is %s; there is nothing to snooze.", g.ID, g.Status)
	}
	if _, err := inv.r.Store.UpdateGetback(ctx, inv.Workspace, g.ID, bot.GetbackUpdate{SnoozedUntil: &until}); err != nil {
		return bot.Reply{}, err
	}
	return bot.Message(fmt.Sprintf("Snoozed #%d until %s %s: reminders leave it out until then.", g.ID, until.Weekday(), until)), nil
}

func (inv *invocation) getbackRemind(ctx context.Context, q GetbackRemind) (bot.Reply, error) {
	p := *inv.person
	changed := q.Hour != nil || q.On != nil || q.Days != nil
	if q.Hour != nil {
		p.RemindHour, p.RemindMinute = *q.Hour, *q.Minute
		p.RemindersOff = false
	}
	if q.On != nil {
		p.RemindersOff = !*q.On
	}
	if q.Days != nil {
		p.WorkDays = *q.Days
	}
	if changed {
		if err := inv.r.Store.UpsertPerson(ctx, &p); err != nil {
			return bot.Reply{}, err
		}
		inv.person = &p
	}
	tz := p.TZ
	if tz == "" {
		tz = "UTC (your chat profile has no time zone)"
	}
	if p.RemindersOff {
		return bot.Message("Daily reminders are off. Turn them on with /getback remind on."), nil
	}
	prefix := "Your daily reminder comes"
	if changed {
		prefix = "Done: your daily reminder now comes"
	}
	return bot.Message(fmt.Sprintf("%s at %s (%s) on %s, when you owe something.", prefix, p.RemindAt(), tz, p.WorkDays)), nil
}

func (inv *invocation) getbackOwner(ctx context.Context, q GetbackOwner) (bot.Reply, error) {
	if q.Label == "" {
		ms, err := inv.r.Store.FindOwnerMappings(ctx, inv.Workspace)
		if err != nil {
			return bot.Reply{}, err
		}
		if len(ms) == 0 {
			return bot.Message("No team labels are mapped to people. An admin can map one: /getback owner ITF @bob"), nil
		}
		var lines []string
		for _, m := range ms {
			lines = append(lines, m.Label+" → "+inv.name(ctx, m.UserID))
		}
		return bot.Reply{Text: "Team labels and who gets their items:", Blocks: []bot.Block{{Text: strings.Join(lines, "\n")}}}, nil
	}
	if err := inv.requireAdmin(ctx, "map team labels to people"); err != nil {
		return bot.Reply{}, err
	}
	if q.Remove {
		if err := inv.r.Store.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: inv.Workspace, Label: q.Label}); err != nil {
			return bot.Reply{}, err
		}
		return bot.Message(fmt.Sprintf("%s is no longer mapped to anyone.", q.Label)), nil
	}
	u, err := inv.resolveUser(ctx, *q.User)
	if err != nil {
		return bot.Reply{}, err
	}
	if err := inv.r.Store.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: inv.Workspace, Label: q.Label, UserID: u.ID}); err != nil {
		return bot.Reply{}, err
	}
	open := bot.StatusOpen
	n, err := inv.r.Store.CountGetbacks(ctx, bot.GetbackFilter{Workspace: inv.Workspace, Owners: []string{q.Label}, Status: &open})
	if err != nil {
		return bot.Reply{}, err
	}
	return bot.Message(fmt.Sprintf("%s's items now go to %s (%s open).", q.Label, u.Label(), fmt.Sprint(n))), nil
}
