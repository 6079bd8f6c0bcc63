package inbound

import (
	"log/slog"
	"time"
)

// Defaults fill in what an adapter's configuration leaves unset: a command
// runs at most DefaultAckWithin in its request before it is acknowledged,
// a request body is at most DefaultMaxBody bytes, and the clock is
// time.Now.
const (
	DefaultAckWithin = 2500 * time.Millisecond
	DefaultMaxBody   = 256 << 10
)

// Defaults sets each of an adapter's limits that is zero (or nil) to its
// default: DefaultAckWithin, DefaultMaxBody, time.Now.
func Defaults(ackWithin *time.Duration, maxBody *int64, now *func() time.Time) {
	if *ackWithin <= 0 {
		*ackWithin = DefaultAckWithin
	}
	if *maxBody <= 0 {
		*maxBody = DefaultMaxBody
	}
	if *now == nil {
		*now = time.Now
	}
}

// Settings are the parts of an adapter's configuration that shape its
// pipeline.
type Settings struct {
	// Platform names the platform (Pipeline.Platform).
	Platform string
	// Log is where the pipeline and its queue log, tagged with the
	// platform; slog.Default when nil.
	Log *slog.Logger
	// Workers and Queue size the work queue (NewQueue).
	Workers, Queue int
	// Dedupe, AckWithin, Inline and Observe are the Pipeline's.
	Dedupe    Deduper
	AckWithin time.Duration
	Inline    bool
	Observe   func(command string, took time.Duration, outcome string)
	// Now is the clock by which remembered delivery keys expire.
	Now func() time.Time
}

// NewPipeline returns the pipeline s describes, with its own work queue
// logging to the pipeline's log. Its Users (the adapter) and Commands (set
// through the adapter's Intake) are set afterwards.
func NewPipeline(s Settings) *Pipeline {
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("platform", s.Platform)
	work := NewQueue(s.Workers, s.Queue)
	work.Log = log
	return &Pipeline{Platform: s.Platform, Work: work, Dedupe: s.Dedupe, Recent: Recent{Now: s.Now},
		AckWithin: s.AckWithin, Inline: s.Inline, Observe: s.Observe, Log: log}
}

// NewCache returns a cache whose entries expire CacheTTL after they were
// put, by the clock now.
func NewCache[T any](now func() time.Time) *Cache[T] { return &Cache[T]{TTL: CacheTTL, Now: now} }
