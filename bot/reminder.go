package bot

import (
	"context"
	"fmt"
	"sort"
)

// ReminderMaxItems is how many items a reminder lists; beyond it only counts
// are shown.
const ReminderMaxItems = 15

// Reminder builds p's daily DM for the local day today: open items owned by
// p (directly or through a mapped label) and not snoozed, overdue first,
// then due this week, then the rest; beyond ReminderMaxItems only counts.
// ok is false when p owes nothing.
func (d *Reporter) Reminder(ctx context.Context, p *Person, today Date) (r Reply, ok bool, err error) {
	ms, err := d.Store.FindOwnerMappings(ctx, p.Workspace)
	if err != nil {
		return Reply{}, false, err
	}
	open := StatusOpen
	items, _, err := d.Store.FindGetbacks(ctx, GetbackFilter{Workspace: p.Workspace, Owners: ownersOf(p.UserID, ms),
		Status: &open, AwakeOn: &today})
	if err != nil {
		return Reply{}, false, err
	}
	r, ok = BuildReminder(p, today, items)
	return r, ok, nil
}

// ownersOf returns the owner values whose items belong to userID: the id
// itself and every label mapped to it.
func ownersOf(userID string, mappings []OwnerMapping) []string {
	owners := []string{userID}
	for _, m := range mappings {
		if m.UserID == userID {
			owners = append(owners, m.Label)
		}
	}
	return owners
}

// BuildReminder builds p's reminder from their open items (in any order;
// closed and snoozed ones are left out). ok is false when nothing is left.
func BuildReminder(p *Person, today Date, all []*Getback) (r Reply, ok bool) {
	var items []*Getback
	for _, g := range all {
		if g.IsOpen() && !g.IsSnoozed(today) {
			items = append(items, g)
		}
	}
	if len(items) == 0 {
		return Reply{}, false
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
	// Earliest due first, undated last, then oldest first.
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if ga, gb := group(a), group(b); ga != gb {
			return ga < gb
		}
		switch {
		case a.Due.IsZero() != b.Due.IsZero():
			return b.Due.IsZero()
		case a.Due != b.Due:
			return a.Due.Before(b.Due)
		}
		return a.ID < b.ID
	})
	var counts [3]int
	for _, g := range items {
		counts[group(g)]++
	}
	total := len(items)
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
	return r, true
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
