package bot

import (
	"fmt"
	"strings"
)

// GetbackBlock renders one getback item: its text, then owner, due date and
// meeting, then (when buttons is true and the item is open) Done, Snooze
// and Reassign buttons. Reminders and lists share it.
func GetbackBlock(g *Getback, today Date, owner string, buttons bool) Block {
	b := Block{Text: fmt.Sprintf("#%d · %s", g.ID, g.Text)}
	meta := []string{"Owner: " + owner}
	if !g.Due.IsZero() {
		due := "due " + g.Due.Weekday().String()[:3] + " " + g.Due.String()
		switch days := g.Due.DaysUntil(today); {
		case g.IsOpen() && days > 0:
			due += fmt.Sprintf(" (%s overdue)", Plural(days, "day", "days"))
		case g.IsOpen() && days == 0:
			due += " (today)"
		}
		meta = append(meta, due)
	}
	if g.Meeting != nil {
		meta = append(meta, g.Meeting.String())
	}
	if !g.CreatedAt.IsZero() && g.IsOpen() {
		meta = append(meta, "opened "+age(DateOf(g.CreatedAt), today))
	}
	switch g.Status {
	case StatusDone, StatusCancelled:
		st := g.Status + " " + g.DoneAt.Format("2006-01-02")
		if g.DoneNote != "" {
			st += ": " + Clip(g.DoneNote, 200)
		}
		meta = append(meta, st)
	default:
		if g.IsSnoozed(today) {
			meta = append(meta, "snoozed until "+g.SnoozedUntil.String())
		}
	}
	b.Note = strings.Join(meta, " · ")
	if buttons && g.IsOpen() {
		id := fmt.Sprint(g.ID)
		b.Buttons = []Button{
			{Action: ActionDone, Label: "Done", Value: id, Style: "primary"},
			{Action: ActionSnoozeDay, Label: "Snooze 1 day", Value: id},
			{Action: ActionSnoozeWeek, Label: "Snooze 1 week", Value: id},
			{Action: ActionReassign, Label: "Reassign", Value: id, UserSelect: true},
		}
	}
	return b
}

func age(from, today Date) string {
	switch d := from.DaysUntil(today); {
	case d <= 0:
		return "today"
	case d == 1:
		return "yesterday"
	default:
		return fmt.Sprintf("%d days ago", d)
	}
}

// Plural renders "1 day" or "3 days".
func Plural(n int, one, many string) string {
	return fmt.Sprintf("%d %s", n, PluralWord(n, one, many))
}

// PluralWord picks the word for a count written elsewhere: "day" for 1,
// "days" otherwise (or "mentions" and "mention", for a verb).
func PluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Clip shortens s to n runes on one line, ending with an ellipsis when cut.
func Clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
