package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/cmd/internal/servetest"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
)

// replicaLease is the lease the fault tests give replicas: short, so that a
// killed replica's posts are taken over within the test.
const replicaLease = 3 * time.Second

// replicas is several getback serve processes on loopback sharing one
// PostgreSQL database and the fake Slack and Mattermost APIs.
type replicas struct {
	t     *testing.T
	procs []*servetest.Process
	mu    sync.Mutex // guards r: writers pick replicas while the test kills them
	r     *rand.Rand
}

// intN is a random number in [0, n), safe for concurrent use.
func (rs *replicas) intN(n int) int {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return rs.r.IntN(n)
}

// startReplicas starts n replicas named replica-0 … on the database dsn.
func startReplicas(t *testing.T, dsn string, n int) *replicas {
	t.Helper()
	rs := &replicas{t: t, r: rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 17))}
	for i := range n {
		o := servetest.Options{Binary: getbackBinary(t), DB: dsn, Stderr: &testLog{t: t},
			Env: []string{fmt.Sprintf("GETBACK_REPLICA_ID=replica-%d", i), "GETBACK_LEASE=" + replicaLease.String()}}
		if i > 0 {
			o.Share = rs.procs[0]
		}
		p, err := servetest.Start(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		rs.procs = append(rs.procs, p)
	}
	t.Cleanup(func() {
		for i := len(rs.procs) - 1; i >= 0; i-- { // the fakes' owner last
			rs.procs[i].Close()
		}
	})
	return rs
}

// pick returns a random replica, running or not: a request to a dead one
// fails, as it would behind a load balancer that has not noticed yet.
func (rs *replicas) pick() *servetest.Process { return rs.procs[rs.intN(len(rs.procs))] }

// killOne SIGKILLs a random running replica and returns its index.
func (rs *replicas) killOne() int {
	for {
		i := rs.intN(len(rs.procs))
		if rs.procs[i].Running() {
			rs.procs[i].Kill()
			return i
		}
	}
}

func (rs *replicas) restart(i int) {
	rs.t.Helper()
	if err := rs.procs[i].Restart(context.Background()); err != nil {
		rs.t.Fatal(err)
	}
}

// stop sends SIGTERM to every replica and checks each exits 0.
func (rs *replicas) stop() {
	rs.t.Helper()
	for i, p := range rs.procs {
		if code, took := p.Term(10 * time.Second); code != 0 {
			rs.t.Fatalf("replica %d: exit %d after %v", i, code, took)
		}
	}
}

// TestReplicasKilledDuringAcknowledgedWrites spreads signed Slack and
// Mattermost writes over three replicas on one PostgreSQL database and
// SIGKILLs a random one every few hundred milliseconds, restarting it:
// every acknowledged write is stored exactly once.
func TestReplicasKilledDuringAcknowledgedWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the real binary")
	}
	dsn := pgtest.URL(t)
	rs := startReplicas(t, dsn, 3)
	rs.procs[0].AddUsers(20)
	l := servetest.NewLedger()
	stop := make(chan struct{})
	wg := writeStream(rs.pick, l, 20, stop)
	kills := crashIterations(t)
	for range kills {
		time.Sleep(time.Duration(200+rs.intN(600)) * time.Millisecond)
		i := rs.killOne()
		time.Sleep(time.Duration(20+rs.intN(200)) * time.Millisecond)
		rs.restart(i)
	}
	time.Sleep(200 * time.Millisecond) // writes go on with all three up
	close(stop)
	wg.Wait()
	rs.stop()
	c, err := l.Verify(context.Background(), dsn, servetest.Rows{})
	if err != nil {
		t.Fatal(err)
	}
	if !c.OK() || c.AckedWrites == 0 {
		t.Fatalf("%+v\n%v", c, c.Problems)
	}
	t.Logf("%d kills across 3 replicas: %d acknowledged writes, all stored exactly once; %d unacknowledged stored, %d not",
		kills, c.AckedWrites, c.UnackedStored, c.UnackedMissing)
}

// TestReplicasKilledDuringReminderFanOut: three replicas plan and send 500
// reminder DMs and 10 region digests while a random one is SIGKILLed
// every second or so and restarted. Every post arrives exactly once; and
// when a replica dies holding claimed posts, another sends them once its
// lease ends.
func TestReplicasKilledDuringReminderFanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("starts and kills the real binary")
	}
	if h := time.Now().UTC(); h.Minute() == 59 && h.Second() > 20 {
		time.Sleep(45 * time.Second) // the seeded hour must not end mid-test
	}
	rounds := max(1, crashIterations(t)/3)
	var failovers []time.Duration
	kills := 0
	for round := range rounds {
		dsn := pgtest.URL(t)
		dms, digests := seedFanOut(t, dsn, 250)
		want := dms + digests
		rs := startReplicas(t, dsn, 3)
		rs.procs[0].AddUsers(250)
		rs.procs[0].SlackAPI.Slow("chat.postMessage", 100*time.Millisecond)
		deadline := time.Now().Add(90 * time.Second)
		measured := false
		for len(posts(rs.procs[0])) < want && time.Now().Before(deadline) {
			time.Sleep(time.Duration(300+rs.intN(700)) * time.Millisecond)
			if len(posts(rs.procs[0])) >= want {
				break
			}
			i := rs.killOne()
			kills++
			if !measured {
				// Keep this one down until the posts it had claimed are sent
				// by the others.
				if d, ok := failover(t, dsn, fmt.Sprintf("replica-%d", i)); ok {
					failovers, measured = append(failovers, d), true
				}
			} else {
				time.Sleep(time.Duration(50+rs.intN(300)) * time.Millisecond)
			}
			rs.restart(i)
		}
		for time.Now().Before(deadline) && len(posts(rs.procs[0])) < want {
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond) // a duplicate would come now
		rs.stop()
		per := posts(rs.procs[0])
		if len(per) != want {
			t.Fatalf("round %d: %d of %d DMs and digests arrived", round, len(per), want)
		}
		for ch, n := range per {
			if n != 1 {
				t.Fatalf("round %d: %s got %d posts", round, ch, n)
			}
		}
		if counts := outboxCounts(t, dsn); counts[bot.OutboxSent] != want || counts[bot.OutboxPending] != 0 {
			t.Fatalf("round %d: outbox %v", round, counts)
		}
	}
	// How long failover takes is a measurement: make crash (the long run,
	// on a quiet machine) holds it to the lease; the short run in make test,
	// under the race detector on a busy machine, reports it and holds only
	// to delivery (failover above waits for it).
	if os.Getenv("GETBACK_CRASH_ITERATIONS") != "" {
		for _, d := range failovers {
			if d > replicaLease {
				t.Errorf("a dead replica's claimed posts were sent %v after its death; the lease is %v", d, replicaLease)
			}
		}
	}
	t.Logf("%d rounds, %d kills: 500 DMs and 10 digests arrived exactly once each round; failover (death to its claimed posts sent) %v with a %v lease",
		rounds, kills, failovers, replicaLease)
}

// failover, called right after a replica died, waits until the posts it
// had claimed are sent by the others and returns how long that took; ok is
// false when it held none.
func failover(t *testing.T, dsn, owner string) (time.Duration, bool) {
	t.Helper()
	died := time.Now()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT id FROM outbox WHERE status = 'pending' AND claim_owner = $1`, owner)
	if err != nil {
		t.Fatal(err)
	}
	held, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatal(err)
	}
	if len(held) == 0 {
		return 0, false
	}
	for deadline := died.Add(replicaLease + 30*time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		var left int
		if err := conn.QueryRow(ctx, `SELECT COUNT(*) FROM outbox WHERE id = ANY($1) AND status <> 'sent'`, held).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			t.Logf("%s died holding %d posts; the other replicas sent them %v later", owner, len(held), time.Since(died))
			return time.Since(died), true
		}
	}
	t.Fatalf("%s's %d claimed posts were not sent within %v of its death", owner, len(held), replicaLease+30*time.Second)
	return 0, false
}
