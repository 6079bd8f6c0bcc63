package bot

import (
	"context"
	"log/slog"
)

// Reporter builds what getback posts about the items it holds: a person's
// daily reminder (Reminder) and a region's weekly digest (Digest, with its
// pictures from Images). It reads the store and writes nothing; the
// Scheduler queues what it builds, and commands show it on demand.
type Reporter struct {
	Store ReporterStore
	// Pictures adds the coverage map and getback trend to every digest
	// (see Images).
	Pictures bool
	// Log receives why a digest went out without its pictures; nil means
	// slog.Default().
	Log *slog.Logger
}

// ReporterStore is what a Reporter reads: getbacks and meetings, the
// people and labels that own items, and the figures of a digest's
// pictures. The methods are those of the services that make up Store.
type ReporterStore interface {
	FindGetbacks(ctx context.Context, filter GetbackFilter) ([]*Getback, int, error)
	CountGetbacks(ctx context.Context, filter GetbackFilter) (int, error)
	CountGetbacksByOwner(ctx context.Context, filter GetbackFilter) ([]OwnerCount, error)
	FindOwnerMappings(ctx context.Context, ws string) ([]OwnerMapping, error)
	FindMeetings(ctx context.Context, filter MeetingFilter) ([]*Meeting, int, error)
	FindPerson(ctx context.Context, ws, userID string) (*Person, error)
	CoverageStore // the coverage map
	TrendService  // the getback trend
}

// Every Store serves a Reporter.
var _ ReporterStore = Store(nil)

func (d *Reporter) log() *slog.Logger {
	if d.Log == nil {
		return slog.Default()
	}
	return d.Log
}
