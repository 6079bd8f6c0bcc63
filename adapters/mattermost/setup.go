package mattermost

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
)

// SetupOptions says what Setup creates.
type SetupOptions struct {
	// Team is the team's name (its URL slug).
	Team string
	// PublicURL is where Mattermost reaches getback.
	PublicURL string
	// Bot also creates the bot account (username getback), or reuses the
	// one an earlier setup made, adds it to the team and makes it a new
	// access token.
	Bot bool
	// RotateToken, with Bot, revokes the bot's other access tokens once
	// the new one exists.
	RotateToken bool
	// BotUsername names the bot account; default getback.
	BotUsername string
	// Ephemeral, with Bot, lets the bot post ephemeral messages, so that
	// a click on a command's answer replaces that answer, buttons and all:
	// the bot gets the role system_post_all ("post:all": it may post in
	// any channel), to which the permission create_post_ephemeral is
	// added (for every account holding it).
	Ephemeral bool
}

// SetupResult is what Setup made.
type SetupResult struct {
	TeamID string
	Tokens []string // of /meeting, /getback and /digest, in that order
	// Admin is the user name of the admin whose token ran setup.
	Admin string
	// With Bot: the bot account, whether this run created it, its new
	// token, the tokens it had before (still active unless rotated) and
	// how many of those were revoked.
	BotID, BotToken string
	BotTokenID      string // the new token's id, to revoke it by
	BotCreated      bool
	OldTokens       int
	Revoked         int
	// With Ephemeral: whether this run added create_post_ephemeral to
	// system_post_all, and gave the bot that role.
	RolePatched, RoleGiven bool
}

// botUsername is the bot account's default username.
const botUsername = "getback"

// slashCommands are getback's commands as Mattermost lists them.
var slashCommands = []struct{ trigger, desc, hint string }{
	{"meeting", "Log and find meetings", `add state:Nevada date:today discussion:"…" | list | show 42 | search "…" | help`},
	{"getback", "Track what is owed, by whom, by when", `add @owner "text" due:friday | list mine | done 7 | snooze 7 | help`},
	{"digest", "Weekly regional digests", "preview region:9 | config region:9 channel:~region-9 tz:Pacific/Honolulu | help"},
}

// Setup creates (or updates) getback's slash commands on a team, pointing
// at PublicURL, with an admin's client; with Bot it also creates the bot
// account and a token. Errors name the real cause and never carry a token.
func Setup(ctx context.Context, admin *model.Client4, opt SetupOptions) (SetupResult, error) {
	var res SetupResult
	me, resp, err := admin.GetMe(ctx, "")
	if err != nil {
		if statusOf(resp, err) == http.StatusUnauthorized {
			return res, fmt.Errorf("Mattermost refused the admin token: it is invalid, expired or revoked " +
				"(make a personal access token under Profile → Security → Personal Access Tokens)")
		}
		return res, apiError("check the admin token", resp, err)
	}
	res.Admin = me.Username
	team, resp, err := admin.GetTeamByName(ctx, opt.Team, "")
	if err != nil {
		switch statusOf(resp, err) {
		case http.StatusNotFound:
			return res, fmt.Errorf("there is no team %q on this server (a team's name is the part of its URL after the server's address)", opt.Team)
		case http.StatusForbidden:
			return res, fmt.Errorf("%s may not see team %q: use a system admin's token, or join the team first", me.Username, opt.Team)
		}
		return res, apiError(fmt.Sprintf("read team %q", opt.Team), resp, err)
	}
	res.TeamID = team.Id
	url := strings.TrimRight(opt.PublicURL, "/") + "/mattermost/commands"
	existing, resp, err := admin.ListCommands(ctx, team.Id, true)
	if err != nil {
		if statusOf(resp, err) == http.StatusNotImplemented {
			return res, fmt.Errorf("custom slash commands are off on this server: turn on System Console → Integrations → Integration Management → Enable Custom Slash Commands")
		}
		return res, apiError("list the team's slash commands", resp, err)
	}
	for _, sc := range slashCommands {
		cmd := &model.Command{TeamId: team.Id, Trigger: sc.trigger, Method: model.CommandMethodPost, URL: url,
			DisplayName: "getback " + sc.trigger, Description: sc.desc, AutoComplete: true, AutoCompleteDesc: sc.desc,
			AutoCompleteHint: sc.hint}
		var made *model.Command
		for _, ex := range existing {
			if ex.Trigger == sc.trigger && ex.DeleteAt == 0 {
				cmd.Id, cmd.Token, cmd.CreatorId = ex.Id, ex.Token, ex.CreatorId
				if made, resp, err = admin.UpdateCommand(ctx, cmd); err != nil {
					return res, apiError("update /"+sc.trigger, resp, err)
				}
			}
		}
		if made == nil {
			if made, resp, err = admin.CreateCommand(ctx, cmd); err != nil {
				return res, apiError("create /"+sc.trigger, resp, err)
			}
		}
		res.Tokens = append(res.Tokens, made.Token)
	}
	if !opt.Bot {
		return res, nil
	}
	if err := setupBot(ctx, admin, team.Id, opt, &res); err != nil {
		return res, err
	}
	return res, nil
}

// setupBot creates or reuses the bot account, adds it to the team, makes
// it a token and, with RotateToken, revokes its others.
func setupBot(ctx context.Context, admin *model.Client4, teamID string, opt SetupOptions, res *SetupResult) error {
	name := opt.BotUsername
	if name == "" {
		name = botUsername
	}
	// Reuse the bot account of an earlier setup (on another team, say).
	if u, _, err := admin.GetUserByUsername(ctx, name, ""); err == nil {
		if !u.IsBot {
			return fmt.Errorf("the user name %q belongs to a person, not a bot: rename that account or create the bot by hand", name)
		}
		if _, resp, err := admin.EnableBot(ctx, u.Id); err != nil {
			return apiError("enable the bot account", resp, err)
		}
		res.BotID = u.Id
	} else {
		bot, resp, err := admin.CreateBot(ctx, &model.Bot{Username: name, DisplayName: "getback",
			Description: "Meetings, GETBACK items, reminders and digests"})
		if err != nil {
			if s := statusOf(resp, err); s == http.StatusForbidden || s == http.StatusNotImplemented {
				return fmt.Errorf("could not create the bot account (HTTP %d): turn on System Console → Integrations → Bot Accounts → "+
					"Enable Bot Account Creation, and use a system admin's token", s)
			}
			return apiError("create the bot account", resp, err)
		}
		res.BotID, res.BotCreated = bot.UserId, true
	}
	if _, resp, err := admin.AddTeamMember(ctx, teamID, res.BotID); err != nil {
		return apiError("add the bot to the team", resp, err)
	}
	old, resp, err := admin.GetUserAccessTokensForUser(ctx, res.BotID, 0, 200)
	if err != nil {
		return tokenError("list the bot's tokens", resp, err)
	}
	tok, resp, err := admin.CreateUserAccessToken(ctx, res.BotID, "getback")
	if err != nil {
		return tokenError("create the bot's token", resp, err)
	}
	res.BotToken, res.BotTokenID = tok.Token, tok.Id
	if opt.Ephemeral {
		if err := grantEphemeral(ctx, admin, res); err != nil {
			return err
		}
	}
	for _, t := range old {
		if !t.IsActive || t.Id == tok.Id {
			continue
		}
		res.OldTokens++
		if !opt.RotateToken {
			continue
		}
		if resp, err := admin.RevokeUserAccessToken(ctx, t.Id); err != nil {
			return tokenError("revoke an old token of the bot", resp, err)
		}
		res.Revoked++
	}
	return nil
}

// tokenError explains a refused token call: personal access tokens are
// often switched off.
func tokenError(what string, resp *model.Response, err error) error {
	if s := statusOf(resp, err); s == http.StatusNotImplemented || s == http.StatusForbidden {
		return fmt.Errorf("%s (HTTP %d): turn on System Console → Integrations → Integration Management → "+
			"Enable Personal Access Tokens, and use a system admin's token", what, s)
	}
	return apiError(what, resp, err)
}

// ephemeralPermission is what posting an ephemeral message takes.
const ephemeralPermission = "create_post_ephemeral"

// grantEphemeral lets the bot post ephemeral messages: it adds the
// permission to the role system_post_all and gives the bot that role.
func grantEphemeral(ctx context.Context, admin *model.Client4, res *SetupResult) error {
	role, resp, err := admin.GetRoleByName(ctx, model.SystemPostAllRoleId)
	if err != nil {
		return apiError("read the role "+model.SystemPostAllRoleId, resp, err)
	}
	if !slices.Contains(role.Permissions, ephemeralPermission) {
		perms := append(slices.Clone(role.Permissions), ephemeralPermission)
		if _, resp, err := admin.PatchRole(ctx, role.Id, &model.RolePatch{Permissions: &perms}); err != nil {
			return apiError("add "+ephemeralPermission+" to the role "+model.SystemPostAllRoleId, resp, err)
		}
		res.RolePatched = true
	}
	u, resp, err := admin.GetUser(ctx, res.BotID, "")
	if err != nil {
		return apiError("read the bot account", resp, err)
	}
	roles := strings.Fields(u.Roles)
	if !slices.Contains(roles, model.SystemPostAllRoleId) {
		roles = append(roles, model.SystemPostAllRoleId)
		if resp, err := admin.UpdateUserRoles(ctx, res.BotID, strings.Join(roles, " ")); err != nil {
			return apiError("give the bot the role "+model.SystemPostAllRoleId, resp, err)
		}
		res.RoleGiven = true
	}
	return nil
}
