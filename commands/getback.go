package commands

import (
	"context"
	"fmt"
	"strings"

	"github.com/getbackhq/getback/bot"
)

func (cl *call) getbackAdd(ctx context.Context, q GetbackAdd) (bot.Reply, error) {
	g := &bot.Getback{Workspace: cl.Workspace, Text: q.Text, Due: q.Due, MeetingID: q.MeetingID,
		Status: bot.StatusOpen, AssignedBy: cl.User.ID}
	if q.Label != "" {
		g.Owner, g.OwnerKind = q.Label, bot.OwnerLabel
	} else {
		u, err := cl.resolveUser(ctx, q.Owner)
		if err != nil {
			return bot.Reply{}, err
		}
		g.Owner, g.OwnerKind = u.ID, bot.OwnerUser
	}
	// The store numbers an item of a meeting (after the meeting's last)
	// in the transaction that writes it.
	if !g.Due.IsZero() && g.Due.Before(cl.today) {
		return bot.Reply{}, bot.Errorf(bot.EINVALID, "Due date %s is in the past.", g.Due)
	}
	if err := g.Validate(); err != nil {
		return bot.Reply{}, err
	}
	if err := cl.r.Store.CreateGetback(cl.withNotices(ctx, cl.assignmentNotices(ctx, []string{g.Owner})), g); err != nil {
		return bot.Reply{}, err
	}
	cl.noticesQueued()
	g, err := cl.r.Store.FindGetbackByID(ctx, cl.Workspace, g.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	r := bot.Reply{Text: fmt.Sprintf("Added getback #%d for %s%s.", g.ID, cl.ownerName(ctx, g), dueText(g.Due))}
	labels, err := cl.myLabels(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	r.Blocks = []bot.Block{cl.getbackBlock(ctx, g, labels, true)}
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

func (cl *call) getbackList(ctx context.Context, q GetbackList) (bot.Reply, error) {
	page := max(q.Page, 1)
	f := bot.GetbackFilter{Workspace: cl.Workspace, Region: q.Region, Limit: PageSize, Offset: (page - 1) * PageSize, CountCap: CountCap}
	status := bot.StatusOpen
	switch q.Status {
	case "all":
		f.Status = nil
	case bot.StatusDone:
		status = bot.StatusDone
		f.Status = &status
	default:
		f.Status = &status
		f.OverdueFirstOn = &cl.today
	}
	if q.MeetingID != 0 {
		f.MeetingID = &q.MeetingID
	}
	if q.Overdue {
		f.OverdueOn = &cl.today
		f.OverdueFirstOn = &cl.today
	}
	who := "" // whose items, for the title
	switch {
	case q.Mine:
		labels, err := cl.myLabels(ctx)
		if err != nil {
			return bot.Reply{}, err
		}
		f.Owners = append([]string{cl.User.ID}, labels...)
		who = "you"
	case q.User != nil:
		u, err := cl.resolveUser(ctx, *q.User)
		if err != nil {
			return bot.Reply{}, err
		}
		labels, err := cl.labelsOf(ctx, u.ID)
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
	gbs, total, err := cl.r.Store.FindGetbacks(ctx, f)
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
		od.OverdueOn = &cl.today
		if n, err := cl.r.Store.CountGetbacks(ctx, od); err == nil && n > 0 {
			r.Text = strings.TrimSuffix(r.Text, ".") + fmt.Sprintf(", %s overdue (listed first).", countText(n, CountCap))
		}
	}
	labels, err := cl.myLabels(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	cl.prefetchOwners(ctx, gbs)
	for _, g := range gbs {
		r.Blocks = append(r.Blocks, cl.getbackBlock(ctx, g, labels, true))
	}
	r.Blocks = append(r.Blocks, pager(total, CountCap, page, len(gbs), q.text)...)
	return r, nil
}

// listTitle says how many items a list holds and whose they are.
func listTitle(who, kind string, n int, owed bool) string {
	items := kind + pluralWord(n, "getback", "getbacks")
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

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
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
func (cl *call) ownerName(ctx context.Context, g *bot.Getback) string {
	if g.OwnerKind == bot.OwnerUser {
		return cl.name(ctx, g.Owner)
	}
	ms, err := cl.ownerMappings(ctx)
	if err == nil {
		for _, m := range ms {
			if m.Label == g.Owner {
				return g.Owner + " (" + cl.name(ctx, m.UserID) + ")"
			}
		}
	}
	return g.Owner
}

// getbackBlock renders one item, with buttons when it is open and the
// caller may change it.
func (cl *call) getbackBlock(ctx context.Context, g *bot.Getback, labels []string, withButtons bool) bot.Block {
	return bot.GetbackBlock(g, cl.today, cl.ownerName(ctx, g), withButtons && bot.CanChangeGetback(cl.actor, g, labels))
}

func (cl *call) getbackShow(ctx context.Context, id int64) (bot.Reply, error) {
	g, err := cl.r.Store.FindGetbackByID(ctx, cl.Workspace, id)
	if err != nil {
		return bot.Reply{}, err
	}
	labels, err := cl.myLabels(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	r := bot.Reply{Text: fmt.Sprintf("Getback #%d (%s)", g.ID, g.Status), View: fmt.Sprintf("/getback show %d", g.ID)}
	r.Blocks = []bot.Block{cl.getbackBlock(ctx, g, labels, true)}
	if g.AssignedBy != "" {
		r.Blocks = append(r.Blocks, bot.Block{Note: "Assigned by " + cl.name(ctx, g.AssignedBy)})
	}
	return r, nil
}

// changeable loads an item and checks that the caller may change it.
func (cl *call) changeable(ctx context.Context, id int64) (*bot.Getback, error) {
	g, err := cl.r.Store.FindGetbackByID(ctx, cl.Workspace, id)
	if err != nil {
		return nil, err
	}
	labels, err := cl.myLabels(ctx)
	if err != nil {
		return nil, err
	}
	if !bot.CanChangeGetback(cl.actor, g, labels) {
		return nil, bot.Errorf(bot.EUNAUTHORIZED, "Only the owner of #%d, whoever assigned it, or an admin can change it.", id)
	}
	return g, nil
}

func (cl *call) getbackClose(ctx context.Context, q GetbackClose) (bot.Reply, error) {
	g, err := cl.changeable(ctx, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	if !g.IsOpen() {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d is already %s; /getback reopen %d first to change it.", g.ID, g.Status, g.ID)
	}
	status, note := q.Status, q.Note
	if status == bot.StatusCancelled {
		text := fmt.Sprintf("%s cancelled getback #%d, which was yours: you no longer owe it.", cl.actor.Name, g.ID)
		if note != "" {
			text = fmt.Sprintf("%s cancelled getback #%d, which was yours (%q): you no longer owe it.", cl.actor.Name, g.ID, clip(note, 200))
		}
		ctx = cl.withNotices(ctx, cl.formerOwnerNotice(ctx, g, "cancel", text, cl.ownerName(ctx, g)))
	}
	g, err = cl.r.Store.UpdateGetback(ctx, cl.Workspace, g.ID, bot.GetbackUpdate{Status: &status, DoneNote: &note})
	if err != nil {
		return bot.Reply{}, err
	}
	cl.noticesQueued()
	verb := map[string]string{bot.StatusDone: "done", bot.StatusCancelled: "cancelled"}[status]
	return bot.Message(fmt.Sprintf("Marked #%d %s: %s", g.ID, verb, clip(g.Text, 120))), nil
}

func (cl *call) getbackReopen(ctx context.Context, id int64) (bot.Reply, error) {
	g, err := cl.changeable(ctx, id)
	if err != nil {
		return bot.Reply{}, err
	}
	if g.IsOpen() {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d is already open.", id)
	}
	open := bot.StatusOpen
	if _, err := cl.r.Store.UpdateGetback(ctx, cl.Workspace, id, bot.GetbackUpdate{Status: &open}); err != nil {
		return bot.Reply{}, err
	}
	return bot.Message(fmt.Sprintf("Reopened #%d: %s", id, clip(g.Text, 120))), nil
}

func (cl *call) getbackReassign(ctx context.Context, q GetbackReassign) (bot.Reply, error) {
	g, err := cl.changeable(ctx, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	if !g.IsOpen() {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d is %s; reopen it before reassigning.", g.ID, g.Status)
	}
	u, err := cl.resolveUser(ctx, q.To)
	if err != nil {
		return bot.Reply{}, err
	}
	return cl.reassign(ctx, g, u)
}

func (cl *call) reassign(ctx context.Context, g *bot.Getback, u bot.User) (bot.Reply, error) {
	if g.OwnerKind == bot.OwnerUser && g.Owner == u.ID {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d already belongs to %s.", g.ID, u.Label())
	}
	kind := bot.OwnerUser
	before := g
	ctx = cl.withNotices(ctx, cl.assignmentNotices(ctx, []string{u.ID}), cl.formerOwnerNotice(ctx, before, "unassign",
		fmt.Sprintf("%s reassigned getback #%d, which was yours, to %s: you no longer owe it.", cl.actor.Name, g.ID, u.Label()),
		cl.name(ctx, u.ID)))
	g, err := cl.r.Store.UpdateGetback(ctx, cl.Workspace, g.ID, bot.GetbackUpdate{Owner: &u.ID, OwnerKind: &kind, AssignedBy: &cl.User.ID})
	if err != nil {
		return bot.Reply{}, err
	}
	cl.noticesQueued()
	return bot.Message(fmt.Sprintf("Reassigned #%d to %s.", g.ID, u.Label())), nil
}

func (cl *call) getbackDue(ctx context.Context, q GetbackDue) (bot.Reply, error) {
	g, err := cl.changeable(ctx, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	if !q.Due.IsZero() && q.Due.Before(cl.today) {
		return bot.Reply{}, bot.Errorf(bot.EINVALID, "Due date %s is in the past.", q.Due)
	}
	due := q.Due
	if _, err := cl.r.Store.UpdateGetback(ctx, cl.Workspace, g.ID, bot.GetbackUpdate{Due: &due}); err != nil {
		return bot.Reply{}, err
	}
	if due.IsZero() {
		return bot.Message(fmt.Sprintf("#%d has no due date now.", g.ID)), nil
	}
	return bot.Message(fmt.Sprintf("#%d is now due %s %s.", g.ID, due.Weekday(), due)), nil
}

func (cl *call) getbackSnooze(ctx context.Context, q GetbackSnooze) (bot.Reply, error) {
	g, err := cl.changeable(ctx, q.ID)
	if err != nil {
		return bot.Reply{}, err
	}
	return cl.snooze(ctx, g, q.Until)
}

func (cl *call) snooze(ctx context.Context, g *bot.Getback, until bot.Date) (bot.Reply, error) {
	if !g.IsOpen() {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "#%d is %s; there is nothing to snooze.", g.ID, g.Status)
	}
	if _, err := cl.r.Store.UpdateGetback(ctx, cl.Workspace, g.ID, bot.GetbackUpdate{SnoozedUntil: &until}); err != nil {
		return bot.Reply{}, err
	}
	return bot.Message(fmt.Sprintf("Snoozed #%d until %s %s: reminders leave it out until then.", g.ID, until.Weekday(), until)), nil
}

func (cl *call) getbackRemind(ctx context.Context, q GetbackRemind) (bot.Reply, error) {
	p := *cl.person
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
		if err := cl.r.Store.UpsertPerson(ctx, &p); err != nil {
			return bot.Reply{}, err
		}
		cl.person = &p
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

func (cl *call) getbackOwner(ctx context.Context, q GetbackOwner) (bot.Reply, error) {
	if q.Label == "" {
		ms, err := cl.r.Store.FindOwnerMappings(ctx, cl.Workspace)
		if err != nil {
			return bot.Reply{}, err
		}
		if len(ms) == 0 {
			return bot.Message("No team labels are mapped to people. An admin can map one: /getback owner ITF @bob"), nil
		}
		var lines []string
		for _, m := range ms {
			lines = append(lines, m.Label+" → "+cl.name(ctx, m.UserID))
		}
		return bot.Reply{Text: "Team labels and who gets their items:", Blocks: []bot.Block{{Text: strings.Join(lines, "\n")}}}, nil
	}
	if err := cl.requireAdmin(ctx, "map team labels to people"); err != nil {
		return bot.Reply{}, err
	}
	if q.Remove {
		if err := cl.r.Store.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: cl.Workspace, Label: q.Label}); err != nil {
			return bot.Reply{}, err
		}
		return bot.Message(fmt.Sprintf("%s is no longer mapped to anyone.", q.Label)), nil
	}
	u, err := cl.resolveUser(ctx, *q.User)
	if err != nil {
		return bot.Reply{}, err
	}
	if err := cl.r.Store.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: cl.Workspace, Label: q.Label, UserID: u.ID}); err != nil {
		return bot.Reply{}, err
	}
	open := bot.StatusOpen
	n, err := cl.r.Store.CountGetbacks(ctx, bot.GetbackFilter{Workspace: cl.Workspace, Owners: []string{q.Label}, Status: &open})
	if err != nil {
		return bot.Reply{}, err
	}
	return bot.Message(fmt.Sprintf("%s's items now go to %s (%s open).", q.Label, u.Label(), fmt.Sprint(n))), nil
}
