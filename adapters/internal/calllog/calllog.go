// Package calllog records the calls a fake chat API receives, so that
// tests can say what getback sent: every call (unless keeping them is
// turned off for a load run) and a count per key, which is kept always.
package calllog

import (
	"strings"
	"sync"
	"time"
)

// Log is a record of calls of type C, each filed under a key (a Slack
// method, a Mattermost path). The zero value keeps calls; it is safe for
// concurrent use. A fake API embeds it, so that its KeepCalls, Count and
// CountEach are the fake's, and defines Calls and WaitFor by what its
// calls are asked about.
type Log[C any] struct {
	mu     sync.Mutex
	off    bool
	calls  []C
	counts map[string]int
}

// KeepCalls turns the recording of calls on (the default) or off; counts
// are always kept (a load run turns calls off and reads the counts).
func (l *Log[C]) KeepCalls(on bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.off = !on
}

// Keeping reports whether calls are recorded.
func (l *Log[C]) Keeping() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.off
}

// Add records a call under key (the fake's handler does, for each request).
func (l *Log[C]) Add(key string, c C) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.off {
		l.calls = append(l.calls, c)
	}
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	l.counts[key]++
}

// Calls returns the recorded calls that match, oldest first.
func (l *Log[C]) Calls(match func(C) bool) []C {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []C
	for _, c := range l.calls {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}

// WaitFor polls until n calls match or the timeout passes, and returns
// the matching calls so far.
func (l *Log[C]) WaitFor(match func(C) bool, n int, timeout time.Duration) []C {
	deadline := time.Now().Add(timeout)
	for {
		calls := l.Calls(match)
		if len(calls) >= n || time.Now().After(deadline) {
			return calls
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Count returns how many calls had a key starting with prefix.
func (l *Log[C]) Count(prefix string) int {
	n := 0
	for _, c := range l.CountEach(prefix) {
		n += c
	}
	return n
}

// CountEach returns how many calls each key starting with prefix had.
func (l *Log[C]) CountEach(prefix string) map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := map[string]int{}
	for k, c := range l.counts {
		if strings.HasPrefix(k, prefix) {
			out[k] = c
		}
	}
	return out
}
