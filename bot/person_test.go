package bot

import (
	"testing"
	"time"
)

func TestLoadLocationReadsEachZoneOnceAndFallsBackToUTC(t *testing.T) {
	for _, tc := range []struct {
		name, zone string
		want       string
	}{
		{"a zone", "Pacific/Guam", "Pacific/Guam"},
		{"another zone", "America/Los_Angeles", "America/Los_Angeles"},
		{"no zone", "", "UTC"},
		{"an unknown zone", "Mars/Olympus_Mons", "UTC"},
		{"a path, not a zone", "../../etc/passwd", "UTC"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, again := LoadLocation(tc.zone), LoadLocation(tc.zone)
			if first.String() != tc.want {
				t.Fatalf("LoadLocation(%q) = %s, want %s", tc.zone, first, tc.want)
			}
			if first != again {
				t.Fatalf("LoadLocation(%q) read the zone again instead of keeping it", tc.zone)
			}
		})
	}
	if _, kept := locations.Load("Mars/Olympus_Mons"); kept {
		t.Fatal("an unknown zone name was kept")
	}
	guam := LoadLocation("Pacific/Guam")
	if _, off := time.Date(2026, 11, 26, 0, 0, 0, 0, guam).Zone(); off != 10*3600 {
		t.Fatalf("Guam is UTC+10, got %d s", off)
	}
}
