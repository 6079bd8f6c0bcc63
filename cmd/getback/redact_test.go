package main

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

func TestLogsNeverCarryASecret(t *testing.T) {
	const token = "xoxb-1234567890-secret"
	var buf bytes.Buffer
	log := redactSecrets(slog.New(slog.NewJSONHandler(&buf, nil)), token, "short")
	log = log.With("client", "token="+token)
	log.Error("refused "+token, "err", errors.New("api: Invalid or expired session, token="+token),
		"detail", map[string]string{"auth": token}, slog.Group("g", "t", token), "word", "short")
	out := buf.String()
	if strings.Contains(out, token) || strings.Count(out, redacted) != 5 {
		t.Fatalf("log line: %s", out)
	}
	if !strings.Contains(out, `"word":"short"`) {
		t.Fatalf("a value shorter than a secret must stay: %s", out)
	}
}
