package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost"
)

// runMattermost runs `getback mattermost setup`.
func runMattermost(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("mattermost", &c, stdout, stderr)
	team := fs.String("team", "", "the team's `NAME`, as in its URL")
	url := fs.String("url", c.MattermostURL, "the Mattermost server's `URL` (env MATTERMOST_URL)")
	adminToken := fs.String("admin-token", os.Getenv("MATTERMOST_ADMIN_TOKEN"), "a system admin's access `TOKEN` (env MATTERMOST_ADMIN_TOKEN)")
	public := fs.String("public-url", publicURL(c), "the `URL` where Mattermost reaches getback (env GETBACK_PUBLIC_URL)")
	bot := fs.Bool("bot", false, "also create the bot account and its token")
	pos, err := fs.parse(args, 1)
	if err != nil {
		return err
	}
	if len(pos) == 0 || pos[0] != "setup" {
		return fs.usageError("say what to do: getback mattermost setup --team NAME")
	}
	if *team == "" || *url == "" || *adminToken == "" {
		return fmt.Errorf("mattermost setup needs --team, --url (or MATTERMOST_URL) and --admin-token (or MATTERMOST_ADMIN_TOKEN)")
	}
	admin := model.NewAPIv4Client(strings.TrimRight(*url, "/"))
	admin.SetToken(*adminToken)
	res, err := mattermost.Setup(ctx, admin, mattermost.SetupOptions{Team: *team, PublicURL: *public, Bot: *bot})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Slash commands /meeting, /getback and /digest on team %s call %s/mattermost/commands.\n", *team, strings.TrimRight(*public, "/"))
	fmt.Fprintf(stdout, "Give getback serve these settings:\n\n  export MATTERMOST_URL=%s\n", *url)
	if res.BotToken != "" {
		fmt.Fprintf(stdout, "  export MATTERMOST_BOT_TOKEN=%s\n", res.BotToken)
	}
	fmt.Fprintf(stdout, "  export MATTERMOST_COMMAND_TOKENS=%s\n  export GETBACK_PUBLIC_URL=%s\n", strings.Join(res.Tokens, ","), *public)
	return nil
}

// publicURL is where chat servers reach getback: GETBACK_PUBLIC_URL, or
// http:// and the listen address.
func publicURL(c config) string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + c.Addr
}
