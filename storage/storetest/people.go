package storetest

import (
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

func testPeopleAndRegions(t *testing.T, open opener) {
	db := open(t)
	ctx := ctxAs("ana")
	p := bot.NewPerson(ws, "ana", "Ana", "Pacific/Guam")
	if err := db.UpsertPerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	// An unchanged upsert writes nothing.
	if err := db.UpsertPerson(ctx, bot.NewPerson(ws, "ana", "Ana", "Pacific/Guam")); err != nil {
		t.Fatal(err)
	}
	p.RemindHour, p.RemindMinute = 8, 30
	if err := db.UpsertPerson(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindPerson(ctx, ws, "ana")
	if err != nil || got.RemindAt() != "08:30" || got.WorkDays != bot.DefaultWorkDays || got.Location().String() != "Pacific/Guam" {
		t.Fatalf("person: %+v %v", got, err)
	}
	ent := "person"
	if a, _ := db.FindAudit(ctx, bot.AuditFilter{Workspace: ws, Entity: &ent}); len(a) != 2 {
		t.Fatalf("person audit: %d entries, want 2 (create, one real change)", len(a))
	}
	bad := bot.NewPerson(ws, "bob", "Bob", "Mars/Olympus")
	if err := db.UpsertPerson(ctx, bad); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("bad tz: %v", err)
	}
	if _, err := db.FindPerson(ctx, ws, "bob"); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatal("invalid person stored")
	}
	if err := db.UpsertPerson(ctx, bot.NewPerson("slack:T1", "U1", "U", "")); err != nil {
		t.Fatal(err)
	}
	all, _ := db.FindPeople(ctx, "")
	mine, _ := db.FindPeople(ctx, ws)
	if len(all) != 2 || len(mine) != 1 {
		t.Fatalf("people: all %d, console %d", len(all), len(mine))
	}
	// By id: only the known ones of this workspace, in one call.
	some, err := db.FindPeopleByID(ctx, ws, []string{"ana", "U1", "nobody", "ana"})
	if err != nil || len(some) != 1 || some[0].UserID != "ana" || some[0].Name != "Ana" {
		t.Fatalf("by id: %+v %v", some, err)
	}
	if none, err := db.FindPeopleByID(ctx, ws, nil); err != nil || len(none) != 0 {
		t.Fatalf("no ids: %v %v", none, err)
	}

	r := bot.NewRegion(ws, 9)
	r.Channel, r.ChannelName, r.TZ, r.DigestDay, r.DigestHour = "C9", "region-9", "Pacific/Honolulu", time.Friday, 16
	if err := db.UpsertRegion(ctx, r); err != nil {
		t.Fatal(err)
	}
	gr, err := db.FindRegion(ctx, ws, 9)
	if err != nil || gr.Channel != "C9" || gr.DigestDay != time.Friday || gr.DigestHour != 16 || gr.TZ != "Pacific/Honolulu" {
		t.Fatalf("region: %+v %v", gr, err)
	}
	if _, err := db.FindRegion(ctx, ws, 3); bot.ErrorCode(err) != bot.ENOTFOUND {
		t.Fatalf("unconfigured region: %v", err)
	}
	lead := bot.NewRegion(ws, bot.LeadershipRegion)
	if err := db.UpsertRegion(ctx, lead); err != nil {
		t.Fatalf("leadership pseudo-region: %v", err)
	}
	if err := db.UpsertRegion(ctx, &bot.Region{Workspace: ws, Number: 11, TZ: "UTC", CoverageWeeks: 4}); bot.ErrorCode(err) != bot.EINVALID {
		t.Fatalf("region 11: %v", err)
	}
	if err := db.SetStateRegion(ctx, ws, "gu", 10); err != nil {
		t.Fatal(err)
	}
	ov, _ := db.StateRegions(ctx, ws)
	if ov["Guam"] != 10 || len(ov) != 1 {
		t.Fatalf("overrides keyed by canonical name: %v", ov)
	}
	if err := db.SetStateRegion(ctx, ws, "Guam", 0); err != nil {
		t.Fatal(err)
	}
	if ov, _ := db.StateRegions(ctx, ws); len(ov) != 0 {
		t.Fatalf("override not removed: %v", ov)
	}
}
