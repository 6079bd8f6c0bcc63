package bot

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Getback statuses.
const (
	StatusOpen      = "open"
	StatusDone      = "done"
	StatusCancelled = "cancelled"
)

// Owner kinds: a getback is owned by a chat user, or by a role or team label
// (such as "ITF" or "RD") written in the legacy sheet.
const (
	OwnerUser  = "user"
	OwnerLabel = "label"
)

// Getback is a follow-up promise: something someone owes by a date.
type Getback struct {
	ID        int64
	Workspace string
	MeetingID int64 // 0 when not linked to a meeting
	// Region is the region of the meeting the item came from (kept when the
	// meeting is deleted); 0 for items added without a meeting.
	Region int
	// Number is the item's number within its meeting ("GETBACK (2)").
	Number int
	Text   string
	// Owner is a chat user id (OwnerKind OwnerUser) or a label (OwnerLabel).
	Owner      string
	OwnerKind  string
	AssignedBy string // user id of whoever created or last reassigned it
	Due        Date   // zero when no due date was given
	Status     string
	DoneAt     time.Time // when it was closed (done or cancelled)
	DoneNote   string
	// SnoozedUntil hides the item from reminders before this day.
	SnoozedUntil Date
	CreatedAt    time.Time
	UpdatedAt    time.Time

	// Meeting summarises the linked meeting when it is loaded with the item.
	Meeting *MeetingRef `json:"-"`
}

// MeetingRef is the short form of a meeting shown next to its getbacks.
type MeetingRef struct {
	ID     int64
	Region int
	States string
	Date   Date
}

// String renders "Nevada, 2026-11-20 (#42)".
func (r *MeetingRef) String() string {
	s := r.States
	if !r.Date.IsZero() {
		s += ", " + r.Date.String()
	}
	return s + " (meeting #" + itoa64(r.ID) + ")"
}

// IsOpen reports whether the item is still owed.
func (g *Getback) IsOpen() bool { return g.Status == StatusOpen }

// IsOverdue reports whether the item is open with a due date before today.
func (g *Getback) IsOverdue(today Date) bool {
	return g.IsOpen() && !g.Due.IsZero() && g.Due.Before(today)
}

// IsSnoozed reports whether reminders should leave the item out today.
func (g *Getback) IsSnoozed(today Date) bool {
	return !g.SnoozedUntil.IsZero() && today.Before(g.SnoozedUntil)
}

// Validate returns an EINVALID error naming each field that is wrong.
func (g *Getback) Validate() error {
	fe := FieldErrors{}
	if g.Workspace == "" {
		fe.Add("workspace", "required")
	}
	text := strings.TrimSpace(g.Text)
	switch {
	case text == "":
		fe.Add("text", "say what is owed, e.g. \"send the contact list\"")
	case utf8.RuneCountInString(text) > MaxTextLen:
		fe.Add("text", "too long: at most %d characters", MaxTextLen)
	case !utf8.ValidString(text):
		fe.Add("text", "not valid UTF-8 text")
	}
	if strings.TrimSpace(g.Owner) == "" {
		fe.Add("owner", "an owner is required: @someone or a team label")
	}
	switch g.OwnerKind {
	case OwnerUser, OwnerLabel:
	default:
		fe.Add("owner", "unknown owner kind %q", g.OwnerKind)
	}
	switch g.Status {
	case StatusOpen, StatusDone, StatusCancelled:
	default:
		fe.Add("status", "unknown status %q", g.Status)
	}
	if g.Number < 0 {
		fe.Add("number", "must not be negative")
	}
	if utf8.RuneCountInString(g.DoneNote) > MaxTextLen {
		fe.Add("note", "too long: at most %d characters", MaxTextLen)
	}
	return fe.Err()
}

// GetbackFilter selects getbacks. Nil fields are not filtered on.
type GetbackFilter struct {
	Workspace string // required
	ID        *int64
	// Owners matches items owned by any of these user ids or labels.
	Owners    []string
	Status    *string
	MeetingID *int64
	Region    *int // the item's region (that of its meeting)
	// OverdueOn selects open items due before this day.
	OverdueOn *Date
	// AwakeOn leaves out items snoozed past this day.
	AwakeOn *Date
	// CreatedFrom/CreatedTo and ClosedFrom/ClosedTo bound creation and
	// closing instants: From inclusive, To exclusive.
	CreatedFrom, CreatedTo *time.Time
	ClosedFrom, ClosedTo   *time.Time

	// OverdueFirstOn orders open items overdue on this day first, then by due
	// date (undated last), then by id. Without it items are ordered by id.
	OverdueFirstOn *Date

	Offset int
	Limit  int // 0 means no limit
	// CountCap, when positive, stops counting the total at this many (lists
	// then say "more than"); 0 counts exactly.
	CountCap int
}

// GetbackUpdate changes the fields that are set.
type GetbackUpdate struct {
	Text         *string
	Owner        *string
	OwnerKind    *string
	AssignedBy   *string
	Due          *Date // the zero Date clears the due date
	Status       *string
	DoneNote     *string
	SnoozedUntil *Date // the zero Date clears a snooze
}

// Apply writes the set fields of u onto g. Closing sets DoneAt to now and
// reopening clears it.
func (u GetbackUpdate) Apply(g *Getback, now time.Time) {
	if u.Text != nil {
		g.Text = *u.Text
	}
	if u.Owner != nil {
		g.Owner = *u.Owner
	}
	if u.OwnerKind != nil {
		g.OwnerKind = *u.OwnerKind
	}
	if u.AssignedBy != nil {
		g.AssignedBy = *u.AssignedBy
	}
	if u.Due != nil {
		g.Due = *u.Due
	}
	if u.DoneNote != nil {
		g.DoneNote = *u.DoneNote
	}
	if u.SnoozedUntil != nil {
		g.SnoozedUntil = *u.SnoozedUntil
	}
	if u.Status != nil && *u.Status != g.Status {
		g.Status = *u.Status
		if g.Status == StatusOpen {
			g.DoneAt = time.Time{}
			g.DoneNote = ""
		} else {
			g.DoneAt = now
		}
	}
}

// OwnerMapping maps an owner label (such as "ITF") to a chat user, whose
// reminders then include the label's items.
type OwnerMapping struct {
	Workspace string
	Label     string
	UserID    string
}

// OwnerCount is a number of items held by one owner.
type OwnerCount struct {
	Owner     string
	OwnerKind string
	Count     int
	OldestDue Date // earliest due date among the counted items
}

// GetbackService stores getbacks.
type GetbackService interface {
	// FindGetbackByID returns ENOTFOUND when the item does not exist in ws.
	FindGetbackByID(ctx context.Context, ws string, id int64) (*Getback, error)
	// FindGetbacks returns matching items (with their MeetingRef) and the
	// total count ignoring Offset/Limit.
	FindGetbacks(ctx context.Context, filter GetbackFilter) ([]*Getback, int, error)
	// CreateGetback stores g, setting its ID and timestamps.
	CreateGetback(ctx context.Context, g *Getback) error
	// UpdateGetback applies upd and returns the updated item.
	UpdateGetback(ctx context.Context, ws string, id int64, upd GetbackUpdate) (*Getback, error)
	// CountGetbacks counts the matching items, stopping at CountCap when it
	// is set (Offset and Limit are ignored).
	CountGetbacks(ctx context.Context, filter GetbackFilter) (int, error)
	// CountGetbacksByOwner counts the matching items per owner, largest
	// count first (Offset, Limit and ordering are ignored).
	CountGetbacksByOwner(ctx context.Context, filter GetbackFilter) ([]OwnerCount, error)
	// SetOwnerMapping maps a label to a user ("" userID removes the mapping).
	SetOwnerMapping(ctx context.Context, m OwnerMapping) error
	// FindOwnerMappings returns the workspace's label mappings.
	FindOwnerMappings(ctx context.Context, ws string) ([]OwnerMapping, error)
}
