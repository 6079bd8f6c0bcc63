package console

import (
	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/commands"
)

// Ensure the console is a messenger that can update its posts, and
// resolves users and channels for the command runner.
var (
	_ bot.Messenger      = (*Messenger)(nil)
	_ bot.Updater        = (*Messenger)(nil)
	_ commands.Directory = (*Messenger)(nil)
)
