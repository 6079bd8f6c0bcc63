package main

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
)

// exports reads the `export NAME=value` lines setup prints.
func exports(out string) map[string]string {
	env := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^  export (\w+)=(\S+)`).FindAllStringSubmatch(out, -1) {
		env[m[1]] = m[2]
	}
	return env
}

func TestMattermostSetupPrintsEverythingServeNeeds(t *testing.T) {
	mm := mattermosttest.NewServer()
	defer mm.Close()
	mm.AddTeam("team1", "acme")
	mm.SetUser(&model.User{Id: "bossid", Username: "boss", Roles: "system_user system_admin"})
	mm.SetToken("admintoken", "bossid")
	t.Setenv("MATTERMOST_URL", mm.URL)
	t.Setenv("MATTERMOST_ADMIN_TOKEN", "admintoken")
	t.Setenv("GETBACK_PUBLIC_URL", "http://getback.internal:8080")
	t.Setenv("GETBACK_ADDR", "")
	t.Setenv("GETBACK_ADMINS", "")
	setup := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"mattermost", "setup", "--team", "acme"}, args...), nil, &out, &errOut)
		return code, out.String(), errOut.String()
	}

	code, out, errOut := setup("--bot")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	env := exports(out)
	want := map[string]string{"MATTERMOST_URL": mm.URL, "GETBACK_PUBLIC_URL": "http://getback.internal:8080",
		"GETBACK_ADDR": "0.0.0.0:8080", "GETBACK_ADMINS": "boss"}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("%s=%q, want %q:\n%s", k, env[k], v, out)
		}
	}
	if len(strings.Split(env["MATTERMOST_COMMAND_TOKENS"], ",")) != 3 || !strings.HasPrefix(env["MATTERMOST_BOT_TOKEN"], "accesstoken") {
		t.Fatalf("tokens:\n%s", out)
	}
	if !strings.Contains(out, "reused the bot account @getback of an earlier setup") {
		t.Fatalf("what setup did with the bot:\n%s", out)
	}

	code, out, _ = setup("--bot")
	if code != 0 || !strings.Contains(out, "The bot's 1 older token is still valid") || !strings.Contains(out, "--rotate-token") {
		t.Fatalf("a second run must say the old token still works and how to revoke it:\n%s", out)
	}
	code, out, _ = setup("--bot", "--rotate-token")
	if code != 0 || !strings.Contains(out, "Revoked the bot's 2 older tokens") || strings.Contains(out, "system_post_all") {
		t.Fatalf("rotation:\n%s", out)
	}

	code, out, _ = setup("--bot", "--ephemeral")
	if code != 0 || !strings.Contains(out, "Added the permission create_post_ephemeral to the role system_post_all") ||
		!strings.Contains(out, "Gave the bot the role system_post_all") {
		t.Fatalf("--ephemeral:\n%s", out)
	}
	if code, _, errOut = setup("--ephemeral"); code == 0 || !strings.Contains(errOut, "--ephemeral goes with --bot") {
		t.Fatalf("--ephemeral alone: %d %s", code, errOut)
	}

	code, out, _ = setup()
	if code != 0 || exports(out)["MATTERMOST_BOT_TOKEN"] != "…" || !strings.Contains(out, "MATTERMOST_BOT_TOKEN=…   # the bot account's token (setup --bot makes one)") {
		t.Fatalf("without --bot:\n%s", out)
	}
	if code, _, errOut = setup("--rotate-token"); code == 0 || !strings.Contains(errOut, "--rotate-token goes with --bot") {
		t.Fatalf("--rotate-token alone: %d %s", code, errOut)
	}

	mm.RefuseToken("bogus-token-123")
	t.Setenv("MATTERMOST_ADMIN_TOKEN", "bogus-token-123")
	code, out, errOut = setup("--bot")
	if code == 0 || !strings.Contains(errOut, "refused the admin token") || strings.Contains(out+errOut, "bogus-token-123") {
		t.Fatalf("a bad admin token: %d %q %q", code, out, errOut)
	}
}

func TestSetupSuggestsTheListenAddressThePublicURLNeeds(t *testing.T) {
	for _, tc := range []struct{ public, current, want string }{
		{"http://getback.internal:8080", "127.0.0.1:8080", "0.0.0.0:8080"},
		{"http://127.0.0.1:9000/", "127.0.0.1:8080", "127.0.0.1:9000"},
		{"http://localhost", "127.0.0.1:8080", "127.0.0.1:80"},
		{"https://getback.example.org", "127.0.0.1:8080", "127.0.0.1:8080"},
	} {
		if got := suggestAddr(tc.public, tc.current); got != tc.want {
			t.Errorf("suggestAddr(%s, %s) = %s, want %s", tc.public, tc.current, got, tc.want)
		}
	}
}
