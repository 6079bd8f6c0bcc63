package commands

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/getbackhq/getback/bot"
)

// ResolveAdmins turns the entries of GETBACK_ADMINS — user ids or user
// names, with or without @ — into the user ids of one platform, through
// its directory. An entry that names no user is left out and returned in
// unresolved with the reason, for the caller to log; an entry that could
// not be checked (the platform did not answer) is kept as written, in case
// it is an id, and reported too.
func ResolveAdmins(ctx context.Context, dir Directory, ws string, entries []string) (ids map[string]bool, unresolved map[string]error) {
	ids, unresolved = map[string]bool{}, map[string]error{}
	for _, e := range entries {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		name := strings.TrimPrefix(e, "@")
		u, err := dir.LookupUser(ctx, ws, name)
		if bot.ErrorCode(err) == bot.ENOTFOUND {
			u, err = dir.FindUser(ctx, ws, name)
		}
		switch {
		case err == nil && u.Bot:
			unresolved[e] = fmt.Errorf("%s is a bot", e)
		case err == nil:
			ids[u.ID] = true
		case bot.ErrorCode(err) == bot.ENOTFOUND:
			unresolved[e] = fmt.Errorf("no user has the id or the user name %q", name)
		default:
			ids[e] = true
			unresolved[e] = fmt.Errorf("could not check %q (kept as an id): %w", e, err)
		}
	}
	return ids, unresolved
}

// maxAdminsNamed bounds how many admins a refusal names.
const maxAdminsNamed = 5

// requireAdmin refuses a caller who is not an admin, saying whom to ask.
func (inv *invocation) requireAdmin(ctx context.Context, what string) error {
	if inv.actor.Admin {
		return nil
	}
	var ids []string
	for id, ok := range inv.r.Admins {
		if ok && id != inv.User.ID {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	var names []string
	for _, id := range ids {
		if len(names) == maxAdminsNamed {
			break
		}
		if inv.r.Users == nil {
			break
		}
		u, err := inv.r.Users.LookupUser(ctx, inv.Workspace, id)
		if err != nil {
			continue
		}
		if u.Name != "" {
			names = append(names, "@"+u.Name)
		} else {
			names = append(names, u.Label())
		}
	}
	if len(names) == 0 {
		return bot.Errorf(bot.EUNAUTHORIZED, "Only admins can %s: ask a workspace or system admin, or whoever runs getback to add you to GETBACK_ADMINS.", what)
	}
	return bot.Errorf(bot.EUNAUTHORIZED, "Only admins can %s: ask %s (or a workspace or system admin).", what, orList(names))
}

// orList joins names as "a", "a or b", "a, b or c".
func orList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}
