package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
)

// redacted stands in a log line for a secret.
const redacted = "[redacted]"

// minSecret is the shortest value treated as a secret: shorter ones would
// redact ordinary words.
const minSecret = 8

// secrets returns the tokens and secrets of the configuration.
func (c config) secrets() []string {
	out := []string{c.SlackBotToken, c.SlackSigningSecret, c.SlackAppToken, c.MattermostBotToken}
	if u, err := url.Parse(c.DB); err == nil && u.User != nil {
		if pw, ok := u.User.Password(); ok {
			out = append(out, pw) // a postgres:// URL's password
		}
	}
	return append(out, c.MattermostCommandTokens...)
}

// redactSecrets returns a logger that writes no secret: every occurrence
// of one in a record's message or attributes (strings, errors, anything
// printed) becomes [redacted]. Errors from chat APIs are cleaned where
// they are made; this is the net under them.
func redactSecrets(log *slog.Logger, secrets ...string) *slog.Logger {
	var pairs []string
	for _, s := range secrets {
		if len(s) >= minSecret {
			pairs = append(pairs, s, redacted)
		}
	}
	if len(pairs) == 0 {
		return log
	}
	return slog.New(&redactingHandler{next: log.Handler(), r: strings.NewReplacer(pairs...)})
}

type redactingHandler struct {
	next slog.Handler
	r    *strings.Replacer
}

func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactingHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Replace(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = h.attr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(clean), r: h.r}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(name), r: h.r}
}

func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.Replace(v.String()))
	case slog.KindGroup:
		g := v.Group()
		clean := make([]any, len(g))
		for i, ga := range g {
			clean[i] = h.attr(ga)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.r.Replace(x.Error()))
		case fmt.Stringer:
			return slog.String(a.Key, h.r.Replace(x.String()))
		default:
			return slog.String(a.Key, h.r.Replace(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
