package commands_test

import (
	"context"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// downDirectory is a platform that does not answer.
type downDirectory struct{ roster }

func (downDirectory) LookupUser(context.Context, string, string) (bot.User, error) {
	return bot.User{}, errors.New("connection refused")
}

func TestAdminsAreNamedByIdOrUserName(t *testing.T) {
	for _, tc := range []struct {
		name       string
		dir        commands.Directory
		entries    []string
		ids        []string
		unresolved []string
	}{
		{"ids", users, []string{"UANA", "UCAT"}, []string{"UANA", "UCAT"}, nil},
		{"user names, with or without @", users, []string{"ana", "@bob", " cat "}, []string{"UANA", "UBOB", "UCAT"}, nil},
		{"a mix", users, []string{"UADM", "@ana"}, []string{"UADM", "UANA"}, nil},
		{"nobody by that name", users, []string{"ana", "nobody", "@ghost"}, []string{"UANA"}, []string{"@ghost", "nobody"}},
		{"a bot", users, []string{"helper"}, nil, []string{"helper"}},
		{"the platform is down: kept as written", downDirectory{users}, []string{"UANA"}, []string{"UANA"}, []string{"UANA"}},
		{"nothing", users, []string{"", " "}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids, unresolved := commands.ResolveAdmins(context.Background(), tc.dir, ws, tc.entries)
			var gotIDs, gotUnresolved []string
			for id := range ids {
				gotIDs = append(gotIDs, id)
			}
			for e, err := range unresolved {
				gotUnresolved = append(gotUnresolved, e)
				if err == nil || !strings.Contains(err.Error(), strings.TrimSpace(strings.TrimPrefix(e, "@"))) {
					t.Errorf("the reason for %q does not name it: %v", e, err)
				}
			}
			sort.Strings(gotIDs)
			sort.Strings(gotUnresolved)
			if !reflect.DeepEqual(gotIDs, tc.ids) || !reflect.DeepEqual(gotUnresolved, tc.unresolved) {
				t.Fatalf("ids %v unresolved %v, want %v and %v", gotIDs, gotUnresolved, tc.ids, tc.unresolved)
			}
		})
	}
}

func TestARefusalSaysWhomToAsk(t *testing.T) {
	for _, tc := range []struct {
		name   string
		admins map[string]bool
		want   string
	}{
		{"one admin", map[string]bool{"UADM": true}, "Only admins can post digests: ask @admin (or a workspace or system admin)."},
		{"several", map[string]bool{"UADM": true, "UCAT": true, "UBOB": true}, "ask @admin, @bob or @cat (or"},
		{"an admin that no longer exists is not named", map[string]bool{"UGONE": true, "UBOB": true}, "ask @bob (or"},
		{"none named", nil, "ask a workspace or system admin, or whoever runs getback to add you to GETBACK_ADMINS."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			e.runner.Admins = tc.admins
			e.fails("UANA", "/digest", "post region:9", tc.want)
		})
	}
}
