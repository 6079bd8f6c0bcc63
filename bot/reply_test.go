package bot

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitKeepsEverythingInOrder(t *testing.T) {
	var r Reply
	r.Text, r.View = "Digest", ViewReminder
	r.Images = []Image{{Name: "map.png", Alt: "map", PNG: []byte{1}}, {Name: "trend.png", Alt: "trend", PNG: []byte{2}}}
	for i := 0; i < 120; i++ {
		r.Blocks = append(r.Blocks, Block{Heading: fmt.Sprintf("h%d", i), Text: strings.Repeat("x", 200)})
	}
	lim := MessageLimits{MaxBlocks: 50, MaxChars: 12000, MaxBlockChars: 3000}
	parts := r.Split(lim)
	if len(parts) < 3 {
		t.Fatalf("%d parts; 120 blocks of ~200 chars need at least 3 messages", len(parts))
	}
	var seen []string
	for i, p := range parts {
		if len(p.Blocks) > lim.MaxBlocks {
			t.Errorf("part %d has %d blocks", i, len(p.Blocks))
		}
		size := 0
		for _, b := range p.Blocks {
			size += b.size()
			seen = append(seen, b.Heading)
		}
		if size > lim.MaxChars {
			t.Errorf("part %d has %d characters", i, size)
		}
		if i > 0 && !strings.HasSuffix(p.Text, "(continued)") {
			t.Errorf("part %d text %q", i, p.Text)
		}
		if p.View != ViewReminder {
			t.Errorf("part %d lost the view: buttons would not re-render it", i)
		}
		if want := map[bool]int{true: 2, false: 0}[i == 0]; len(p.Images) != want {
			t.Errorf("part %d carries %d images, want %d (the pictures go once, with the first)", i, len(p.Images), want)
		}
	}
	for i, h := range seen {
		if h != fmt.Sprintf("h%d", i) {
			t.Fatalf("block %d is %q: order or content lost", i, h)
		}
	}
}

func TestSplitLongBlockText(t *testing.T) {
	long := strings.Repeat("word ", 2000) // 10,000 characters
	r := Reply{Blocks: []Block{{Heading: "H", Text: long, Note: "n", Buttons: []Button{{Action: ActionDone, Label: "Done", Value: "1"}}}}}
	parts := r.Split(MessageLimits{MaxBlockChars: 3000})
	if len(parts) != 1 {
		t.Fatalf("no block or char limit: want one message, got %d", len(parts))
	}
	blocks := parts[0].Blocks
	if len(blocks) != 4 {
		t.Fatalf("10,000 characters at 3,000 a block: want 4 blocks, got %d", len(blocks))
	}
	var joined []string
	for _, b := range blocks {
		if n := utf8.RuneCountInString(b.Text); n > 3000 {
			t.Errorf("block of %d characters", n)
		}
		joined = append(joined, b.Text)
	}
	if strings.Join(strings.Fields(strings.Join(joined, " ")), " ") != strings.TrimSpace(long) {
		t.Error("text lost or reordered by splitting")
	}
	if blocks[0].Heading != "H" || blocks[3].Note != "n" || len(blocks[3].Buttons) != 1 {
		t.Error("heading must stay first and buttons/note last")
	}
}

func TestSplitTextPrefersLineBreaks(t *testing.T) {
	got := SplitText("aaaa\nbbbb\ncccc", 10)
	if len(got) != 2 || got[0] != "aaaa\nbbbb" || got[1] != "cccc" {
		t.Fatalf("SplitText = %q", got)
	}
	if got := SplitText(strings.Repeat("é", 25), 10); len(got) != 3 || utf8.RuneCountInString(got[0]) != 10 {
		t.Fatalf("unbroken text must be cut by runes: %q", got)
	}
}

func TestMeetingValidate(t *testing.T) {
	m := &Meeting{Workspace: "w", Region: 18, DateStatus: "Soon", Discussion: strings.Repeat("a", MaxTextLen+1)}
	err := m.Validate()
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		t.Fatalf("Validate = %v, want EINVALID", err)
	}
	for _, field := range []string{"region", "state", "date", "discussion"} {
		if e.Fields[field] == "" {
			t.Errorf("no message for field %q in %v", field, e.Fields)
		}
	}
	if !strings.Contains(e.Fields["region"], "18") {
		t.Errorf("region message %q does not name the bad value", e.Fields["region"])
	}
	ok2 := &Meeting{Workspace: "w", Region: 9, States: []string{"Nevada"}, DateStatus: DatePending}
	if err := ok2.Validate(); err != nil {
		t.Fatalf("valid meeting: %v", err)
	}
}

func TestGetbackValidate(t *testing.T) {
	g := &Getback{Workspace: "w", OwnerKind: "robot", Status: "maybe"}
	var e *Error
	if !errors.As(g.Validate(), &e) {
		t.Fatal("invalid getback accepted")
	}
	for _, f := range []string{"text", "owner", "status"} {
		if e.Fields[f] == "" {
			t.Errorf("no message for %q: %v", f, e.Fields)
		}
	}
}

func TestPermissions(t *testing.T) {
	m := &Meeting{CreatedBy: "ana"}
	if !CanEditMeeting(Actor{UserID: "ana"}, m) || CanEditMeeting(Actor{UserID: "bob"}, m) || !CanEditMeeting(Actor{UserID: "bob", Admin: true}, m) {
		t.Error("meeting: creator or admin only")
	}
	g := &Getback{Owner: "ITF", OwnerKind: OwnerLabel, AssignedBy: "ana"}
	cases := []struct {
		a      Actor
		labels []string
		want   bool
	}{
		{Actor{UserID: "ana"}, nil, true},             // assigner
		{Actor{UserID: "bob"}, []string{"ITF"}, true}, // label mapped to bob
		{Actor{UserID: "bob"}, []string{"RD"}, false},
		{Actor{UserID: "cat"}, nil, false},
		{Actor{UserID: "cat", Admin: true}, nil, true},
		{Actor{}, nil, false},
	}
	for i, c := range cases {
		if got := CanChangeGetback(c.a, g, c.labels); got != c.want {
			t.Errorf("case %d: CanChangeGetback = %v, want %v", i, got, c.want)
		}
	}
	owned := &Getback{Owner: "bob", OwnerKind: OwnerUser}
	if !CanChangeGetback(Actor{UserID: "bob"}, owned, nil) || CanChangeGetback(Actor{UserID: "eve"}, owned, []string{"bob"}) {
		t.Error("user-owned item: a label named like the owner must not grant access")
	}
}

func TestWeekdaySet(t *testing.T) {
	s, err := ParseWeekdaySet("mon-fri")
	if err != nil || s != DefaultWorkDays || s.String() != "mon,tue,wed,thu,fri" {
		t.Fatalf("mon-fri = %v %q %v", s, s, err)
	}
	s, err = ParseWeekdaySet("fri-mon")
	if err != nil || s.String() != "mon,fri,sat,sun" {
		t.Fatalf("fri-mon wraps over the weekend: %q %v", s, err)
	}
	if _, err := ParseWeekdaySet("funday"); err == nil {
		t.Fatal("bad weekday accepted")
	}
}

func TestErrorFieldsSeesThroughWrapping(t *testing.T) {
	fe := FieldErrors{}
	fe.Add("state", "a state is required")
	if got := ErrorFields(fmt.Errorf("submit: %w", fe.Err())); got["state"] != "a state is required" {
		t.Fatalf("ErrorFields of a wrapped field error = %v", got)
	}
	for _, err := range []error{nil, Errorf(EINVALID, "no fields"), fmt.Errorf("plain")} {
		if got := ErrorFields(err); got != nil {
			t.Errorf("ErrorFields(%v) = %v, want nil", err, got)
		}
	}
}
