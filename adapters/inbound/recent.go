package inbound

import (
	"sync"
	"time"
)

// Recent remembers delivery keys for ten minutes, up to 20,000 of them
// (the oldest are forgotten first). The zero value is ready to use.
type Recent struct {
	// Now is the clock the ten minutes are measured by; time.Now when nil.
	Now func() time.Time

	mu    sync.Mutex
	seen  map[string]time.Time
	order []string
}

const (
	recentTTL = 10 * time.Minute
	recentMax = 20000
)

// Add records key and reports whether it was not already there.
func (s *Recent) Add(key string) bool {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]time.Time{}
	}
	if at, ok := s.seen[key]; ok && now.Sub(at) < recentTTL {
		return false
	}
	for len(s.order) > 0 && (len(s.order) >= recentMax || now.Sub(s.seen[s.order[0]]) >= recentTTL) {
		delete(s.seen, s.order[0])
		s.order = s.order[1:]
	}
	s.seen[key] = now
	s.order = append(s.order, key)
	return true
}
