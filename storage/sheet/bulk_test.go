package sheet

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sheet/sheettest"
)

// generated writes a generated sheet of n rows to a temp file.
func generated(t *testing.T, n int, seed uint64) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := sheettest.Generate(&buf, sheettest.Spec{Rows: n, Sections: max(1, n/18), Seed: seed}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "generated.tsv")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// importWith imports path into db with the given importer settings and
// returns the summary and every flag.
func importWith(t *testing.T, db Store, path string, im Importer) (Summary, []Flag) {
	t.Helper()
	r, _, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var flags []Flag
	im.Store, im.Workspace, im.Now = db, ws, func() time.Time { return importDay }
	im.OnFlag = func(f Flag) { flags = append(flags, f) }
	s, err := im.Import(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	return s, flags
}

// TestDryRunAndBatchSizeChangeNothingButWrites: on a messy generated
// sheet, a dry run, an import in batches of 100 and one in batches of 1,000
// count and flag the same things, row for row, in file order; and the
// import wrote what it counted.
func TestDryRunAndBatchSizeChangeNothingButWrites(t *testing.T) {
	path := generated(t, 1200, 11)
	dry, dryFlags := importWith(t, openDB(t), path, Importer{DryRun: true, BatchSize: 1000})
	small, smallFlags := importWith(t, openDB(t), path, Importer{BatchSize: 100, Workers: 3})
	db := openDB(t)
	big, bigFlags := importWith(t, db, path, Importer{BatchSize: 1000, Workers: 1})
	if !reflect.DeepEqual(dry, big) || !reflect.DeepEqual(small, big) {
		t.Fatalf("summaries differ:\n dry %+v\nsmall %+v\n  big %+v", dry, small, big)
	}
	// Flags about a row come as it is read, those about its batch when
	// the batch is checked: compared row by row.
	for _, fs := range [][]Flag{dryFlags, smallFlags, bigFlags} {
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].Line < fs[j].Line })
	}
	if len(dryFlags) != len(bigFlags) || len(smallFlags) != len(bigFlags) {
		t.Fatalf("%d, %d and %d flags", len(dryFlags), len(smallFlags), len(bigFlags))
	}
	for i := range bigFlags {
		if !reflect.DeepEqual(dryFlags[i], bigFlags[i]) || !reflect.DeepEqual(smallFlags[i], bigFlags[i]) {
			t.Fatalf("flag %d differs:\n  dry %+v\nsmall %+v\n  big %+v", i, dryFlags[i], smallFlags[i], bigFlags[i])
		}
	}
	for _, kind := range []string{FlagNearDuplicate, FlagDuplicateRow, FlagDateYearInferred, FlagMultiState,
		FlagRegionCorrected, FlagHTMLStripped, FlagGetbackNoOwner, FlagStateFuzzy} {
		if big.Flags[kind] == 0 {
			t.Errorf("the generated sheet raised no %s", kind)
		}
	}
	if big.Created < 1150 || big.Getbacks < 1200 {
		t.Fatalf("summary: %+v", big)
	}
	if n := len(allMeetings(t, db)); n != big.Created {
		t.Fatalf("%d meetings stored, %d counted", n, big.Created)
	}
	if _, n, _ := db.FindGetbacks(context.Background(), bot.GetbackFilter{Workspace: ws}); n != big.Getbacks {
		t.Fatalf("%d getbacks stored, %d counted", n, big.Getbacks)
	}

	// The same file again: every row is recognised.
	again, _ := importWith(t, db, path, Importer{BatchSize: 700})
	if again.Created != 0 || again.Updated != 0 || again.Getbacks != 0 || again.Unchanged != big.Created {
		t.Fatalf("re-import: %+v", again)
	}
}

// TestNearDuplicatesAcrossBatches: a row scanned twice, with noise, is
// caught however far apart the two copies are and whatever the batch.
func TestNearDuplicatesAcrossBatches(t *testing.T) {
	head := Title + "\n" + strings.Join(headerRow(), "\t") + "\n"
	row := func(loc, text string) string {
		return "9\tNevada\t" + loc + "\t10/11/2017\t(b) (6)\t\t" + text + "\t\t\t\t\t\t\n"
	}
	text := "Walked through the county warehouse, the chain of custody logs, the new cameras and the badge readers; " +
		"agreed to schedule a tabletop exercise with the clerk's staff before the primary and to share the phishing results"
	noisy := strings.NewReplacer("custody", "cust0dy", "cameras", "camcras").Replace(text)
	var b strings.Builder
	b.WriteString(head + row("Carson City", text))
	for i := range 30 {
		b.WriteString("8\tUtah\tSLC\t" + time.Date(2017, 1, 1+i, 0, 0, 0, 0, time.UTC).Format("1/2/2006") + "\t\t\tfiller row\t\t\t\t\t\t\n")
	}
	b.WriteString(row("Carson City Hall", noisy))
	path := filepath.Join(t.TempDir(), "near.tsv")
	os.WriteFile(path, []byte(b.String()), 0o600)
	for _, size := range []int{1, 7, 1000} {
		s, flags := importWith(t, openDB(t), path, Importer{BatchSize: size})
		if s.NearDuplicates != 1 || s.Created != 31 {
			t.Fatalf("batch %d: %+v", size, s)
		}
		last := flags[len(flags)-1]
		if last.Kind != FlagNearDuplicate || last.Line != 34 || !strings.Contains(last.Message, "an earlier row (line 3)") {
			t.Fatalf("batch %d: %+v", size, last)
		}
	}
}

// failingStore fails every write.
type failingStore struct{ Store }

func (failingStore) ApplyImport(context.Context, string, *bot.ImportBatch) error {
	return errors.New("disk full")
}

func TestAStoreErrorStopsTheImportAndSaysWhere(t *testing.T) {
	path := generated(t, 1500, 5)
	r, _, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	done := make(chan error, 1)
	go func() {
		_, err := (&Importer{Store: failingStore{openDB(t)}, Workspace: ws, BatchSize: 100}).Import(context.Background(), r)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "store rows 5 to") {
			t.Fatalf("error: %v", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("the import hung after a store error")
	}
}

func TestACancelledImportStops(t *testing.T) {
	path := generated(t, 1500, 6)
	r, _, _, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := (&Importer{Store: openDB(t), Workspace: ws}).Import(ctx, r); !errors.Is(err, context.Canceled) {
		t.Fatalf("error: %v", err)
	}
}
