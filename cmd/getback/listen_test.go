package main

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// fakeDNS resolves a few names the way a small network would.
func fakeDNS(_ context.Context, host string) ([]string, error) {
	switch host {
	case "getback.internal":
		return []string{"10.0.0.5"}, nil
	case "me.local":
		return []string{"127.0.0.1"}, nil
	}
	return nil, errors.New("no such host")
}

func TestServeWarnsWhenItsListenAddressCannotBeThePublicURL(t *testing.T) {
	for _, tc := range []struct {
		name, addr, public string
		want               string // "" for no warning
	}{
		{"no public URL", "127.0.0.1:8080", "", ""},
		{"the default public URL", "127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"localhost", "127.0.0.1:8080", "http://localhost:8080/", ""},
		{"a name for this host", "127.0.0.1:8080", "http://me.local:8080", ""},
		{"every interface", "0.0.0.0:8080", "http://getback.internal:8080", ""},
		{"every interface, short form", ":8080", "http://getback.internal:8080", ""},
		{"the interface named", "10.0.0.5:8080", "http://getback.internal:8080", ""},
		{"https: a proxy forwards", "127.0.0.1:8080", "https://getback.example.org", ""},
		{"another port", "0.0.0.0:8080", "http://getback.internal:9090", "names port 9090 but serve listens on 0.0.0.0:8080: set GETBACK_ADDR to 0.0.0.0:9090"},
		{"port 80 by default", "127.0.0.1:8080", "http://127.0.0.1", "names port 80"},
		{"loopback only, another host named", "127.0.0.1:8080", "http://getback.internal:8080", "serve listens on 127.0.0.1:8080 only, but GETBACK_PUBLIC_URL http://getback.internal:8080 names host getback.internal (10.0.0.5): nothing reaches getback there; set GETBACK_ADDR=0.0.0.0:8080"},
		{"another interface", "192.168.1.9:8080", "http://getback.internal:8080", "set GETBACK_ADDR=0.0.0.0:8080"},
		{"a host that does not resolve", "127.0.0.1:8080", "http://nowhere.invalid:8080", "does not resolve"},
		{"not a URL", "127.0.0.1:8080", "getback.internal:8080", "is not a URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := listenWarning(context.Background(), tc.addr, tc.public, fakeDNS)
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Fatalf("listenWarning(%s, %s) = %q, want %q", tc.addr, tc.public, got, tc.want)
			}
		})
	}
}
