package bot

import (
	"reflect"
	"testing"
	"time"
)

func TestExtractGetbacks(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []ExtractedItem
		rest string
	}{
		{
			name: "design example",
			in:   "Team will visit in spring. GETBACK (1): Send the tabletop schedule to the SoS office. RD FORAC. GETBACK (2) Share the phishing assessment offer. CS FORAC. GETBACK: Confirm fusion center contact. ITF FORAC.",
			want: []ExtractedItem{
				{Number: 1, Text: "Send the tabletop schedule to the SoS office", Owner: "RD"},
				{Number: 2, Text: "Share the phishing assessment offer", Owner: "CS"},
				{Number: 0, Text: "Confirm fusion center contact", Owner: "ITF"},
			},
			rest: "Team will visit in spring.",
		},
		{
			name: "issue example",
			in:   "GETBACK (1): send the contact list. RD FORAC.",
			want: []ExtractedItem{{Number: 1, Text: "send the contact list", Owner: "RD"}},
		},
		{
			name: "unnumbered without colon",
			in:   "GETBACK share the guide ITF FORAC",
			want: []ExtractedItem{{Number: 0, Text: "share the guide", Owner: "ITF"}},
		},
		{
			name: "no owner runs to the next marker",
			in:   "GETBACK (1): call the clerk. GETBACK (2): email the CIO. CS FORAC.",
			want: []ExtractedItem{{Number: 1, Text: "call the clerk", Owner: ""}, {Number: 2, Text: "email the CIO", Owner: "CS"}},
		},
		{
			name: "OCR noise: l for 1, zero for O, space in marker",
			in:   "GETBACK (l): send slides. RD F0RAC. GET BACK (2) - schedule call. CS FOR AC. GETBACK 3: follow up. PSA FORACTION.",
			want: []ExtractedItem{{Number: 1, Text: "send slides", Owner: "RD"}, {Number: 2, Text: "schedule call", Owner: "CS"}, {Number: 3, Text: "follow up", Owner: "PSA"}},
		},
		{
			name: "number with hash and owner in parentheses",
			in:   "GETBACK #4: send the MOU (RD) FORAC.",
			want: []ExtractedItem{{Number: 4, Text: "send the MOU", Owner: "RD"}},
		},
		{
			name: "user owner",
			in:   "GETBACK (1): send the list @ana FORAC.",
			want: []ExtractedItem{{Number: 1, Text: "send the list", Owner: "@ana"}},
		},
		{
			name: "text after the owner stays in the rest",
			in:   "GETBACK (1): send list. RD FORAC. Next call in May.",
			want: []ExtractedItem{{Number: 1, Text: "send list", Owner: "RD"}},
			rest: "Next call in May.",
		},
		{
			name: "plain prose is not an item",
			in:   "We will get back to them next week. Will continue engagement.",
			want: nil,
			rest: "We will get back to them next week. Will continue engagement.",
		},
		{
			name: "lower case marker and owner",
			in:   "getback (2): call back the county. itf forac.",
			want: []ExtractedItem{{Number: 2, Text: "call back the county", Owner: "ITF"}},
		},
		{
			name: "mixed case owner labels are one upper-case label",
			in:   "Getback: send slides. Itf ForAc. GETBACK (3): call. rd FORAC.",
			want: []ExtractedItem{{Number: 0, Text: "send slides", Owner: "ITF"}, {Number: 3, Text: "call", Owner: "RD"}},
		},
		{
			name: "the word getback in prose starts nothing",
			in:   "Two getbacks came up; see the getback list.",
			want: nil,
			rest: "Two getbacks came up; see the getback list.",
		},
		{
			name: "lower case marker with an owner but no colon",
			in:   "getback share the guide itf forac",
			want: []ExtractedItem{{Number: 0, Text: "share the guide", Owner: "ITF"}},
		},
		{
			name: "two owners give one item each",
			in:   "GETBACK (1): brief the SoS. ITF/RD FORAC.",
			want: []ExtractedItem{{Number: 1, Text: "brief the SoS", Owner: "ITF"}, {Number: 1, Text: "brief the SoS", Owner: "RD", CoOwner: true}},
		},
		{
			name: "owners joined by plus or ampersand, a user among them",
			in:   "GETBACK: plan the drill. cs+@ana FORAC. GETBACK: review. RD&RD FORAC.",
			want: []ExtractedItem{{Text: "plan the drill", Owner: "CS"}, {Text: "plan the drill", Owner: "@ana", CoOwner: true},
				{Text: "review", Owner: "RD"}},
		},
		{
			name: "N/A is one label, not two",
			in:   "GETBACK: check. N/A FORAC.",
			want: []ExtractedItem{{Text: "check", Owner: "N/A"}},
		},
		{
			name: "inline due dates",
			in:   "GETBACK (1): send the list by Friday. RD FORAC. GETBACK (2): call the clerk, due 12/5. CS FORAC. GETBACK (3): draft by phone, due by Dec 5, 2026. ITF FORAC. GETBACK (4): go by car. PSA FORAC.",
			want: []ExtractedItem{
				{Number: 1, Text: "send the list by Friday", Owner: "RD", Due: "Friday"},
				{Number: 2, Text: "call the clerk, due 12/5", Owner: "CS", Due: "12/5"},
				{Number: 3, Text: "draft by phone, due by Dec 5, 2026", Owner: "ITF", Due: "Dec 5, 2026"},
				{Number: 4, Text: "go by car", Owner: "PSA"},
			},
		},
		{
			name: "empty marker is dropped",
			in:   "Notes. GETBACK",
			want: nil,
			rest: "Notes.",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, rest := ExtractGetbacks(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("items:\n got %#v\nwant %#v", got, tt.want)
			}
			if rest != tt.rest {
				t.Errorf("rest = %q, want %q", rest, tt.rest)
			}
		})
	}
}

func TestNewGetbacks(t *testing.T) {
	meetingDay := Date{2026, time.November, 23} // a Monday
	tests := []struct {
		name     string
		text     string
		existing []*Getback
		base     Date
		want     []Getback // Number, Text, Owner, OwnerKind, Due
	}{
		{
			name: "inline due dates read forward from the meeting's day",
			text: "GETBACK (1): send it by Monday. RD FORAC. GETBACK (2): call due 12/5. CS FORAC. GETBACK (3): visit by Oct 11. ITF FORAC.",
			base: meetingDay,
			want: []Getback{
				{Number: 1, Text: "send it by Monday", Owner: "RD", OwnerKind: OwnerLabel, Due: Date{2026, 11, 30}},
				{Number: 2, Text: "call due 12/5", Owner: "CS", OwnerKind: OwnerLabel, Due: Date{2026, 12, 5}},
				{Number: 3, Text: "visit by Oct 11", Owner: "ITF", OwnerKind: OwnerLabel, Due: Date{2027, 10, 11}},
			},
		},
		{
			name: "no base day leaves the due date for later",
			text: "GETBACK: send it by Friday. RD FORAC.",
			want: []Getback{{Number: 1, Text: "send it by Friday", Owner: "RD", OwnerKind: OwnerLabel}},
		},
		{
			name: "further owners get numbers after the highest",
			text: "GETBACK (1): brief the SoS. ITF/RD FORAC. GETBACK (2): call. CS FORAC. GETBACK: mail. @ana FORAC.",
			base: meetingDay,
			want: []Getback{
				{Number: 1, Text: "brief the SoS", Owner: "ITF", OwnerKind: OwnerLabel},
				{Number: 3, Text: "brief the SoS", Owner: "RD", OwnerKind: OwnerLabel},
				{Number: 2, Text: "call", Owner: "CS", OwnerKind: OwnerLabel},
				{Number: 4, Text: "mail", Owner: "@ana", OwnerKind: OwnerLabel},
			},
		},
		{
			name: "no owner written: the fallback owner, as a user",
			text: "GETBACK (1): call the county.",
			base: meetingDay,
			want: []Getback{{Number: 1, Text: "call the county", Owner: "UANA", OwnerKind: OwnerUser}},
		},
		{
			name: "items already stored are left out, each owner's copy too",
			text: "GETBACK (1): brief the SoS. ITF/RD FORAC. GETBACK (2): call. CS FORAC.",
			existing: []*Getback{
				{Number: 1, Text: "brief the SoS", Owner: "ITF", OwnerKind: OwnerLabel},
				{Number: 3, Text: "brief the SoS", Owner: "RD", OwnerKind: OwnerLabel},
			},
			base: meetingDay,
			want: []Getback{{Number: 2, Text: "call", Owner: "CS", OwnerKind: OwnerLabel}},
		},
		{
			name:     "an owner added to a stored item gets a copy",
			text:     "GETBACK (1): brief the SoS. ITF/RD FORAC.",
			existing: []*Getback{{Number: 1, Text: "brief the SoS", Owner: "ITF", OwnerKind: OwnerLabel}},
			base:     meetingDay,
			want:     []Getback{{Number: 2, Text: "brief the SoS", Owner: "RD", OwnerKind: OwnerLabel}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			gbs := NewGetbacks(tt.text, tt.existing, "UANA", "UANA", tt.base)
			var got []Getback
			for _, g := range gbs {
				if g.Status != StatusOpen || g.AssignedBy != "UANA" {
					t.Errorf("item %+v: want open, assigned by UANA", g)
				}
				got = append(got, Getback{Number: g.Number, Text: g.Text, Owner: g.Owner, OwnerKind: g.OwnerKind, Due: g.Due})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func FuzzExtractGetbacks(f *testing.F) {
	f.Add("GETBACK (1): send the contact list. RD FORAC.")
	f.Add("GETBACK (l) GETBACK GETBACK: x FORAC")
	f.Add("(b) (5) GETBACK #999: FORAC FORAC")
	f.Fuzz(func(t *testing.T, s string) {
		items, _ := ExtractGetbacks(s)
		for _, it := range items {
			if it.Text == "" && it.Owner == "" {
				t.Fatalf("empty item from %q", s)
			}
			if it.Number < 0 {
				t.Fatalf("negative number from %q", s)
			}
		}
	})
}

// benchFollowUp is a follow-up cell as the legacy sheet writes them: prose,
// four items (one for two owners, two with due dates written inline).
const benchFollowUp = "Team will visit in spring. GETBACK (1): Send the tabletop schedule to the SoS office by Friday. RD FORAC. " +
	"GETBACK (2) Share the phishing assessment offer, due 12/5. CS FORAC. GETBACK: Confirm fusion center contact. ITF/RD FORAC. " +
	"getback (4): call back the county clerk by phone. itf forac. Next call in May."

func BenchmarkExtractGetbacks(b *testing.B) {
	for b.Loop() {
		ExtractGetbacks(benchFollowUp)
	}
}
