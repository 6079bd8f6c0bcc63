package sheet

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/getbackhq/getback/bot"
)

// normWords is the word set as norm splits text: the definition the hashed
// sets must agree with.
func normWords(m *bot.Meeting) map[string]bool {
	set := map[string]bool{}
	for _, f := range []string{m.Attendees, m.Discussion, m.Concerns, m.FollowUp, m.Awareness, m.Action, m.Notes} {
		for _, w := range strings.Fields(norm(f)) {
			set[w] = true
		}
	}
	return set
}

func TestWordHashesSplitTextAsNormDoes(t *testing.T) {
	for name, text := range map[string]string{
		"punctuation and case": "Discussed the NCATS offer; (b) (6) agreed. RD FORAC.",
		"digits and dates":     "Meeting on 10/12/2017 at 9:30, room 4B",
		"accents and symbols":  "Hagåtña café — naïve résumé, 100% «quoted» ✓",
		"empty":                "",
		"only separators":      " -- // ,, ",
		"tabs and lines":       "one\ttwo\nthree\r\nfour",
	} {
		t.Run(name, func(t *testing.T) {
			m := &bot.Meeting{Discussion: text, Notes: strings.ToUpper(text)}
			var want words
			for w := range normWords(m) {
				h := appendWordHashes(nil, w)
				if len(h) != 1 {
					t.Fatalf("norm's word %q hashes as %d words", w, len(h))
				}
				want = append(want, h[0])
			}
			slices.Sort(want)
			if got := meetingWords(m, nil); !slices.Equal(got, want) {
				t.Fatalf("hashed %d words, norm finds %d: %v", len(got), len(want), normWords(m))
			}
		})
	}
}

func TestJaccardAndContainment(t *testing.T) {
	w := func(s string) words { return meetingWords(&bot.Meeting{Discussion: s}, nil) }
	for name, tc := range map[string]struct {
		a, b                 string
		jaccard, containment float64
	}{
		"the same":          {"a b c d", "d c b a", 1, 1},
		"nothing in common": {"a b", "c d", 0, 0},
		"half":              {"a b c d", "a b e f", 2.0 / 6, 0.5},
		"one inside other":  {"a b", "a b c d", 0.5, 1},
		"both empty":        {"", "", 1, 1},
	} {
		t.Run(name, func(t *testing.T) {
			a, b := w(tc.a), w(tc.b)
			if got := jaccard(a, b); got != tc.jaccard {
				t.Errorf("jaccard %v, want %v", got, tc.jaccard)
			}
			if got := containment(a, b); got != tc.containment {
				t.Errorf("containment %v, want %v", got, tc.containment)
			}
		})
	}
}

// TestSignatureEstimatesJaccard: the 64-byte fingerprint the near-duplicate
// check keeps of earlier rows tells copies (OCR noise) from other meetings
// of the same day, on either side of the 0.8 threshold.
func TestSignatureEstimatesJaccard(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	vocab := make([]string, 5000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%d", i)
	}
	text := func(ws []string) *bot.Meeting { return &bot.Meeting{Discussion: strings.Join(ws, " ")} }
	for _, keep := range []float64{1, 0.97, 0.9, 0.6, 0.3, 0} {
		t.Run(fmt.Sprint(keep), func(t *testing.T) {
			var worst float64
			for range 50 {
				base := make([]string, 200)
				for i := range base {
					base[i] = vocab[r.IntN(len(vocab))]
				}
				other := slices.Clone(base)
				for i := range other {
					if r.Float64() >= keep {
						other[i] = vocab[r.IntN(len(vocab))]
					}
				}
				a, b := text(base), text(other)
				exact := jaccard(meetingWords(a, nil), meetingWords(b, nil))
				sa, _, _ := textSignature(a, minNearWords, nil)
				sb, _, _ := textSignature(b, minNearWords, nil)
				est := sa.similarity(&sb)
				worst = max(worst, abs(est-exact))
				if (exact >= 0.9 && est < nearThreshold) || (exact <= 0.6 && est >= nearThreshold) {
					t.Fatalf("exact %.2f estimated %.2f: the wrong side of %.1f", exact, est, nearThreshold)
				}
			}
			if worst > 0.2 {
				t.Fatalf("estimates off by up to %.2f", worst)
			}
		})
	}
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func TestSignatureCountsDistinctWords(t *testing.T) {
	for text, want := range map[string]bool{
		"one two three four five six seven eight": true,
		"one two three four five six seven":       false,
		"same same same same same same same same": false,
		"": false,
	} {
		if _, got, _ := textSignature(&bot.Meeting{Discussion: text}, minNearWords, nil); got != want {
			t.Errorf("%q: enough words %v, want %v", text, got, want)
		}
	}
}
