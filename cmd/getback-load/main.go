// Command getback-load drives a real `getback serve` with signed Slack and
// Mattermost slash commands over loopback and checks that nothing was lost.
//
// It starts getback (the binary given by --getback) on 127.0.0.1 against
// fake Slack and Mattermost APIs it runs itself, sends a bounded stream of
// commands from simulated users — 70% lists, 20% adds, 10% done — from a
// number of concurrent clients, and reports throughput and acknowledgement
// latency (p50, p99, p99.9). It then stops getback with SIGTERM, opens the
// database, and compares it with its own log of every request: each
// acknowledged add must be stored exactly once, each acknowledged done must
// have closed its item, and nothing may be stored twice.
//
//	make build && go run ./cmd/getback-load --requests 20000 --users 500
//
// It refuses any address that is not loopback.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/getbackhq/getback/cmd/internal/servetest"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if addr := os.Getenv(baselineEnv); addr != "" {
		if err := serveBaseline(ctx, addr); err != nil {
			fmt.Fprintln(os.Stderr, "getback-load baseline:", err)
			os.Exit(1)
		}
		return
	}
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "getback-load:", err)
		os.Exit(1)
	}
}

// config is the run's shape.
type config struct {
	binary      string
	addr        string
	dir         string
	requests    int
	duration    time.Duration
	users       int
	clients     int
	seed        int
	platforms   string
	logPath     string
	jsonOut     string
	randomSeed  uint64
	keepProcess bool
	// The acknowledgement run (--ack).
	ack          bool
	rounds       int
	settle       time.Duration
	idleAfter    time.Duration
	answerWithin time.Duration
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c config
	fs := flag.NewFlagSet("getback-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.binary, "getback", "./bin/getback", "the getback binary to start (make build)")
	fs.StringVar(&c.addr, "addr", "", "loopback address for getback (default: a free 127.0.0.1 port)")
	fs.StringVar(&c.dir, "dir", "", "directory for the database and logs (default: a new temp dir)")
	fs.IntVar(&c.requests, "requests", 20000, "stop after this many requests")
	fs.DurationVar(&c.duration, "duration", 2*time.Minute, "stop after this long, whichever comes first")
	fs.IntVar(&c.users, "users", 500, "simulated users, split between the platforms")
	fs.IntVar(&c.clients, "clients", 16, "concurrent clients")
	fs.IntVar(&c.seed, "seed-meetings", 0, "start from a store with this many meetings (3 getbacks each) in the Slack workspace")
	fs.StringVar(&c.platforms, "platforms", "slack,mattermost", "platforms to drive")
	fs.StringVar(&c.logPath, "log", "", "write the request log (JSON lines) here (default: <dir>/requests.jsonl)")
	fs.StringVar(&c.jsonOut, "json", "", "also write the summary as JSON to this file")
	fs.Uint64Var(&c.randomSeed, "rand", 1, "random seed of the command mix")
	fs.BoolVar(&c.ack, "ack", false, "instead of the mix, compare getback's acknowledgement rate for signed /getback list with a\n"+
		"handler that only checks the signature or token, per platform, in bursts of --requests (default 3000)\n"+
		"from --clients (default 8), and report getback's memory")
	fs.IntVar(&c.rounds, "rounds", 3, "with --ack: rounds, each a burst to the baseline and one to getback")
	fs.DurationVar(&c.settle, "settle", 3*time.Second, "with --ack: wait this long after getback starts before reading its idle memory")
	fs.DurationVar(&c.idleAfter, "idle-after", 40*time.Second, "with --ack: read getback's memory again this long after the last round (0: do not)")
	fs.DurationVar(&c.answerWithin, "answer-within", 5*time.Minute, "with --ack: how long to wait for a burst's answers through response_url")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.ack {
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["requests"] {
			c.requests = 3000
		}
		if !set["clients"] {
			c.clients = 8
		}
		if c.rounds <= 0 {
			return fmt.Errorf("--rounds must be positive")
		}
	}
	if c.addr != "" {
		if err := servetest.Loopback(c.addr); err != nil {
			return err
		}
	}
	if c.requests <= 0 || c.duration <= 0 || c.users <= 0 || c.clients <= 0 {
		return fmt.Errorf("--requests, --duration, --users and --clients must be positive")
	}
	var plats []string
	for _, p := range strings.Split(c.platforms, ",") {
		switch p = strings.TrimSpace(p); p {
		case "slack", "mattermost":
			plats = append(plats, p)
		default:
			return fmt.Errorf("--platforms: unknown platform %q (slack, mattermost)", p)
		}
	}
	if _, err := os.Stat(c.binary); err != nil {
		return fmt.Errorf("--getback %s: %w (run make build first)", c.binary, err)
	}
	if c.dir == "" {
		d, err := os.MkdirTemp("", "getback-load-")
		if err != nil {
			return err
		}
		c.dir = d
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return err
	}
	if c.logPath == "" {
		c.logPath = filepath.Join(c.dir, "requests.jsonl")
	}
	if c.ack {
		return runAck(ctx, c, plats, stdout)
	}
	dbPath := filepath.Join(c.dir, "getback.db")
	if c.seed > 0 {
		fmt.Fprintf(stdout, "seeding %d meetings into %s…\n", c.seed, servetest.SlackWorkspace)
		if err := sqlitetest.Build(dbPath, sqlitetest.Size{Workspace: servetest.SlackWorkspace, Meetings: c.seed, GetbacksPer: 3, People: 2000}); err != nil {
			return err
		}
	}
	before, err := servetest.CountRows(ctx, dbPath)
	if err != nil {
		return err
	}
	serverLog, err := os.Create(filepath.Join(c.dir, "getback.log"))
	if err != nil {
		return err
	}
	defer serverLog.Close()
	p, err := servetest.Start(ctx, servetest.Options{Binary: c.binary, DB: dbPath, Addr: c.addr, Stderr: serverLog})
	if err != nil {
		return err
	}
	defer p.Close()
	p.SlackAPI.KeepCalls(false)
	p.MattermostAPI.KeepCalls(false)
	p.AddUsers(c.users)
	fmt.Fprintf(stdout, "getback serve on %s, database %s, %d users, %d clients, up to %d requests or %s\n",
		p.URL(), dbPath, c.users, c.clients, c.requests, c.duration)

	g := newGenerator(c, p, plats)
	start := time.Now()
	g.run(ctx)
	elapsed := time.Since(start)

	// Reads are answered through response_url after the acknowledgement:
	// wait for those answers before stopping.
	wantSlack, wantMM := g.readsAcked()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && (p.SlackAPI.Count("response/") < wantSlack || p.MattermostAPI.Count("/hooks/commands/") < wantMM) {
		time.Sleep(20 * time.Millisecond)
	}
	gotSlack, gotMM := p.SlackAPI.Count("response/"), p.MattermostAPI.Count("/hooks/commands/")
	code, took := p.Term(10 * time.Second)

	if err := g.writeLog(c.logPath); err != nil {
		return err
	}
	check, err := g.l.Verify(ctx, dbPath, before)
	if err != nil {
		return err
	}
	sum := g.summary(elapsed)
	sum.ReadAnswers = map[string][2]int{"slack": {wantSlack, gotSlack}, "mattermost": {wantMM, gotMM}}
	sum.Check = check
	sum.Shutdown = shutdown{ExitCode: code, Seconds: took.Seconds()}
	sum.print(stdout)
	fmt.Fprintf(stdout, "request log: %s\ngetback log: %s\n", c.logPath, serverLog.Name())
	if c.jsonOut != "" {
		if err := writeJSONFile(c.jsonOut, sum); err != nil {
			return err
		}
	}
	if !check.OK() || code != 0 || gotSlack < wantSlack || gotMM < wantMM {
		return fmt.Errorf("the run found problems (see above)")
	}
	return nil
}

type generator struct {
	c     config
	p     *servetest.Process
	plats []string
	l     *servetest.Ledger

	mu   sync.Mutex
	rnd  *rand.Rand
	sent int
}

func newGenerator(c config, p *servetest.Process, plats []string) *generator {
	r := rand.New(rand.NewPCG(c.randomSeed, uint64(time.Now().UnixNano())))
	return &generator{c: c, p: p, plats: plats, rnd: r, l: servetest.NewLedger()}
}

// plan picks the next request, or nil when the run is over.
func (g *generator) plan() *servetest.Entry {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.sent >= g.c.requests {
		return nil
	}
	g.sent++
	e := &servetest.Entry{Seq: g.l.Next(), Platform: g.plats[g.rnd.IntN(len(g.plats))], User: g.rnd.IntN(g.c.users)}
	switch roll := g.rnd.IntN(100); {
	case roll < 70:
		g.list(e)
	case roll < 90:
		g.write(e)
	case !g.l.Done(g.rnd, e):
		g.list(e) // nothing owed yet on the platform
	}
	return e
}

// list makes e a read: one of the getback lists, or the meeting list.
func (g *generator) list(e *servetest.Entry) {
	e.Op, e.Command = "list", "/getback"
	e.Text = []string{"list mine", "list overdue", "list open", "list mine"}[g.rnd.IntN(4)]
	if g.rnd.IntN(5) == 0 {
		e.Command, e.Text = "/meeting", "list"
	}
}

// write makes e an add: a meeting one time in four, else a getback for
// the sender or (half the time) someone else.
func (g *generator) write(e *servetest.Entry) {
	if g.rnd.IntN(4) == 0 {
		g.l.Meeting(g.rnd, e)
		return
	}
	owner := e.User
	if g.rnd.IntN(2) == 0 {
		owner = g.rnd.IntN(g.c.users)
	}
	g.l.Add(g.rnd, e, owner)
}

func (g *generator) run(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, g.c.duration)
	defer cancel()
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: g.c.clients}}
	var wg sync.WaitGroup
	for range g.c.clients {
		wg.Go(func() {
			for ctx.Err() == nil {
				e := g.plan()
				if e == nil {
					return
				}
				g.p.Send(ctx, client, e)
				g.l.Record(e)
			}
		})
	}
	wg.Wait()
}

// readsAcked counts acknowledged reads per platform: each must be answered
// through its response_url.
func (g *generator) readsAcked() (slack, mattermost int) {
	for _, e := range g.l.Entries() {
		if !e.Write() && e.Acked() {
			if e.Platform == "slack" {
				slack++
			} else {
				mattermost++
			}
		}
	}
	return
}

func (g *generator) writeLog(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := g.l.WriteJSON(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// latency holds the percentiles of a set of latencies, in milliseconds.
type latency struct {
	N                       int
	P50, P99, P999, Max     float64
	PerSecond               float64
	Errors, Non200, Refused int
}

func percentiles(es []*servetest.Entry, elapsed time.Duration) latency {
	var us []int64
	l := latency{}
	for _, e := range es {
		switch {
		case e.Err != "":
			l.Errors++
		case e.Status != http.StatusOK:
			l.Non200++
		default:
			us = append(us, e.LatencyUS)
		}
	}
	sort.Slice(us, func(i, j int) bool { return us[i] < us[j] })
	at := func(p float64) float64 {
		if len(us) == 0 {
			return 0
		}
		i := int(p * float64(len(us)))
		return float64(us[min(i, len(us)-1)]) / 1000
	}
	l.N = len(us)
	l.P50, l.P99, l.P999 = at(0.50), at(0.99), at(0.999)
	if len(us) > 0 {
		l.Max = float64(us[len(us)-1]) / 1000
	}
	l.PerSecond = float64(len(us)) / elapsed.Seconds()
	return l
}

type shutdown struct {
	ExitCode int
	Seconds  float64
}

type summary struct {
	Requests    int
	Seconds     float64
	All         latency
	ByOp        map[string]latency
	ByPlatform  map[string]latency
	ReadAnswers map[string][2]int // platform -> {acknowledged reads, answers posted}
	Check       servetest.Check
	Shutdown    shutdown
}

func (g *generator) summary(elapsed time.Duration) summary {
	log := g.l.Entries()
	s := summary{Requests: len(log), Seconds: elapsed.Seconds(), All: percentiles(log, elapsed),
		ByOp: map[string]latency{}, ByPlatform: map[string]latency{}}
	byOp, byPlat := map[string][]*servetest.Entry{}, map[string][]*servetest.Entry{}
	for _, e := range log {
		byOp[e.Op] = append(byOp[e.Op], e)
		byPlat[e.Platform] = append(byPlat[e.Platform], e)
	}
	for k, v := range byOp {
		s.ByOp[k] = percentiles(v, elapsed)
	}
	for k, v := range byPlat {
		s.ByPlatform[k] = percentiles(v, elapsed)
	}
	return s
}

func (s summary) print(w io.Writer) {
	fmt.Fprintf(w, "\n%d requests in %.1f s: %.0f acknowledged/s\n", s.Requests, s.Seconds, s.All.PerSecond)
	fmt.Fprintf(w, "%-12s %7s %9s %9s %9s %9s %9s %7s\n", "", "acked", "per sec", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "failed")
	row := func(name string, l latency) {
		fmt.Fprintf(w, "%-12s %7d %9.0f %9.2f %9.2f %9.2f %9.2f %7d\n", name, l.N, l.PerSecond, l.P50, l.P99, l.P999, l.Max, l.Errors+l.Non200)
	}
	row("all", s.All)
	for _, k := range sortedKeys(s.ByOp) {
		row(k, s.ByOp[k])
	}
	for _, k := range sortedKeys(s.ByPlatform) {
		row(k, s.ByPlatform[k])
	}
	for _, k := range []string{"slack", "mattermost"} {
		if a := s.ReadAnswers[k]; a[0] > 0 {
			fmt.Fprintf(w, "%s reads answered through response_url: %d of %d\n", k, a[1], a[0])
		}
	}
	s.Check.Print(w)
	fmt.Fprintf(w, "SIGTERM after the run: exit %d in %.2f s\n", s.Shutdown.ExitCode, s.Shutdown.Seconds)
}

func sortedKeys[V any](m map[string]V) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// writeJSONFile writes v, indented, to path.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}
