package sheet

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getbackhq/getback/bot"
	"github.com/getbackhq/getback/storage/sqlite"
	"github.com/getbackhq/getback/storage/sqlite/sqlitetest"
)

// GenerateFile writes a legacy-layout TSV of n data rows, in sections of
// 500 with their own title and header, realistic text in every column and
// a GETBACK item in one row of five. It is cached under the temp dir.
func generateFile(tb testing.TB, n int) string {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("getback-import-%d.tsv", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	f, err := os.Create(path + ".tmp")
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	r := rand.New(rand.NewPCG(5, 6))
	var head []string
	for _, fl := range bot.MeetingFields {
		head = append(head, fl.Title)
	}
	start := time.Date(2017, 1, 2, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		if i%500 == 0 {
			fmt.Fprintf(w, "\n%s\n\n%s\n", Title, strings.Join(head, "\t"))
		}
		st := bot.States[r.IntN(len(bot.States))]
		d := start.AddDate(0, 0, i/60)
		follow := sqlitetest.Text(r, 80)
		if i%5 == 0 {
			follow += fmt.Sprintf(" GETBACK (1): %s. RD FORAC.", sqlitetest.Text(r, 40))
		}
		cells := []string{fmt.Sprint(st.Region), st.Name, st.Name + " office " + fmt.Sprint(r.IntN(20)),
			fmt.Sprintf("%d/%d/%d", d.Month(), d.Day(), d.Year()), "(b) (6)", sqlitetest.Text(r, 60),
			sqlitetest.Text(r, 300), sqlitetest.Text(r, 100), follow, sqlitetest.Text(r, 60), "", "", ""}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	f.Close()
	if err := os.Rename(path+".tmp", path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkImport100k imports a generated file of benchRows rows into an empty
// store and reports rows per second.
func BenchmarkImport100k(b *testing.B) {
	n := benchRows()
	path := generateFile(b, n)
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
		s, err := (&Importer{Store: db, Workspace: ws}).Import(context.Background(), r)
		elapsed := time.Since(start)
		b.StopTimer()
		if err != nil || s.Created != n {
			b.Fatalf("%+v %v", s, err)
		}
		b.ReportMetric(float64(n)/elapsed.Seconds(), "rows/s")
		r.Close()
		db.Close()
		b.StartTimer()
	}
}

// benchRows is the size of the import benchmark: 100,000 rows, or
// GETBACK_BENCH_ROWS.
func benchRows() int {
	if v, err := strconv.Atoi(os.Getenv("GETBACK_BENCH_ROWS")); err == nil && v > 0 {
		return v
	}
	return 100_000
}
