package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getbackhq/getback/cmd/internal/servetest"
	"github.com/getbackhq/getback/storage/postgres/pgtest"
)

// cutProxy forwards TCP connections to a server until cut, when it drops
// every connection and refuses new ones: a database that became
// unreachable.
type cutProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
	cut    bool
}

func newCutProxy(t *testing.T, target string) *cutProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &cutProxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.setCut(true) })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.cut {
				p.mu.Unlock()
				c.Close()
				continue
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { io.Copy(s, c); s.Close() }()
			go func() { io.Copy(c, s); c.Close() }()
		}
	}()
	return p
}

func (p *cutProxy) setCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for _, c := range p.conns {
			c.Close()
		}
		p.conns = nil
	}
}

// TestUnreachableDatabaseFailsHealthAndAcknowledgesNothing: when the
// PostgreSQL database goes away under a running replica, /healthz answers
// 503 naming the database, a write is answered with an error instead of
// an acknowledgement, and once the database is back the replica is healthy
// and writes again.
func TestUnreachableDatabaseFailsHealthAndAcknowledgesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the real binary")
	}
	u, err := url.Parse(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	proxy := newCutProxy(t, u.Host)
	u.Host = proxy.ln.Addr().String()
	q := u.Query()
	q.Set("connect_timeout", "2")
	u.RawQuery = q.Encode()
	p, err := servetest.Start(context.Background(), servetest.Options{Binary: getbackBinary(t), DB: u.String(), Stderr: &testLog{t: t}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	p.AddUsers(2)
	client := &http.Client{Timeout: 10 * time.Second}
	add := func() servetest.Answer {
		a, err := p.Slack(context.Background(), client, 0, "/getback", "add "+servetest.SlackMention(1)+` "send the list"`)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	if a := add(); !strings.Contains(a.Body, "Added getback #1") {
		t.Fatalf("with the database up: %d %s", a.Status, a.Body)
	}

	proxy.setCut(true)
	resp, err := http.Get(p.URL() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "database") {
		t.Fatalf("healthz with the database gone: %d %s", resp.StatusCode, body)
	}
	if a := add(); strings.Contains(a.Body, "Added getback") {
		t.Fatalf("a write was acknowledged with the database gone: %s", a.Body)
	}

	proxy.setCut(false)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(p.URL() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("not healthy again within 15 s of the database coming back")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if a := add(); !strings.Contains(a.Body, "Added getback #2") {
		t.Fatalf("after the database came back: %d %s (the refused write must not have been stored)", a.Status, a.Body)
	}
}
