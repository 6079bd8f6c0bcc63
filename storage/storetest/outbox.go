package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

func testOutbox(t *testing.T, open opener) {
	db := open(t)
	ctx := context.Background()
	now := db.Now()
	it := &bot.OutboxItem{Key: "digest:console:9:2026-W47", Target: bot.Target{Workspace: ws, Channel: "region-9"},
		Reply: bot.Reply{Text: "Digest", Blocks: []bot.Block{{Heading: "H", Buttons: []bot.Button{{Action: bot.ActionDone, Label: "Done", Value: "7"}}}}}, NextAttempt: now}
	created, err := db.Enqueue(ctx, it)
	if err != nil || !created || it.ID == 0 {
		t.Fatalf("Enqueue: %v %v", created, err)
	}
	again := &bot.OutboxItem{Key: it.Key, Target: it.Target, Reply: bot.Reply{Text: "other"}, NextAttempt: now}
	if created, err := db.Enqueue(ctx, again); err != nil || created {
		t.Fatalf("same key queued twice: %v %v", created, err)
	}
	if _, err := db.Enqueue(ctx, &bot.OutboxItem{Key: "x", Target: bot.Target{Workspace: ws}, NextAttempt: now}); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("item without target: %v", err)
	}
	// When an item is first due is the caller's decision: the store does
	// not make one up from its own clock.
	if _, err := db.Enqueue(ctx, &bot.OutboxItem{Key: "y", Target: bot.Target{Workspace: ws, User: "u"}}); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("item without a first attempt time: %v", err)
	}
	if _, err := db.RecordSkipped(ctx, &bot.OutboxItem{Key: "z", Target: bot.Target{Workspace: ws, User: "u"}}, "down"); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("skipped item without its time: %v", err)
	}
	due, err := db.DueOutbox(ctx, []string{"console"}, now, 10)
	if err != nil || len(due) != 1 || due[0].Reply.Blocks[0].Buttons[0].Value != "7" || due[0].Status != bot.OutboxPending {
		t.Fatalf("DueOutbox: %+v %v", due, err)
	}
	if other, _ := db.DueOutbox(ctx, []string{"slack"}, now, 10); len(other) != 0 {
		t.Fatal("another platform's sender must not see console items")
	}
	if err := db.MarkOutboxFailed(ctx, it.ID, "boom", now.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueOutbox(ctx, []string{"console"}, now, 10); len(due) != 0 {
		t.Fatal("a failed item waits for its next attempt")
	}
	next, _ := db.NextOutboxAttempt(ctx, []string{"console"})
	if !next.Equal(now.Add(time.Minute)) {
		t.Fatalf("next attempt %v", next)
	}
	if err := db.MarkOutboxDeferred(ctx, it.ID, "429", now.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	due, _ = db.DueOutbox(ctx, []string{"console"}, now.Add(3*time.Minute), 10)
	if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "429" {
		t.Fatalf("deferral must not count an attempt: %+v", due)
	}
	if err := db.MarkOutboxProgress(ctx, it.ID, 1, bot.MessageRef{Channel: "C", ID: "1.0"}); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkOutboxSent(ctx, it.ID, 2, bot.MessageRef{Channel: "C", ID: "2.0"}); err != nil {
		t.Fatal(err)
	}
	items, _ := db.FindOutbox(ctx, bot.OutboxFilter{})
	if len(items) != 1 || items[0].Status != bot.OutboxSent || items[0].PartsSent != 2 || items[0].Ref.ID != "1.0" || items[0].SentAt.IsZero() {
		t.Fatalf("sent item keeps its first message ref: %+v", items[0])
	}

	dead := &bot.OutboxItem{Key: "remind:console:bob:2026-11-26", Target: bot.Target{Workspace: ws, User: "bob"}, NextAttempt: now}
	if _, err := db.Enqueue(ctx, dead); err != nil {
		t.Fatal(err)
	}
	if err := db.MarkOutboxFailed(ctx, dead.ID, "channel_not_found", now, true); err != nil {
		t.Fatal(err)
	}
	skipped := &bot.OutboxItem{Key: "remind:console:bob:2026-11-25", Target: bot.Target{Workspace: ws, User: "bob"}, NextAttempt: now}
	if ok, err := db.RecordSkipped(ctx, skipped, "down"); err != nil || !ok {
		t.Fatal(err)
	}
	counts, _ := db.OutboxCounts(ctx)
	if counts[bot.OutboxSent] != 1 || counts[bot.OutboxDead] != 1 || counts[bot.OutboxSkipped] != 1 || counts[bot.OutboxPending] != 0 {
		t.Fatalf("counts: %v", counts)
	}
	exists, _ := db.OutboxKeysExist(ctx, []string{dead.Key, skipped.Key, "nope"})
	if !exists[dead.Key] || !exists[skipped.Key] || exists["nope"] {
		t.Fatalf("keys: %v", exists)
	}
	retryAt := now.Add(3 * time.Hour)
	if err := db.RetryOutbox(ctx, dead.ID, retryAt); err != nil {
		t.Fatal(err)
	}
	if err := db.RetryOutbox(ctx, dead.ID, retryAt); bot.ErrorCode(err) != bot.ECONFLICT || !strings.Contains(bot.ErrorMessage(err), "is pending, not dead") {
		t.Fatalf("retrying a pending item: %v", err)
	}
	if err := db.RetryOutbox(ctx, 999, retryAt); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("retrying no item: %v", err)
	}
	prefix := "remind:"
	pending := bot.OutboxPending
	if got, _ := db.FindOutbox(ctx, bot.OutboxFilter{KeyPrefix: &prefix, Status: &pending}); len(got) != 1 || got[0].Attempts != 0 || !got[0].NextAttempt.Equal(retryAt) {
		t.Fatalf("retried item, due at the caller's instant: %+v", got)
	}
	// The attempt instant is the sender's, not the store's.
	attemptAt := now.Add(5 * time.Hour)
	if err := db.MarkOutboxAttempt(ctx, dead.ID, "sender-a", attemptAt, attemptAt.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := db.FindOutbox(ctx, bot.OutboxFilter{KeyPrefix: &prefix, Status: &pending}); !got[0].AttemptAt.Equal(attemptAt) {
		t.Fatalf("attempt at %v, want %v", got[0].AttemptAt, attemptAt)
	}
	if err := db.MarkOutboxAttempt(ctx, 999, "sender-a", attemptAt, attemptAt.Add(time.Minute)); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("attempt of no item: %v", err)
	}

	if at, err := db.Checkpoint(ctx, "scheduler"); err != nil || !at.IsZero() {
		t.Fatalf("fresh checkpoint: %v %v", at, err)
	}
	db.SetCheckpoint(ctx, "scheduler", now)
	if at, _ := db.Checkpoint(ctx, "scheduler"); !at.Equal(now) {
		t.Fatalf("checkpoint %v", at)
	}
}

func testFirstSeen(t *testing.T, open opener) {
	db := open(t)
	ctx := context.Background()
	first, err := db.FirstSeen(ctx, "slack:trigger:1")
	if err != nil || !first {
		t.Fatal(first, err)
	}
	if again, _ := db.FirstSeen(ctx, "slack:trigger:1"); again {
		t.Fatal("a key was new twice")
	}
	// A day later the key is forgotten (pruned by the next new key).
	now := db.Now()
	db.clock.Set(now.Add(25 * time.Hour))
	db.FirstSeen(ctx, "slack:trigger:2")
	if again, _ := db.FirstSeen(ctx, "slack:trigger:1"); !again {
		t.Fatal("old keys must be forgotten")
	}
}
