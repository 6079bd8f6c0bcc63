package sheet

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/getbackhq/getback/storage/sheet/sheettest"
	"github.com/getbackhq/getback/storage/sqlite"
)

// benchSpec is the generated sheet of the import benchmarks: the standard
// 100,000 rows in 5,600 sections (191 MB), or GETBACK_BENCH_ROWS rows in
// sections of the same average size.
func benchSpec() sheettest.Spec {
	spec := sheettest.Standard
	if v, err := strconv.Atoi(os.Getenv("GETBACK_BENCH_ROWS")); err == nil && v > 0 {
		spec.Sections = max(1, v*spec.Sections/spec.Rows)
		spec.Rows = v
	}
	return spec
}

// benchImport imports the generated sheet once per iteration into a fresh
// store, and reports throughput in MB/s and rows/s.
func benchImport(b *testing.B, dryRun bool) {
	path := sheettest.Cached(b, benchSpec())
	st, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	var elapsed time.Duration
	var rows int
	for b.Loop() {
		b.StopTimer()
		db, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "g.db"))
		if err != nil {
			b.Fatal(err)
		}
		r, _, _, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		s, err := (&Importer{Store: db, Workspace: ws, DryRun: dryRun, Now: func() time.Time { return importDay }}).Import(context.Background(), r)
		elapsed += time.Since(start)
		b.StopTimer()
		if err != nil || s.Created == 0 {
			b.Fatalf("%+v %v", s, err)
		}
		rows += s.RowsRead
		r.Close()
		db.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(rows)/elapsed.Seconds(), "rows/s")
}

// BenchmarkImportDryRun reads and checks the generated sheet, writing
// nothing (getback import --dry-run).
func BenchmarkImportDryRun(b *testing.B) { benchImport(b, true) }

// BenchmarkImport imports the generated sheet into an empty store.
func BenchmarkImport(b *testing.B) { benchImport(b, false) }
