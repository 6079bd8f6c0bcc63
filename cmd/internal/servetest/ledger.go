package servetest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"regexp"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/sqlite"
)

// Entry is one request as the sender saw it.
type Entry struct {
	Seq       int    `json:"seq"`
	Platform  string `json:"platform"` // slack or mattermost
	User      int    `json:"user"`
	Op        string `json:"op"` // list, add, meeting, done
	Command   string `json:"command"`
	Text      string `json:"text"`
	Marker    string `json:"marker,omitempty"` // unique text in what an add or meeting stores
	Owner     int    `json:"owner,omitempty"`  // the user an add assigns
	Target    int64  `json:"target,omitempty"` // the item a done closes
	Status    int    `json:"status"`
	Err       string `json:"err,omitempty"`
	LatencyUS int64  `json:"latency_us"`
	ID        int64  `json:"id,omitempty"` // what an add created, from its answer
	Answer    string `json:"answer,omitempty"`
}

// Acked reports whether getback acknowledged the request; a write counts
// as acknowledged only when the answer in the response says it succeeded
// ("Added getback #12", "Logged meeting #3", "Marked #7 done"). A write
// that outran Slack's 3-second window is acknowledged empty and confirmed
// later, through response_url, and is counted as not acknowledged; one
// answered with an error is Refused.
func (e *Entry) Acked() bool {
	return e.Status == http.StatusOK && e.Err == "" && (!e.Write() || e.succeeded())
}

// Refused reports whether getback answered a write with an error: nothing
// was to be stored, and nothing was lost.
func (e *Entry) Refused() bool {
	return e.Write() && e.Status == http.StatusOK && e.Err == "" && e.Answer != "" && !e.succeeded()
}

// successRE matches the answers of writes that took effect.
var successRE = regexp.MustCompile(`(?:Added getback #\d+|Logged meeting #\d+|Marked #\d+ done)`)

func (e *Entry) succeeded() bool { return successRE.MatchString(e.Answer) }

// Write reports whether the request changes the store.
func (e *Entry) Write() bool { return e.Op != "list" }

var idRE = regexp.MustCompile(`(?:Added getback|Logged meeting) #(\d+)`)

// Send sends the entry's command as its user and records the answer, the
// latency and (for adds) the id the answer gives.
func (p *Process) Send(ctx context.Context, c *http.Client, e *Entry) {
	start := time.Now()
	var a Answer
	var err error
	if e.Platform == "slack" {
		a, err = p.Slack(ctx, c, e.User, e.Command, e.Text)
	} else {
		var mentioned []int
		if e.Op == "add" {
			mentioned = []int{e.Owner}
		}
		a, err = p.Mattermost(ctx, c, e.User, e.Command, e.Text, mentioned...)
	}
	e.LatencyUS = time.Since(start).Microseconds()
	e.Status = a.Status
	if err != nil {
		e.Err = err.Error()
	}
	if e.Write() {
		var m struct {
			Text string `json:"text"`
		}
		json.Unmarshal([]byte(a.Body), &m)
		e.Answer = m.Text
		if s := idRE.FindStringSubmatch(m.Text); s != nil {
			e.ID, _ = strconv.ParseInt(s[1], 10, 64)
		}
	}
}

// openItem is an acknowledged getback that a later done may close.
type openItem struct {
	platform string
	owner    int
	id       int64
}

// Ledger is the log of every request of a run, from which the store's
// expected content follows.
type Ledger struct {
	// Now is the clock the ledger writes due dates and reads the store by:
	// the same machine clock as the getback process under test.
	Now func() time.Time

	run string

	mu      sync.Mutex
	entries []*Entry
	open    []openItem
	seq     int
}

// NewLedger returns an empty ledger whose markers carry a run id of its
// own, so that runs on the same database are told apart.
func NewLedger() *Ledger {
	return &Ledger{Now: time.Now, run: fmt.Sprintf("%06x", uint32(time.Now().UnixNano()>>10)&0xffffff)}
}

// Next numbers a new entry.
func (l *Ledger) Next() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	return l.seq
}

// Marker is the unique text of write seq.
func (l *Ledger) Marker(seq int) string { return fmt.Sprintf("ld%s-%d", l.run, seq) }

// states are the states adds and meetings use.
var states = []string{"Nevada", "Hawaii", "Guam", "Ohio", "Texas", "Maine", "Utah", "Iowa", "Idaho", "Alaska"}

// Add fills e as a /getback add by e.User for owner, with a fresh marker.
func (l *Ledger) Add(r *rand.Rand, e *Entry, owner int) {
	e.Op, e.Command, e.Owner, e.Marker = "add", "/getback", owner, l.Marker(e.Seq)
	mention := SlackMention(owner)
	if e.Platform == "mattermost" {
		mention = MattermostMention(owner)
	}
	// A month/day date two weeks ahead, as people type it: never in the
	// past, whatever the day of the run.
	ahead := l.Now().AddDate(0, 0, 14).Format("1/2")
	e.Text = fmt.Sprintf(`add %s "%s send the contact list" due:%s`, mention, e.Marker,
		[]string{"friday", "monday", "tomorrow", ahead}[r.IntN(4)])
}

// Meeting fills e as a /meeting add with a fresh marker in its discussion.
func (l *Ledger) Meeting(r *rand.Rand, e *Entry) {
	e.Op, e.Command, e.Marker = "meeting", "/meeting", l.Marker(e.Seq)
	e.Text = fmt.Sprintf(`add state:%s date:today discussion:"%s talked through the tabletop exercise"`,
		states[r.IntN(len(states))], e.Marker)
}

// Done fills e as a /getback done, by its owner, of an item acknowledged
// as added on e's platform and not yet closed; it reports false when there
// is none.
func (l *Ledger) Done(r *rand.Rand, e *Entry) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for range len(l.open) {
		j := r.IntN(len(l.open))
		if it := l.open[j]; it.platform == e.Platform {
			l.open[j] = l.open[len(l.open)-1]
			l.open = l.open[:len(l.open)-1]
			e.Op, e.Command, e.User, e.Target, e.Text = "done", "/getback", it.owner, it.id, fmt.Sprintf("done %d", it.id)
			return true
		}
	}
	return false
}

// Record keeps a sent entry; an acknowledged add becomes closable.
func (l *Ledger) Record(e *Entry) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, e)
	if e.Op == "add" && e.Acked() && e.ID > 0 {
		l.open = append(l.open, openItem{platform: e.Platform, owner: e.Owner, id: e.ID})
	}
}

// Entries returns the recorded entries in order.
func (l *Ledger) Entries() []*Entry {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := append([]*Entry(nil), l.entries...)
	sort.Slice(out, func(i, j int) bool { return out[i].Seq < out[j].Seq })
	return out
}

// WriteJSON writes the entries as JSON lines.
func (l *Ledger) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	for _, e := range l.Entries() {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return nil
}

// Rows counts the getbacks and meetings of both workspaces.
type Rows struct{ Getbacks, Meetings int }

// CountRows counts the rows of a database (none if a file does not
// exist).
func CountRows(ctx context.Context, path string) (Rows, error) {
	if _, err := os.Stat(path); err != nil && !postgres.IsURL(path) {
		return Rows{}, nil
	}
	db, err := openStore(ctx, path)
	if err != nil {
		return Rows{}, err
	}
	defer db.Close()
	return countRows(ctx, db)
}

// store is what the checks read of a store.
type store interface {
	bot.MeetingService
	bot.GetbackService
	Close() error
}

// openStore opens the database a check reads: a SQLite file, or a
// PostgreSQL database several replicas share.
func openStore(ctx context.Context, dsn string) (store, error) {
	if postgres.IsURL(dsn) {
		return postgres.Open(ctx, dsn)
	}
	return sqlite.Open(ctx, dsn)
}

func countRows(ctx context.Context, db store) (Rows, error) {
	var r Rows
	for _, ws := range []string{SlackWorkspace, MattermostWorkspace} {
		n, err := db.CountGetbacks(ctx, bot.GetbackFilter{Workspace: ws})
		if err != nil {
			return r, err
		}
		_, m, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Limit: 1})
		if err != nil {
			return r, err
		}
		r.Getbacks, r.Meetings = r.Getbacks+n, r.Meetings+m
	}
	return r, nil
}

// Check is the comparison of a store with a ledger.
type Check struct {
	AckedWrites    int // adds, meetings and dones acknowledged
	Stored         int // acknowledged adds and meetings found exactly once, under their answer's id
	Lost           int // acknowledged, not stored
	Duplicated     int // stored more than once
	WrongID        int // stored under another id than the answer gave
	DonesApplied   int
	DonesMissing   int
	UnackedStored  int // not acknowledged (the connection failed) yet stored: allowed
	UnackedMissing int
	Refused        int // answered with an error: a request the ledger should not have made
	Unexpected     int // rows no request explains
	Problems       []string
}

// OK reports whether no acknowledged write was lost, changed or duplicated.
func (c Check) OK() bool {
	return c.Lost == 0 && c.Duplicated == 0 && c.WrongID == 0 && c.DonesMissing == 0 && c.Unexpected == 0 && c.Refused == 0
}

// Print writes the check for a reader.
func (c Check) Print(w io.Writer) {
	fmt.Fprintf(w, "store vs log: %d acknowledged writes; %d adds stored once, %d lost, %d duplicated, %d under another id; "+
		"%d dones applied, %d missing; %d rows nobody asked for\n",
		c.AckedWrites, c.Stored, c.Lost, c.Duplicated, c.WrongID, c.DonesApplied, c.DonesMissing, c.Unexpected)
	if c.Refused > 0 {
		fmt.Fprintf(w, "writes refused with an error (none stored, none lost): %d\n", c.Refused)
	}
	if c.UnackedStored+c.UnackedMissing > 0 {
		fmt.Fprintf(w, "unacknowledged writes (connection cut): %d stored, %d not\n", c.UnackedStored, c.UnackedMissing)
	}
	for _, p := range c.Problems[:min(len(c.Problems), 20)] {
		fmt.Fprintln(w, "  ", p)
	}
	if c.OK() {
		fmt.Fprintln(w, "OK: every acknowledged write is stored exactly once")
	}
}

// Verify compares the database at path with the ledger; before is what
// the database held before the run.
func (l *Ledger) Verify(ctx context.Context, path string, before Rows) (Check, error) {
	var c Check
	db, err := openStore(ctx, path)
	if err != nil {
		return c, err
	}
	defer db.Close()
	type row struct {
		id     int64
		status string
	}
	markerRE := regexp.MustCompile(`ld` + l.run + `-\d+`)
	stored := map[string][]row{} // marker -> getbacks or meetings carrying it
	since := l.Now().Add(-48 * time.Hour)
	day := bot.DateOf(since)
	for _, ws := range []string{SlackWorkspace, MattermostWorkspace} {
		gs, _, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws, CreatedFrom: &since})
		if err != nil {
			return c, err
		}
		for _, g := range gs {
			for _, m := range markerRE.FindAllString(g.Text, -1) {
				stored[m] = append(stored[m], row{g.ID, g.Status})
			}
		}
		ms, _, err := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Since: &day, NoTotal: true})
		if err != nil {
			return c, err
		}
		for _, m := range ms {
			for _, mk := range markerRE.FindAllString(m.Discussion, -1) {
				stored[mk] = append(stored[mk], row{m.ID, ""})
			}
		}
	}
	after, err := countRows(ctx, db)
	if err != nil {
		return c, err
	}
	entries := l.Entries()
	items := map[string]row{} // platform/id -> an added getback
	explained := map[string]bool{}
	expected := 0
	for _, e := range entries {
		if e.Marker == "" {
			continue
		}
		rs := stored[e.Marker]
		explained[e.Marker] = true
		if len(rs) > 1 {
			c.Duplicated++
			c.Problems = append(c.Problems, fmt.Sprintf("duplicated: %s stored %d times", e.Marker, len(rs)))
		}
		if len(rs) > 0 {
			expected++
			if e.Op == "add" {
				items[e.Platform+"/"+strconv.FormatInt(rs[0].id, 10)] = rs[0]
			}
		}
		if e.Refused() {
			c.Refused++
			c.Problems = append(c.Problems, fmt.Sprintf("refused: #%d %s %s %q (answer %q)", e.Seq, e.Platform, e.Command, e.Text, e.Answer))
			if len(rs) > 0 {
				c.Unexpected += len(rs)
				c.Problems = append(c.Problems, fmt.Sprintf("refused yet stored: %s", e.Marker))
			}
			continue
		}
		if !e.Acked() {
			if len(rs) > 0 {
				c.UnackedStored++
			} else {
				c.UnackedMissing++
			}
			continue
		}
		c.AckedWrites++
		switch {
		case len(rs) == 0:
			c.Lost++
			c.Problems = append(c.Problems, fmt.Sprintf("lost: #%d %s %s %q (answer %q)", e.Seq, e.Platform, e.Command, e.Text, e.Answer))
		case len(rs) == 1 && rs[0].id != e.ID:
			c.WrongID++
			c.Problems = append(c.Problems, fmt.Sprintf("%s: the answer said #%d, stored as #%d", e.Marker, e.ID, rs[0].id))
		case len(rs) == 1:
			c.Stored++
		}
	}
	for m, rs := range stored {
		if !explained[m] {
			c.Unexpected += len(rs)
			c.Problems = append(c.Problems, "stored without a request: "+m)
		}
	}
	if grew := (after.Getbacks - before.Getbacks) + (after.Meetings - before.Meetings); grew != expected {
		c.Unexpected += grew - expected
		c.Problems = append(c.Problems, fmt.Sprintf("the store grew by %d rows for %d logged writes", grew, expected))
	}
	for _, e := range entries {
		if e.Op == "done" && e.Refused() {
			c.Refused++
			c.Problems = append(c.Problems, fmt.Sprintf("refused: #%d %s done %d (answer %q)", e.Seq, e.Platform, e.Target, e.Answer))
			continue
		}
		if e.Op != "done" || !e.Acked() {
			continue
		}
		c.AckedWrites++
		r, ok := items[e.Platform+"/"+strconv.FormatInt(e.Target, 10)]
		if ok && r.status == bot.StatusDone {
			c.DonesApplied++
			continue
		}
		c.DonesMissing++
		c.Problems = append(c.Problems, fmt.Sprintf("done %d acknowledged (%q) but the item is %q", e.Target, e.Answer, r.status))
	}
	return c, nil
}
