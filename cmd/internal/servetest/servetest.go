// Package servetest runs the real `getback serve` binary as a child
// process on loopback, wired to fake Slack and Mattermost APIs
// (slacktest, mattermosttest) that outlive it, so that load runs, crash
// tests and shutdown tests can send signed commands, kill or stop the
// process, restart it on the same database, and check what reached the
// platforms.
package servetest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/getbackhq/getback/adapters/mattermost/mattermosttest"
	"github.com/getbackhq/getback/adapters/slack/slacktest"
)

// Credentials the child process is given; the fakes accept anything.
const (
	SlackSecret     = "load-signing-secret-0123456789abcdef"
	MattermostToken = "loadcommandtoken0123456789"
	SlackTeam       = "T1"
	MattermostTeam  = "team1"
	// SlackWorkspace and MattermostWorkspace are the workspace ids getback
	// stores the two platforms' data under.
	SlackWorkspace      = "slack:" + SlackTeam
	MattermostWorkspace = "mattermost:" + MattermostTeam
)

// Options configure a process.
type Options struct {
	Binary string    // the getback binary
	DB     string    // database path (or postgres:// URL), kept across restarts
	Addr   string    // loopback host:port; a free port when empty
	Env    []string  // extra environment (KEY=value)
	Stderr io.Writer // getback's logs; discarded when nil
	// Share, when set, is a process whose fake platforms this one posts to
	// instead of its own: a replica on the same database. Closing a
	// replica leaves the fakes to their owner.
	Share *Process
}

// Process is a running (or stopped) getback serve and its fake platforms.
type Process struct {
	Options
	SlackAPI      *slacktest.Server
	MattermostAPI *mattermosttest.Server

	cmd    *exec.Cmd
	exited chan struct{}
	state  *os.ProcessState
	seq    atomic.Int64
}

// Loopback reports an error unless addr is host:port on a loopback
// address: load and faults are only ever aimed at this machine.
func Loopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if host == "localhost" {
		ip = net.IPv4(127, 0, 0, 1)
	}
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("address %q is not loopback (127.0.0.1, ::1 or localhost); refusing to send load or faults elsewhere", addr)
	}
	return nil
}

// FreeAddr returns an unused 127.0.0.1 port.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start starts the fake platforms and getback serve, and waits until its
// /healthz answers.
func Start(ctx context.Context, o Options) (*Process, error) {
	if o.Addr == "" {
		a, err := FreeAddr()
		if err != nil {
			return nil, err
		}
		o.Addr = a
	}
	if err := Loopback(o.Addr); err != nil {
		return nil, err
	}
	p := &Process{Options: o}
	if o.Share != nil {
		p.SlackAPI, p.MattermostAPI = o.Share.SlackAPI, o.Share.MattermostAPI
	} else {
		p.SlackAPI, p.MattermostAPI = slacktest.NewServer(), mattermosttest.NewServer()
	}
	if err := p.Restart(ctx); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// URL is getback's base address.
func (p *Process) URL() string { return "http://" + p.Addr }

// PID is the process id of the running getback (0 before it starts).
func (p *Process) PID() int {
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

// Running reports whether the child process is alive.
func (p *Process) Running() bool {
	if p.cmd == nil {
		return false
	}
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

// Restart starts getback again (after Kill or Term) on the same database
// and fakes, and waits for /healthz.
func (p *Process) Restart(ctx context.Context) error {
	if p.Running() {
		return errors.New("getback is still running")
	}
	cmd := exec.Command(p.Binary, "serve", "--addr", p.Addr, "--db", p.DB)
	cmd.Env = append(os.Environ(),
		"SLACK_BOT_TOKEN=xoxb-load", "SLACK_SIGNING_SECRET="+SlackSecret, "SLACK_APP_TOKEN=", "SLACK_API_URL="+p.SlackAPI.APIURL(),
		"MATTERMOST_URL="+p.MattermostAPI.URL, "MATTERMOST_BOT_TOKEN=loadbottoken", "MATTERMOST_COMMAND_TOKENS="+MattermostToken,
		"GETBACK_PUBLIC_URL="+p.URL(), "GETBACK_LOG_LEVEL=warn", "GETBACK_ADMINS=")
	cmd.Env = append(cmd.Env, p.Env...)
	cmd.Stdout, cmd.Stderr = p.Stderr, p.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	p.cmd, p.exited, p.state = cmd, make(chan struct{}), nil
	go func() {
		cmd.Wait()
		p.state = cmd.ProcessState
		close(p.exited)
	}()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.URL() + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.exited:
			return fmt.Errorf("getback exited at start: %v", p.state)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return errors.New("getback did not become healthy within 20 s")
}

// Kill sends SIGKILL and waits for the process to go.
func (p *Process) Kill() {
	if !p.Running() {
		return
	}
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Term sends SIGTERM and waits up to timeout; it returns the exit code and
// how long the process took to stop (it is killed after the timeout, and
// the code is then -1).
func (p *Process) Term(timeout time.Duration) (code int, took time.Duration) {
	if !p.Running() {
		return p.state.ExitCode(), 0
	}
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.state.ExitCode(), time.Since(start)
	case <-time.After(timeout):
		p.Kill()
		return -1, time.Since(start)
	}
}

// Close kills getback if it runs and stops the fakes (unless they are
// another process's).
func (p *Process) Close() {
	p.Kill()
	if p.Share == nil {
		p.SlackAPI.Close()
		p.MattermostAPI.Close()
	}
}

// AddUsers gives both fake platforms n users: on Slack U00000…, on
// Mattermost mm00000…, all named user<i>, in the UTC zone.
func (p *Process) AddUsers(n int) {
	for i := range n {
		p.SlackAPI.SetUser(map[string]any{"id": SlackUser(i), "name": fmt.Sprintf("user%d", i), "real_name": fmt.Sprintf("User %d", i),
			"tz": "UTC", "profile": map[string]any{"display_name": fmt.Sprintf("User %d", i)}})
		p.MattermostAPI.SetUser(&model.User{Id: MattermostUser(i), Username: fmt.Sprintf("user%d", i),
			FirstName: "User", LastName: strconv.Itoa(i), Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "UTC"}})
	}
}

// next numbers a request: one sequence for replicas that share fakes, so
// that trigger ids and response URLs stay unique across them.
func (p *Process) next() int64 {
	if p.Share != nil {
		return p.Share.next()
	}
	return p.seq.Add(1)
}

// SlackUser is the Slack id of user i.
func SlackUser(i int) string { return fmt.Sprintf("U%05d", i) }

// MattermostUser is the Mattermost id of user i.
func MattermostUser(i int) string { return fmt.Sprintf("mm%05d", i) }

// Answer is what getback said to a command.
type Answer struct {
	Status int    // HTTP status; 0 when the request failed
	Body   string // the response body (a write's answer; "" or {} for a read answered later)
}

// Slack sends a signed Slack slash command as user i and returns the
// HTTP answer (mention users in text with SlackMention).
func (p *Process) Slack(ctx context.Context, c *http.Client, user int, command, text string) (Answer, error) {
	n := p.next()
	req := slacktest.NewRequest(p.URL()+"/slack/commands", SlackSecret, url.Values{
		"team_id": {SlackTeam}, "team_domain": {"load"}, "channel_id": {"CLOAD"}, "channel_name": {"load"},
		"user_id": {SlackUser(user)}, "user_name": {fmt.Sprintf("user%d", user)}, "command": {command}, "text": {text},
		"response_url": {p.SlackAPI.ResponseURL(strconv.FormatInt(n, 10))}, "trigger_id": {fmt.Sprintf("load.%d.%d", time.Now().UnixNano(), n)}})
	return do(ctx, c, req)
}

// SlackMention is how a Slack command text mentions user i.
func SlackMention(i int) string { return fmt.Sprintf("<@%s|user%d>", SlackUser(i), i) }

// Mattermost sends a Mattermost slash command as user i, with the
// user_mentions fields Mattermost adds for the given mentioned users.
func (p *Process) Mattermost(ctx context.Context, c *http.Client, user int, command, text string, mentioned ...int) (Answer, error) {
	n := p.next()
	form := url.Values{"token": {MattermostToken}, "team_id": {MattermostTeam}, "team_domain": {"load"},
		"channel_id": {"chload"}, "channel_name": {"load"}, "user_id": {MattermostUser(user)}, "user_name": {fmt.Sprintf("user%d", user)},
		"command": {command}, "text": {text}, "trigger_id": {fmt.Sprintf("load%d", n)},
		"response_url": {p.MattermostAPI.ResponseURL(strconv.FormatInt(n, 10))}}
	var names, ids []string
	for _, m := range mentioned {
		names, ids = append(names, fmt.Sprintf("user%d", m)), append(ids, MattermostUser(m))
	}
	if len(names) > 0 {
		form.Set("user_mentions", strings.Join(names, ","))
		form.Set("user_mentions_ids", strings.Join(ids, ","))
	}
	return do(ctx, c, mattermosttest.NewCommandRequest(p.URL()+"/mattermost/commands", form))
}

// MattermostMention is how a Mattermost command text mentions user i.
func MattermostMention(i int) string { return fmt.Sprintf("@user%d", i) }

func do(ctx context.Context, c *http.Client, req *http.Request) (Answer, error) {
	resp, err := c.Do(req.WithContext(ctx))
	if err != nil {
		return Answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return Answer{Status: resp.StatusCode, Body: string(b)}, err
}
