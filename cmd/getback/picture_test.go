package main

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodePNG fails the test unless path holds a PNG of a useful size.
func decodePNG(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if img.Bounds().Dx() < 300 || img.Bounds().Dy() < 300 {
		t.Fatalf("%s is only %v", path, img.Bounds())
	}
}

func TestDigestPicturesInTheConsoleAndTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "getback.db")
	pics := filepath.Join(dir, "console-pictures")
	var out, errOut bytes.Buffer
	script := strings.Join([]string{
		`/meeting add state:Nevada date:2026-11-18`,
		`/digest config region:9 channel:#region-9 tz:UTC`,
		`/digest preview region:9 week:2026-11-18`,
	}, "\n")
	if code := run(context.Background(), []string{"console", "--db", dbPath, "--user", "ana", "--tz", "UTC", "--pictures", pics},
		strings.NewReader(script), &out, &errOut); code != 0 {
		t.Fatalf("console: %s", errOut.String())
	}
	for _, name := range []string{"region-9-coverage-2026-W47.png", "region-9-getbacks-2026-W47.png"} {
		path := filepath.Join(pics, name)
		if !strings.Contains(out.String(), ": "+path+"\n") {
			t.Errorf("the preview does not print %s:\n%s", path, out.String())
		}
		decodePNG(t, path)
	}
	if !strings.Contains(out.String(), "🖼 Region 9 coverage, week 2026-W47: ") {
		t.Errorf("the preview does not name the coverage map:\n%s", out.String())
	}

	// getback digest --png writes them where asked, and still prints the
	// digest.
	out.Reset()
	errOut.Reset()
	files := filepath.Join(dir, "cli")
	if code := run(context.Background(), []string{"digest", "--db", dbPath, "--region", "9", "--week", "2026-11-18", "--png", files}, nil, &out, &errOut); code != 0 {
		t.Fatalf("digest --png: %s", errOut.String())
	}
	for _, name := range []string{"region-9-coverage-2026-W47.png", "region-9-getbacks-2026-W47.png"} {
		if !strings.Contains(errOut.String(), "Wrote "+filepath.Join(files, name)) {
			t.Errorf("stderr does not name %s: %s", name, errOut.String())
		}
		decodePNG(t, filepath.Join(files, name))
	}
	if !strings.Contains(out.String(), "Region 9 weekly digest: Mon 2026-11-16 to Sun 2026-11-22 (2026-W47)") {
		t.Fatalf("digest text:\n%s", out.String())
	}
	// The leadership roll-up draws the national map.
	if code := run(context.Background(), []string{"digest", "--db", dbPath, "--leadership", "--week", "2026-11-18", "--png", files}, nil, &out, &errOut); code != 0 {
		t.Fatalf("digest --leadership --png: %s", errOut.String())
	}
	decodePNG(t, filepath.Join(files, "national-coverage-2026-W47.png"))

	// A directory that cannot be made is a clear error.
	errOut.Reset()
	blocked := filepath.Join(dir, "a-file")
	os.WriteFile(blocked, nil, 0o600)
	if code := run(context.Background(), []string{"digest", "--db", dbPath, "--region", "9", "--png", filepath.Join(blocked, "sub")}, nil, &out, &errOut); code != 1 ||
		!strings.Contains(errOut.String(), "picture directory") {
		t.Fatalf("unwritable --png: %d %s", code, errOut.String())
	}

	// A digest queued with --post carries its pictures; the console that
	// delivers it writes them and prints their paths in the channel post.
	if code := run(context.Background(), []string{"digest", "--db", dbPath, "--region", "9", "--week", "2026-11-18", "--post"}, nil, &out, &errOut); code != 0 {
		t.Fatalf("digest --post: %s", errOut.String())
	}
	out.Reset()
	delivered := filepath.Join(dir, "delivered")
	if code := run(context.Background(), []string{"console", "--db", dbPath, "--user", "ana", "--tz", "UTC", "--pictures", delivered},
		strings.NewReader(""), &out, &errOut); code != 0 {
		t.Fatalf("console: %s", errOut.String())
	}
	if !strings.Contains(out.String(), "┌─ #region-9") || !strings.Contains(out.String(), "│ 🖼 Region 9 getbacks, 12 weeks to 2026-W47: "+filepath.Join(delivered, "region-9-getbacks-2026-W47.png")) {
		t.Fatalf("delivered digest:\n%s", out.String())
	}
	decodePNG(t, filepath.Join(delivered, "region-9-coverage-2026-W47.png"))
}
