package main

import (
	"errors"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"time"
)

// errUsage reports a command line that could not be understood (the
// problem is already printed): exit status 2.
var errUsage = errors.New("usage")

// config is what the environment says; flags override it.
type config struct {
	DB       string
	Addr     string
	Admins   map[string]bool
	LogLevel string

	SlackBotToken, SlackSigningSecret, SlackAppToken, SlackAPIURL string

	MattermostURL, MattermostBotToken string
	MattermostCommandTokens           []string
	PublicURL                         string

	// Now is the one clock of the process: the store, the command runner,
	// the scheduler, the sender and the adapters all read it.
	Now func() time.Time
}

func envConfig() config {
	c := config{
		Now:                time.Now,
		DB:                 getenv("GETBACK_DB", "./getback.db"),
		Addr:               getenv("GETBACK_ADDR", "127.0.0.1:8080"),
		Admins:             map[string]bool{},
		LogLevel:           getenv("GETBACK_LOG_LEVEL", "info"),
		SlackBotToken:      os.Getenv("SLACK_BOT_TOKEN"),
		SlackSigningSecret: os.Getenv("SLACK_SIGNING_SECRET"),
		SlackAppToken:      os.Getenv("SLACK_APP_TOKEN"),
		SlackAPIURL:        os.Getenv("SLACK_API_URL"),
		MattermostURL:      os.Getenv("MATTERMOST_URL"),
		MattermostBotToken: os.Getenv("MATTERMOST_BOT_TOKEN"),
		PublicURL:          os.Getenv("GETBACK_PUBLIC_URL"),
	}
	for _, id := range splitList(os.Getenv("GETBACK_ADMINS")) {
		c.Admins[id] = true
	}
	c.MattermostCommandTokens = splitList(os.Getenv("MATTERMOST_COMMAND_TOKENS"))
	return c
}

func getenv(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// newLogger returns a structured logger on w at the configured level.
func newLogger(c config, w io.Writer, json bool) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if json {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// dbFlag is the --db flag: a file path or a database URL, shown (as the
// flag's default in help) without its password.
type dbFlag string

func (f *dbFlag) String() string { return redactURL(string(*f)) }

func (f *dbFlag) Set(s string) error {
	*f = dbFlag(s)
	return nil
}

// redactURL returns a database URL with its password replaced by "xxxxx";
// other strings unchanged.
func redactURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.User == nil {
		return s
	}
	if _, ok := u.User.Password(); ok {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
