package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
	"github.com/getbackhq/getback/adapters/slack/slacktest"
	"github.com/getbackhq/getback/cmd/internal/servetest"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// The acknowledgement run (--ack) compares, platform by platform, how fast
// getback serve acknowledges signed `/getback list` commands with how fast
// a handler that only checks the signature (Slack) or the command token
// (Mattermost) does, on the same machine in the same run: each round sends
// the same number of commands from the same clients to the baseline, then
// to getback, and waits until getback has answered every acknowledged
// command through its response_url before the next round. getback's
// memory is read from /proc: resident set size when idle, before the
// first round, and its peak (VmHWM) over the run.

// ackPhase is one burst of commands to one server.
type ackPhase struct {
	Requests  int
	Seconds   float64
	PerSecond float64
	P50, P99  float64 // acknowledgement latency, ms
	P999, Max float64
	Failed    int // transport errors and statuses other than 200
	// Inline counts commands answered in the acknowledgement itself (the
	// queue was full); they need no response_url answer.
	Inline int
	// CPUPerAck is the server process's CPU time during the burst per
	// acknowledged command, in microseconds: unlike the rate, it does not
	// depend on what else the machine runs.
	CPUPerAck float64
}

// ackRound is one round: the baseline's burst, getback's, and getback's
// answers through response_url.
type ackRound struct {
	Baseline, Getback ackPhase
	Ratio             float64 // getback's acknowledgements per second over the baseline's
	// CPURatio is the baseline's CPU per acknowledgement over getback's.
	CPURatio float64
	// Answered counts the commands answered through their response_url,
	// of Expected (the acknowledged ones not answered inline); Posts the
	// answers posted in all (a long answer comes in parts).
	Answered, Expected, Posts int
	// LastAnswer is the time from the round's first command to its last
	// answer, in seconds.
	LastAnswer float64
	// DuringBurst counts the answers posted before the burst's last
	// acknowledgement: work that took the CPU from acknowledgements.
	DuringBurst int
}

// ackPlatform is the run against one platform.
type ackPlatform struct {
	Platform string
	Meetings int
	Rounds   []ackRound
	// Memory of getback serve: idle before the first round, the peak over
	// the run, right after the last round, and idle again after it.
	Idle, Peak, After, IdleAfter memory
	// Median and spread (least, greatest) over the rounds.
	Ratio, RatioMin, RatioMax          float64
	CPURatio, CPURatioMin, CPURatioMax float64
	BaselineRate, GetbackRate          float64
	GetbackP99, GetbackP99Min, P99Max  float64
	AllAnswered                        bool
	LoadBefore, LoadAfter              string // /proc/loadavg
	ServeLog                           string
	Shutdown                           shutdown
}

func runAck(ctx context.Context, c config, plats []string, stdout io.Writer) error {
	var results []ackPlatform
	ok := true
	for _, plat := range plats {
		res, err := ackPlatformRun(ctx, c, plat, stdout)
		if err != nil {
			return fmt.Errorf("%s: %w", plat, err)
		}
		results = append(results, res)
		ok = ok && res.AllAnswered && res.Shutdown.ExitCode == 0
	}
	if c.jsonOut != "" {
		if err := writeJSONFile(c.jsonOut, results); err != nil {
			return err
		}
	}
	if !ok {
		return fmt.Errorf("the run found problems (see above)")
	}
	return nil
}

func ackPlatformRun(ctx context.Context, c config, plat string, stdout io.Writer) (ackPlatform, error) {
	res := ackPlatform{Platform: plat, Meetings: c.seed}
	ws := servetest.SlackWorkspace
	if plat == "mattermost" {
		ws = servetest.MattermostWorkspace
	}
	dbPath := filepath.Join(c.dir, plat+".db")
	for _, f := range []string{dbPath, dbPath + "-wal", dbPath + "-shm"} {
		os.Remove(f) // a store left by an earlier run in the same directory
	}
	if c.seed > 0 {
		fmt.Fprintf(stdout, "%s: a store of %d meetings in %s (built once, then copied)…\n", plat, c.seed, ws)
		if err := sqlitetest.Copy(dbPath, sqlitetest.Size{Workspace: ws, Meetings: c.seed, GetbacksPer: 3, People: 2000}); err != nil {
			return res, err
		}
	}
	base, err := startBaseline(ctx)
	if err != nil {
		return res, err
	}
	defer base.stop()
	serverLog, err := os.Create(filepath.Join(c.dir, plat+"-getback.log"))
	if err != nil {
		return res, err
	}
	defer serverLog.Close()
	res.ServeLog = serverLog.Name()
	p, err := servetest.Start(ctx, servetest.Options{Binary: c.binary, DB: dbPath, Stderr: serverLog})
	if err != nil {
		return res, err
	}
	defer p.Close()
	p.SlackAPI.KeepCalls(false)
	p.MattermostAPI.KeepCalls(false)
	p.AddUsers(c.users)
	client := &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: c.clients}}
	// Start-up work first: on a seeded store the scheduler's first tick
	// queues the day's reminders for everyone past their reminder hour,
	// and the sender posts them; only then is getback idle.
	if err := waitOutboxDrained(ctx, client, p.URL(), 2*time.Minute); err != nil {
		return res, err
	}
	time.Sleep(c.settle)
	res.Idle = readMemory(p.PID())
	res.LoadBefore = loadAverage()
	fmt.Fprintf(stdout, "%s: getback serve (pid %d) on %s, baseline on %s; %d clients, %d commands a burst, %d rounds; "+
		"idle %s; load average %s\n", plat, p.PID(), p.URL(), base.url(), c.clients, c.requests, c.rounds, res.Idle, res.LoadBefore)
	peak := watchMemory(p.PID())
	fmt.Fprintf(stdout, "%-6s %37s %37s %7s %7s %14s %12s\n", "round", "baseline acks/s p50 p99 ms cpu µs/ack",
		"getback acks/s p50 p99 ms cpu µs/ack", "ratio", "cpu", "answered", "last answer")

	for r := 1; r <= c.rounds; r++ {
		var rd ackRound
		b := newBurst(plat, base.url(), base.cmd.Process.Pid, fmt.Sprintf("b%d-", r), c, p)
		rd.Baseline = b.send(ctx, client)
		g := newBurst(plat, p.URL(), p.PID(), fmt.Sprintf("r%d-", r), c, p)
		rd.Getback = g.send(ctx, client)
		rd.DuringBurst = g.answered()
		if rd.Baseline.PerSecond > 0 {
			rd.Ratio = rd.Getback.PerSecond / rd.Baseline.PerSecond
		}
		if rd.Getback.CPUPerAck > 0 {
			rd.CPURatio = rd.Baseline.CPUPerAck / rd.Getback.CPUPerAck
		}
		rd.Answered, rd.Expected, rd.Posts = g.waitAnswers(ctx, c.answerWithin)
		rd.LastAnswer = time.Since(g.start).Seconds()
		res.Rounds = append(res.Rounds, rd)
		fmt.Fprintf(stdout, "%-6d %10.0f %8.2f %8.2f %8.1f %10.0f %8.2f %8.2f %8.1f %7.2f %7.2f %6d of %-5d %10.2f s\n", r,
			rd.Baseline.PerSecond, rd.Baseline.P50, rd.Baseline.P99, rd.Baseline.CPUPerAck,
			rd.Getback.PerSecond, rd.Getback.P50, rd.Getback.P99, rd.Getback.CPUPerAck,
			rd.Ratio, rd.CPURatio, rd.Answered, rd.Expected, rd.LastAnswer)
		if rd.Baseline.Failed+rd.Getback.Failed > 0 {
			fmt.Fprintf(stdout, "       failed requests: baseline %d, getback %d\n", rd.Baseline.Failed, rd.Getback.Failed)
		}
		if rd.DuringBurst > 0 {
			fmt.Fprintf(stdout, "       %d commands answered through response_url during the burst\n", rd.DuringBurst)
		}
		if rd.Getback.Inline > 0 {
			fmt.Fprintf(stdout, "       %d commands answered in their acknowledgement (queue full)\n", rd.Getback.Inline)
		}
	}
	res.Peak, res.After = peak(), readMemory(p.PID())
	if c.idleAfter > 0 {
		time.Sleep(c.idleAfter)
		res.IdleAfter = readMemory(p.PID())
	}
	res.LoadAfter = loadAverage()
	code, took := p.Term(10 * time.Second)
	res.Shutdown = shutdown{ExitCode: code, Seconds: took.Seconds()}
	res.summarize()
	fmt.Fprintf(stdout, "%s: median over %d rounds (least–greatest): ratio %.2f (%.2f–%.2f), getback %.0f acks/s against %.0f, "+
		"getback p99 %.2f ms (%.2f–%.2f); CPU per acknowledgement, baseline over getback: %.2f (%.2f–%.2f); every command answered: %v\n",
		plat, len(res.Rounds), res.Ratio, res.RatioMin, res.RatioMax, res.GetbackRate, res.BaselineRate,
		res.GetbackP99, res.GetbackP99Min, res.P99Max, res.CPURatio, res.CPURatioMin, res.CPURatioMax, res.AllAnswered)
	fmt.Fprintf(stdout, "%s: getback memory idle %s; peak %s; after the run %s\n", plat, res.Idle, res.Peak, res.After)
	if c.idleAfter > 0 {
		fmt.Fprintf(stdout, "%s: getback memory idle again %s after the run: %s\n", plat, c.idleAfter, res.IdleAfter)
	}
	fmt.Fprintf(stdout, "%s: load average after %s; SIGTERM: exit %d in %.2f s\n\n", plat, res.LoadAfter, code, took.Seconds())
	return res, nil
}

// summarize sets the medians and spreads over the rounds.
func (a *ackPlatform) summarize() {
	var ratios, cpu, base, got, p99 []float64
	a.AllAnswered = len(a.Rounds) > 0
	for _, r := range a.Rounds {
		cpu = append(cpu, r.CPURatio)
		ratios, base, got, p99 = append(ratios, r.Ratio), append(base, r.Baseline.PerSecond),
			append(got, r.Getback.PerSecond), append(p99, r.Getback.P99)
		a.AllAnswered = a.AllAnswered && r.Answered == r.Expected && r.Getback.Failed == 0
	}
	a.Ratio, a.RatioMin, a.RatioMax = median(ratios)
	a.CPURatio, a.CPURatioMin, a.CPURatioMax = median(cpu)
	a.BaselineRate, _, _ = median(base)
	a.GetbackRate, _, _ = median(got)
	a.GetbackP99, a.GetbackP99Min, a.P99Max = median(p99)
}

// median returns the median of xs, and their least and greatest.
func median(xs []float64) (med, lo, hi float64) {
	if len(xs) == 0 {
		return 0, 0, 0
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	med = s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return med, s[0], s[len(s)-1]
}

// burst is one phase's commands, signed in advance, so that the clients
// spend as little of the machine as they can while it runs.
type burst struct {
	plat   string
	pid    int    // of the server
	prefix string // of the response_url ids
	p      *servetest.Process
	reqs   []*http.Request
	inline []bool
	lat    []time.Duration
	failed atomic.Int64
	start  time.Time
	n      int
	c      config
}

func newBurst(plat, base string, pid int, prefix string, c config, p *servetest.Process) *burst {
	b := &burst{plat: plat, pid: pid, prefix: prefix, p: p, c: c, n: c.requests,
		reqs: make([]*http.Request, c.requests), inline: make([]bool, c.requests), lat: make([]time.Duration, c.requests)}
	for i := range b.reqs {
		user := i % c.users
		id := prefix + strconv.Itoa(i)
		if plat == "slack" {
			b.reqs[i] = slacktest.NewRequest(base+"/slack/commands", servetest.SlackSecret, url.Values{
				"team_id": {servetest.SlackTeam}, "team_domain": {"load"}, "channel_id": {"CLOAD"}, "channel_name": {"load"},
				"user_id": {servetest.SlackUser(user)}, "user_name": {fmt.Sprintf("user%d", user)}, "command": {"/getback"},
				"text": {"list"}, "response_url": {p.SlackAPI.ResponseURL(id)}, "trigger_id": {"ack." + id}})
		} else {
			b.reqs[i] = mattermosttest.NewCommandRequest(base+"/mattermost/commands", url.Values{"token": {servetest.MattermostToken},
				"team_id": {servetest.MattermostTeam}, "team_domain": {"load"}, "channel_id": {"chload"}, "channel_name": {"load"},
				"user_id": {servetest.MattermostUser(user)}, "user_name": {fmt.Sprintf("user%d", user)}, "command": {"/getback"},
				"text": {"list"}, "trigger_id": {"ack" + id}, "response_url": {p.MattermostAPI.ResponseURL(id)}})
		}
	}
	return b
}

// send sends the burst from the configured number of clients and
// measures the acknowledgements.
func (b *burst) send(ctx context.Context, client *http.Client) ackPhase {
	var next atomic.Int64
	var wg sync.WaitGroup
	cpu0 := processCPU(b.pid)
	b.start = time.Now()
	for range b.c.clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= b.n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				resp, err := client.Do(b.reqs[i].WithContext(ctx))
				if err != nil {
					b.failed.Add(1)
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				b.lat[i] = time.Since(t0)
				if resp.StatusCode != http.StatusOK {
					b.failed.Add(1)
					continue
				}
				// A queued command is acknowledged empty (Slack) or with {}
				// (Mattermost); anything else is its answer.
				if s := strings.TrimSpace(string(body)); s != "" && s != "{}" {
					b.inline[i] = true
				}
			}
		})
	}
	wg.Wait()
	took := time.Since(b.start)
	cpu := processCPU(b.pid) - cpu0
	ph := ackPhase{Requests: b.n, Seconds: took.Seconds(), Failed: int(b.failed.Load())}
	var ok []time.Duration
	for i, d := range b.lat {
		if d > 0 {
			ok = append(ok, d)
		}
		if b.inline[i] {
			ph.Inline++
		}
	}
	ph.PerSecond = float64(len(ok)) / took.Seconds()
	if len(ok) > 0 {
		ph.CPUPerAck = float64(cpu.Microseconds()) / float64(len(ok))
	}
	sort.Slice(ok, func(i, j int) bool { return ok[i] < ok[j] })
	at := func(p float64) float64 {
		if len(ok) == 0 {
			return 0
		}
		return float64(ok[min(int(p*float64(len(ok))), len(ok)-1)].Microseconds()) / 1000
	}
	ph.P50, ph.P99, ph.P999 = at(0.50), at(0.99), at(0.999)
	if len(ok) > 0 {
		ph.Max = float64(ok[len(ok)-1].Microseconds()) / 1000
	}
	return ph
}

// answered counts the burst's answers posted to response_urls so far.
func (b *burst) answered() int {
	path, each := "response/"+b.prefix, b.p.SlackAPI.CountEach
	if b.plat == "mattermost" {
		path, each = "/hooks/commands/"+b.prefix, b.p.MattermostAPI.CountEach
	}
	return len(each(path))
}

// waitAnswers waits up to within for an answer through the response_url
// of every command getback acknowledged without answering it, and returns
// how many were answered, of how many, and the posts in all.
func (b *burst) waitAnswers(ctx context.Context, within time.Duration) (answered, expected, posts int) {
	path := "response/" + b.prefix
	each := b.p.SlackAPI.CountEach
	if b.plat == "mattermost" {
		path, each = "/hooks/commands/"+b.prefix, b.p.MattermostAPI.CountEach
	}
	want := map[string]bool{}
	for i, d := range b.lat {
		if d > 0 && !b.inline[i] {
			want[path+strconv.Itoa(i)] = true
		}
	}
	deadline := time.Now().Add(within)
	for {
		got := each(path)
		answered, posts = 0, 0
		for k, n := range got {
			posts += n
			if want[k] {
				answered++
			}
		}
		if answered == len(want) || time.Now().After(deadline) || ctx.Err() != nil {
			return answered, len(want), posts
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// memory is a process's resident memory in MB, from /proc/<pid>/status:
// all of it (VmRSS), its anonymous part (RssAnon: heap, stacks, caches)
// and its file-backed part (RssFile: mostly the program's own code and
// read-only data), and the peak of the whole (VmHWM).
type memory struct {
	RSS, Anon, File, HWM float64
}

func (m memory) String() string {
	return fmt.Sprintf("RSS %.1f MB (anon %.1f, file %.1f), VmHWM %.1f MB", m.RSS, m.Anon, m.File, m.HWM)
}

// readMemory reads a process's memory; zeros where it cannot.
func readMemory(pid int) memory {
	var m memory
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		switch k {
		case "VmRSS":
			m.RSS = kb / 1024
		case "RssAnon":
			m.Anon = kb / 1024
		case "RssFile":
			m.File = kb / 1024
		case "VmHWM":
			m.HWM = kb / 1024
		}
	}
	return m
}

// watchMemory samples a process's memory every 20 ms until the returned
// function is called, which returns the greatest of each figure seen
// (VmHWM, kept by the kernel, catches any peak between two samples).
func watchMemory(pid int) (stop func() memory) {
	var mu sync.Mutex
	var peak memory
	done := make(chan struct{})
	sample := func() {
		m := readMemory(pid)
		mu.Lock()
		peak = memory{RSS: max(peak.RSS, m.RSS), Anon: max(peak.Anon, m.Anon), File: max(peak.File, m.File), HWM: max(peak.HWM, m.HWM)}
		mu.Unlock()
	}
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				sample()
			}
		}
	}()
	return func() memory {
		close(done)
		<-stopped
		sample()
		mu.Lock()
		defer mu.Unlock()
		return peak
	}
}

// waitOutboxDrained waits until getback's /metrics shows no outbox item
// pending (reminders, digests), at most within.
func waitOutboxDrained(ctx context.Context, client *http.Client, base string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		pending, err := outboxPending(ctx, client, base)
		if err == nil && pending == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("getback's outbox still had %d items pending after %s (%v)", pending, within, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// outboxPending reads getback_outbox_items{status="pending"} from
// /metrics (0 when the gauge is absent: nothing was ever queued).
func outboxPending(ctx context.Context, client *http.Client, base string) (int, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
	resp, err := client.Do(req)
	if err != nil {
		return -1, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return -1, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, `getback_outbox_items{status="pending"} `); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return int(n), err
		}
	}
	return 0, nil
}

// processCPU returns the CPU time a process's threads have had so far,
// from /proc/<pid>/task/*/schedstat (nanoseconds, unlike the clock ticks
// of /proc/<pid>/stat); 0 where /proc does not say.
func processCPU(pid int) time.Duration {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum time.Duration
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue // the thread ended
		}
		f := strings.Fields(string(b))
		if len(f) > 0 {
			ns, _ := strconv.ParseInt(f[0], 10, 64)
			sum += time.Duration(ns)
		}
	}
	return sum
}

// loadAverage returns the machine's load averages (1, 5, 15 minutes),
// or "" where /proc does not say.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
