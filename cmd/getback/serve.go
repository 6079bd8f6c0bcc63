package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/getbackhq/getback/adapters/mattermost"
	"github.com/getbackhq/getback/adapters/server"
	"github.com/getbackhq/getback/adapters/slack"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// platform is one chat platform wired into serve.
type platform struct {
	name      string
	messenger bot.Messenger
	// run, when set, runs alongside the HTTP server (Socket Mode).
	run func(ctx context.Context) error
	// drain waits, at most the given time, for the platform's background
	// work after the server stops, and returns how many jobs it gave up on.
	drain func(time.Duration) int
}

func runServe(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve", &c, stdout, stderr)
	fs.StringVar(&c.Addr, "addr", c.Addr, "the HTTP listen address, `HOST:PORT` (env GETBACK_ADDR)")
	replica := fs.String("replica-id", os.Getenv("GETBACK_REPLICA_ID"),
		"this replica's `NAME` among those sharing the database, kept across its restarts (env GETBACK_REPLICA_ID; default: host name@addr)")
	lease := fs.Duration("lease", envDuration("GETBACK_LEASE", time.Minute),
		"how long another replica waits, a `DURATION`, before taking over the posts of one that stopped (env GETBACK_LEASE)")
	if _, err := fs.parse(args, 0); err != nil {
		return err
	}
	if *replica == "" {
		*replica = defaultReplicaID(c.Addr)
	}
	if *lease < 2*time.Second {
		return fmt.Errorf("--lease %s is too short: give a post at least a second (a post gets half the lease, up to %s)", *lease, bot.DefaultPostTimeout)
	}
	log := redactSecrets(newLogger(c, stderr, true), c.secrets()...)
	db, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.Close()

	metrics := server.NewMetrics(db)
	digests := &bot.Reporter{Store: db, Pictures: true, Log: log}
	messengers := map[string]bot.Messenger{}
	sender := &bot.Sender{Store: db, Messengers: messengers, Now: c.Now, Log: log, Observe: metrics.ObserveSend,
		Owner: *replica, Lease: *lease}
	mux := http.NewServeMux()
	checks := map[string]server.Check{"database": db.Ping}
	newRunner := func(platform string, dir commands.Directory) *commands.Runner {
		return &commands.Runner{Store: db, Users: dir, Now: c.Now, Admins: resolveAdmins(ctx, log, platform, dir, c.Admins),
			Reporter: digests, Outbox: sender, Log: log}
	}

	var platforms []platform
	switch {
	case c.SlackBotToken != "" && (c.SlackSigningSecret != "" || c.SlackAppToken != ""):
		sa := slack.New(slack.Config{BotToken: c.SlackBotToken, SigningSecret: c.SlackSigningSecret, AppToken: c.SlackAppToken,
			APIURL: c.SlackAPIURL, Log: log, Observe: metrics.CommandObserver(slack.Platform)}, db)
		sa.SetCommands(newRunner(slack.Platform, sa))
		if c.SlackSigningSecret != "" {
			sa.Register(mux)
		}
		p := platform{name: slack.Platform, messenger: sa, drain: sa.Drain}
		if c.SlackAppToken != "" {
			p.run = sa.RunSocketMode
		}
		checks[slack.Platform] = sa.Ping
		platforms = append(platforms, p)
	case c.SlackBotToken != "":
		return fmt.Errorf("Slack: SLACK_BOT_TOKEN is set, but neither SLACK_SIGNING_SECRET (HTTP) nor SLACK_APP_TOKEN (Socket Mode)")
	}
	switch {
	case c.MattermostURL != "" && c.MattermostBotToken != "" && len(c.MattermostCommandTokens) > 0:
		ma := mattermost.New(mattermost.Config{URL: c.MattermostURL, BotToken: c.MattermostBotToken,
			CommandTokens: c.MattermostCommandTokens, PublicURL: publicURL(c), Log: log,
			Observe: metrics.CommandObserver(mattermost.Platform), Dedupe: db})
		ma.SetCommands(newRunner(mattermost.Platform, ma))
		ma.Register(mux)
		checks[mattermost.Platform] = ma.Ping
		platforms = append(platforms, platform{name: mattermost.Platform, messenger: ma, drain: ma.Drain, run: ma.RunEvents})
	case c.MattermostURL != "" || c.MattermostBotToken != "":
		return fmt.Errorf("Mattermost needs MATTERMOST_URL, MATTERMOST_BOT_TOKEN and MATTERMOST_COMMAND_TOKENS " +
			"(getback mattermost setup prints them)")
	}
	if len(platforms) == 0 {
		return errors.New("no chat platform configured: set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or SLACK_APP_TOKEN, " +
			"or MATTERMOST_URL, MATTERMOST_BOT_TOKEN and MATTERMOST_COMMAND_TOKENS (see README, \"Connect to Slack\" and " +
			"\"Connect to Mattermost\"); to try getback without a chat server, run: getback console")
	}
	if w := listenWarning(ctx, c.Addr, c.PublicURL, net.DefaultResolver.LookupHost); w != "" {
		log.Warn("the listen address cannot be what GETBACK_PUBLIC_URL names", "addr", c.Addr, "public_url", c.PublicURL, "problem", w)
	}
	var names []string
	for _, p := range platforms {
		messengers[p.name] = p.messenger
		names = append(names, p.name)
	}
	sort.Strings(names)
	sched := &bot.Scheduler{Store: db, Reporter: digests, Now: c.Now, Log: log, Platforms: names, Queued: sender.Wake,
		Owner: *replica, Lease: *lease}
	log.Info("replica", "id", *replica, "lease", lease.String())
	srv := &server.Server{Addr: c.Addr, Mux: mux, Metrics: metrics, Checks: checks, Log: log, ShutdownTimeout: httpDrain,
		TrimAfter: idleTrim}
	return serve(ctx, log, srv, sched, sender, platforms)
}

// defaultReplicaID names a replica by its host and listen address: unique
// among replicas on one database, and the same when it restarts.
func defaultReplicaID(addr string) string {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "getback"
	}
	return host + "@" + addr
}

// envDuration reads a duration from the environment, or def.
func envDuration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return d
	}
	return def
}

// idleTrim is how long serve waits without a request before it gives the
// memory freed since back to the system: long enough that a burst of
// commands never pays for growing the heap again halfway, short enough
// that an idle server is small again within a minute.
const idleTrim = 30 * time.Second

// Shutdown budget, from the signal: in-flight HTTP requests get httpDrain
// to finish (writes are answered within Slack's 3 s, so this is ample);
// the answers of acknowledged reads, still queued, get until stopBudget;
// then the scheduler and the sender stop between two posts, a post under
// way getting up to postDrain to finish and be recorded (one cut short is
// found again by its delivery key at the next start). The process exits
// within the 10 s that service managers wait before SIGKILL.
const (
	httpDrain  = 5 * time.Second
	stopBudget = 7 * time.Second
	postDrain  = 2 * time.Second
)

// serve runs the HTTP server, the platforms' own loops, the scheduler and
// the sender until ctx ends, then shuts down in order: stop taking
// requests, let in-flight ones and their follow-ups finish, then stop the
// scheduler and the sender between two posts.
func serve(ctx context.Context, log interface {
	Info(string, ...any)
	Warn(string, ...any)
	Error(string, ...any)
}, srv *server.Server, sched *bot.Scheduler, sender *bot.Sender, platforms []platform) error {
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	defer stopBG()
	var mu sync.Mutex
	var signalled time.Time
	context.AfterFunc(ctx, func() {
		mu.Lock()
		signalled = time.Now()
		mu.Unlock()
	})
	var wg sync.WaitGroup
	wg.Go(func() { sched.Run(bg) })
	wg.Go(func() { sender.Run(bg, 5*time.Second) })
	for _, p := range platforms {
		if p.run != nil {
			wg.Go(func() {
				if err := p.run(ctx); err != nil {
					log.Error("platform loop stopped", "platform", p.name, "err", err)
				}
			})
		}
	}
	err := srv.Run(ctx, nil)
	mu.Lock()
	deadline := signalled.Add(stopBudget)
	if signalled.IsZero() {
		deadline = time.Now().Add(stopBudget)
	}
	mu.Unlock()
	for _, p := range platforms {
		if p.drain == nil {
			continue
		}
		if n := p.drain(time.Until(deadline)); n > 0 {
			log.Warn("stopping with answers not yet sent", "platform", p.name, "jobs", n)
		}
	}
	stopBG()
	stopped := make(chan struct{})
	go func() { wg.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(postDrain):
		log.Warn("stopping with a post under way; it is checked at the next start")
	}
	log.Info("stopped", "took", time.Since(deadline.Add(-stopBudget)).String())
	return err
}
