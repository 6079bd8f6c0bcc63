package commands_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// TestConcurrentAddsToOneMeetingGetDistinctNumbers: twenty /getback add
// meeting:1 at once number the items 2 to 21 after the meeting's own
// GETBACK (1), each number once.
func TestConcurrentAddsToOneMeetingGetDistinctNumbers(t *testing.T) {
	e := newEnv(t)
	e.ok("UANA", "/meeting", `add state:Nevada date:2026-11-20 followup:"GETBACK (1): send the contact list. RD FORAC."`)
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Go(func() {
			r := e.runner.Run(context.Background(), e.call("UANA", "/getback", fmt.Sprintf(`add @bob "item %d" meeting:1`, i)))
			if r.Error {
				errs <- fmt.Errorf("add %d: %s", i, r.Text)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	mid := int64(1)
	gbs, _, err := e.db.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: ws, MeetingID: &mid})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]int64{}
	for _, g := range gbs {
		if other, dup := seen[g.Number]; dup {
			t.Errorf("GETBACK (%d) given to #%d and #%d", g.Number, other, g.ID)
		}
		seen[g.Number] = g.ID
	}
	if len(gbs) != n+1 {
		t.Fatalf("%d items, want %d", len(gbs), n+1)
	}
	for k := 1; k <= n+1; k++ {
		if _, ok := seen[k]; !ok {
			t.Errorf("no item numbered %d: %v", k, seen)
		}
	}
}
