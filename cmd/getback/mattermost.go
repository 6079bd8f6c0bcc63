package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost"
	"github.com/getbackhq/getback/bot"
)

// runMattermost runs `getback mattermost setup`.
func runMattermost(ctx context.Context, c config, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("mattermost", &c, stdout, stderr)
	team := fs.String("team", "", "the team's `NAME`, as in its URL")
	url := fs.String("url", c.MattermostURL, "the Mattermost server's `URL` (env MATTERMOST_URL)")
	adminToken := fs.String("admin-token", os.Getenv("MATTERMOST_ADMIN_TOKEN"), "a system admin's access `TOKEN` (env MATTERMOST_ADMIN_TOKEN)")
	public := fs.String("public-url", publicURL(c), "the `URL` where Mattermost reaches getback (env GETBACK_PUBLIC_URL)")
	bot := fs.Bool("bot", false, "also create the bot account (or reuse it) and make it a new access token")
	rotate := fs.Bool("rotate-token", false, "with --bot: revoke the bot's older access tokens")
	ephemeral := fs.Bool("ephemeral", false, "with --bot: let the bot replace the answers users click (it gets the role system_post_all, "+
		"to which create_post_ephemeral is added)")
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
	if *rotate && !*bot {
		return fmt.Errorf("--rotate-token goes with --bot: it revokes the bot's older tokens once setup made it a new one")
	}
	if *ephemeral && !*bot {
		return fmt.Errorf("--ephemeral goes with --bot: it gives the bot account a role")
	}
	admin := model.NewAPIv4Client(strings.TrimRight(*url, "/"))
	admin.SetToken(*adminToken)
	res, err := mattermost.Setup(ctx, admin, mattermost.SetupOptions{Team: *team, PublicURL: *public, Bot: *bot,
		RotateToken: *rotate, Ephemeral: *ephemeral})
	if err != nil {
		return err
	}
	printSetup(stdout, c, *url, *public, *team, *bot, res)
	return nil
}

// printSetup says what setup did and prints every setting serve needs.
func printSetup(w io.Writer, c config, url, public, team string, withBot bool, res mattermost.SetupResult) {
	public = strings.TrimRight(public, "/")
	fmt.Fprintf(w, "Slash commands /meeting, /getback and /digest on team %s call %s/mattermost/commands.\n", team, public)
	if withBot {
		how := "reused the bot account @getback of an earlier setup"
		if res.BotCreated {
			how = "created the bot account @getback"
		}
		fmt.Fprintf(w, "Bot: %s, added it to team %s and made it a new access token.\n", how, team)
		switch {
		case res.Revoked > 0:
			fmt.Fprintf(w, "Revoked the bot's %s: a getback still using one must get the new token.\n", bot.Plural(res.Revoked, "older token", "older tokens"))
		case res.OldTokens > 0:
			fmt.Fprintf(w, "The bot's %s still valid; once every getback uses the new one, revoke them with: getback mattermost setup --team %s --bot --rotate-token\n",
				bot.Plural(res.OldTokens, "older token is", "older tokens are"), team)
		}
		if res.RolePatched {
			fmt.Fprintln(w, "Added the permission create_post_ephemeral to the role system_post_all (post:all), for every account that holds it.")
		}
		if res.RoleGiven {
			fmt.Fprintln(w, "Gave the bot the role system_post_all: it may post in any channel, and replace the answers users click.")
		}
	}
	fmt.Fprintf(w, "\nGive getback serve these settings:\n\n")
	fmt.Fprintf(w, "  export MATTERMOST_URL=%s\n", url)
	if res.BotToken != "" {
		fmt.Fprintf(w, "  export MATTERMOST_BOT_TOKEN=%s\n", res.BotToken)
	} else {
		fmt.Fprintf(w, "  export MATTERMOST_BOT_TOKEN=…   # the bot account's token (setup --bot makes one)\n")
	}
	fmt.Fprintf(w, "  export MATTERMOST_COMMAND_TOKENS=%s\n", strings.Join(res.Tokens, ","))
	fmt.Fprintf(w, "  export GETBACK_PUBLIC_URL=%s\n", public)
	addr := suggestAddr(public, c.Addr)
	note := "where serve listens: GETBACK_PUBLIC_URL must reach it"
	if !strings.HasPrefix(public, "http://") {
		note = "where serve listens: the proxy in front of getback forwards " + public + " here"
	}
	fmt.Fprintf(w, "  export GETBACK_ADDR=%s   # %s\n", addr, note)
	admins := make([]string, 0, len(c.Admins))
	for a := range c.Admins {
		admins = append(admins, a)
	}
	sort.Strings(admins)
	if len(admins) == 0 && res.Admin != "" {
		admins = []string{res.Admin}
	}
	fmt.Fprintf(w, "  export GETBACK_ADMINS=%s   # user names or ids, comma-separated; Mattermost system admins are getback admins too\n",
		strings.Join(admins, ","))
}

// publicURL is where chat servers reach getback: GETBACK_PUBLIC_URL, or
// http:// and the listen address.
func publicURL(c config) string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	return "http://" + c.Addr
}
