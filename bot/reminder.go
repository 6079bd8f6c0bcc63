package bot

import (
	"context"
	"fmt"
	"sort"
)

// ReminderMaxItems is how many items a reminder lists; beyond it only counts
// are shown.
const ReminderMaxItems = 15

// Digests builds reminders and digests from the store.
type Digests struct {
	Store Store
}

// Reminder builds p's daily DM for the local day today: open items owned by
// p (directly or through a mapped label) and not snoozed, overdue first,
// then due this week, then the rest; beyond ReminderMaxItems only counts.
// ok is false when p owes nothing.
func (d *Digests) Reminder(ctx context.Context, p *Person, today Date) (r Reply, ok bool, err error) {
	ms, err := d.Store.FindOwnerMappings(ctx, p.Workspace)
	if err != nil {
		return Reply{}, false, err
	}
	return d.reminder(ctx, p, today, ms)
}

func (d *Digests) reminder(ctx context.Context, p *Person, today Date, mappings []OwnerMapping) (r Reply, ok bool, err error) {
	owners := []string{p.UserID}
	for _, m := range mappings {
		if m.UserID == p.UserID {
			owners = append(owners, m.Label)
		}
	}
	open := StatusOpen
	items, total, err := d.Store.FindGetbacks(ctx, GetbackFilter{Workspace: p.Workspace, Owners: owners,
		Status: &open, AwakeOn: &today, OverdueFirstOn: &today})
	if err != nil || total == 0 {
		return Reply{}, false, err
	}
	weekEnd := today.WeekStart().AddDays(6)
	group := func(g *Getback) int {
		switch {
		case g.IsOverdue(today):
			return 0
		case !g.Due.IsZero() && !g.Due.After(weekEnd):
			return 1
		}
		return 2
	}
	sort.SliceStable(items, func(i, j int) bool { return group(items[i]) < group(items[j]) })
	var counts [3]int
	for _, g := range items {
		counts[group(g)]++
	}
	r = Reply{View: ViewReminder,
		Text: fmt.Sprintf("Good morning %s: you owe %s (%d overdue, %d due this week).",
			p.Name, Plural(total, "getback", "getbacks"), counts[0], counts[1])}
	headings := [3]string{"Overdue", "Due this week", "Later or undated"}
	shown := 0
	last := -1
	for _, g := range items {
		if shown == ReminderMaxItems {
			break
		}
		if grp := group(g); grp != last {
			r.Blocks = append(r.Blocks, Block{Heading: fmt.Sprintf("%s (%d)", headings[grp], counts[grp])})
			last = grp
		}
		owner := p.Name
		if g.OwnerKind == OwnerLabel {
			owner = g.Owner + " (" + p.Name + ")"
		}
		r.Blocks = append(r.Blocks, GetbackBlock(g, today, owner, true))
		shown++
	}
	if rest := total - shown; rest > 0 {
		var parts []string
		var restCounts [3]int
		for _, g := range items[shown:] {
			restCounts[group(g)]++
		}
		for i, n := range restCounts {
			if n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, lower(headings[i])))
			}
		}
		r.Blocks = append(r.Blocks, Block{Note: fmt.Sprintf("…and %d more (%s). See them all with /getback list mine.",
			rest, joinList(parts))})
	}
	return r, true, nil
}

func lower(s string) string {
	if s == "" {
		return s
	}
	b := []byte(s)
	if b[0] >= 'A' && b[0] <= 'Z' {
		b[0] += 'a' - 'A'
	}
	return string(b)
}

func joinList(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += ", "
		}
		out += p
	}
	return out
}
