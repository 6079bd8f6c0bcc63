// Package server is the HTTP front of `getback serve`: the chat platforms'
// endpoints, /healthz and /metrics, request accounting, and a graceful
// shutdown.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Check tests one dependency (the database, a platform's API).
type Check func(ctx context.Context) error

// Server serves getback's HTTP endpoints.
type Server struct {
	Addr    string
	Mux     *http.ServeMux
	Metrics *Metrics
	// Checks are run by /healthz, each with a short timeout.
	Checks map[string]Check
	Log    *slog.Logger
	// ShutdownTimeout bounds how long in-flight requests may finish;
	// default 10 s.
	ShutdownTimeout time.Duration
	// TrimAfter, when set, makes Run give the memory that garbage
	// collection freed back to the system once no request has come for
	// that long (health checks and metric scrapes aside), and again after
	// each later burst: an idle server shrinks to what it holds instead
	// of keeping the heap of its last burst until the Go runtime returns
	// it on its own, minutes later.
	TrimAfter time.Duration
	// Trim is what trimming does; default debug.FreeOSMemory (a garbage
	// collection, then the return of the free memory).
	Trim func()

	mu       sync.Mutex
	addr     net.Addr
	unused   map[net.Conn]time.Time // connections yet to send a byte, by when they opened
	requests atomic.Int64           // served, health checks and metrics aside
}

// unusedGrace is how long a connection may stay open without sending a
// byte before a shutdown closes it: a client sends its request as soon
// as it connects, so one still silent after this holds a spare (a
// client's or a load balancer's pool) that net/http would otherwise wait
// for until its own 5 s are up.
const unusedGrace = 500 * time.Millisecond

// connState keeps track of the connections that have sent nothing yet.
func (s *Server) connState(c net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st == http.StateNew {
		if s.unused == nil {
			s.unused = map[net.Conn]time.Time{}
		}
		s.unused[c] = time.Now()
		return
	}
	delete(s.unused, c)
}

// closeUnused closes, until done, every connection that has sent nothing
// for unusedGrace, so that a shutdown waits only for real requests.
func (s *Server) closeUnused(done <-chan struct{}) {
	t := time.NewTicker(unusedGrace / 5)
	defer t.Stop()
	for {
		s.mu.Lock()
		for c, since := range s.unused {
			if time.Since(since) >= unusedGrace {
				c.Close()
				delete(s.unused, c)
			}
		}
		s.mu.Unlock()
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

// Handler returns the server's handler: the mux plus /healthz and
// /metrics, with every request counted by route and status.
func (s *Server) Handler() http.Handler {
	mux := s.Mux
	if mux == nil {
		mux = http.NewServeMux()
	}
	mux.HandleFunc("GET /healthz", s.health)
	if s.Metrics != nil {
		mux.Handle("GET /metrics", s.Metrics.Handler())
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		mux.ServeHTTP(rec, r)
		route := r.Pattern // set by the mux
		if route != "GET /healthz" && route != "GET /metrics" {
			s.requests.Add(1)
		}
		if s.Metrics != nil {
			if route == "" {
				route = "unmatched"
			}
			s.Metrics.requests.WithLabelValues(route, http.StatusText(rec.code)).Inc()
		}
	})
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.code = code
	r.ResponseWriter.WriteHeader(code)
}

// health runs every check and answers 200 when all pass, 503 otherwise,
// with each check's result as JSON.
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	type result struct {
		Name   string `json:"name"`
		OK     bool   `json:"ok"`
		Error  string `json:"error,omitempty"`
		Millis int64  `json:"ms"`
	}
	names := make([]string, 0, len(s.Checks))
	for n := range s.Checks {
		names = append(names, n)
	}
	sort.Strings(names)
	results := make([]result, len(names))
	var wg sync.WaitGroup
	for i, n := range names {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
			defer cancel()
			start := time.Now()
			err := s.Checks[n](ctx)
			results[i] = result{Name: n, OK: err == nil, Millis: time.Since(start).Milliseconds()}
			if err != nil {
				results[i].Error = err.Error()
			}
		})
	}
	wg.Wait()
	status := "ok"
	code := http.StatusOK
	for _, res := range results {
		if !res.OK {
			status, code = "unhealthy", http.StatusServiceUnavailable
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"status": status, "checks": results})
}

// ListenAddr returns the address the server listens on, once it does.
func (s *Server) ListenAddr() net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Run listens and serves until ctx ends, then stops taking requests and
// lets in-flight ones finish (up to ShutdownTimeout). ready, when not nil,
// is closed once the listener is open.
func (s *Server) Run(ctx context.Context, ready chan<- struct{}) error {
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.addr = ln.Addr()
	s.mu.Unlock()
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 64 << 10, ConnState: s.connState}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	if s.TrimAfter > 0 {
		trimCtx, stopTrim := context.WithCancel(ctx)
		defer stopTrim()
		go s.trimWhenIdle(trimCtx)
	}
	log.Info("listening", "addr", ln.Addr().String())
	if ready != nil {
		close(ready)
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	timeout := s.ShutdownTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	shut := make(chan struct{})
	go s.closeUnused(shut)
	err = srv.Shutdown(sctx)
	close(shut)
	if errors.Is(err, context.DeadlineExceeded) {
		// Requests that outlived the timeout: close them and go on.
		log.Warn("closing connections still open at the shutdown timeout", "timeout", timeout.String())
		err = srv.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// trimWhenIdle trims once no request has come for TrimAfter: after the
// start, and after each burst. It looks five times per TrimAfter.
func (s *Server) trimWhenIdle(ctx context.Context) {
	trim := s.Trim
	if trim == nil {
		trim = debug.FreeOSMemory
	}
	t := time.NewTicker(max(s.TrimAfter/5, time.Millisecond))
	defer t.Stop()
	seen, since, trimmed := s.requests.Load(), time.Now(), false
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if n := s.requests.Load(); n != seen {
				seen, since, trimmed = n, now, false
			} else if !trimmed && now.Sub(since) >= s.TrimAfter {
				trim()
				trimmed = true
			}
		}
	}
}
