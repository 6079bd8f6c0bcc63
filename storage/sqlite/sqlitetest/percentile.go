package sqlitetest

import (
	"sort"
	"testing"
	"time"
)

// Latencies collects per-operation durations and reports percentiles as
// benchmark metrics (p50-ms, p99-ms), since a mean hides the tail.
type Latencies struct{ d []time.Duration }

// Time runs f and records how long it took.
func (l *Latencies) Time(f func()) {
	start := time.Now()
	f()
	l.d = append(l.d, time.Since(start))
}

// Add records one duration.
func (l *Latencies) Add(d time.Duration) { l.d = append(l.d, d) }

// Percentile returns the p-th percentile (0-100).
func (l *Latencies) Percentile(p float64) time.Duration {
	if len(l.d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), l.d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	i := int(p / 100 * float64(len(s)-1))
	return s[i]
}

// Report adds p50 and p99 in milliseconds to the benchmark's output.
func (l *Latencies) Report(b *testing.B) {
	b.ReportMetric(float64(l.Percentile(50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(l.Percentile(99).Microseconds())/1000, "p99-ms")
}
