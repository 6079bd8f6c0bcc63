package mattermost

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
)

func adminClient(mm *mattermosttest.Server, token string) *model.Client4 {
	c := model.NewAPIv4Client(mm.URL)
	c.SetToken(token)
	return c
}

func TestSetupSaysWhatItDidWithTheBotsTokens(t *testing.T) {
	mm := newFakeMM(t)
	mm.AddTeam("team1", "acme")
	mm.SetToken("admintoken", "bossid")
	admin := adminClient(mm, "admintoken")
	ctx := context.Background()
	opt := SetupOptions{Team: "acme", PublicURL: "http://getback.internal:8080/", Bot: true}

	first, err := Setup(ctx, admin, opt)
	if err != nil {
		t.Fatal(err)
	}
	if first.TeamID != "team1" || len(first.Tokens) != 3 || first.Admin != "boss" || first.BotID != mattermosttest.BotID ||
		first.BotCreated || first.BotToken == "" || first.OldTokens != 0 || first.Revoked != 0 {
		t.Fatalf("first run: %+v", first)
	}
	for _, c := range mm.Commands() {
		if c.URL != "http://getback.internal:8080/mattermost/commands" || !strings.HasSuffix(c.AutoCompleteHint, "| help") {
			t.Fatalf("command: %+v", c)
		}
	}

	again, err := Setup(ctx, admin, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(mm.Commands()) != 3 || strings.Join(again.Tokens, ",") != strings.Join(first.Tokens, ",") {
		t.Fatalf("a second run must update the commands, not add: %d commands, tokens %v then %v", len(mm.Commands()), first.Tokens, again.Tokens)
	}
	if again.BotToken == first.BotToken || again.OldTokens != 1 || again.Revoked != 0 {
		t.Fatalf("second run: %+v", again)
	}

	opt.RotateToken = true
	rotated, err := Setup(ctx, admin, opt)
	if err != nil {
		t.Fatal(err)
	}
	if rotated.OldTokens != 2 || rotated.Revoked != 2 {
		t.Fatalf("rotation: %+v", rotated)
	}
	active := 0
	for _, tok := range mm.AccessTokens(mattermosttest.BotID) {
		if tok.IsActive {
			active++
			if tok.Token != rotated.BotToken {
				t.Fatalf("an old token is still active: %+v", tok)
			}
		}
	}
	if active != 1 {
		t.Fatalf("%d active tokens after rotation", active)
	}
}

func TestSetupErrorsNameTheCauseAndNeverTheToken(t *testing.T) {
	mm := newFakeMM(t)
	mm.AddTeam("team1", "acme")
	mm.SetToken("admintoken", "bossid")
	mm.RefuseToken("bogus-admin-token")
	for _, tc := range []struct {
		name, token, team, want string
	}{
		{"a refused admin token", "bogus-admin-token", "acme", "Mattermost refused the admin token: it is invalid, expired or revoked"},
		{"an unknown team", "admintoken", "nope", `there is no team "nope" on this server`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Setup(context.Background(), adminClient(mm, tc.token), SetupOptions{Team: tc.team, PublicURL: "http://x:1", Bot: true})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), tc.token) {
				t.Fatalf("the error shows the token: %v", err)
			}
		})
	}
}

func TestSetupCanLetTheBotPostEphemeralMessages(t *testing.T) {
	mm := newFakeMM(t)
	mm.AddTeam("team1", "acme")
	mm.SetToken("admintoken", "bossid")
	admin := adminClient(mm, "admintoken")
	opt := SetupOptions{Team: "acme", PublicURL: "http://x:1", Bot: true}
	plain, err := Setup(context.Background(), admin, opt)
	if err != nil || plain.RolePatched || plain.RoleGiven {
		t.Fatalf("without --ephemeral: %+v %v", plain, err)
	}
	if role := mm.Role(model.SystemPostAllRoleId); slices.Contains(role.Permissions, "create_post_ephemeral") {
		t.Fatal("setup changed a role unasked")
	}
	opt.Ephemeral = true
	first, err := Setup(context.Background(), admin, opt)
	if err != nil || !first.RolePatched || !first.RoleGiven {
		t.Fatalf("--ephemeral: %+v %v", first, err)
	}
	again, err := Setup(context.Background(), admin, opt)
	if err != nil || again.RolePatched || again.RoleGiven {
		t.Fatalf("--ephemeral again changes nothing: %+v %v", again, err)
	}
	role := mm.Role(model.SystemPostAllRoleId)
	if !slices.Contains(role.Permissions, "create_post_ephemeral") || !slices.Contains(role.Permissions, "create_post") {
		t.Fatalf("role: %v", role.Permissions)
	}
}
