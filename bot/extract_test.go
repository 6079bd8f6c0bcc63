package bot

import (
	"reflect"
	"testing"
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
				{1, "Send the tabletop schedule to the SoS office", "RD"},
				{2, "Share the phishing assessment offer", "CS"},
				{0, "Confirm fusion center contact", "ITF"},
			},
			rest: "Team will visit in spring.",
		},
		{
			name: "issue example",
			in:   "GETBACK (1): send the contact list. RD FORAC.",
			want: []ExtractedItem{{1, "send the contact list", "RD"}},
		},
		{
			name: "unnumbered without colon",
			in:   "GETBACK share the guide ITF FORAC",
			want: []ExtractedItem{{0, "share the guide", "ITF"}},
		},
		{
			name: "no owner runs to the next marker",
			in:   "GETBACK (1): call the clerk. GETBACK (2): email the CIO. CS FORAC.",
			want: []ExtractedItem{{1, "call the clerk", ""}, {2, "email the CIO", "CS"}},
		},
		{
			name: "OCR noise: l for 1, zero for O, space in marker",
			in:   "GETBACK (l): send slides. RD F0RAC. GET BACK (2) - schedule call. CS FOR AC. GETBACK 3: follow up. PSA FORACTION.",
			want: []ExtractedItem{{1, "send slides", "RD"}, {2, "schedule call", "CS"}, {3, "follow up", "PSA"}},
		},
		{
			name: "number with hash and owner in parentheses",
			in:   "GETBACK #4: send the MOU (RD) FORAC.",
			want: []ExtractedItem{{4, "send the MOU", "RD"}},
		},
		{
			name: "user owner",
			in:   "GETBACK (1): send the list @ana FORAC.",
			want: []ExtractedItem{{1, "send the list", "@ana"}},
		},
		{
			name: "text after the owner stays in the rest",
			in:   "GETBACK (1): send list. RD FORAC. Next call in May.",
			want: []ExtractedItem{{1, "send list", "RD"}},
			rest: "Next call in May.",
		},
		{
			name: "plain prose is not an item",
			in:   "We will get back to them next week. Will continue engagement.",
			want: nil,
			rest: "We will get back to them next week. Will continue engagement.",
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
