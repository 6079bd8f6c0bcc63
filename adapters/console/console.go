// Package console is getback's local chat: commands typed (or piped) on
// standard input, replies printed on standard output. It needs no chat
// server; direct messages and channel posts print in the same terminal.
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// Workspace is the workspace id of the console.
const Workspace = "console"

// Messenger prints posts and direct messages to a writer. It implements
// bot.Messenger for the console workspace; any well-formed user name is a
// user, in the time zone TZ.
type Messenger struct {
	mu  sync.Mutex
	out io.Writer
	// TZ is the time zone of every console user ("" means UTC).
	TZ string
	// PictureDir is where the pictures of replies and posts (a digest's
	// coverage map and trend) are written as PNG files, whose paths are
	// printed; "" means DefaultPictureDir().
	PictureDir string
	seq        int
	seen       map[string]bool
}

// NewMessenger returns a console messenger writing to out.
func NewMessenger(out io.Writer, tz string) *Messenger {
	return &Messenger{out: out, TZ: tz, seen: map[string]bool{}}
}

// Limits implements bot.Messenger: a terminal takes any length.
func (m *Messenger) Limits() bot.MessageLimits { return bot.MessageLimits{} }

// Printf writes to the console, serialised with posts.
func (m *Messenger) Printf(format string, args ...any) {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(m.out, format, args...)
}

// Post implements bot.Messenger by printing the message.
func (m *Messenger) Post(ctx context.Context, to bot.Target, r bot.Reply) (bot.MessageRef, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	where := "#" + to.Channel
	if to.User != "" {
		where = "DM to @" + to.User
	}
	fmt.Fprintf(m.out, "\n┌─ %s\n%s└─\n", where, indent(render(r)+m.pictures(r.Images)))
	return bot.MessageRef{Channel: to.Channel + to.User, ID: fmt.Sprint(m.seq)}, nil
}

// Update implements bot.Updater by printing the new version.
func (m *Messenger) Update(ctx context.Context, ws string, ref bot.MessageRef, r bot.Reply) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	fmt.Fprintf(m.out, "┌─ (message %s updated)\n%s└─\n", ref.ID, indent(render(r)))
	return nil
}

var reUserName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// LookupUser implements commands.Directory: console users are their names.
func (m *Messenger) LookupUser(ctx context.Context, ws, id string) (bot.User, error) {
	if !reUserName.MatchString(id) {
		return bot.User{}, bot.Errorf(bot.ENOTFOUND, "No user %q.", id)
	}
	return bot.User{ID: id, Name: id, TZ: m.TZ}, nil
}

// FindUser implements commands.Directory.
func (m *Messenger) FindUser(ctx context.Context, ws, name string) (bot.User, error) {
	return m.LookupUser(ctx, ws, name)
}

// FindChannel implements commands.Directory: any channel name exists.
func (m *Messenger) FindChannel(ctx context.Context, ws, name string) (bot.Channel, error) {
	if !reUserName.MatchString(name) {
		return bot.Channel{}, bot.Errorf(bot.ENOTFOUND, "No channel %q.", name)
	}
	return bot.Channel{ID: name, Name: name}, nil
}

func indent(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		b.WriteString("│ " + line + "\n")
	}
	return b.String()
}

// render prints a reply as text, with forms explained.
func render(r bot.Reply) string {
	s := r.PlainText()
	if r.Error {
		s = "⚠ " + s
	}
	if r.Form != nil {
		var keys []string
		for _, f := range r.Form.Fields {
			keys = append(keys, f.Key)
		}
		s += fmt.Sprintf("(In Slack and Mattermost this opens the form %q. In the console, give the fields on one line:\n"+
			"  %s\n fields: %s)\n", r.Form.Title, commands.Usage("meeting add"), strings.Join(keys, ", "))
	}
	return s
}

// Commands is what the console asks of the command layer;
// *commands.Runner is one.
type Commands interface {
	Run(ctx context.Context, c commands.Call) bot.Reply
	Act(ctx context.Context, a commands.Action) commands.ActionResult
}

// Session is one person typing commands in the console.
type Session struct {
	Commands  Commands
	Messenger *Messenger
	User      bot.User
	// Channel is the channel commands are typed in.
	Channel string
	// Prompt is printed before each line when set (interactive use).
	Prompt string
	// Log receives what goes wrong on our side (default slog.Default()).
	Log *slog.Logger

	// buttons remembers the buttons of recent replies, so that typing a
	// label and an item number acts on the right message view.
	buttons map[string]buttonRef
}

type buttonRef struct {
	button bot.Button
	view   string
}

// Run reads commands from in until it ends (or "quit"), printing replies.
func (s *Session) Run(ctx context.Context, in io.Reader) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for {
		if s.Prompt != "" {
			s.Messenger.Printf("%s", s.Prompt)
		}
		if !sc.Scan() {
			break
		}
		if ctx.Err() != nil {
			return nil
		}
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case line == "quit" || line == "exit":
			return nil
		}
		s.Messenger.Printf("%s", s.Handle(ctx, line))
	}
	return sc.Err()
}

// reAction recognises a typed button: its label, then an item number and,
// for Reassign, whom to.
var reAction = regexp.MustCompile(`(?i)^(done|snooze 1 day|snooze 1 week|snooze|reassign|next page)(?:\s+|$)#?(\d+)?\s*(.*)$`)

// Handle runs one typed line and returns what to print. It never panics:
// whatever goes wrong is an answer, and the session goes on.
func (s *Session) Handle(ctx context.Context, line string) (out string) {
	defer func() {
		if p := recover(); p != nil {
			log := s.Log
			if log == nil {
				log = slog.Default()
			}
			log.ErrorContext(ctx, "console line failed", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			out = "⚠ Something went wrong on our side; it has been logged. Please try again.\n"
		}
	}()
	if s.buttons == nil {
		s.buttons = map[string]buttonRef{}
	}
	call := commands.Call{Workspace: Workspace, User: s.User, Channel: s.Channel, ChannelName: s.Channel}
	if m := reAction.FindStringSubmatch(line); m != nil && !strings.HasPrefix(line, "/") {
		if out, ok := s.act(ctx, call, m[1], m[2], strings.TrimSpace(m[3])); ok {
			return out
		}
	}
	cmd, text := commands.SplitCommand(line)
	call.Command, call.Text = cmd, text
	rep := s.Commands.Run(ctx, call)
	s.remember(rep)
	return render(rep) + s.Messenger.pictures(rep.Images)
}

func (s *Session) remember(r bot.Reply) {
	for _, b := range r.Blocks {
		for _, btn := range b.Buttons {
			s.buttons[strings.ToLower(btn.Label)+" "+btn.Value] = buttonRef{btn, r.View}
			if btn.Action == bot.ActionPage {
				s.buttons["next page"] = buttonRef{btn, r.View}
			}
		}
	}
}

// buttonActions maps typed button labels to actions.
var buttonActions = map[string]string{"done": bot.ActionDone, "snooze 1 day": bot.ActionSnoozeDay,
	"snooze 1 week": bot.ActionSnoozeWeek, "reassign": bot.ActionReassign}

// act turns "Done 7", "Snooze 1 week 7", "Reassign 7 @bob" or "Next page"
// into a button click. ok is false when the line is not a button after all
// (it then runs as a command).
func (s *Session) act(ctx context.Context, call commands.Call, label, id, rest string) (out string, ok bool) {
	label = strings.ToLower(strings.Join(strings.Fields(label), " "))
	if label == "snooze" {
		label = "snooze 1 day"
	}
	a := commands.Action{Call: call, Value: id}
	if label == "next page" {
		if id != "" || rest != "" {
			return "", false
		}
		ref, ok := s.buttons["next page"]
		if !ok {
			return "There is no next page.\n", true
		}
		a.Name, a.Value = bot.ActionPage, ref.button.Value
		return s.click(ctx, a), true
	}
	typed := strings.ToUpper(label[:1]) + label[1:]
	switch {
	case id == "" && rest == "":
		return fmt.Sprintf("%s which getback? Type its number: %s 7\n", typed, typed), true
	case id == "":
		return "", false // "Done with that": not a button
	}
	if n, err := strconv.ParseInt(id, 10, 64); err != nil || n <= 0 {
		return fmt.Sprintf("⚠ There is no getback #%s.\n", id), true
	}
	a.Name = buttonActions[label]
	if ref, ok := s.buttons[label+" "+id]; ok {
		a.View = ref.view
	}
	if a.Name == bot.ActionReassign {
		words := strings.Fields(rest)
		if len(words) > 0 && strings.EqualFold(words[0], "to") {
			words = words[1:]
		}
		user := ""
		if len(words) > 0 {
			user = strings.TrimPrefix(words[0], "@")
		}
		switch {
		case user == "":
			return fmt.Sprintf("Reassign #%s to whom? Type: Reassign %s @name\n", id, id), true
		case len(words) > 1:
			return fmt.Sprintf("⚠ Reassign #%s to one person: Reassign %s @name\n", id, id), true
		}
		a.Selected = user
	} else if rest != "" {
		return fmt.Sprintf("⚠ Unexpected %q after %s %s.\n", rest, typed, id), true
	}
	return s.click(ctx, a), true
}

// click performs a button action and renders its result.
func (s *Session) click(ctx context.Context, a commands.Action) string {
	res := s.Commands.Act(ctx, a)
	out := ""
	if res.Notice != "" {
		prefix := "✓ "
		if res.Error {
			prefix = "⚠ "
		}
		out = prefix + res.Notice + "\n"
	}
	if res.Update != nil {
		s.remember(*res.Update)
		out += "┌─ (updated)\n" + indent(render(*res.Update)) + "└─\n"
	}
	return out
}

// LocalZone returns the IANA name of this machine's time zone: $TZ, else
// the zone /etc/localtime points at, else "UTC".
func LocalZone() string {
	if tz := os.Getenv("TZ"); tz != "" {
		if _, err := time.LoadLocation(tz); err == nil {
			return tz
		}
	}
	if target, err := os.Readlink("/etc/localtime"); err == nil {
		if i := strings.Index(target, "zoneinfo/"); i >= 0 {
			name := target[i+len("zoneinfo/"):]
			if _, err := time.LoadLocation(name); err == nil {
				return name
			}
		}
	}
	if b, err := os.ReadFile("/etc/timezone"); err == nil {
		name := strings.TrimSpace(string(b))
		if _, err := time.LoadLocation(name); err == nil && name != "" {
			return name
		}
	}
	return "UTC"
}
