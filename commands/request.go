package commands

import (
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// Request is a parsed command, ready to run.
type Request interface{ command() string }

// Help asks for usage: of everything (Command "") or of one command.
type Help struct {
	Command string // "", "meeting", "getback" or "digest"
	// Problem, when set, explains why help is shown (an unknown subcommand).
	Problem string
}

// MeetingAdd logs a meeting. Fields holds the raw key:value pairs; no
// fields opens the form.
type MeetingAdd struct{ Fields map[string]string }

// MeetingList lists meetings.
type MeetingList struct {
	Region *int
	State  string
	Since  *bot.Date
	Until  *bot.Date
	Mine   bool
	Page   int
}

// MeetingShow shows one meeting in full.
type MeetingShow struct{ ID int64 }

// MeetingEdit changes fields of a meeting; no fields opens the form.
type MeetingEdit struct {
	ID     int64
	Fields map[string]string
}

// MeetingDelete deletes a meeting.
type MeetingDelete struct{ ID int64 }

// MeetingSearch searches meeting text.
type MeetingSearch struct {
	Query string
	Page  int
}

// MeetingImport is the chat import, which is not offered yet.
type MeetingImport struct{}

// GetbackAdd creates a getback item.
type GetbackAdd struct {
	Owner     UserRef // the owner, when a user
	Label     string  // the owner, when a team label (owner:ITF)
	Text      string
	Due       bot.Date
	MeetingID int64
}

// GetbackList lists getback items.
type GetbackList struct {
	Mine      bool
	Overdue   bool
	Status    string // "" for open, or bot.StatusDone / "all"
	User      *UserRef
	Label     string
	Region    *int
	MeetingID int64
	Page      int
}

// GetbackShow shows one item.
type GetbackShow struct{ ID int64 }

// GetbackClose marks an item done or cancelled.
type GetbackClose struct {
	ID     int64
	Status string // bot.StatusDone or bot.StatusCancelled
	Note   string
}

// GetbackReopen reopens a closed item.
type GetbackReopen struct{ ID int64 }

// GetbackReassign gives an item to another user.
type GetbackReassign struct {
	ID int64
	To UserRef
}

// GetbackDue sets (or clears) an item's due date.
type GetbackDue struct {
	ID  int64
	Due bot.Date // zero clears
}

// GetbackSnooze hides an item from reminders until a day.
type GetbackSnooze struct {
	ID    int64
	Until bot.Date
}

// GetbackRemind changes the caller's reminder settings; all nil shows them.
type GetbackRemind struct {
	Hour, Minute *int
	On           *bool
	Days         *bot.WeekdaySet
}

// GetbackOwner maps an owner label to a user, removes a mapping, or lists
// mappings (Label "").
type GetbackOwner struct {
	Label  string
	User   *UserRef
	Remove bool
}

// DigestPreview shows a region's digest to the caller.
type DigestPreview struct {
	Region *int
	Week   *bot.Date
}

// DigestPost posts a region's digest to its channel.
type DigestPost struct {
	Region int
	Week   *bot.Date
}

// DigestConfig configures a region's digest, or shows the configuration
// when Region is nil.
type DigestConfig struct {
	Region   *int // bot.LeadershipRegion for the roll-up
	Channel  *ChannelRef
	TZ       *string
	Day      *time.Weekday
	Hour     *int
	Coverage *int
}

// DigestStates shows the state-to-region table, or (State set) overrides
// one state's region.
type DigestStates struct {
	Region *int
	State  string
	To     int
}

func (Help) command() string            { return "help" }
func (MeetingAdd) command() string      { return "meeting add" }
func (MeetingList) command() string     { return "meeting list" }
func (MeetingShow) command() string     { return "meeting show" }
func (MeetingEdit) command() string     { return "meeting edit" }
func (MeetingDelete) command() string   { return "meeting delete" }
func (MeetingSearch) command() string   { return "meeting search" }
func (MeetingImport) command() string   { return "meeting import" }
func (GetbackAdd) command() string      { return "getback add" }
func (GetbackList) command() string     { return "getback list" }
func (GetbackShow) command() string     { return "getback show" }
func (GetbackClose) command() string    { return "getback done" }
func (GetbackReopen) command() string   { return "getback reopen" }
func (GetbackReassign) command() string { return "getback reassign" }
func (GetbackDue) command() string      { return "getback due" }
func (GetbackSnooze) command() string   { return "getback snooze" }
func (GetbackRemind) command() string   { return "getback remind" }
func (GetbackOwner) command() string    { return "getback owner" }
func (DigestPreview) command() string   { return "digest preview" }
func (DigestPost) command() string      { return "digest post" }
func (DigestConfig) command() string    { return "digest config" }
func (DigestStates) command() string    { return "digest states" }

// Kind is what adapters need to know of a command before running it.
type Kind struct {
	// Name names the command with its subcommand for metrics and logs:
	// "getback list", "meeting add", "help"; a command that does not parse
	// is "<command> invalid". The set of names is fixed, whatever users type.
	Name string
	// Writes reports whether the command changes stored data (as opposed
	// to reading it or opening a form). Adapters acknowledge such a command
	// only once it has been committed, so that an acknowledged write
	// survives a crash.
	Writes bool
}

// Classify parses a command once and tells its Kind.
func Classify(command, text string) Kind {
	req, err := Parse(command, text, bot.Date{Year: 2000, Month: 1, Day: 1})
	if err != nil {
		switch c := strings.TrimPrefix(command, "/"); c {
		case "meeting", "getback", "digest":
			return Kind{Name: c + " invalid"}
		}
		return Kind{Name: "invalid"}
	}
	return Kind{Name: req.command(), Writes: writes(req)}
}

// Mutates reports whether a command changes stored data (Kind.Writes).
func Mutates(command, text string) bool { return Classify(command, text).Writes }

// Name names a command with its subcommand (Kind.Name).
func Name(command, text string) string { return Classify(command, text).Name }

func writes(req Request) bool {
	switch q := req.(type) {
	case MeetingAdd:
		return len(q.Fields) > 0
	case MeetingEdit:
		return len(q.Fields) > 0
	case GetbackRemind:
		return q.Hour != nil || q.On != nil || q.Days != nil
	case GetbackOwner:
		return q.Label != ""
	case DigestConfig:
		return q.Channel != nil || q.TZ != nil || q.Day != nil || q.Hour != nil || q.Coverage != nil
	case DigestStates:
		return q.State != ""
	case MeetingDelete, GetbackAdd, GetbackClose, GetbackReopen, GetbackReassign, GetbackDue, GetbackSnooze, DigestPost:
		return true
	}
	return false
}
