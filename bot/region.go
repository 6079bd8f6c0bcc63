package bot

import (
	"context"
	"fmt"
	"time"
)

// LeadershipRegion is the pseudo-region number under which the cross-region
// leadership roll-up is configured.
const LeadershipRegion = 0

// Defaults for a region's digest.
const (
	DefaultDigestDay     = time.Monday
	DefaultDigestHour    = 9
	DefaultCoverageWeeks = 4
)

// Region is a region's digest configuration in one workspace.
type Region struct {
	Workspace string
	Number    int    // 1-10, or LeadershipRegion for the roll-up
	Name      string // e.g. "Region 9"
	// Channel is the platform channel id digests go to; ChannelName is how
	// users wrote it (#region-9), for display.
	Channel     string
	ChannelName string
	TZ          string // IANA zone digests are scheduled in
	DigestDay   time.Weekday
	DigestHour  int
	// CoverageWeeks: states with no meeting in this many weeks are listed as
	// coverage gaps.
	CoverageWeeks int
	UpdatedAt     time.Time
}

// NewRegion returns region n with default settings and no channel.
func NewRegion(ws string, n int) *Region {
	return &Region{Workspace: ws, Number: n, Name: RegionName(n), TZ: "UTC",
		DigestDay: DefaultDigestDay, DigestHour: DefaultDigestHour, CoverageWeeks: DefaultCoverageWeeks}
}

// RegionName returns "Region 9", or "Leadership" for the roll-up.
func RegionName(n int) string {
	if n == LeadershipRegion {
		return "Leadership"
	}
	return fmt.Sprintf("Region %d", n)
}

// Location returns the region's time zone, UTC when unset or invalid.
func (r *Region) Location() *time.Location { return LoadLocation(r.TZ) }

// Validate returns an EINVALID error naming each field that is wrong.
func (r *Region) Validate() error {
	fe := FieldErrors{}
	if r.Workspace == "" {
		fe.Add("workspace", "required")
	}
	if r.Number != LeadershipRegion && !ValidRegion(r.Number) {
		fe.Add("region", "region must be 1-10 or leadership, not %d", r.Number)
	}
	if _, err := time.LoadLocation(r.TZ); err != nil || r.TZ == "" {
		fe.Add("tz", "unknown time zone %q (use an IANA name such as Pacific/Honolulu)", r.TZ)
	}
	if r.DigestDay < time.Sunday || r.DigestDay > time.Saturday {
		fe.Add("day", "not a weekday")
	}
	if r.DigestHour < 0 || r.DigestHour > 23 {
		fe.Add("hour", "hour must be 0-23, not %d", r.DigestHour)
	}
	if r.CoverageWeeks < 1 || r.CoverageWeeks > 52 {
		fe.Add("coverage", "coverage weeks must be 1-52")
	}
	return fe.Err()
}

// RegionService stores region configuration and the workspace's
// state-to-region table.
type RegionService interface {
	// FindRegion returns ENOTFOUND when region n is not configured in ws.
	FindRegion(ctx context.Context, ws string, n int) (*Region, error)
	// FindRegions returns configured regions, of every workspace when ws is "".
	FindRegions(ctx context.Context, ws string) ([]*Region, error)
	// UpsertRegion creates or replaces r.
	UpsertRegion(ctx context.Context, r *Region) error
	// SetStateRegion overrides the built-in region of a state in ws;
	// region 0 removes the override.
	SetStateRegion(ctx context.Context, ws, state string, region int) error
	// StateRegions returns the workspace's overrides, state name -> region.
	StateRegions(ctx context.Context, ws string) (map[string]int, error)
}

// RegionOf returns the region of a canonical state name, taking overrides
// into account; 0 when unknown.
func RegionOf(state string, overrides map[string]int) int {
	if n, ok := overrides[state]; ok {
		return n
	}
	if st, ok := LookupState(state); ok {
		return st.Region
	}
	return 0
}

// OtherRegions returns the regions of a meeting's states other than its
// own region, in the order of the states, each once: the regions a
// multi-state meeting also belongs to.
func OtherRegions(region int, states []string, overrides map[string]int) []int {
	var out []int
	seen := map[int]bool{region: true, 0: true}
	for _, s := range states {
		if n := RegionOf(s, overrides); !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out
}

// StatesOf returns the states of region n under the overrides, sorted.
func StatesOf(n int, overrides map[string]int) []string {
	var out []string
	for _, name := range StateNames() {
		if RegionOf(name, overrides) == n {
			out = append(out, name)
		}
	}
	return out
}
