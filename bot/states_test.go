package bot

import "testing"

func TestStateTable(t *testing.T) {
	if len(States) != 56 {
		t.Fatalf("%d entries, want 50 states + DC + 5 territories", len(States))
	}
	perRegion := map[int]int{}
	for _, s := range States {
		if !ValidRegion(s.Region) {
			t.Errorf("%s in region %d", s.Name, s.Region)
		}
		perRegion[s.Region]++
	}
	for n := 1; n <= 10; n++ {
		if perRegion[n] == 0 {
			t.Errorf("region %d has no states", n)
		}
	}
	for name, region := range map[string]int{"Guam": 9, "Puerto Rico": 2, "District of Columbia": 3, "Alaska": 10, "Vermont": 1} {
		if st, ok := LookupState(name); !ok || st.Region != region {
			t.Errorf("%s: region %d, want %d", name, st.Region, region)
		}
	}
}

func TestLookupState(t *testing.T) {
	for in, want := range map[string]string{
		"nevada": "Nevada", "NV": "Nevada", " New  York ": "New York", "dc": "District of Columbia",
		"Washington DC": "District of Columbia", "usvi": "U.S. Virgin Islands", "CNMI": "Northern Mariana Islands",
	} {
		if st, ok := LookupState(in); !ok || st.Name != want {
			t.Errorf("LookupState(%q) = %q, %v; want %q", in, st.Name, ok, want)
		}
	}
	if _, ok := LookupState("Nevda"); ok {
		t.Error("LookupState is exact; fuzzy matching is MatchState's job")
	}
}

func TestMatchState(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		minConf float64
		maxConf float64
	}{
		{"Nevada", "Nevada", 1, 1},
		{"Nevda", "Nevada", 0.8, 0.9},
		{"Ca1ifornia", "California", 0.95, 0.95},
		{"Wash1ngton", "Washington", 0.89, 0.96},
		{"Pennsylvana", "Pennsylvania", 0.9, 0.95},
		{"Massachusets", "Massachusetts", 0.9, 0.95},
	}
	for _, tt := range tests {
		m, ok := MatchState(tt.in)
		if !ok || m.State.Name != tt.want || m.Confidence < tt.minConf || m.Confidence > tt.maxConf {
			t.Errorf("MatchState(%q) = %q %.2f %v; want %q in [%.2f, %.2f]", tt.in, m.State.Name, m.Confidence, ok, tt.want, tt.minConf, tt.maxConf)
		}
	}
	for _, in := range []string{"TRD", "Region", "Atlantis", "", "PA, NY"} {
		if m, ok := MatchState(in); ok {
			t.Errorf("MatchState(%q) = %q, want no match", in, m.State.Name)
		}
	}
}

func TestStatesOfWithOverrides(t *testing.T) {
	overrides := map[string]int{"Guam": 10}
	if RegionOf("Guam", overrides) != 10 || RegionOf("Guam", nil) != 9 {
		t.Fatal("override not applied")
	}
	for _, s := range StatesOf(9, overrides) {
		if s == "Guam" {
			t.Fatal("Guam still listed in region 9")
		}
	}
	found := false
	for _, s := range StatesOf(10, overrides) {
		found = found || s == "Guam"
	}
	if !found {
		t.Fatal("Guam not listed in region 10")
	}
}

func TestClosest(t *testing.T) {
	keys := []string{"state", "date", "location", "notes"}
	for in, want := range map[string]string{"dat": "date", "stat": "state", "locaton": "location", "xyz": ""} {
		if got := Closest(in, keys); got != want {
			t.Errorf("Closest(%q) = %q, want %q", in, got, want)
		}
	}
}
