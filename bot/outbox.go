package bot

import (
	"context"
	"strings"
	"time"
)

// Outbox item states.
const (
	OutboxPending = "pending" // waiting to be sent (or retried)
	OutboxSent    = "sent"
	OutboxDead    = "dead"    // gave up after repeated failures; shown by `getback outbox`
	OutboxSkipped = "skipped" // its period passed while getback was down
)

// OutboxItem is one post waiting to go out, or its record once it has. The
// Key makes enqueueing idempotent: an item with a key that exists already is
// not added again ("digest:<ws>:<region>:<ISO week>",
// "remind:<ws>:<user>:<local date>").
type OutboxItem struct {
	ID     int64
	Key    string
	Target Target
	Reply  Reply
	Status string
	// Attempts counts failed sends; NextAttempt is when the sender may try
	// (again).
	Attempts    int
	NextAttempt time.Time
	LastError   string
	// PartsSent counts the messages of a split reply already delivered, so a
	// restart resumes after them instead of posting them again.
	PartsSent int
	// AttemptAt is when the current send began; set while a post is in
	// flight. An item loaded with it set was being posted when getback
	// stopped.
	AttemptAt time.Time
	// TargetLastPost is when a post to the item's target last began, by
	// any sender (set by ClaimOutbox): a sender new to the target paces
	// its first post from it.
	TargetLastPost time.Time
	Ref            MessageRef // the first message posted
	CreatedAt      time.Time
	SentAt         time.Time
}

// PlatformOf returns the platform of a workspace id: workspace ids are
// "<platform>:<team id>" ("slack:T0123") or a bare platform ("console").
func PlatformOf(ws string) string {
	p, _, _ := strings.Cut(ws, ":")
	return p
}

// Enqueuer queues outgoing posts.
type Enqueuer interface {
	// Enqueue adds item unless its Key exists; created reports which. The
	// item's NextAttempt is required: the caller decides, from its clock,
	// when the item is first due.
	Enqueue(ctx context.Context, item *OutboxItem) (created bool, err error)
}

// OutboxFilter selects outbox items, oldest first.
type OutboxFilter struct {
	Status    *string
	KeyPrefix *string
	Limit     int
}

// OutboxClaim asks for due items on behalf of one sender.
type OutboxClaim struct {
	Platforms []string
	// Owner names the sender: one per replica, the same across its
	// restarts, so that a restarted replica takes its own claims back at
	// once.
	Owner string
	// Now is the sender's instant; items due by then are claimed, and held
	// until Until (the lease).
	Now, Until time.Time
	Limit      int
}

// OutboxService persists the outbox.
type OutboxService interface {
	Enqueuer
	// EnqueueMany adds items in one transaction, skipping keys that exist,
	// and returns how many were added. Every item needs its NextAttempt.
	EnqueueMany(ctx context.Context, items []*OutboxItem) (int, error)
	// DueOutbox returns pending items of the given platforms whose
	// NextAttempt is not after now, oldest first.
	DueOutbox(ctx context.Context, platforms []string, now time.Time, limit int) ([]*OutboxItem, error)
	// NextOutboxAttempt returns the earliest NextAttempt of a pending item
	// of the platforms, or the zero time when none is pending.
	NextOutboxAttempt(ctx context.Context, platforms []string) (time.Time, error)
	// ClaimOutbox takes, in one atomic step, up to Limit pending items of
	// the platforms due at Now, oldest first, and holds them for Owner
	// until Until. Items of a target that another owner holds (a pending
	// item of it claimed by that owner until after Now) are left alone, so
	// that one sender at a time posts to a target, in order, whatever the
	// number of replicas. An expired claim is taken over: an item found
	// with AttemptAt set was being posted when its holder stopped.
	ClaimOutbox(ctx context.Context, c OutboxClaim) ([]*OutboxItem, error)
	// MarkOutboxAttempt records that owner is about to post the item, at
	// the sender's instant at, and holds the item until until. It fails
	// with ECONFLICT when another sender holds the item (this one's claim
	// expired and was taken over): the caller must not post it then.
	MarkOutboxAttempt(ctx context.Context, id int64, owner string, at, until time.Time) error
	// ReleaseOutbox gives back owner's claims on the items that it did not
	// start to post, for any sender to claim.
	ReleaseOutbox(ctx context.Context, owner string, ids []int64) error
	// MarkOutboxProgress records delivered parts of a split post (and the
	// first message).
	MarkOutboxProgress(ctx context.Context, id int64, partsSent int, ref MessageRef) error
	// MarkOutboxSent records delivery of all parts.
	MarkOutboxSent(ctx context.Context, id int64, partsSent int, ref MessageRef) error
	// MarkOutboxFailed records a failed attempt: pending again at next, or
	// dead when dead is true.
	MarkOutboxFailed(ctx context.Context, id int64, errText string, next time.Time, dead bool) error
	// MarkOutboxDeferred postpones an item to next without counting an
	// attempt (the platform asked to wait: HTTP 429).
	MarkOutboxDeferred(ctx context.Context, id int64, errText string, next time.Time) error
	// RecordSkipped stores a skipped item (a period missed while down) under
	// its key, unless the key exists. Its NextAttempt is required too: the
	// moment it would have been sent.
	RecordSkipped(ctx context.Context, item *OutboxItem, reason string) (bool, error)
	// FindOutbox lists items.
	FindOutbox(ctx context.Context, f OutboxFilter) ([]*OutboxItem, error)
	// OutboxCounts returns the number of items per status.
	OutboxCounts(ctx context.Context) (map[string]int, error)
	// RetryOutbox makes a dead item pending again, due at now.
	RetryOutbox(ctx context.Context, id int64, now time.Time) error
	// OutboxKeysExist reports which keys are in the outbox, in any state.
	OutboxKeysExist(ctx context.Context, keys []string) (map[string]bool, error)
}

// CheckpointService remembers instants by name, such as how far the
// scheduler has planned.
type CheckpointService interface {
	// Checkpoint returns the named instant, or the zero time.
	Checkpoint(ctx context.Context, name string) (time.Time, error)
	SetCheckpoint(ctx context.Context, name string, at time.Time) error
	// ClaimCheckpoint lets one of several replicas work on the period
	// after the named checkpoint: when no other owner holds an unexpired
	// claim on it, it holds it for owner until until and returns the
	// checkpoint's instant (zero when unset) with ok true. A holder that
	// stops lets its claim expire, and the period is worked on again.
	ClaimCheckpoint(ctx context.Context, name, owner string, now, until time.Time) (at time.Time, ok bool, err error)
	// AdvanceCheckpoint moves the named checkpoint to at and releases
	// owner's claim on it; ECONFLICT when owner no longer holds the claim
	// (it expired and another owner took it).
	AdvanceCheckpoint(ctx context.Context, name, owner string, at time.Time) error
}
