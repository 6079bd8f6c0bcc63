package bot

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Visibility says who sees a reply.
type Visibility int

// Visibilities.
const (
	Ephemeral Visibility = iota // only the caller
	InChannel                   // everyone in the channel
)

// Reply is a platform-neutral message: data first, rendered last by each
// adapter (Block Kit for Slack, attachments for Mattermost, plain text for
// the console). All text is plain text; renderers escape it.
type Reply struct {
	Visibility Visibility
	// Text is the summary line, shown first and used as the notification
	// text.
	Text   string
	Blocks []Block
	// Form, when set, asks the adapter to open a form (modal, dialog).
	Form *Form
	// Error marks a reply that reports a failed command.
	Error bool
	// Images travel with the message (the digest's pictures): uploaded
	// with it on Slack and Mattermost, written to files by the console.
	Images []Image `json:",omitempty"`
	// DeliveryKey, set by the outbox on each message it sends, travels
	// with the post unseen (Slack metadata, Mattermost props), so that the
	// delivery can be recognised after a crash.
	DeliveryKey string `json:"-"`
	// View is the command that renders this message again (for example
	// "/getback list overdue page:2", or ViewReminder); after a button
	// click the message is replaced by a fresh rendering of its view.
	View string
}

// ViewReminder is the View of a daily reminder DM.
const ViewReminder = "reminder"

// Block is one section of a reply, rendered in field order: heading, text,
// fields, note, buttons.
type Block struct {
	Heading string
	Text    string
	Fields  []Field
	Note    string // small print: ages, counts, hints
	Buttons []Button
}

// Field is a label/value pair.
type Field struct {
	Label string
	Value string
}

// Button actions understood by commands.Runner.Act.
const (
	ActionDone       = "getback.done"
	ActionSnoozeDay  = "getback.snooze1d"
	ActionSnoozeWeek = "getback.snooze1w"
	ActionReassign   = "getback.reassign"
	ActionPage       = "page"
)

// Button is an interactive control. Value carries the item id (or, for a
// page button, the command to run). A UserSelect button is a user picker:
// the chosen user id arrives with the action.
type Button struct {
	Action     string
	Label      string
	Value      string
	Style      string // "", "primary" or "danger"
	UserSelect bool
}

// Form field kinds.
const (
	FieldText     = "text"
	FieldTextarea = "textarea"
	FieldDate     = "date"
	FieldUser     = "user"
	FieldSelect   = "select"
)

// Form is a modal or dialog to open.
type Form struct {
	// ID names the form and its subject, e.g. "meeting.add" or
	// "meeting.edit:42"; it comes back with the submission.
	ID     string
	Title  string
	Submit string
	Fields []FormField
}

// FormField is one input of a form.
type FormField struct {
	Key       string
	Label     string
	Kind      string
	Value     string // pre-filled value
	Optional  bool
	Hint      string
	MaxLength int
	Options   []Option
	// MinDate and MaxDate bound a date field's picker (ISO dates; "" for
	// no bound), where the platform's picker takes bounds.
	MinDate, MaxDate string
}

// Option is a choice of a select field.
type Option struct {
	Label string
	Value string
}

// Message returns an ephemeral reply with one line of text.
func Message(text string) Reply { return Reply{Text: text} }

// ErrorReply returns an ephemeral reply for a failed command. usage, when
// not empty, is appended as a hint.
func ErrorReply(err error, usage string) Reply {
	r := Reply{Text: ErrorMessage(err), Error: true}
	if usage != "" {
		r.Blocks = []Block{{Note: "Usage: " + usage}}
	}
	return r
}

// PlainText renders r as plain text, one line per element, buttons as
// "[Label]" hints. Consoles and notification fallbacks use it.
func (r Reply) PlainText() string {
	var b strings.Builder
	if r.Text != "" {
		b.WriteString(r.Text)
		b.WriteByte('\n')
	}
	for _, bl := range r.Blocks {
		if bl.Heading != "" {
			b.WriteString("== " + bl.Heading + " ==\n")
		}
		if bl.Text != "" {
			b.WriteString(bl.Text)
			b.WriteByte('\n')
		}
		for _, f := range bl.Fields {
			b.WriteString("  " + f.Label + ": " + f.Value + "\n")
		}
		if bl.Note != "" {
			b.WriteString("  (" + bl.Note + ")\n")
		}
		if len(bl.Buttons) > 0 {
			labels := make([]string, len(bl.Buttons))
			for i, btn := range bl.Buttons {
				labels[i] = "[" + btn.Label + "]"
			}
			b.WriteString("  " + strings.Join(labels, " ") + "\n")
		}
	}
	return b.String()
}

// size returns the characters a block renders to, for splitting.
func (bl Block) size() int {
	n := utf8.RuneCountInString(bl.Heading) + utf8.RuneCountInString(bl.Text) + utf8.RuneCountInString(bl.Note)
	for _, f := range bl.Fields {
		n += utf8.RuneCountInString(f.Label) + utf8.RuneCountInString(f.Value) + 4
	}
	for _, btn := range bl.Buttons {
		n += utf8.RuneCountInString(btn.Label) + utf8.RuneCountInString(btn.Value) + 16
	}
	return n
}

// MessageLimits bounds one chat message.
type MessageLimits struct {
	MaxBlocks int // blocks per message
	MaxChars  int // characters of all blocks of one message
	// MaxBlockChars bounds one block's text; longer text is cut into
	// several blocks at line or word boundaries.
	MaxBlockChars int
	// MinInterval is the least time between two posts to the same channel
	// or user (Slack allows about one message per second per channel).
	MinInterval time.Duration
}

// Split cuts r into messages that fit lim, keeping order; nothing is
// dropped. The first part keeps r.Text and the images; later parts are
// marked "(continued)".
func (r Reply) Split(lim MessageLimits) []Reply {
	var blocks []Block
	for _, bl := range r.Blocks {
		blocks = append(blocks, splitBlock(bl, lim.MaxBlockChars)...)
	}
	var parts []Reply
	cur := Reply{Visibility: r.Visibility, Text: r.Text, Error: r.Error, View: r.View, Images: r.Images}
	size := utf8.RuneCountInString(r.Text)
	for _, bl := range blocks {
		full := (lim.MaxBlocks > 0 && len(cur.Blocks) >= lim.MaxBlocks) ||
			(lim.MaxChars > 0 && len(cur.Blocks) > 0 && size+bl.size() > lim.MaxChars)
		if full {
			parts = append(parts, cur)
			cur = Reply{Visibility: r.Visibility, Text: r.Text + " (continued)", View: r.View}
			size = utf8.RuneCountInString(cur.Text)
		}
		cur.Blocks = append(cur.Blocks, bl)
		size += bl.size()
	}
	return append(parts, cur)
}

// splitBlock cuts a block whose text is longer than max into several blocks.
func splitBlock(bl Block, max int) []Block {
	if max <= 0 || utf8.RuneCountInString(bl.Text) <= max {
		return []Block{bl}
	}
	chunks := SplitText(bl.Text, max)
	out := make([]Block, len(chunks))
	for i, c := range chunks {
		out[i] = Block{Text: c}
	}
	out[0].Heading = bl.Heading
	last := &out[len(out)-1]
	last.Fields, last.Note, last.Buttons = bl.Fields, bl.Note, bl.Buttons
	return out
}

// SplitText cuts s into chunks of at most max runes, preferring line breaks,
// then spaces.
func SplitText(s string, max int) []string {
	var out []string
	for utf8.RuneCountInString(s) > max {
		runes := []rune(s)
		cut := max
		head := string(runes[:max])
		if i := strings.LastIndexByte(head, '\n'); i > 0 {
			cut = utf8.RuneCountInString(head[:i])
		} else if i := strings.LastIndexByte(head, ' '); i > 0 {
			cut = utf8.RuneCountInString(head[:i])
		}
		out = append(out, strings.TrimRight(string(runes[:cut]), " \n"))
		s = strings.TrimLeft(string(runes[cut:]), " \n")
	}
	if s != "" || len(out) == 0 {
		out = append(out, s)
	}
	return out
}
