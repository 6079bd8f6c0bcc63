package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/postgres"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
	"github.com/getbackhq/getback/storage/sqlite"
)

// fillStore writes one of everything a store keeps into a SQLite file.
func fillStore(t *testing.T, path string, now func() time.Time) {
	t.Helper()
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: "console", UserID: "ana"})
	db, err := sqlite.Open(ctx, path, sqlite.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	m := &bot.Meeting{Workspace: "console", Region: 3, States: []string{"Pennsylvania", "New York"}, CreatedBy: "ana",
		Date: bot.Date{Year: 2026, Month: 11, Day: 20}, Discussion: "Réunion about the fusion center"}
	m.Getbacks = []*bot.Getback{{Text: "send the list", Owner: "bob", OwnerKind: bot.OwnerUser, Status: bot.StatusOpen},
		{Text: "call", Owner: "ITF", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}
	steps := []error{
		db.CreateMeeting(ctx, m),
		db.UpsertPerson(ctx, bot.NewPerson("console", "bob", "Bob", "America/New_York")),
		db.UpsertRegion(ctx, &bot.Region{Workspace: "console", Number: 3, Name: "Region 3", Channel: "region-3", TZ: "America/New_York",
			DigestDay: time.Monday, DigestHour: 9, CoverageWeeks: 4}),
		db.SetStateRegion(ctx, "console", "Guam", 10),
		db.SetOwnerMapping(ctx, bot.OwnerMapping{Workspace: "console", Label: "ITF", UserID: "bob"}),
		db.SetCheckpoint(ctx, bot.SchedulerCheckpoint, now()),
	}
	_, err = db.Enqueue(ctx, &bot.OutboxItem{Key: "remind:console:bob:2026-11-26", Target: bot.Target{Workspace: "console", User: "bob"},
		Reply: bot.Reply{Text: "you owe 1"}, NextAttempt: now()})
	steps = append(steps, err)
	for _, err := range steps {
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestMigrateCopiesTheSQLiteStoreOnceAndChecksTheCounts(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	path := filepath.Join(t.TempDir(), "getback.db")
	fillStore(t, path, now)
	pgURL := pgtest.URL(t)
	migrate := func() (int, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), []string{"migrate", "--db", path, "--to", pgURL}, nil, &out, &errOut)
		return code, out.String() + errOut.String()
	}
	code, out := migrate()
	if code != 0 || !strings.Contains(out, "every count matches") {
		t.Fatalf("migrate: exit %d\n%s", code, out)
	}
	ctx := context.Background()
	pg, err := postgres.Open(ctx, pgURL, postgres.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	auditBefore, _ := pg.FindAudit(ctx, bot.AuditFilter{Workspace: "console"})
	q := "reunion fusion"
	ms, n, err := pg.FindMeetings(ctx, bot.MeetingFilter{Workspace: "console", Query: &q})
	if err != nil || n != 1 || len(ms[0].Regions) != 2 {
		t.Fatalf("the copied meeting, found by search with its two regions: %d %v %+v", n, err, ms)
	}
	gbs, _, _ := pg.FindGetbacks(ctx, bot.GetbackFilter{Workspace: "console"})
	if len(gbs) != 2 || gbs[0].Number != 1 || gbs[0].Meeting == nil {
		t.Fatalf("copied getbacks: %+v", gbs)
	}
	if p, err := pg.FindPerson(ctx, "console", "bob"); err != nil || p.TZ != "America/New_York" {
		t.Fatalf("copied person: %+v %v", p, err)
	}
	if r, err := pg.FindRegion(ctx, "console", 3); err != nil || r.Channel != "region-3" {
		t.Fatalf("copied digest settings: %+v %v", r, err)
	}
	if ov, _ := pg.StateRegions(ctx, "console"); ov["Guam"] != 10 {
		t.Fatalf("copied state table: %v", ov)
	}
	if om, _ := pg.FindOwnerMappings(ctx, "console"); len(om) != 1 || om[0].UserID != "bob" {
		t.Fatalf("copied label mapping: %v", om)
	}
	if at, _ := pg.Checkpoint(ctx, bot.SchedulerCheckpoint); !at.Equal(now()) {
		t.Fatalf("copied checkpoint: %v", at)
	}
	if items, _ := pg.FindOutbox(ctx, bot.OutboxFilter{}); len(items) != 1 || items[0].Reply.Text != "you owe 1" {
		t.Fatalf("copied outbox: %+v", items)
	}

	// Twice changes nothing.
	if code, out := migrate(); code != 0 {
		t.Fatalf("second migrate: exit %d\n%s", code, out)
	}
	if a, _ := pg.FindAudit(ctx, bot.AuditFilter{Workspace: "console"}); len(a) != len(auditBefore) {
		t.Fatalf("audit entries %d after a second run, %d after the first", len(a), len(auditBefore))
	}
	// New rows get new ids after the copied ones.
	m := &bot.Meeting{Workspace: "console", Region: 9, States: []string{"Guam"}, CreatedBy: "ana"}
	if err := pg.CreateMeeting(ctx, m); err != nil || m.ID != ms[0].ID+1 {
		t.Fatalf("a new meeting after the copy: id %d, %v; want %d", m.ID, err, ms[0].ID+1)
	}
	// A database with other data is refused, and left as it was.
	code, out = migrate()
	if code == 0 || !strings.Contains(out, "meetings (1 in SQLite, 2 here)") {
		t.Fatalf("migrate into a database with other data: exit %d\n%s", code, out)
	}
}

func TestBackupWritesAConsistentCopyWhileWritesGoOn(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC) }
	dir := t.TempDir()
	path := filepath.Join(dir, "getback.db")
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: "console", UserID: "ana"})
	db, err := sqlite.Open(ctx, path, sqlite.WithClock(now))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() { // another process's writes, as serve's would be
		for {
			select {
			case <-stop:
				return
			default:
			}
			m := &bot.Meeting{Workspace: "console", Region: 9, States: []string{"Guam"}, CreatedBy: "ana",
				Getbacks: []*bot.Getback{{Text: "x", Owner: "RD", OwnerKind: bot.OwnerLabel, Status: bot.StatusOpen}}}
			if err := db.CreateMeeting(ctx, m); err != nil {
				t.Error(err)
				return
			}
			written.Add(1)
		}
	})
	for written.Load() < 20 {
		time.Sleep(time.Millisecond)
	}
	backup := filepath.Join(dir, "copy.db")
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"backup", backup, "--db", path}, nil, &out, &errOut)
	close(stop)
	wg.Wait()
	if code != 0 {
		t.Fatalf("backup: exit %d: %s", code, errOut.String())
	}
	cp, err := sqlite.Open(context.Background(), backup)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	_, meetings, _ := cp.FindMeetings(context.Background(), bot.MeetingFilter{Workspace: "console"})
	_, getbacks, _ := cp.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: "console"})
	if meetings < 20 || int64(meetings) > written.Load() || getbacks != meetings {
		t.Fatalf("the copy holds %d meetings and %d getbacks of %d written: each meeting comes with its item", meetings, getbacks, written.Load())
	}
	// An existing file is not overwritten.
	errOut.Reset()
	if code := run(context.Background(), []string{"backup", backup, "--db", path}, nil, &out, &errOut); code == 0 || !strings.Contains(errOut.String(), "exists") {
		t.Fatalf("backup over an existing file: exit %d: %s", code, errOut.String())
	}
}
