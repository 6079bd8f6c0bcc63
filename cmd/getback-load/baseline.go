package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"time"

	"github.com/getbackhq/getback/adapters/mattermost"
	"github.com/getbackhq/getback/adapters/server"
	"github.com/getbackhq/getback/adapters/slack"
	"github.com/getbackhq/getback/cmd/internal/servetest"
)

// baselineEnv, when set to a loopback address, makes getback-load serve
// the baseline there instead of driving a load: the load run starts its
// own binary again this way, so that the baseline is a process of its own
// as getback serve is.
const baselineEnv = "GETBACK_LOAD_BASELINE_ADDR"

// maxBody is the adapters' default bound on a request body.
const maxBody = 256 << 10

// baselineHandler answers slash commands after checking them only: the
// Slack signature (POST /slack/commands, an empty 200) or the Mattermost
// command token (POST /mattermost/commands, {}), with the adapters' own
// checks, behind the same HTTP front as getback serve (request metrics,
// /healthz). It is what the real handlers' acknowledgement rate is
// compared with.
func baselineHandler() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /slack/commands", func(w http.ResponseWriter, r *http.Request) {
		if _, status, err := slack.VerifiedBody(w, r, servetest.SlackSecret, maxBody); err != nil {
			http.Error(w, err.Error(), status)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	mux.HandleFunc("POST /mattermost/commands", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if !mattermost.CommandTokenOK(mattermost.RequestToken(r, form), []string{servetest.MattermostToken}) {
			http.Error(w, "invalid token", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(struct{}{})
	})
	return mux
}

// serveBaseline serves the baseline on addr until ctx ends.
func serveBaseline(ctx context.Context, addr string) error {
	if err := servetest.Loopback(addr); err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := &server.Server{Addr: addr, Mux: baselineHandler(), Metrics: server.NewMetrics(nil), Log: log}
	return srv.Run(ctx, nil)
}

// baseline is the baseline server, a child process.
type baseline struct {
	addr   string
	cmd    *exec.Cmd
	exited chan struct{}
}

// startBaseline starts this program again as the baseline server on a
// free loopback port and waits until it answers.
func startBaseline(ctx context.Context) (*baseline, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := servetest.FreeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self)
	cmd.Env = append(os.Environ(), baselineEnv+"="+addr)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	b := &baseline{addr: addr, cmd: cmd, exited: make(chan struct{})}
	go func() { cmd.Wait(); close(b.exited) }()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if resp, err := http.Get(b.url() + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return b, nil
			}
		}
		select {
		case <-b.exited:
			return nil, fmt.Errorf("the baseline server exited at start: %v", cmd.ProcessState)
		case <-ctx.Done():
			b.stop()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	b.stop()
	return nil, errors.New("the baseline server did not answer within 10 s")
}

func (b *baseline) url() string { return "http://" + b.addr }

// stop ends the baseline server and waits for it.
func (b *baseline) stop() {
	b.cmd.Process.Kill()
	<-b.exited
}
