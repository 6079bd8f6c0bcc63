package main

import (
	"context"
	"log/slog"
	"sort"
	"time"

	"github.com/getbackhq/getback/commands"
)

// adminLookupTimeout bounds the start-up lookup of GETBACK_ADMINS.
const adminLookupTimeout = 20 * time.Second

// resolveAdmins turns GETBACK_ADMINS (user ids or user names) into the
// user ids of one platform, with a log line for each entry that names no
// user there.
func resolveAdmins(ctx context.Context, log *slog.Logger, platform string, dir commands.Directory, entries map[string]bool) map[string]bool {
	if len(entries) == 0 {
		return nil
	}
	list := make([]string, 0, len(entries))
	for e := range entries {
		list = append(list, e)
	}
	sort.Strings(list)
	ctx, cancel := context.WithTimeout(ctx, adminLookupTimeout)
	defer cancel()
	ids, unresolved := commands.ResolveAdmins(ctx, dir, "", list)
	bad := make([]string, 0, len(unresolved))
	for e := range unresolved {
		bad = append(bad, e)
	}
	sort.Strings(bad)
	for _, e := range bad {
		log.Warn("a GETBACK_ADMINS entry names no user here", "platform", platform, "entry", e, "reason", unresolved[e].Error())
	}
	log.Info("getback admins", "platform", platform, "resolved", len(ids), "unresolved", len(bad))
	return ids
}
