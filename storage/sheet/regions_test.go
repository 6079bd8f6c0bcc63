package sheet

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// TestMultiRegionMeetingsAreExportedOnceUnderTheirOwnRegion: an imported
// row about Pennsylvania and New York belongs to regions 3 and 2, yet the
// legacy export keeps it once, in region 3's section.
func TestMultiRegionMeetingsAreExportedOnceUnderTheirOwnRegion(t *testing.T) {
	db := openDB(t)
	ctx := bot.WithActor(context.Background(), bot.Actor{Workspace: ws, UserID: "import"})
	m := &bot.Meeting{Workspace: ws, Region: 3, States: []string{"Pennsylvania", "New York"},
		Date: bot.Date{Year: 2017, Month: 10, Day: 11}, Location: "Harrisburg", Discussion: "joint tabletop"}
	if err := db.CreateMeeting(ctx, m); err != nil {
		t.Fatal(err)
	}
	two := 2
	if ms, _, _ := db.FindMeetings(ctx, bot.MeetingFilter{Workspace: ws, Region: &two}); len(ms) != 1 {
		t.Fatalf("the meeting is not in region 2: %d", len(ms))
	}
	var buf bytes.Buffer
	if err := (&Exporter{Store: db}).Export(ctx, ExportOptions{Workspace: ws, Format: FormatMarkdown}, &buf); err != nil {
		t.Fatal(err)
	}
	md := buf.String()
	if n := strings.Count(md, "joint tabletop"); n != 1 {
		t.Fatalf("exported %d times:\n%s", n, md)
	}
	if i, j := strings.Index(md, "## Region 3"), strings.Index(md, "joint tabletop"); i < 0 || j < i {
		t.Fatalf("not under Region 3:\n%s", md)
	}
	// Exporting region 2 alone includes it: it belongs there too.
	buf.Reset()
	if err := (&Exporter{Store: db}).Export(ctx, ExportOptions{Workspace: ws, Format: FormatMarkdown, Region: &two}, &buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "joint tabletop") {
		t.Fatalf("region 2's export leaves it out:\n%s", buf.String())
	}
}
