package commands

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/getbackhq/getback/bot"
)

// region returns the stored configuration of region n, or defaults.
func (cl *call) region(ctx context.Context, n int) (*bot.Region, error) {
	r, err := cl.r.Store.FindRegion(ctx, cl.Workspace, n)
	if bot.ErrorCode(err) == bot.ENOTFOUND {
		return bot.NewRegion(cl.Workspace, n), nil
	}
	return r, err
}

// digestRegion picks the region a digest command is about: the one named,
// or the one whose digest channel the command was typed in.
func (cl *call) digestRegion(ctx context.Context, n *int, cmd string) (*bot.Region, error) {
	if n != nil {
		return cl.region(ctx, *n)
	}
	rs, err := cl.r.Store.FindRegions(ctx, cl.Workspace)
	if err != nil {
		return nil, err
	}
	for _, r := range rs {
		if r.Channel != "" && r.Channel == cl.Channel {
			return r, nil
		}
	}
	return nil, bot.Errorf(bot.EINVALID, "Which region? e.g. /digest %s region:9.", cmd)
}

func (cl *call) digests() (*bot.Digests, error) {
	if cl.r.Digests == nil {
		return nil, bot.Errorf(bot.EUNAVAILABLE, "Digests are not set up on this getback server.")
	}
	return cl.r.Digests, nil
}

func (cl *call) digestPreview(ctx context.Context, q DigestPreview) (bot.Reply, error) {
	d, err := cl.digests()
	if err != nil {
		return bot.Reply{}, err
	}
	r, err := cl.digestRegion(ctx, q.Region, "preview")
	if err != nil {
		return bot.Reply{}, err
	}
	today := bot.DateOf(cl.now.In(r.Location()))
	week := bot.CoveredWeek(today)
	if q.Week != nil {
		week = q.Week.WeekStart()
	}
	rep, err := d.Digest(ctx, r, week, today)
	if err != nil {
		return bot.Reply{}, err
	}
	rep.Visibility = bot.Ephemeral
	rep.Text = "Preview (only you see this): " + rep.Text
	return rep, nil
}

func (cl *call) digestPost(ctx context.Context, q DigestPost) (bot.Reply, error) {
	if err := cl.requireAdmin(ctx, "post digests"); err != nil {
		return bot.Reply{}, err
	}
	d, err := cl.digests()
	if err != nil {
		return bot.Reply{}, err
	}
	if cl.r.Outbox == nil {
		return bot.Reply{}, bot.Errorf(bot.EUNAVAILABLE, "Posting is not set up on this getback server.")
	}
	r, err := cl.r.Store.FindRegion(ctx, cl.Workspace, q.Region)
	if err != nil || r.Channel == "" {
		if err == nil || bot.ErrorCode(err) == bot.ENOTFOUND {
			return bot.Reply{}, bot.Errorf(bot.EINVALID, "%s has no digest channel: /digest config region:%d channel:%s first.",
				bot.RegionName(q.Region), q.Region, cl.r.channelName(fmt.Sprintf("region-%d", q.Region)))
		}
		return bot.Reply{}, err
	}
	today := bot.DateOf(cl.now.In(r.Location()))
	week := bot.CoveredWeek(today)
	if q.Week != nil {
		week = q.Week.WeekStart()
	}
	rep, err := d.Digest(ctx, r, week, today)
	if err != nil {
		return bot.Reply{}, err
	}
	item := &bot.OutboxItem{Key: bot.DigestKey(r, week), Reply: rep,
		Target: bot.Target{Workspace: cl.Workspace, Channel: r.Channel}, NextAttempt: cl.now}
	created, err := cl.r.Outbox.Enqueue(ctx, item)
	if err != nil {
		return bot.Reply{}, err
	}
	if !created {
		return bot.Reply{}, bot.Errorf(bot.ECONFLICT, "The %s digest for %s was already posted (or is on its way).", r.Name, week.ISOWeek())
	}
	return bot.Message(fmt.Sprintf("Posting the %s digest for %s to %s.", r.Name, week.ISOWeek(), cl.channelLabel(r))), nil
}

// channelLabel names a region's digest channel the platform's way.
func (cl *call) channelLabel(r *bot.Region) string {
	switch {
	case r.ChannelName != "":
		return cl.r.channelName(r.ChannelName)
	case r.Channel != "":
		return r.Channel
	}
	return "no channel"
}

func (cl *call) describeRegion(r *bot.Region, now time.Time) string {
	s := fmt.Sprintf("%s: %s, %ss at %02d:00 %s; coverage window %s.", r.Name, cl.channelLabel(r), r.DigestDay, r.DigestHour, r.TZ,
		plural(r.CoverageWeeks, "week", "weeks"))
	if r.Channel != "" {
		due := bot.NextDigestDue(r, now)
		s += fmt.Sprintf(" Next: %s (covers %s).", due.Format("Mon 2006-01-02 15:04 MST"), bot.CoveredWeek(bot.DateOf(due)).ISOWeek())
	}
	return s
}

func (cl *call) digestConfig(ctx context.Context, q DigestConfig) (bot.Reply, error) {
	if q.Region == nil {
		rs, err := cl.r.Store.FindRegions(ctx, cl.Workspace)
		if err != nil {
			return bot.Reply{}, err
		}
		if len(rs) == 0 {
			return bot.Message("No region digests are configured. An admin can add one: " + cl.r.styled(usages["digest config"])), nil
		}
		var lines []string
		for _, r := range rs {
			lines = append(lines, cl.describeRegion(r, cl.now))
		}
		return bot.Reply{Text: "Digest configuration:", Blocks: []bot.Block{{Text: strings.Join(lines, "\n")}}}, nil
	}
	r, err := cl.region(ctx, *q.Region)
	if err != nil {
		return bot.Reply{}, err
	}
	if q.Channel == nil && q.TZ == nil && q.Day == nil && q.Hour == nil && q.Coverage == nil {
		return bot.Message(cl.describeRegion(r, cl.now)), nil
	}
	if err := cl.requireAdmin(ctx, "configure digests"); err != nil {
		return bot.Reply{}, err
	}
	if q.Channel != nil {
		ch := *q.Channel
		if id := cl.Channels[ch.Name]; ch.ID == "" && id != "" {
			ch.ID = id
			if ch.Name == id {
				ch.Name = "" // the platform gave no name: the channel is known by id
			}
		}
		if ch.ID == "" {
			found, err := cl.r.Users.FindChannel(ctx, cl.Workspace, ch.Name)
			if bot.ErrorCode(err) == bot.ENOTFOUND {
				return bot.Reply{}, bot.Errorf(bot.EINVALID, "I can't find channel %s, or I am not in it. Invite me there first.", cl.r.channelName(ch.Name))
			} else if err != nil {
				return bot.Reply{}, err
			}
			ch.ID, ch.Name = found.ID, found.Name
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
	if err := cl.r.Store.UpsertRegion(ctx, r); err != nil {
		return bot.Reply{}, err
	}
	return bot.Message("Saved. " + cl.describeRegion(r, cl.now)), nil
}

func (cl *call) digestStates(ctx context.Context, q DigestStates) (bot.Reply, error) {
	if q.State != "" {
		if err := cl.requireAdmin(ctx, "change the state-to-region table"); err != nil {
			return bot.Reply{}, err
		}
		st, _ := bot.LookupState(q.State)
		to := q.To
		if to == st.Region {
			to = 0 // back to the built-in mapping
		}
		if err := cl.r.Store.SetStateRegion(ctx, cl.Workspace, st.Name, to); err != nil {
			return bot.Reply{}, err
		}
		return bot.Message(fmt.Sprintf("%s now belongs to region %d.", st.Name, q.To)), nil
	}
	overrides, err := cl.r.Store.StateRegions(ctx, cl.Workspace)
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
