package mattermost

import (
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// Ensure the adapter can update its posts and resolve users and channels
// for the command runner (bot.Messenger itself is asserted in
// messenger.go).
var (
	_ bot.Updater        = (*Adapter)(nil)
	_ commands.Directory = (*Adapter)(nil)
)
