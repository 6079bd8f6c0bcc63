package mattermost

import (
	"context"
	"fmt"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// SetupOptions says what Setup creates.
type SetupOptions struct {
	// Team is the team's name (its URL slug).
	Team string
	// PublicURL is where Mattermost reaches getback.
	PublicURL string
	// Bot also creates the bot account (username getback), adds it to the
	// team and makes it an access token.
	Bot bool
}

// SetupResult is what Setup made.
type SetupResult struct {
	TeamID   string
	Tokens   []string // of /meeting, /getback and /digest, in that order
	BotID    string   // with Bot
	BotToken string   // with Bot
}

// botUsername is the bot account's username.
const botUsername = "getback"

// slashCommands are getback's commands as Mattermost lists them.
var slashCommands = []struct{ trigger, desc, hint string }{
	{"meeting", "Log and find meetings", `add state:Nevada date:today discussion:"…" | list | show 42 | search "…"`},
	{"getback", "Track what is owed, by whom, by when", `add @owner "text" due:friday | list mine | done 7 | snooze 7`},
	{"digest", "Weekly regional digests", "preview region:9 | config region:9 channel:~region-9 tz:Pacific/Honolulu"},
}

// Setup creates (or updates) getback's slash commands on a team, pointing
// at PublicURL, with an admin's client; with Bot it also creates the bot
// account and its token.
func Setup(ctx context.Context, admin *model.Client4, opt SetupOptions) (SetupResult, error) {
	var res SetupResult
	team, _, err := admin.GetTeamByName(ctx, opt.Team, "")
	if err != nil {
		return res, fmt.Errorf("team %q: %w", opt.Team, err)
	}
	res.TeamID = team.Id
	url := strings.TrimRight(opt.PublicURL, "/") + "/mattermost/commands"
	existing, _, err := admin.ListCommands(ctx, team.Id, true)
	if err != nil {
		return res, fmt.Errorf("list commands: %w", err)
	}
	for _, sc := range slashCommands {
		cmd := &model.Command{TeamId: team.Id, Trigger: sc.trigger, Method: model.CommandMethodPost, URL: url,
			DisplayName: "getback " + sc.trigger, Description: sc.desc, AutoComplete: true, AutoCompleteDesc: sc.desc,
			AutoCompleteHint: sc.hint}
		var made *model.Command
		for _, ex := range existing {
			if ex.Trigger == sc.trigger && ex.DeleteAt == 0 {
				cmd.Id, cmd.Token, cmd.CreatorId = ex.Id, ex.Token, ex.CreatorId
				if made, _, err = admin.UpdateCommand(ctx, cmd); err != nil {
					return res, fmt.Errorf("update /%s: %w", sc.trigger, err)
				}
			}
		}
		if made == nil {
			if made, _, err = admin.CreateCommand(ctx, cmd); err != nil {
				return res, fmt.Errorf("create /%s: %w", sc.trigger, err)
			}
		}
		res.Tokens = append(res.Tokens, made.Token)
	}
	if !opt.Bot {
		return res, nil
	}
	// Reuse the bot account of an earlier setup (on another team, say).
	if u, _, err := admin.GetUserByUsername(ctx, botUsername, ""); err == nil && u.IsBot {
		if _, _, err := admin.EnableBot(ctx, u.Id); err != nil {
			return res, fmt.Errorf("enable the bot account: %w", err)
		}
		res.BotID = u.Id
	} else {
		bot, _, err := admin.CreateBot(ctx, &model.Bot{Username: botUsername, DisplayName: "getback",
			Description: "Meetings, GETBACK items, reminders and digests"})
		if err != nil {
			return res, fmt.Errorf("create the bot account: %w", err)
		}
		res.BotID = bot.UserId
	}
	if _, _, err := admin.AddTeamMember(ctx, team.Id, res.BotID); err != nil {
		return res, fmt.Errorf("add the bot to the team: %w", err)
	}
	tok, _, err := admin.CreateUserAccessToken(ctx, res.BotID, "getback")
	if err != nil {
		return res, fmt.Errorf("create the bot's token: %w", err)
	}
	res.BotToken = tok.Token
	return res, nil
}
