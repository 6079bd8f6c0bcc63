package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// subcommand is one getback subcommand, as help describes it.
type subcommand struct {
	name     string
	synopsis string      // the arguments and main flags, as in the usage line
	summary  string      // what it does, in one line
	args     [][2]string // positional arguments: name, meaning
}

// subcommands lists every subcommand, in the order help shows them;
// runSubcommand runs them.
var subcommands = []subcommand{
	{name: "console", synopsis: "[--user NAME] [--tz ZONE] [--pictures DIR]", summary: "local chat in the terminal (the default)"},
	{name: "serve", synopsis: "[--addr HOST:PORT] [--replica-id NAME] [--lease DURATION]", summary: "Slack and Mattermost adapters over HTTP; /healthz, /metrics"},
	{name: "import", synopsis: "FILE [--dry-run] [--region-map FILE] [--report FILE] [--workspace WS]",
		summary: "import the legacy weekly summary (.tsv, .csv, .xlsx)",
		args:    [][2]string{{"FILE", "the spreadsheet to import: .tsv, .csv or .xlsx"}}},
	{name: "export", synopsis: "[--format csv|xlsx|md] [--region N] [--since DATE] [-o FILE] [--workspace WS]",
		summary: "export meetings in the legacy 13-column layout"},
	{name: "digest", synopsis: "[--region N|--leadership] [--week DATE] [--post] [--png DIR] [--workspace WS]",
		summary: "print (or post) a region's weekly digest"},
	{name: "outbox", synopsis: "[--status pending|sent|dead|skipped] [--retry ID]",
		summary: "show the delivery outbox; retry a dead item"},
	{name: "migrate", synopsis: "--to postgres://URL", summary: "copy the SQLite store into PostgreSQL (again: changes nothing)"},
	{name: "backup", synopsis: "FILE", summary: "write a consistent copy of the SQLite store, even while serve runs",
		args: [][2]string{{"FILE", "the new file to write the copy to"}}},
	{name: "mattermost", synopsis: "setup --team NAME [--bot [--rotate-token] [--ephemeral]]", summary: "create the slash commands (and bot) on a Mattermost team",
		args: [][2]string{{"setup", "the one action: create or update /meeting, /getback and /digest"}}},
	{name: "version", summary: "print the version"},
}

// runSubcommand runs the subcommand called name.
func runSubcommand(ctx context.Context, name string, c config, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	switch name {
	case "console":
		return runConsole(ctx, c, args, stdin, stdout, stderr)
	case "serve":
		return runServe(ctx, c, args, stdout, stderr)
	case "import":
		return runImport(ctx, c, args, stdout, stderr)
	case "export":
		return runExport(ctx, c, args, stdout, stderr)
	case "digest":
		return runDigest(ctx, c, args, stdout, stderr)
	case "outbox":
		return runOutbox(ctx, c, args, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, c, args, stdout, stderr)
	case "backup":
		return runBackup(ctx, c, args, stdout, stderr)
	case "mattermost":
		return runMattermost(ctx, c, args, stdout, stderr)
	case "version":
		fs := newFlags("version", &c, stdout, stderr)
		if _, err := fs.parse(args, 0); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "getback", version)
		return nil
	}
	return fmt.Errorf("no subcommand %q", name)
}

func findSubcommand(name string) (subcommand, bool) {
	for _, s := range subcommands {
		if s.name == name {
			return s, true
		}
	}
	return subcommand{}, false
}

// usage is the top-level help: every subcommand.
func usage() string {
	var b strings.Builder
	b.WriteString("Usage: getback [COMMAND] [ARGUMENTS] [FLAGS]\n\n" +
		"getback tracks meetings with outside partners and the follow-ups promised\n" +
		"in them (GETBACK items), in Slack, Mattermost or a local console.\n\nCommands:\n")
	for _, s := range subcommands {
		line := "  " + s.name
		if s.synopsis != "" {
			line += " " + s.synopsis
		}
		if len(line) < 38 {
			fmt.Fprintf(&b, "%-38s%s\n", line, s.summary)
		} else {
			fmt.Fprintf(&b, "%s\n%38s%s\n", line, "", s.summary)
		}
	}
	b.WriteString("  help [COMMAND]                      this help, or a command's arguments and flags\n\n" +
		"Every command takes --db FILE or --db postgres://URL (default $GETBACK_DB or\n" +
		"./getback.db) and --log-level LEVEL, before or after the command's name.\n" +
		"Flags and arguments may come in any order. Run getback COMMAND --help for a\n" +
		"command's flags.\n")
	return b.String()
}

// errHelp reports that help was asked for and printed (exit status 0).
var errHelp = errors.New("help shown")

// flagSet is a subcommand's flags, with the writers its help and its
// complaints go to.
type flagSet struct {
	*flag.FlagSet
	cmd            subcommand
	stdout, stderr io.Writer
}

// newFlags returns a subcommand's flag set with the flags every command
// shares (--db, --log-level).
func newFlags(name string, c *config, stdout, stderr io.Writer) *flagSet {
	fs := flag.NewFlagSet("getback "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // parse prints help and usage itself
	fs.Var((*dbFlag)(&c.DB), "db", "SQLite database `FILE`, or a postgres:// URL (env GETBACK_DB)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "`LEVEL` of the logs: debug, info, warn or error (env GETBACK_LOG_LEVEL)")
	cmd, ok := findSubcommand(strings.Fields(name)[0])
	if !ok {
		cmd = subcommand{name: name}
	}
	return &flagSet{FlagSet: fs, cmd: cmd, stdout: stdout, stderr: stderr}
}

// parse reads flags placed before, between or after the arguments, and
// returns the arguments; everything after "--" is an argument. maxArgs
// bounds how many arguments the command takes. --help prints the
// command's help on standard output (errHelp); a bad flag or argument
// prints the problem and the usage line on standard error (errUsage).
func (fs *flagSet) parse(args []string, maxArgs int) ([]string, error) {
	var pos, tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.help()
				return nil, errHelp
			}
			// The flag package has printed the problem.
			fs.usageLine()
			return nil, errUsage
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		pos, args = append(pos, args[0]), args[1:]
	}
	pos = append(pos, tail...)
	if len(pos) > maxArgs {
		return nil, fs.usageError("unexpected argument %q", pos[maxArgs])
	}
	return pos, nil
}

// usageError prints a problem with the command line and the usage line,
// and returns errUsage (exit status 2).
func (fs *flagSet) usageError(format string, args ...any) error {
	fmt.Fprintf(fs.stderr, "%s: %s\n", fs.Name(), fmt.Sprintf(format, args...))
	fs.usageLine()
	return errUsage
}

func (fs *flagSet) usageLine() {
	fmt.Fprintf(fs.stderr, "usage: %s\nRun %s --help for its arguments and flags.\n", fs.synopsis(), fs.Name())
}

func (fs *flagSet) synopsis() string {
	s := "getback " + fs.cmd.name
	if fs.cmd.synopsis != "" {
		s += " " + fs.cmd.synopsis
	}
	return s
}

// help prints the command's usage, arguments and every flag.
func (fs *flagSet) help() {
	w := fs.stdout
	fmt.Fprintf(w, "Usage: %s\n\n%s.\n", fs.synopsis(), capitalise(fs.cmd.summary))
	if len(fs.cmd.args) > 0 {
		fmt.Fprintln(w, "\nArguments:")
		for _, a := range fs.cmd.args {
			fmt.Fprintf(w, "  %-22s%s\n", a[0], a[1])
		}
	}
	fmt.Fprintln(w, "\nFlags:")
	fs.VisitAll(func(f *flag.Flag) {
		name, meaning := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if len(f.Name) == 1 {
			left = "-" + f.Name
		}
		if name != "" {
			left += " " + strings.ToUpper(name)
		}
		secret := strings.Contains(f.Name, "token") || strings.Contains(f.Name, "secret")
		if f.DefValue != "" && f.DefValue != "0" && f.DefValue != "false" && !secret {
			meaning += fmt.Sprintf(" (default %s)", f.DefValue)
		}
		fmt.Fprintf(w, "  %-22s%s\n", left, meaning)
	})
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// splitCommand finds the subcommand in a command line: the first word,
// after any flags every command shares (--db, --log-level), which are
// handed to it. A line that starts with another flag is the console's,
// the default command; so is an empty one. help is "help" with the topic
// as its argument.
func splitCommand(args []string) (name string, rest []string) {
	var lead []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" || a == "-" || !strings.HasPrefix(a, "-") {
			if a == "--" || a == "-" {
				return "console", args
			}
			return a, append(lead, args[i+1:]...)
		}
		flagName, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		switch flagName {
		case "db", "log-level":
			lead = append(lead, a)
			if !hasValue && i+1 < len(args) {
				lead = append(lead, args[i+1])
				i++
			}
		case "h", "help":
			return "help", nil
		case "version":
			return "version", nil
		default:
			return "console", args
		}
	}
	return "console", lead
}

// errorText is what the user reads of an error: domain errors by their
// message alone, never their code and internal formatting.
func errorText(err error) string {
	var be *bot.Error
	if errors.As(err, &be) {
		return strings.ReplaceAll(err.Error(), be.Error(), be.Message)
	}
	return err.Error()
}
