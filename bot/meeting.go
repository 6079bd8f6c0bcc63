package bot

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Meeting is one engagement with state or territorial officials: exactly the
// 13 columns of the legacy weekly summary, plus bookkeeping.
type Meeting struct {
	ID        int64
	Workspace string // the chat workspace or team the meeting belongs to

	Region int      // 1-10: the first state's region, used where one is needed
	States []string // canonical names; several for a multi-state meeting
	// Regions is every region the meeting belongs to, Region first, then
	// the regions of its other states: it shows in each one's lists,
	// digests and coverage. The store fills it in from the states.
	Regions []int
	// Location is where the meeting took place, as written.
	Location string
	// Date is the meeting day; zero when unknown or not yet set.
	Date Date
	// DateStatus is DatePending, DateTBD or DateNA when Date is zero and the
	// sheet (or the user) said so; "" otherwise.
	DateStatus string
	// POC is the DHS point of contact: a chat user id, or a name as imported.
	POC        string
	Attendees  string // key attendees and affiliations other than the POC
	Discussion string // key discussion points
	Concerns   string // issues or concerns
	FollowUp   string // follow-up required; may hold GETBACK items
	Awareness  string // for leadership awareness
	Action     string // leadership action
	// Next is the next scheduled engagement as written; NextDate is set when
	// it reads as a date.
	Next     string
	NextDate Date
	Notes    string // notes / comments

	// SourceKey identifies the spreadsheet row an imported meeting came from
	// ("" for meetings logged in chat): a group (the row's identity) followed
	// by a number. ImportHash fingerprints its content.
	SourceKey  string
	ImportHash string

	// Snippet is set by a full-text search: the passage that matched.
	Snippet string `json:"-"`

	CreatedBy string // user id of the creator
	CreatedAt time.Time
	UpdatedAt time.Time

	// Getbacks, when set on create, are created with the meeting in the same
	// transaction and linked to it.
	Getbacks []*Getback `json:"-"`
}

// MaxTextLen bounds every free-text field, in characters.
const MaxTextLen = 20000

// MeetingField describes one editable meeting field: its command-language
// key, the legacy spreadsheet's column title, and how it is entered.
type MeetingField struct {
	Key       string // key in `key:value` arguments and forms
	Title     string // spreadsheet column title
	Multiline bool   // long free text
}

// MeetingFields lists the 13 spreadsheet columns in sheet order.
var MeetingFields = []MeetingField{
	{"region", "Region", false},
	{"state", "State", false},
	{"location", "Meeting Location", false},
	{"date", "Meeting Date", false},
	{"poc", "DHS POC", false},
	{"attendees", "Key Attendees & Affiliation other than POC", true},
	{"discussion", "Key Discussion Points", true},
	{"concerns", "Issues or Concerns", true},
	{"followup", "Follow-up Required", true},
	{"awareness", "For NPPD Leadership Awareness", true},
	{"action", "Leadership Action", true},
	{"next", "Next Scheduled Engagement", false},
	{"notes", "Notes / Comments", true},
}

// MeetingFieldKeys returns the keys of MeetingFields in order.
func MeetingFieldKeys() []string {
	keys := make([]string, len(MeetingFields))
	for i, f := range MeetingFields {
		keys[i] = f.Key
	}
	return keys
}

// StateList joins the meeting's states for display.
func (m *Meeting) StateList() string { return strings.Join(m.States, ", ") }

// AlsoIn returns the regions m belongs to other than n, in order: the
// regions a list or digest of region n marks the meeting with.
func (m *Meeting) AlsoIn(n int) []int {
	var out []int
	for _, r := range m.Regions {
		if r != n {
			out = append(out, r)
		}
	}
	if len(m.Regions) == 0 && m.Region != n && m.Region != 0 {
		out = append(out, m.Region)
	}
	return out
}

// RegionText names the meeting's region and, for a meeting about states of
// several regions, the others: "Region 3" or "Region 3, also Region 2".
func (m *Meeting) RegionText() string {
	s := RegionName(m.Region)
	if also := m.AlsoText(m.Region); also != "" {
		s += ", " + also
	}
	return s
}

// AlsoText renders AlsoIn(n) as "also Region 3" or "also Regions 2, 3",
// or "" when m belongs to region n alone.
func (m *Meeting) AlsoText(n int) string {
	rs := m.AlsoIn(n)
	if len(rs) == 0 {
		return ""
	}
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = strconv.Itoa(r)
	}
	word := "Region"
	if len(rs) > 1 {
		word = "Regions"
	}
	return "also " + word + " " + strings.Join(parts, ", ")
}

// DateText renders the meeting date or its state.
func (m *Meeting) DateText() string {
	switch {
	case !m.Date.IsZero():
		return m.Date.String()
	case m.DateStatus != "":
		return m.DateStatus
	}
	return "no date"
}

// Text returns the value of a free-text field by key (see MeetingFields).
func (m *Meeting) Text(key string) string {
	switch key {
	case "location":
		return m.Location
	case "poc":
		return m.POC
	case "attendees":
		return m.Attendees
	case "discussion":
		return m.Discussion
	case "concerns":
		return m.Concerns
	case "followup":
		return m.FollowUp
	case "awareness":
		return m.Awareness
	case "action":
		return m.Action
	case "next":
		return m.Next
	case "notes":
		return m.Notes
	}
	return ""
}

// textFields returns pointers to the free-text fields keyed as MeetingFields.
func (m *Meeting) textFields() map[string]*string {
	return map[string]*string{
		"location": &m.Location, "poc": &m.POC, "attendees": &m.Attendees,
		"discussion": &m.Discussion, "concerns": &m.Concerns, "followup": &m.FollowUp,
		"awareness": &m.Awareness, "action": &m.Action, "next": &m.Next, "notes": &m.Notes,
	}
}

// Validate returns an EINVALID error naming each field that is wrong.
func (m *Meeting) Validate() error {
	fe := FieldErrors{}
	if m.Workspace == "" {
		fe.Add("workspace", "required")
	}
	if !ValidRegion(m.Region) {
		fe.Add("region", "region must be 1-10, not %d", m.Region)
	}
	if len(m.States) == 0 {
		fe.Add("state", "a state or territory is required")
	}
	for _, s := range m.States {
		if strings.TrimSpace(s) == "" {
			fe.Add("state", "empty state name")
		}
	}
	switch m.DateStatus {
	case "", DatePending, DateTBD, DateNA:
	default:
		fe.Add("date", "unknown date state %q", m.DateStatus)
	}
	if !m.Date.IsZero() && m.DateStatus != "" {
		fe.Add("date", "a meeting has a date or a date state, not both")
	}
	for key, p := range m.textFields() {
		if n := utf8.RuneCountInString(*p); n > MaxTextLen {
			fe.Add(key, "too long: %d characters, at most %d", n, MaxTextLen)
		}
		if !utf8.ValidString(*p) {
			fe.Add(key, "not valid UTF-8 text")
		}
	}
	return fe.Err()
}

// MeetingFilter selects meetings. Nil fields are not filtered on.
type MeetingFilter struct {
	Workspace string // required
	ID        *int64
	Region    *int
	State     *string // matches any of a meeting's states
	Since     *Date   // meeting date on or after
	Until     *Date   // meeting date on or before
	CreatedBy *string
	// SourceGroups matches imported meetings whose SourceKey, "<group><n>"
	// with n a number, has one of these groups.
	SourceGroups []string
	// NextFrom and NextTo bound the parsed next-engagement date (inclusive).
	NextFrom, NextTo *Date
	// Query is a full-text search over the meeting's text fields: every
	// word must appear (as a word or a word's start); a part in double
	// quotes must appear as that phrase.
	Query *string

	// OldestFirst orders by meeting date ascending (undated last), then by
	// id; the default is newest first.
	OldestFirst bool

	Offset int
	Limit  int // 0 means no limit
	// CountCap, when positive, stops counting the total at this many; 0
	// counts exactly. A capped search lists newest first instead of by
	// relevance, which would need every match scored.
	CountCap int
	// NoTotal skips counting: the total returned is the number of rows.
	NoTotal bool
}

// MeetingUpdate changes the fields that are set.
type MeetingUpdate struct {
	Region     *int
	States     *[]string
	Location   *string
	Date       *Date
	DateStatus *string
	POC        *string
	Attendees  *string
	Discussion *string
	Concerns   *string
	FollowUp   *string
	Awareness  *string
	Action     *string
	Next       *string
	NextDate   *Date
	Notes      *string
	ImportHash *string

	// AddGetbacks are created, linked to the meeting, in the same
	// transaction as the update.
	AddGetbacks []*Getback
}

// Apply writes the set fields of u onto m.
func (u MeetingUpdate) Apply(m *Meeting) {
	if u.Region != nil {
		m.Region = *u.Region
	}
	if u.States != nil {
		m.States = append([]string(nil), (*u.States)...)
	}
	if u.Date != nil {
		m.Date = *u.Date
	}
	if u.DateStatus != nil {
		m.DateStatus = *u.DateStatus
	}
	if u.NextDate != nil {
		m.NextDate = *u.NextDate
	}
	if u.ImportHash != nil {
		m.ImportHash = *u.ImportHash
	}
	set := map[string]*string{
		"location": u.Location, "poc": u.POC, "attendees": u.Attendees,
		"discussion": u.Discussion, "concerns": u.Concerns, "followup": u.FollowUp,
		"awareness": u.Awareness, "action": u.Action, "next": u.Next, "notes": u.Notes,
	}
	fields := m.textFields()
	for k, v := range set {
		if v != nil {
			*fields[k] = *v
		}
	}
}

// IsEmpty reports whether u changes nothing.
func (u MeetingUpdate) IsEmpty() bool {
	return len(u.AddGetbacks) == 0 && u.Region == nil && u.States == nil && u.Location == nil &&
		u.Date == nil && u.DateStatus == nil && u.POC == nil && u.Attendees == nil && u.Discussion == nil &&
		u.Concerns == nil && u.FollowUp == nil && u.Awareness == nil && u.Action == nil && u.Next == nil &&
		u.NextDate == nil && u.Notes == nil && u.ImportHash == nil
}

// MeetingService stores meetings.
type MeetingService interface {
	// FindMeetingByID returns ENOTFOUND when the meeting does not exist in ws.
	FindMeetingByID(ctx context.Context, ws string, id int64) (*Meeting, error)
	// FindMeetings returns matching meetings, newest meeting date first (by
	// relevance for a Query), and the total count ignoring Offset/Limit.
	FindMeetings(ctx context.Context, filter MeetingFilter) ([]*Meeting, int, error)
	// CreateMeeting stores m and its Getbacks in one transaction, setting IDs.
	CreateMeeting(ctx context.Context, m *Meeting) error
	// CreateMeetings stores many meetings (and their getbacks) in one
	// transaction: all of them or, on any error, none.
	CreateMeetings(ctx context.Context, ms []*Meeting) error
	// UpdateMeeting applies upd and returns the updated meeting.
	UpdateMeeting(ctx context.Context, ws string, id int64, upd MeetingUpdate) (*Meeting, error)
	// DeleteMeeting removes the meeting; its getbacks stay, unlinked.
	DeleteMeeting(ctx context.Context, ws string, id int64) error
	// LastMeetingDates returns, for each of the given states that had a
	// dated meeting on or before until, the date of the latest one.
	LastMeetingDates(ctx context.Context, ws string, states []string, until Date) (map[string]Date, error)
}
