package storetest

import (
	"context"
	"sync"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// testGetbackNumbersAreUniqueUnderConcurrentAdds: items added to one
// meeting at the same time, as from several replicas, in chat, by an edit
// of the meeting or by an import, get the numbers 1..n, each once.
func testGetbackNumbersAreUniqueUnderConcurrentAdds(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	m := meeting("Nevada", 9, bot.Date{Year: 2026, Month: 11, Day: 20})
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	const n = 24
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			g := &bot.Getback{Workspace: ws, MeetingID: m.ID, Text: "item", Owner: "bob", OwnerKind: bot.OwnerUser,
				Status: bot.StatusOpen}
			if im, ok := db.Store.(interface {
				ApplyImport(context.Context, string, *bot.ImportBatch) error
			}); ok && i%3 == 2 { // a third through an import batch, where the store imports
				errs <- im.ApplyImport(ctx, ws, &bot.ImportBatch{NewGetbacks: []*bot.Getback{g}})
				return
			}
			if i%2 == 1 { // through an edit of the meeting
				_, err := db.UpdateMeeting(ctx, ws, m.ID, bot.MeetingUpdate{AddGetbacks: []*bot.Getback{g}})
				errs <- err
				return
			}
			errs <- db.CreateGetback(ctx, g)
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	mid := m.ID
	gbs, total, err := db.FindGetbacks(ctx, bot.GetbackFilter{Workspace: ws, MeetingID: &mid})
	if err != nil || total != n {
		t.Fatalf("%d getbacks, %v; want %d", total, err, n)
	}
	seen := map[int]bool{}
	for _, g := range gbs {
		if g.Number < 1 || g.Number > n || seen[g.Number] {
			t.Fatalf("number %d given twice or out of 1..%d", g.Number, n)
		}
		seen[g.Number] = true
	}
}
