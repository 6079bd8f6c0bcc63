package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/cmd/internal/servetest"
)

// binary is the getback binary the process tests run, built once.
var binary struct {
	once sync.Once
	dir  string
	path string
	err  error
}

// getbackBinary builds the real binary (go build) for tests that start,
// kill and restart it.
func getbackBinary(t *testing.T) string {
	t.Helper()
	binary.once.Do(func() {
		binary.dir, binary.err = os.MkdirTemp("", "getback-bin-")
		if binary.err != nil {
			return
		}
		binary.path = filepath.Join(binary.dir, "getback")
		out, err := exec.Command("go", "build", "-o", binary.path, ".").CombinedOutput()
		if err != nil {
			binary.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binary.err != nil {
		t.Fatal(binary.err)
	}
	return binary.path
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binary.dir != "" {
		os.RemoveAll(binary.dir)
	}
	os.Exit(code)
}

// crashIterations is how many times the crash tests kill getback:
// GETBACK_CRASH_ITERATIONS (make crash runs 50), else 3.
func crashIterations(t *testing.T) int {
	if n, err := strconv.Atoi(os.Getenv("GETBACK_CRASH_ITERATIONS")); err == nil && n > 0 {
		return n
	}
	return 3
}

// startServe starts getback serve on a fresh database in dir.
func startServe(t *testing.T, dir string) *servetest.Process {
	t.Helper()
	p, err := servetest.Start(context.Background(), servetest.Options{Binary: getbackBinary(t), DB: filepath.Join(dir, "getback.db"),
		Stderr: &testLog{t: t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return p
}

// testLog passes getback's warnings and errors to the test log.
type testLog struct {
	t  *testing.T
	mu sync.Mutex
}

func (l *testLog) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.t.Logf("getback: %s", b)
	return len(b), nil
}

// writeStream sends adds, meetings and dones from a few clients, as fast
// as getback answers, until stop is closed; pick chooses the process (the
// replica) each request goes to.
func writeStream(pick func() *servetest.Process, l *servetest.Ledger, users int, stop <-chan struct{}) *sync.WaitGroup {
	var wg sync.WaitGroup
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	var mu sync.Mutex // r is not safe for concurrent use
	client := &http.Client{Timeout: 5 * time.Second}
	for c := range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				mu.Lock()
				e := &servetest.Entry{Seq: l.Next(), Platform: []string{"slack", "mattermost"}[c%2], User: r.IntN(users)}
				switch roll := r.IntN(10); {
				case roll < 2:
					l.Meeting(r, e)
				case roll < 4 && l.Done(r, e):
				default:
					l.Add(r, e, r.IntN(users))
				}
				mu.Unlock()
				pick().Send(context.Background(), client, e)
				l.Record(e)
				if e.Err != "" {
					time.Sleep(5 * time.Millisecond) // getback is down
				}
			}
		})
	}
	return &wg
}

// TestCrashDuringAcknowledgedWrites kills getback with SIGKILL at a random
// moment of a stream of writes, restarts it, writes more, and checks that
// every acknowledged write is stored exactly once.
func TestCrashDuringAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the real binary")
	}
	iterations := crashIterations(t)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	acked, cutStored, cutMissing := 0, 0, 0
	for i := range iterations {
		dir := t.TempDir()
		p := startServe(t, dir)
		p.AddUsers(20)
		l := servetest.NewLedger()
		stop := make(chan struct{})
		wg := writeStream(func() *servetest.Process { return p }, l, 20, stop)
		time.Sleep(time.Duration(50+r.IntN(450)) * time.Millisecond)
		p.Kill()
		time.Sleep(20 * time.Millisecond)
		if err := p.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond) // writes go on after the restart
		close(stop)
		wg.Wait()
		if code, took := p.Term(10 * time.Second); code != 0 {
			t.Fatalf("iteration %d: exit %d after %v", i, code, took)
		}
		c, err := l.Verify(context.Background(), p.DB, servetest.Rows{})
		if err != nil {
			t.Fatal(err)
		}
		if !c.OK() {
			var b []byte
			for _, pr := range c.Problems {
				b = append(b, pr+"\n"...)
			}
			t.Fatalf("iteration %d: %+v\n%s", i, c, b)
		}
		if c.AckedWrites == 0 {
			t.Fatalf("iteration %d: no write was acknowledged", i)
		}
		acked += c.AckedWrites
		cutStored, cutMissing = cutStored+c.UnackedStored, cutMissing+c.UnackedMissing
		p.Close()
	}
	t.Logf("%d kills: %d acknowledged writes, all stored exactly once; of the writes not acknowledged (cut by the kill, "+
		"or refused while getback was down) %d were stored and %d not", iterations, acked, cutStored, cutMissing)
}

// seedFanOut prepares a database on which, at start, getback owes every
// person a reminder and every region a digest now: people with an open
// item and a reminder at the top of the current hour on every day, region
// digests at that hour today, and a scheduler checkpoint a minute before.
func seedFanOut(t *testing.T, path string, people int) (dms, digests int) {
	ctx := context.Background()
	db, err := openStore(ctx, config{DB: path, Now: time.Now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Now().UTC()
	hour := now.Truncate(time.Hour)
	for i := range people {
		for _, ws := range []struct{ ws, id string }{
			{servetest.SlackWorkspace, servetest.SlackUser(i)}, {servetest.MattermostWorkspace, servetest.MattermostUser(i)}} {
			p := bot.NewPerson(ws.ws, ws.id, fmt.Sprintf("User %d", i), "UTC")
			p.RemindHour, p.RemindMinute, p.WorkDays = hour.Hour(), 0, 0x7f
			if err := db.UpsertPerson(ctx, p); err != nil {
				t.Fatal(err)
			}
			g := &bot.Getback{Workspace: ws.ws, Text: fmt.Sprintf("send the contact list to %d", i), Owner: ws.id,
				OwnerKind: bot.OwnerUser, Status: bot.StatusOpen, Due: bot.DateOf(now).AddDays(-1)}
			if err := db.CreateGetback(ctx, g); err != nil {
				t.Fatal(err)
			}
			dms++
		}
	}
	for n := 1; n <= 10; n++ {
		r := bot.NewRegion(servetest.SlackWorkspace, n)
		r.Channel, r.ChannelName, r.TZ = fmt.Sprintf("CREGION%d", n), fmt.Sprintf("region-%d", n), "UTC"
		r.DigestDay, r.DigestHour = now.Weekday(), hour.Hour()
		if err := db.UpsertRegion(ctx, r); err != nil {
			t.Fatal(err)
		}
		digests++
	}
	if err := db.SetCheckpoint(ctx, bot.SchedulerCheckpoint, hour.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	return dms, digests
}

// posts counts what reached the fake platforms per channel.
func posts(p *servetest.Process) map[string]int {
	per := map[string]int{}
	for _, m := range p.SlackAPI.Posted() {
		per["slack/"+m.Channel]++
	}
	for _, m := range p.MattermostAPI.Posts() {
		per["mattermost/"+m.ChannelId]++
	}
	return per
}

// TestCrashDuringReminderFanOut kills getback at a random moment while it
// plans and sends reminder DMs and region digests, restarts it, and checks
// that each DM and each digest arrived exactly once.
func TestCrashDuringReminderFanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the real binary")
	}
	if h := time.Now().UTC(); h.Minute() == 59 && h.Second() > 50 {
		time.Sleep(15 * time.Second) // the seeded hour must not end mid-test
	}
	iterations := crashIterations(t)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	const people = 60
	killedMidway := 0
	for i := range iterations {
		dir := t.TempDir()
		dms, digests := seedFanOut(t, filepath.Join(dir, "getback.db"), people)
		want := dms + digests
		p := startServe(t, dir)
		p.AddUsers(people)
		p.SlackAPI.Slow("chat.postMessage", 2*time.Millisecond)
		if i%5 == 0 { // sometimes while it plans, before the first post
			time.Sleep(time.Duration(r.IntN(150)) * time.Millisecond)
		} else { // mostly after a random number of posts
			k := 1 + r.IntN(want-1)
			for deadline := time.Now().Add(10 * time.Second); len(posts(p)) < k && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
		}
		p.Kill()
		if n := len(posts(p)); n > 0 && n < want {
			killedMidway++
		}
		if err := p.Restart(context.Background()); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) && len(posts(p)) < want {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // a duplicate would come now
		if code, _ := p.Term(10 * time.Second); code != 0 {
			t.Fatalf("iteration %d: exit %d", i, code)
		}
		per := posts(p)
		if len(per) != want {
			t.Fatalf("iteration %d: %d of %d DMs and digests arrived", i, len(per), want)
		}
		for ch, n := range per {
			if n != 1 {
				t.Fatalf("iteration %d: %s got %d posts", i, ch, n)
			}
		}
		if counts := outboxCounts(t, p.DB); counts[bot.OutboxSent] != want || counts[bot.OutboxPending] != 0 {
			t.Fatalf("iteration %d: outbox %v", i, counts)
		}
		p.Close()
	}
	t.Logf("%d kills (%d in the middle of the fan-out): every one of %d DMs and %d digests arrived exactly once each time",
		iterations, killedMidway, people*2, 10)
}

// outboxCounts reads the outbox of the store at dsn.
func outboxCounts(t *testing.T, dsn string) map[string]int {
	t.Helper()
	db, err := openStore(context.Background(), config{DB: dsn, Now: time.Now}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.OutboxCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return counts
}
