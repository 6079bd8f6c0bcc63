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
//	getback version
package main

import (
	"context"
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

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	sub := "console"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		sub, args = args[0], args[1:]
	}
	env := envConfig()
	var err error
	switch sub {
	case "console":
		err = runConsole(ctx, env, args, stdin, stdout, stderr)
	case "serve":
		err = runServe(ctx, env, args, stdout, stderr)
	case "mattermost":
		err = runMattermost(ctx, env, args, stdout, stderr)
	case "import":
		err = runImport(ctx, env, args, stdout, stderr)
	case "export":
		err = runExport(ctx, env, args, stdout, stderr)
	case "digest":
		err = runDigest(ctx, env, args, stdout, stderr)
	case "outbox":
		err = runOutbox(ctx, env, args, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "getback", version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "getback: unknown command %q\n\n%s", sub, usage)
		return 2
	}
	if err != nil {
		if err == errUsage {
			return 2
		}
		fmt.Fprintln(stderr, "getback:", err)
		return 1
	}
	return 0
}

const usage = `Usage: getback <command> [flags]

Commands:
  console [--user NAME] [--tz ZONE]   local chat in the terminal (the default)
  serve [--addr HOST:PORT]            Slack and Mattermost adapters over HTTP
  import FILE [--dry-run] [--region-map FILE] [--report FILE] [--workspace WS]
                                      import the legacy weekly summary (.tsv, .csv, .xlsx)
  export [--format csv|xlsx|md] [--region N] [--since DATE] [-o FILE] [--workspace WS]
                                      export meetings in the legacy 13-column layout
  digest [--region N] [--week DATE] [--post] [--workspace WS]
                                      print (or post) a region's weekly digest
  outbox [--status pending|sent|dead|skipped] [--retry ID]
                                      show the delivery outbox; retry a dead item
  mattermost setup --team NAME [--bot] create the slash commands (and bot) on a Mattermost team
  version                             print the version

Every command takes --db FILE (default $GETBACK_DB or ./getback.db).
`
