// Package storetest is the contract every getback store is held to: one
// suite of behaviour tests that storage/sqlite and storage/postgres both
// run, each test on a fresh, empty store and a pinned clock.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/bot/clocktest"
)

// Store is what the suite exercises: every bot service, plus what the
// command and the adapters use of a store.
type Store interface {
	bot.Store
	// FirstSeen records a delivery key and reports whether it is new.
	FirstSeen(ctx context.Context, key string) (bool, error)
	Ping(ctx context.Context) error
	Close() error
}

// Opener opens a fresh, empty store for one test, reading now for every
// instant it records. It closes the store when the test ends.
type Opener func(t testing.TB, now func() time.Time) Store

// Start is the instant every test's clock is pinned to.
var Start = time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)

// handle is a store under test and the clock it runs on.
type handle struct {
	Store
	clock *clocktest.Clock
}

// Now is the store's clock.
func (h handle) Now() time.Time { return h.clock.Now() }

type opener func(t testing.TB) handle

// Run runs the whole contract against the stores open makes, each test in
// parallel with the others on a store of its own.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, opener)
	}{
		{"CreateMeetingWithGetbacksAndAudit", testCreateMeetingWithGetbacksAndAudit},
		{"CreateMeetingRollsBackOnBadGetback", testCreateMeetingRollsBackOnBadGetback},
		{"UpdateAndDeleteMeeting", testUpdateAndDeleteMeeting},
		{"Search", testSearch},
		{"SearchIgnoresAccents", testSearchIgnoresAccents},
		{"MeetingFilters", testMeetingFilters},
		{"MultiStateMeetingsBelongToEveryRegion", testMultiStateMeetingsBelongToEveryRegion},
		{"ConstraintErrorsMapped", testConstraintErrorsMapped},
		{"GetbackFiltersAndOrder", testGetbackFiltersAndOrder},
		{"GetbackStatusChanges", testGetbackStatusChanges},
		{"GetbackNumbersAreUniqueUnderConcurrentAdds", testGetbackNumbersAreUniqueUnderConcurrentAdds},
		{"OwnerMappings", testOwnerMappings},
		{"GetbackRegionFollowsMeeting", testGetbackRegionFollowsMeeting},
		{"Outbox", testOutbox},
		{"FirstSeen", testFirstSeen},
		{"OutboxClaimsHoldTargetsForOneSender", testOutboxClaimsHoldTargetsForOneSender},
		{"ConcurrentClaimsNeverShareAnItem", testConcurrentClaimsNeverShareAnItem},
		{"OutboxClaimsServeEveryTargetInTurn", testOutboxClaimsServeEveryTargetInTurn},
		{"CheckpointClaimsLetOneReplicaPlan", testCheckpointClaimsLetOneReplicaPlan},
		{"NoticesCommitWithTheirChange", testNoticesCommitWithTheirChange},
		{"PeopleAndRegions", testPeopleAndRegions},
		{"GetbackTrendCountsEachWeek", testGetbackTrendCountsEachWeek},
		{"GetbackTrendRefusesAPeriodThatEndsBeforeItBegins", testGetbackTrendRefusesAPeriodThatEndsBeforeItBegins},
		{"ConcurrentReadersAndWriters", testConcurrentReadersAndWriters},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, func(t testing.TB) handle {
				t.Helper()
				clk := clocktest.New(Start)
				return handle{Store: open(t, clk.Now), clock: clk}
			})
		})
	}
}

const ws = "console"

func ctxAs(user string) context.Context {
	return bot.WithActor(context.Background(), bot.Actor{Workspace: ws, UserID: user})
}
