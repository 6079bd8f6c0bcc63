package inbound

import (
	"sync"
	"time"
)

// CacheTTL is how long adapters reuse user and channel details: a profile
// change shows within it.
const CacheTTL = 15 * time.Minute

// Cache is a small map whose entries expire TTL after they were put, by
// the clock Now (time.Now when nil). Adapters keep user, channel and DM
// details in it, so that a profile change is seen within TTL. It is safe
// for concurrent use; the zero value with a TTL set is ready.
type Cache[T any] struct {
	TTL time.Duration
	Now func() time.Time

	mu sync.Mutex
	m  map[string]cacheEntry[T]
}

type cacheEntry[T any] struct {
	v  T
	at time.Time
}

func (c *Cache[T]) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// Get returns the value under k unless it is missing or expired.
func (c *Cache[T]) Get(k string) (T, bool) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok || now.Sub(e.at) >= c.TTL || now.Before(e.at) {
		var zero T
		return zero, false
	}
	return e.v, true
}

// Put stores v under k, as of now.
func (c *Cache[T]) Put(k string, v T) {
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]cacheEntry[T]{}
	}
	for key, e := range c.m {
		// Forget expired entries as new ones come, so the map stays small.
		if len(c.m) < 1024 {
			break
		}
		if now.Sub(e.at) >= c.TTL {
			delete(c.m, key)
		}
	}
	c.m[k] = cacheEntry[T]{v, now}
}

// Drop forgets k.
func (c *Cache[T]) Drop(k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, k)
}
