package bot

import (
	"context"
	"strconv"
	"time"
)

// Audit entry actions.
const (
	AuditCreate = "create"
	AuditUpdate = "update"
	AuditDelete = "delete"
)

// AuditEntry records one change: who made it, when, and the entity before
// and after, as JSON.
type AuditEntry struct {
	ID        int64
	Workspace string
	Actor     string // user id, or "system" / "import"
	At        time.Time
	Entity    string // "meeting", "getback", "region", "person", "owner"
	EntityID  string
	Action    string // AuditCreate, AuditUpdate or AuditDelete
	Before    string // JSON, "" on create
	After     string // JSON, "" on delete
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	Workspace string
	Entity    *string
	EntityID  *string
	Limit     int
}

// AuditService reads the audit log. Entries are written by the store in the
// same transaction as the change they record.
type AuditService interface {
	FindAudit(ctx context.Context, filter AuditFilter) ([]*AuditEntry, error)
}

// Actor is who is making a change. Stores read it from the context to write
// the audit log; commands use it for permission checks.
type Actor struct {
	Workspace string
	UserID    string
	Name      string
	Admin     bool
}

// SystemActor is the actor for changes made by getback itself.
var SystemActor = Actor{UserID: "system", Name: "getback"}

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the context's actor, or SystemActor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return SystemActor
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
