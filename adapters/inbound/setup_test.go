package inbound

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot/clocktest"
)

// TestDefaultsFillOnlyWhatIsUnset: zero limits and a nil clock take the
// defaults; limits that were set are kept.
func TestDefaultsFillOnlyWhatIsUnset(t *testing.T) {
	var ack time.Duration
	var body int64
	var now func() time.Time
	Defaults(&ack, &body, &now)
	if ack != DefaultAckWithin || body != DefaultMaxBody || now == nil {
		t.Fatalf("defaults: %v %d %v", ack, body, now == nil)
	}
	clock := clocktest.New(time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC))
	ack, body, now = time.Second, 10, clock.Now
	Defaults(&ack, &body, &now)
	if ack != time.Second || body != 10 || !now().Equal(clock.Now()) {
		t.Fatalf("set limits changed: %v %d %v", ack, body, now())
	}
}

// TestNewPipelineLogsUnderItsPlatformAndRemembersByItsClock: the pipeline
// and its queue log with the platform named, and replayed delivery keys
// are remembered by the clock given, for ten minutes.
func TestNewPipelineLogsUnderItsPlatformAndRemembersByItsClock(t *testing.T) {
	var logs bytes.Buffer
	clock := clocktest.New(time.Date(2026, 11, 26, 17, 0, 0, 0, time.UTC))
	p := NewPipeline(Settings{Platform: "chat", Log: slog.New(slog.NewTextHandler(&logs, nil)), Workers: 1, Queue: 4,
		AckWithin: time.Second, Now: clock.Now})
	if p.Platform != "chat" || p.AckWithin != time.Second || p.Work == nil || p.Work.Log != p.Log {
		t.Fatalf("pipeline: %+v", p)
	}
	p.Log.Info("hello")
	p.Work.Go(context.Background(), func(context.Context) { panic("boom") })
	p.Work.Wait()
	if n := strings.Count(logs.String(), "platform=chat"); n != 2 {
		t.Fatalf("%d of the log lines name the platform, want 2:\n%s", n, logs.String())
	}
	if !p.FirstTime(context.Background(), "k") || p.FirstTime(context.Background(), "k") {
		t.Fatal("a replayed key ran twice")
	}
	clock.Advance(11 * time.Minute)
	if !p.FirstTime(context.Background(), "k") {
		t.Fatal("a key was remembered past ten minutes of the pipeline's clock")
	}
}
