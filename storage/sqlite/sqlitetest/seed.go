// Package sqlitetest builds large, realistic getback databases for
// benchmarks and load tests. Tests and the load generator import it.
package sqlitetest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
)

// Size describes a seeded database.
type Size struct {
	Workspace   string
	Meetings    int
	GetbacksPer int // getbacks per meeting
	People      int // owners the getbacks are spread over
}

// Standard is the size the benchmarks quote: 100,000 meetings and 300,000
// getbacks over 2,000 people.
var Standard = Size{Workspace: "console", Meetings: 100_000, GetbacksPer: 3, People: 2000}

// phrases are the domain terms meetings talk about; each meeting's text
// carries a few of them among common filler words.
var phrases = strings.Split(`fusion center|county clerk|secretary of state|tabletop exercise|phishing assessment|`+
	`cyber hygiene scan|voter registration database|polling place|physical security|security clearance|`+
	`information sharing|vulnerability scan|incident response|paper ballots|post-election audit|results reporting|`+
	`election night|network sensor|vendor contract|governor's office|homeland security advisor|emergency management|`+
	`state CISO|risk assessment|continuity plan|poll worker training|mail ballots|ballot drop box|e-pollbook|`+
	`voting equipment|chain of custody|threat briefing|ransomware|denial of service|website defacement|`+
	`misinformation|public messaging|tribal nations|county IT staff|MS-ISAC|EI-ISAC|albert sensor|`+
	`remote penetration test|multi-factor authentication|password policy|backup and recovery|insider threat|`+
	`state legislature|budget request|grant funding|HAVA funds|accessibility|language access|canvass|`+
	`recount|certification|provisional ballots|early voting|same day registration`, "|")

// filler is a fixed vocabulary of common words, drawn with a skewed
// (roughly Zipfian) distribution as prose is.
var filler = strings.Fields(`the of and to in a is that for on with as was by at from this be are have
discussed noted agreed raised asked offered shared reviewed planned follow up meeting team staff office state
county local federal support process concern question update next steps week month year plan need request
would could should will may also about their they them its more other new time work services products partners
officials director deputy manager coordinator program training guidance resources report reports system systems
data access help provide continue engagement interest interested concerns offered available regional national`)

// Text returns about n characters of plausible meeting prose.
func Text(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		if r.IntN(25) == 0 {
			b.WriteString(phrases[r.IntN(len(phrases))])
			continue
		}
		// Zipf-like: low indexes far more often.
		i := int(float64(len(filler)) * r.Float64() * r.Float64() * r.Float64())
		b.WriteString(filler[i])
	}
	return b.String()
}

// Open returns a database of the given size, built once and cached under
// the system temp directory (rebuilding takes a while), copied into a fresh
// temp dir for the caller so that benchmarks never share writes.
func Open(tb testing.TB, size Size) *sqlite.DB {
	tb.Helper()
	cache := Cached(tb, size)
	path := filepath.Join(tb.TempDir(), "getback.db")
	if err := copyFile(cache, path); err != nil {
		tb.Fatal(err)
	}
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// Cached returns the path of the cached database of the given size,
// building it first when it is not there. Callers must not write to it.
func Cached(tb testing.TB, size Size) string {
	tb.Helper()
	cache, err := cached(size)
	if err != nil {
		tb.Fatal(err)
	}
	return cache
}

// Copy writes a database of the given size to path: a copy of the cached
// one (see Cached), built first when it is not there. The load generator
// starts getback on such a copy.
func Copy(path string, size Size) error {
	cache, err := cached(size)
	if err != nil {
		return err
	}
	return copyFile(cache, path)
}

// cached returns the path of the cached database of the given size, by
// schema version and size, building it first when it is not there.
func cached(size Size) (string, error) {
	cache := filepath.Join(os.TempDir(), fmt.Sprintf("getback-seed-v%d-p%d-%s-%d-%d-%d.db",
		sqlite.SchemaVersion(), sqlite.PageSize, strings.ReplaceAll(size.Workspace, ":", "_"), size.Meetings, size.GetbacksPer, size.People))
	if _, err := os.Stat(cache); err != nil {
		if err := Build(cache, size); err != nil {
			return "", err
		}
	}
	return cache, nil
}

// Build writes a database of the given size to path.
func Build(path string, size Size) error {
	tmp := path + ".building"
	os.Remove(tmp)
	ctx := context.Background()
	db, err := sqlite.Open(ctx, tmp)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2025, 1, 6, 0, 0, 0, 0, time.UTC)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	span := int(now.Sub(start).Hours() / 24)
	for i := 0; i < size.People; i++ {
		p := bot.NewPerson(size.Workspace, fmt.Sprintf("u%04d", i), fmt.Sprintf("Person %d", i),
			[]string{"America/New_York", "Pacific/Honolulu", "Pacific/Guam", "America/Chicago", "America/Los_Angeles"}[i%5])
		if err := db.UpsertPerson(ctx, p); err != nil {
			return err
		}
	}
	// Meetings are generated in date order, 500 to a transaction; a batch's
	// rows are created on the day of its first meeting.
	const batch = 500
	for done := 0; done < size.Meetings; done += batch {
		var ms []*bot.Meeting
		created := bot.DateOf(start.AddDate(0, 0, done*span/size.Meetings)).At(15, 0, time.UTC)
		db.Now = func() time.Time { return created }
		for i := done; i < min(done+batch, size.Meetings); i++ {
			st := bot.States[r.IntN(len(bot.States))]
			day := bot.DateOf(start.AddDate(0, 0, i*span/size.Meetings))
			m := &bot.Meeting{Workspace: size.Workspace, Region: st.Region, States: []string{st.Name}, Date: day,
				Location: st.Name + " office", POC: fmt.Sprintf("u%04d", r.IntN(size.People)),
				Attendees: Text(r, 60), Discussion: Text(r, 300), Concerns: Text(r, 120), FollowUp: Text(r, 120),
				Awareness: Text(r, 80), CreatedBy: fmt.Sprintf("u%04d", r.IntN(size.People))}
			for j := 0; j < size.GetbacksPer; j++ {
				g := &bot.Getback{Number: j + 1, Text: Text(r, 50), Status: bot.StatusOpen,
					Owner: fmt.Sprintf("u%04d", r.IntN(size.People)), OwnerKind: bot.OwnerUser,
					Due: day.AddDays(7 + r.IntN(28))}
				if g.Due.Before(bot.DateOf(now)) && r.IntN(10) < 8 {
					g.Status, g.DoneAt = bot.StatusDone, g.Due.At(12, 0, time.UTC)
				}
				m.Getbacks = append(m.Getbacks, g)
			}
			ms = append(ms, m)
		}
		if err := db.CreateMeetings(ctx, ms); err != nil {
			return err
		}
	}
	if err := db.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
