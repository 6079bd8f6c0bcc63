package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadRun builds getback and drives it with a short run: the
// generator must find every acknowledged write stored once, every read
// answered, and a clean stop.
func TestLoadRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "getback")
	if out, err := exec.Command("go", "build", "-o", bin, "../getback").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var out, errOut bytes.Buffer
	summaryPath := filepath.Join(dir, "summary.json")
	err := run(context.Background(), []string{"--getback", bin, "--requests", "400", "--users", "30", "--clients", "4",
		"--dir", filepath.Join(dir, "run"), "--json", summaryPath}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out.String(), errOut.String())
	}
	var s summary
	b, _ := os.ReadFile(summaryPath)
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	if s.Requests != 400 || s.All.N != 400 || !s.Check.OK() || s.Check.AckedWrites == 0 || s.Check.Stored == 0 || s.Shutdown.ExitCode != 0 {
		t.Fatalf("summary: %+v\n%s", s, out.String())
	}
	if s.ByOp["list"].N < 200 || s.ByOp["add"].N == 0 || s.ByOp["done"].N == 0 {
		t.Fatalf("mix: %+v", s.ByOp)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "run", "requests.jsonl"))
	if n := strings.Count(string(log), "\n"); n != 400 {
		t.Fatalf("request log has %d lines", n)
	}
}

func TestRefusesNonLoopback(t *testing.T) {
	var out, errOut bytes.Buffer
	for _, addr := range []string{"10.0.0.5:8080", "example.org:80", "0.0.0.0:8080"} {
		err := run(context.Background(), []string{"--addr", addr}, &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "not loopback") {
			t.Errorf("--addr %s: %v", addr, err)
		}
	}
}
