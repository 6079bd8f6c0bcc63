package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestMain serves the acknowledgement run's baseline when the run starts
// this test binary again as its baseline server (as it does getback-load).
func TestMain(m *testing.M) {
	if addr := os.Getenv(baselineEnv); addr != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		if err := serveBaseline(ctx, addr); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// buildGetback builds getback into dir.
func buildGetback(t *testing.T, dir string) string {
	t.Helper()
	bin := filepath.Join(dir, "getback")
	if out, err := exec.Command("go", "build", "-o", bin, "../getback").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestAckRunAnswersEveryCommandAndReadsMemory: a short acknowledgement
// run on both platforms compares getback with the baseline in every
// round, sees every queued command answered through its response_url,
// and reads getback's memory.
func TestAckRunAnswersEveryCommandAndReadsMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	dir := t.TempDir()
	bin := buildGetback(t, dir)
	var out, errOut bytes.Buffer
	summaryPath := filepath.Join(dir, "ack.json")
	err := run(context.Background(), []string{"--ack", "--getback", bin, "--requests", "300", "--rounds", "2", "--settle", "0s",
		"--idle-after", "0s", "--dir", filepath.Join(dir, "run"), "--json", summaryPath}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, out.String(), errOut.String())
	}
	var res []ackPlatform
	b, _ := os.ReadFile(summaryPath)
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Platform != "slack" || res[1].Platform != "mattermost" {
		t.Fatalf("platforms: %+v", res)
	}
	for _, p := range res {
		if !p.AllAnswered || len(p.Rounds) != 2 || p.Shutdown.ExitCode != 0 {
			t.Fatalf("%s: %+v\n%s", p.Platform, p, out.String())
		}
		for i, r := range p.Rounds {
			if r.Baseline.Requests != 300 || r.Getback.Requests != 300 || r.Baseline.Failed+r.Getback.Failed != 0 ||
				r.Ratio <= 0 || r.Expected+r.Getback.Inline != 300 || r.Answered != r.Expected {
				t.Fatalf("%s round %d: %+v", p.Platform, i+1, r)
			}
		}
		if p.Idle.RSS <= 0 || p.Idle.Anon <= 0 || p.Peak.HWM < p.Idle.RSS {
			t.Fatalf("%s memory: idle %+v, peak %+v", p.Platform, p.Idle, p.Peak)
		}
	}
}

// TestLoadRun builds getback and drives it with a short run: the
// generator must find every acknowledged write stored once, every read
// answered, and a clean stop.
func TestLoadRun(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	dir := t.TempDir()
	bin := buildGetback(t, dir)
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
