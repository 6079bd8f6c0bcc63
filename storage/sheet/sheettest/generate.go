// Package sheettest generates legacy weekly-summary sheets shaped like the
// real one, for benchmarks and load tests: many short sections, each with
// its title line and 13-column header (in the OCR'd spellings the real
// sheet has), about 1.5 KB of text per row, real state names with the usual
// damage, mixed date forms, redaction markers and inline GETBACK items.
package sheettest

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
)

// Spec describes a generated sheet. The same Spec always gives the same
// bytes.
type Spec struct {
	Rows     int    // meeting rows
	Sections int    // sections, each with a title line and a header row
	Seed     uint64 // the random seed
}

// Standard is the sheet the import benchmarks quote: 100,000 rows in 5,600
// sections (about 191 MB, 117,000 GETBACK items).
var Standard = Spec{Rows: 100_000, Sections: 5_600, Seed: 1}

// Stats counts what a generated sheet holds.
type Stats struct {
	Bytes    int64
	Rows     int // data rows written
	Getbacks int // GETBACK markers written
}

// Cached returns the path of the sheet for spec under the system temp
// directory, generating it on first use, so that reruns are cheap.
func Cached(tb testing.TB, spec Spec) string {
	tb.Helper()
	path, err := CachedPath(spec)
	if err != nil {
		tb.Fatal(err)
	}
	return path
}

// genVersion changes whenever the generator's output changes, so a cached
// file is never stale.
const genVersion = 1

// CachedPath is Cached for callers without a testing.TB.
func CachedPath(spec Spec) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("getback-sheet-v%d-%d-%d-%d.tsv", genVersion, spec.Rows, spec.Sections, spec.Seed))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	if _, err := Generate(f, spec); err != nil {
		f.Close()
		os.Remove(tmp)
		return "", err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// Generate writes the sheet for spec to w as tab-separated text.
func Generate(w io.Writer, spec Spec) (Stats, error) {
	if spec.Rows < 0 || spec.Sections < 1 {
		return Stats{}, fmt.Errorf("sheettest: need at least one section and no negative rows: %+v", spec)
	}
	bw := bufio.NewWriterSize(w, 256*1024)
	cw := &countWriter{w: bw}
	g := &gen{r: rand.New(rand.NewPCG(spec.Seed, spec.Seed^0x9e3779b97f4a7c15)), w: cw}
	st := Stats{}
	// Rows move through the years in order, as the weekly sheets did.
	start := time.Date(2016, 1, 4, 12, 0, 0, 0, time.UTC)
	span := 9 * 365
	row := 0
	for s := 0; s < spec.Sections; s++ {
		g.section()
		// Spread the rows evenly over the sections.
		end := (s + 1) * spec.Rows / spec.Sections
		for ; row < end; row++ {
			day := bot.DateOf(start.AddDate(0, 0, row*span/max(spec.Rows, 1)))
			st.Getbacks += g.row(day)
			st.Rows++
		}
	}
	if err := bw.Flush(); err != nil {
		return st, err
	}
	st.Bytes = cw.n
	return st, cw.err
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

type gen struct {
	r    *rand.Rand
	w    *countWriter
	b    strings.Builder
	prev []string // the previous row's cells, for repeats
}

func (g *gen) pick(list []string) string { return list[g.r.IntN(len(list))] }

// chance is true p percent of the time.
func (g *gen) chance(p float64) bool { return g.r.Float64()*100 < p }

const title = "Weekly Summary for Meetings with Elections Infrastructure Officials"

// section writes a blank line, the title, a blank line and a header, in
// one of the spellings the real sheet uses.
func (g *gen) section() {
	head := []string{"Region", "State", "Meeting Location", "Meeting Date", g.pick([]string{"DHS POC", "DHS POC", "DHS FOC"}),
		g.pick([]string{"Key Attendees & Affiliation other than POC", "Key Attendees & Affiliations (other than FOC)"}),
		"Key Discussion Points", "Issues or Concerns", "Follow-up Required",
		g.pick([]string{"For NPPD Leadership Awareness", "For NFPD Leadership Awareness"}), "Leadership Action",
		g.pick([]string{"Next Scheduled Engagement", "Next Scheduled Engagement", "Next Scheduled Meeting"}), "Notes / Comments"}
	fmt.Fprintf(g.w, "\n%s\n\n%s\n", title, strings.Join(head, "\t"))
	g.prev = nil
}

// row writes one meeting row on day and returns its GETBACK count.
func (g *gen) row(day bot.Date) int {
	// A few rows repeat the one before: exactly (the same row pasted
	// twice) or with OCR noise (the same meeting scanned twice).
	if g.prev != nil && g.chance(0.4) {
		cells := append([]string(nil), g.prev...)
		if g.chance(60) {
			cells[6] = ocrNoise(g.r, cells[6])
			cells[7] = ocrNoise(g.r, cells[7])
		}
		g.write(cells)
		return strings.Count(cells[8], "GETBACK")
	}
	st := bot.States[g.r.IntN(len(bot.States))]
	cells := make([]string, 13)
	cells[0] = g.region(st)
	cells[1] = g.state(st)
	cells[2] = g.location(st)
	cells[3] = g.date(day)
	cells[4] = g.poc()
	cells[5] = g.attendees()
	cells[6] = g.discussion(st)
	cells[7] = g.concerns()
	follow, n := g.followUp()
	cells[8] = follow
	cells[9] = g.awareness()
	cells[10] = g.action()
	cells[11] = g.next(day)
	cells[12] = g.notes()
	g.write(cells)
	g.prev = cells
	return n
}

func (g *gen) write(cells []string) {
	io.WriteString(g.w, strings.Join(cells, "\t"))
	io.WriteString(g.w, "\n")
}

func (g *gen) region(st bot.State) string {
	switch {
	case g.chance(4):
		return ""
	case g.chance(2):
		return g.pick([]string{"18", "19", "0", "11"})
	case g.chance(8):
		return strconv.Itoa(1 + g.r.IntN(10))
	}
	return strconv.Itoa(st.Region)
}

func (g *gen) state(st bot.State) string {
	switch {
	case g.chance(3):
		// One row about several states.
		other := bot.States[g.r.IntN(len(bot.States))]
		return st.Abbr + ", " + other.Abbr + g.pick([]string{"", ", DC", " and MD"})
	case g.chance(4):
		return st.Abbr
	case g.chance(2) && len(st.Name) > 5:
		return ocrNoise(g.r, st.Name)
	case g.chance(2):
		return strings.ToUpper(st.Name)
	}
	return st.Name
}

var places = []string{"Secretary of State's Office", "State Capitol", "Fusion Center", "County Board of Elections",
	"Via Conference Call", "Via teleconference", "Emergency Operations Center", "State Election Commission",
	"County Clerk Office", "Governor's Office", "National Guard HQ", "University Election Center", "TRD", ""}

func (g *gen) location(st bot.State) string {
	p := g.pick(places)
	switch {
	case p == "" || strings.HasPrefix(p, "Via") || p == "TRD":
		return p
	case g.chance(50):
		return st.Name + " " + p
	}
	return g.pick(counties) + " County " + p
}

func (g *gen) date(day bot.Date) string {
	switch n := g.r.IntN(100); {
	case n < 40:
		return fmt.Sprintf("%d/%d/%d", day.Month, day.Day, day.Year)
	case n < 65:
		return fmt.Sprintf("%02d/%02d/%02d", int(day.Month), day.Day, day.Year%100)
	case n < 70:
		return day.String()
	case n < 80:
		return fmt.Sprintf("%d-%s", day.Day, day.Month.String()[:3])
	case n < 85:
		return fmt.Sprintf("%s %d", day.Month.String()[:3], day.Day)
	case n < 90:
		return g.pick([]string{"Pending", "TBD", "N/A", "Pending", "tbd"})
	case n < 99:
		return ""
	}
	return g.pick([]string{"sometime in fall", "week of the 12th", "Q3"})
}

func (g *gen) poc() string {
	if g.chance(85) {
		return "(b) (6)"
	}
	return g.pick([]string{"PSA " + g.pick(surnames), g.pick(surnames) + ", CSA", "(b) (6), (b) (6)", ""})
}

func (g *gen) attendees() string {
	var parts []string
	for i := 1 + g.r.IntN(4); i > 0; i-- {
		parts = append(parts, g.pick([]string{"(b) (6)", "(b) (6)", "[REDACTED]", g.pick(surnames)})+", "+g.pick(roles))
	}
	if g.chance(10) {
		parts = append(parts, "(b) (5)")
	}
	return strings.Join(parts, "; ")
}

func (g *gen) discussion(st bot.State) string {
	s := g.prose(860, st)
	if g.chance(2) {
		// Markup pasted from a web form.
		half := len(s) / 2
		for half < len(s) && s[half] != ' ' {
			half++
		}
		s = "<p>" + s[:half] + "</p><p>" + strings.TrimSpace(s[half:]) + "</p>"
	}
	return s
}

func (g *gen) concerns() string {
	if g.chance(20) {
		return g.pick([]string{"None noted", "None.", "N/A", "(b) (5)", "None. Willing to work with DHS going forward."})
	}
	return g.prose(345, bot.State{})
}

var owners = []string{"RD", "CS", "ITF", "PSA", "CSA", "RD", "RD", "ITF"}

var tasks = []string{"Send the tabletop schedule to the SoS office", "Share the phishing assessment offer",
	"Confirm the fusion center contact", "Provide the cyber hygiene enrollment form", "Schedule the remote penetration test",
	"Send the training calendar", "Follow up on security clearances for the election director",
	"Share the EI-ISAC membership information", "Arrange a physical security assessment of the warehouse",
	"Provide the incident response contact list", "Send the NCATS brochure", "Coordinate with the county IT staff on the albert sensor",
	"Brief the governor's homeland security advisor", "Confirm the date of the next regional meeting"}

// followUp writes follow-up text with 0-3 GETBACK items (1.17 on average,
// in the forms the sheet uses: numbered or not, colon or not, owner label
// before FORAC, sometimes no owner).
func (g *gen) followUp() (string, int) {
	n := 0
	switch x := g.r.IntN(100); {
	case x < 30:
	case x < 63:
		n = 1
	case x < 90:
		n = 2
	default:
		n = 3
	}
	var b strings.Builder
	b.WriteString(g.prose(200+g.r.IntN(100), bot.State{}))
	for i := 1; i <= n; i++ {
		b.WriteString(" ")
		switch g.r.IntN(5) {
		case 0:
			b.WriteString("GETBACK: ")
		case 1:
			fmt.Fprintf(&b, "GETBACK (%d) ", i)
		default:
			fmt.Fprintf(&b, "GETBACK (%d): ", i)
		}
		b.WriteString(g.pick(tasks))
		if g.chance(50) {
			b.WriteString(" " + g.prose(40, bot.State{}))
		}
		if g.chance(97) {
			b.WriteString(". " + g.pick(owners) + " FORAC.")
		} else {
			b.WriteString(".")
		}
	}
	return b.String(), n
}

func (g *gen) awareness() string {
	if g.chance(40) {
		return g.pick([]string{"Nothing significant at this time.", "None Required", "N/A", "NSTR", "None", "none.", ""})
	}
	return g.prose(210, bot.State{})
}

func (g *gen) action() string {
	if g.chance(65) {
		return g.pick([]string{"N/A", "None", "None Required", "NSTR", "-", ""})
	}
	return g.prose(130, bot.State{})
}

func (g *gen) next(day bot.Date) string {
	switch n := g.r.IntN(10); {
	case n < 5:
		return ""
	case n < 7:
		d := day.AddDays(7 + g.r.IntN(60))
		return fmt.Sprintf("%d/%d/%d", d.Month, d.Day, d.Year)
	case n < 8:
		d := day.AddDays(7 + g.r.IntN(60))
		return fmt.Sprintf("%s %d", d.Month.String()[:3], d.Day)
	}
	return g.pick([]string{"TBD", "Quarterly call", "Y", "After the primary", "Monthly EI-SCC call"})
}

func (g *gen) notes() string {
	if g.chance(50) {
		return ""
	}
	return g.prose(110, bot.State{})
}

// prose writes about n bytes of meeting text: domain phrases, names and
// numbers among common words, with redaction markers here and there.
func (g *gen) prose(n int, st bot.State) string {
	b := &g.b
	b.Reset()
	sentence := 0
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		var w string
		switch x := g.r.IntN(100); {
		case x < 3:
			w = g.pick([]string{"(b) (6)", "(b) (6)", "(b) (5)", "[REDACTED]"})
		case x < 13:
			w = g.pick(phrases)
		case x < 18:
			w = g.pick(counties)
		case x < 20 && st.Name != "":
			w = st.Name
		case x < 22:
			w = strconv.Itoa(1 + g.r.IntN(400))
		case x < 45:
			w = g.pick(domain)
		default:
			// Common words, low indexes far more often (roughly Zipfian).
			w = filler[int(float64(len(filler))*g.r.Float64()*g.r.Float64())]
		}
		if sentence == 0 {
			w = strings.ToUpper(w[:1]) + w[1:]
		}
		b.WriteString(w)
		sentence++
		if sentence > 8 && g.chance(12) {
			b.WriteByte('.')
			sentence = 0
		}
	}
	return b.String()
}

// ocrNoise damages a few characters as a scanner would.
func ocrNoise(r *rand.Rand, s string) string {
	b := []byte(s)
	for i := 0; i < 1+len(b)/200; i++ {
		j := r.IntN(len(b))
		switch b[j] {
		case 'o':
			b[j] = '0'
		case 'l':
			b[j] = '1'
		case 'e':
			b[j] = 'c'
		case 's':
			b[j] = '5'
		}
	}
	return string(b)
}

var phrases = strings.Split(`fusion center|county clerk|secretary of state|tabletop exercise|phishing assessment|`+
	`cyber hygiene scan|voter registration database|polling place|physical security|security clearance|`+
	`information sharing|vulnerability scan|incident response|paper ballots|post-election audit|results reporting|`+
	`election night|network sensor|vendor contract|governor's office|homeland security advisor|emergency management|`+
	`state CISO|risk assessment|continuity plan|poll worker training|mail ballots|ballot drop box|e-pollbook|`+
	`voting equipment|chain of custody|threat briefing|ransomware|denial of service|website defacement|`+
	`misinformation|public messaging|tribal nations|county IT staff|MS-ISAC|EI-ISAC|albert sensor|`+
	`remote penetration test|multi-factor authentication|password policy|backup and recovery|insider threat|`+
	`state legislature|budget request|grant funding|HAVA funds|accessibility|language access|canvass|`+
	`recount|certification|provisional ballots|early voting|same day registration|NCATS|EI-SCC|GCC|SCC`, "|")

var filler = strings.Fields(`the of and to in a is that for on with as was by at from this be are have
discussed noted agreed raised asked offered shared reviewed planned follow up meeting team staff office state
county local federal support process concern question update next steps week month year plan need request
would could should will may also about their they them its more other new time work services products partners
officials director deputy manager coordinator program training guidance resources report reports system systems
data access help provide continue engagement interest interested concerns offered available regional national
not all any both each few most some such only own same so than too very can just should now during before after
above below between into through over under again further then once here there when where why how`)

var domain = strings.Fields(`ballot ballots voter voters registration precinct precincts tabulator tabulators
canvassing certification audit audits recount clerk clerks commissioner commissioners county counties municipal
township election elections primary general special runoff absentee provisional overseas military UOCAVA
cybersecurity infrastructure vulnerability vulnerabilities assessment assessments scan scanning phishing
malware ransomware patch patching firewall network networks server servers endpoint endpoints encryption
credential credentials password passwords authentication login logins vendor vendors contract contracts
procurement budget funding grant grants legislature legislation statute statutes policy policies procedure
procedures training exercise exercises tabletop drill drills briefing briefings clearance clearances
classified unclassified sensitive threat threats intelligence indicator indicators incident incidents response
recovery backup backups continuity resilience redundancy power generator warehouse storage custody seal seals
logs logging monitoring sensor sensors alert alerts notification notifications hotline helpdesk outreach
messaging media social misinformation disinformation rumor rumors website websites domain domains DNS email
fusion center centers guard emergency management operations coordination partnership partnerships
stakeholder stakeholders association associations secretary deputy director administrator supervisor
technician technicians contractor contractors staffer staffers volunteer volunteers pollworker pollworkers
accessibility language translation signage curbside dropbox dropboxes envelope envelopes signature signatures
verification matching rejection cure curing deadline deadlines calendar schedule schedules timeline milestone`)

var counties = strings.Fields(`Adams Allen Baker Benton Boone Brown Butler Carroll Cass Clark Clay Clinton
Crawford Cumberland Dallas Douglas Franklin Fulton Grant Greene Hamilton Hancock Harrison Henry Jackson
Jefferson Johnson Knox Lake Lawrence Lee Lincoln Logan Madison Marion Marshall Monroe Montgomery Morgan Ocean
Orange Perry Pike Polk Putnam Randolph Scott Shelby Union Warren Washington Wayne Wilson Wood Maricopa Pima
Travis Harris Cook Kent Sussex Essex Bergen Passaic Suffolk Nassau Erie Albany Dane Hennepin Ramsey`)

var surnames = strings.Fields(`Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores`)

var roles = []string{"Secretary of State", "State Election Director", "County Clerk", "State CISO", "Deputy Secretary of State",
	"Elections IT Manager", "Fusion Center Director", "National Guard Cyber Team", "County Election Administrator",
	"Governor's Homeland Security Advisor", "State Police", "FBI field office"}
