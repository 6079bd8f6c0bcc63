// Command getback is a chat bot for coordination teams: meetings with
// outside partners, the follow-up promises made in them (GETBACK items),
// daily reminders and weekly regional digests, in Slack, Mattermost or a
// local console.
//
//	getback console [--user NAME]   local chat in the terminal (the default)
//	getback serve                   Slack and Mattermost adapters over HTTP
//	getback import FILE [--dry-run] legacy weekly summary: .tsv, .csv, .xlsx
//	getback export [--format csv|xlsx|md] [--region N] [--since DATE] [-o FILE]
//	getback digest [--region N] [--week DATE] [--post]
//	getback outbox [--status S] [--retry ID]
//	getback mattermost setup --team NAME [--bot]
//	getback version
//	getback help [COMMAND]          every command, or one command's flags
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run dispatches a subcommand and returns the process exit code: 0 on
// success (and for help), 1 when the command failed, 2 for a command line
// that could not be understood.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	name, args := splitCommand(args)
	if name == "help" {
		if len(args) == 0 {
			fmt.Fprint(stdout, usage())
			return 0
		}
		name, args = args[0], []string{"--help"}
	}
	if _, ok := findSubcommand(name); !ok {
		fmt.Fprintf(stderr, "getback: unknown command %q\n\n%s", name, usage())
		return 2
	}
	err := runSubcommand(ctx, name, envConfig(), args, stdin, stdout, stderr)
	switch {
	case err == nil, errors.Is(err, errHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	}
	fmt.Fprintf(stderr, "getback %s: %s\n", name, errorText(err))
	return 1
}
