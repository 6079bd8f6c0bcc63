package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// hostLookup resolves a host name to addresses (net.DefaultResolver's
// LookupHost; tests pass their own).
type hostLookup func(ctx context.Context, host string) ([]string, error)

// listenWarning says why `getback serve` listening on addr cannot be what
// public (GETBACK_PUBLIC_URL) names, or returns "" when it can be, or when
// it cannot tell: an https address has a proxy in front that forwards to
// addr.
func listenWarning(ctx context.Context, addr, public string, lookup hostLookup) string {
	if public == "" {
		return ""
	}
	u, err := url.Parse(public)
	if err != nil || u.Host == "" {
		return fmt.Sprintf("GETBACK_PUBLIC_URL %q is not a URL: Mattermost cannot reach getback through it", public)
	}
	if u.Scheme != "http" {
		return ""
	}
	lhost, lport, err := net.SplitHostPort(addr)
	if err != nil {
		return ""
	}
	pport := u.Port()
	if pport == "" {
		pport = "80"
	}
	if pport != lport {
		return fmt.Sprintf("GETBACK_PUBLIC_URL %s names port %s but serve listens on %s: set GETBACK_ADDR to %s (or change GETBACK_PUBLIC_URL)",
			public, pport, addr, net.JoinHostPort(suggestHost(lhost), pport))
	}
	if lhost == "" || lhost == "0.0.0.0" || lhost == "::" {
		return "" // every interface
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	listen, err := addrsOf(ctx, lhost, lookup)
	if err != nil {
		return ""
	}
	named, err := addrsOf(ctx, u.Hostname(), lookup)
	if err != nil {
		return fmt.Sprintf("GETBACK_PUBLIC_URL names host %s, which does not resolve here (%v); serve listens on %s", u.Hostname(), err, addr)
	}
	for _, n := range named {
		for _, l := range listen {
			if n.Equal(l) || (n.IsLoopback() && l.IsLoopback()) {
				return ""
			}
		}
	}
	return fmt.Sprintf("serve listens on %s only, but GETBACK_PUBLIC_URL %s names host %s (%s): nothing reaches getback there; set GETBACK_ADDR=%s",
		addr, public, u.Hostname(), joinIPs(named), net.JoinHostPort("0.0.0.0", lport))
}

// suggestHost keeps a listen host that serves every interface, and
// otherwise suggests all of them.
func suggestHost(h string) string {
	if h == "" || h == "::" {
		return h
	}
	return "0.0.0.0"
}

func addrsOf(ctx context.Context, host string, lookup hostLookup) ([]net.IP, error) {
	if ip := net.ParseIP(host); ip != nil {
		return []net.IP{ip}, nil
	}
	if strings.EqualFold(host, "localhost") {
		return []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}, nil
	}
	names, err := lookup(ctx, host)
	if err != nil {
		return nil, err
	}
	var ips []net.IP
	for _, n := range names {
		if ip := net.ParseIP(n); ip != nil {
			ips = append(ips, ip)
		}
	}
	if len(ips) == 0 {
		return nil, fmt.Errorf("no addresses for %s", host)
	}
	return ips, nil
}

func joinIPs(ips []net.IP) string {
	s := make([]string, len(ips))
	for i, ip := range ips {
		s[i] = ip.String()
	}
	return strings.Join(s, ", ")
}

// suggestAddr is the listen address that serves what public names: its
// port on loopback when it names this host by a loopback address, on
// every interface otherwise. Behind https (a proxy forwards), or when
// public is not a URL, the current address stays.
func suggestAddr(public, current string) string {
	u, err := url.Parse(public)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return current
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); (ip != nil && ip.IsLoopback()) || strings.EqualFold(host, "localhost") {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return net.JoinHostPort("0.0.0.0", port)
}
