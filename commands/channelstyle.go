package commands

import "strings"

// ChannelStyle is implemented by a Directory whose platform writes channel
// names with a sigil other than "#": Mattermost's users type and read
// ~town-square. Replies, usage lines and help then name channels the way
// the platform does.
type ChannelStyle interface {
	ChannelSigil() string
}

// channelSigil is how the runner's platform writes a channel name: "#"
// unless its directory says otherwise.
func (r *Runner) channelSigil() string {
	if s, ok := r.Users.(ChannelStyle); ok && s.ChannelSigil() != "" {
		return s.ChannelSigil()
	}
	return "#"
}

// channelName renders a channel name the platform's way (#region-9 or
// ~region-9).
func (r *Runner) channelName(name string) string { return r.channelSigil() + name }

// styled rewrites the channel examples of a usage line or help text
// (channel:#region-9) in the platform's style.
func (r *Runner) styled(usage string) string {
	if sigil := r.channelSigil(); sigil != "#" {
		return strings.ReplaceAll(usage, "channel:#", "channel:"+sigil)
	}
	return usage
}
