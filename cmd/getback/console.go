package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/getbackhq/getback/adapters/console"
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

func runConsole(ctx context.Context, c config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("console", &c, stdout, stderr)
	user := fs.String("user", getenv("USER", "me"), "your user `NAME` in the console")
	tz := fs.String("tz", console.LocalZone(), "your time `ZONE`, an IANA name such as America/Los_Angeles")
	pictures := fs.String("pictures", console.DefaultPictureDir(), "the `DIR` for the digests' pictures (PNG files)")
	if c.LogLevel == "info" {
		c.LogLevel = "warn" // keep the terminal for the conversation
	}
	if _, err := fs.parse(args, 0); err != nil {
		return err
	}
	if _, err := time.LoadLocation(*tz); err != nil {
		return fmt.Errorf("--tz: unknown time zone %q", *tz)
	}
	log := newLogger(c, stderr, false)
	db, err := openStore(ctx, c, log)
	if err != nil {
		return err
	}
	defer db.Close()

	msgr := console.NewMessenger(stdout, *tz)
	msgr.PictureDir = *pictures
	digests := &bot.Reporter{Store: db, Pictures: true, Log: log}
	sender := &bot.Sender{Store: db, Messengers: map[string]bot.Messenger{"console": msgr}, Now: c.Now, Log: log}
	sched := &bot.Scheduler{Store: db, Reporter: digests, Now: c.Now, Log: log,
		Platforms: []string{"console"}, Queued: sender.Wake}
	// With no admins configured, the console's one user runs the place.
	admin := len(c.Admins) == 0 || c.Admins[*user]
	runner := &commands.Runner{Store: db, Users: msgr, Now: c.Now, Admins: c.Admins,
		Reporter: digests, Outbox: sender, Log: log}
	session := &console.Session{Commands: runner, Messenger: msgr, Channel: "general", Log: log,
		User: bot.User{ID: *user, Name: *user, TZ: *tz, Admin: admin}}
	if f, ok := stdin.(*os.File); ok && isTerminal(f) {
		session.Prompt = "getback> "
		msgr.Printf("getback %s — local console as @%s (%s). Type help, or quit.\n", version, *user, *tz)
	}

	bg, stopBG := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { sched.Run(bg) })
	wg.Go(func() { sender.Run(bg, 2*time.Second) })
	err = session.Run(ctx, stdin)
	stopBG()
	wg.Wait()
	// Deliver what the session queued (assignment DMs, digests) before
	// leaving, so a piped script shows them.
	flush, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if _, ferr := sender.Drain(flush); ferr != nil {
		log.Error("deliver queued posts", "err", ferr)
	}
	return err
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
