package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// region returns the stored configuration of region n, or defaults.
func (inv *invocation) region(ctx context.Context, n int) (*bot.Region, error) {
	r, err := inv.r.Store.FindRegion(ctx, inv.Workspace, n)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return bot.NewRegion(inv.Workspace, n), nil
	}
	return r, err
}

// digestRegion picks the region a digest command is about: the one named,
// or the one whose digest channel the command was typed in.
func (inv *invocation) digestRegion(ctx context.Context, n *int, cmd string) (*bot.Region, error) {
	if n != nil {
		return inv.region(ctx, *n)
	}
	rs, err := inv.r.Store.FindRegions(ctx, inv.Workspace)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.Channel != "" && r.Channel == inv.Channel {
			return r, nil
		}
	}
	return nil, bot.Errorf(bot.EINVALID, "Which region? e.g. /digest %s region:9.", cmd)
}

func (inv *invocation) digests() (*bot.Reporter, error) {
	if inv.r.Reporter == nil {
		return nil, bot.Errorf(bot.EUNAVAILABLE, "Digests are not set up on this getback server.")
	}
	return inv.r.Reporter, nil
}

func (inv *invocation) digestPreview(ctx context.Context, q DigestPreview) (bot.Reply, error) {
	d, err := inv.digests()
	if err != nil {
		return bot.Reply{}, err
	}
	r, err := inv.digestRegion(ctx, q.Region, "preview")
	if err != nil {
		return bot.Reply{}, err
	}
	rep, _, err := inv.digestOf(ctx, d, r, q.Week)
	if err != nil {
		return bot.Reply{}, err
	}
	rep.Visibility = bot.Ephemeral
	rep.Text = "Preview (only you see this): " + rep.Text
	return rep, nil
}

func (inv *invocation) digestPost(ctx context.Context, q DigestPost) (bot.Reply, error) {
	if err := inv.requireAdmin(ctx, "post digests"); err != nil {
		return bot.Reply{}, err
	}
	d, err := inv.digests()
	if err != nil {
		return bot.Reply{}, err
	}
	if inv.r.Outbox == nil {
		return bot.Reply{}, bot.Errorf(bot.EUNAVAILABLE, "Posting is not set up on this getback server.")
	}
	r, err := inv.r.Store.FindRegion(ctx, inv.Workspace, q.Region)
	if err != nil || r.Channel == "" {
		if err == nil || bot.ErrorCode(err) == bot.ENOTFOUND {
			return bot.Reply{}, bot.Errorf(bot.EINVALID, "%s has no digest channel: /digest config region:%d channel:%s first.",
				bot.RegionName(q.Region), q.Region, inv.r.channelName(fmt.Sprintf("region-%d", q.Region)))
		}
		return bot.Reply{}, err
	}
	rep, week, err := inv.digestOf(ctx, d, r, q.Week)
	if err != nil {
		return bot.Reply{}, err
	}
	item := &bot.OutboxItem{Key: bot.DigestKey(r, week), Reply: rep,
		Target: bot.Target{Workspace: inv.Workspace, Channel: r.Channel}, NextAttempt: inv.now}
	created, err := inv.r.Outbox.Enqueue(ctx, item)
	if err != nil {
		return bot.Reply{}, err
	}
	if !created {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "The %s digest for %s was already posted (or is on its way).", r.Name, week.ISOWeek())
	}
	return bot.Message(fmt.Sprintf("Posting the %s digest for %s to %s.", r.Name, week.ISOWeek(), inv.channelLabel(r))), nil
}

// digestOf builds region r's digest of the week asked for, by default the
// week a digest due today in the region's time zone covers.
func (inv *invocation) digestOf(ctx context.Context, d *bot.Reporter, r *bot.Region, asked *bot.Date) (rep bot.Reply, week bot.Date, err error) {
	today := bot.DateOf(inv.now.In(r.Location()))
	week = bot.CoveredWeek(today)
	if asked != nil {
		week = asked.WeekStart()
	}
	rep, err = d.Digest(ctx, r, week, today)
	return rep, week, err
}

// channelLabel names a region's digest channel the platform's way.
func (inv *invocation) channelLabel(r *bot.Region) string {
	switch {
	case r.ChannelName != "":
		return inv.r.channelName(r.ChannelName)
	case r.Channel != "":
		return r.Channel
	}
	return "no channel"
}

func (inv *invocation) describeRegion(r *bot.Region, now time.Time) string {
	s := fmt.Sprintf("%s: %s, %ss at %02d:00 %s; coverage window %s.", r.Name, inv.channelLabel(r), r.DigestDay, r.DigestHour, r.TZ,
		bot.Plural(r.CoverageWeeks, "week", "weeks"))
	if r.Channel != "" {
		due := bot.NextDigestDue(r, now)
		s += fmt.Sprintf(" Next: %s (covers %s).", due.Format("Mon 2006-01-02 15:04 MST"), bot.CoveredWeek(bot.DateOf(due)).ISOWeek())
	}
	return s
}

func (inv *invocation) digestConfig(ctx context.Context, q DigestConfig) (bot.Reply, error) {
	if q.Region == nil {
		rs, err := inv.r.Store.FindRegions(ctx, inv.Workspace)
		if err != nil {
			return bot.Reply{}, err
		}
		if len(rs) == 0 {
			return bot.Message("No region digests are configured. An admin can add one: " + inv.r.styled(usages["digest config"])), nil
		}
		var lines []string
		for _, r := range rs {
			lines = append(lines, inv.describeRegion(r, inv.now))
		}
		return bot.Reply{Text: "Digest configuration:", Blocks: []bot.Block{{Text: strings.Join(lines, "\n")}}}, nil
	}
	r, err := inv.region(ctx, *q.Region)
	if err != nil {
		return bot.Reply{}, err
	}
	if q.Channel == nil && q.TZ == nil && q.Day == nil && q.Hour == nil && q.Coverage == nil {
		return bot.Message(inv.describeRegion(r, inv.now)), nil
	}
	if err := inv.requireAdmin(ctx, "configure digests"); err != nil {
		return bot.Reply{}, err
	}
	if q.Channel != nil {
		ch := *q.Channel
		if id := inv.Channels[ch.Name]; ch.ID == "" && id != "" {
			ch.ID = id
			if ch.Name == id {
				ch.Name = "" // the platform gave no name: the channel is known by id
			}
		}
		if ch.ID == "" {
			found, err := inv.r.Users.FindChannel(ctx, inv.Workspace, ch.Name)
			if bot.ErrorCode(err) == bot.ENOTFOUND {
				return bot.Reply{}, bot.Errorf(bot.EINVALID, "I can't find channel %s, or I am not in it. Invite me there first.", inv.r.channelName(ch.Name))
			} else if err != nil {
				return bot.Reply{}, err
			}
			ch.ID, ch.Name = found.ID, found.Name
		}
		if err := inv.joinChannel(ctx, bot.Channel{ID: ch.ID, Name: ch.Name}); err != nil {
			return bot.Reply{}, err
		}
		r.Channel, r.ChannelName = ch.ID, ch.Name
	}
	if q.TZ != nil {
		r.TZ = *q.TZ
	}
	if q.Day != nil {
		r.DigestDay = *q.Day
	}
	if q.Hour != nil {
		r.DigestHour = *q.Hour
	}
	if q.Coverage != nil {
		r.CoverageWeeks = *q.Coverage
	}
	if err := inv.r.Store.UpsertRegion(ctx, r); err != nil {
		return bot.Reply{}, err
	}
	return bot.Message("Saved. " + inv.describeRegion(r, inv.now)), nil
}

func (inv *invocation) digestStates(ctx context.Context, q DigestStates) (bot.Reply, error) {
	if q.State != "" {
		if err := inv.requireAdmin(ctx, "change the state-to-region table"); err != nil {
			return bot.Reply{}, err
		}
		st, _ := bot.LookupState(q.State)
		to := q.To
		if to == st.Region {
			to = 0 // back to the built-in mapping
		}
		if err := inv.r.Store.SetStateRegion(ctx, inv.Workspace, st.Name, to); err != nil {
			return bot.Reply{}, err
		}
		return bot.Message(fmt.Sprintf("%s now belongs to region %d.", st.Name, q.To)), nil
	}
	overrides, err := inv.r.Store.StateRegions(ctx, inv.Workspace)
	if err != nil {
		return bot.Reply{}, err
	}
	var blocks []bot.Block
	for n := 1; n <= 10; n++ {
		if q.Region != nil && *q.Region != n {
			continue
		}
		blocks = append(blocks, bot.Block{Text: fmt.Sprintf("Region %d: %s", n, strings.Join(bot.StatesOf(n, overrides), ", "))})
	}
	text := "States and territories by region"
	if len(overrides) > 0 {
		text += fmt.Sprintf(" (%d changed from the built-in table)", len(overrides))
	}
	return bot.Reply{Text: text + ":", Blocks: blocks}, nil
}
