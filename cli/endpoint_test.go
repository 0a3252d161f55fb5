package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// endpointChildEnv makes the test binary, run as exec --server's child,
// act as TestHelperEndpointClient.
const endpointChildEnv = "ROLECALL_TEST_ENDPOINT_CLIENT"

// TestHelperEndpointClient is the child of the exec --server tests, not a
// test of its own: it reads credentials through the Go SDK's default
// chain, as any Go program would, calls STS with them, and prints what it
// saw as JSON; then it exits with $ROLECALL_TEST_EXIT.
func TestHelperEndpointClient(t *testing.T) {
	if os.Getenv(endpointChildEnv) == "" {
		return
	}
	ctx := context.Background()
	out := map[string]string{
		"uri":     os.Getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
		"region":  os.Getenv("AWS_REGION"),
		"profile": os.Getenv("ROLECALL_PROFILE"),
		"stale":   os.Getenv("AWS_ACCESS_KEY_ID") + os.Getenv("AWS_SESSION_TOKEN") + os.Getenv("AWS_PROFILE"),
		"argv":    strings.Join(os.Args, " "),
	}
	if line, err := bufio.NewReader(os.Stdin).ReadString('\n'); err == nil {
		out["stdin"] = strings.TrimSpace(line)
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err == nil {
		creds, err2 := cfg.Credentials.Retrieve(ctx)
		out["key"], out["source"], err = creds.AccessKeyID, creds.Source, err2
	}
	if err == nil {
		var id *sts.GetCallerIdentityOutput
		id, err = sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err == nil {
			out["arn"] = *id.Arn
		}
	}
	if err != nil {
		out["err"] = err.Error()
	}
	json.NewEncoder(os.Stdout).Encode(out)
	code, _ := strconv.Atoi(os.Getenv("ROLECALL_TEST_EXIT"))
	os.Exit(code)
}

// fakeTTY is a controlling terminal on which the user types answer.
type fakeTTY struct {
	mu     sync.Mutex
	answer string
	opened int
	shown  bytes.Buffer
}

func (f *fakeTTY) open() (io.ReadWriteCloser, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opened++
	return ttyConn{Reader: strings.NewReader(f.answer), w: &f.shown, mu: &f.mu}, nil
}

type ttyConn struct {
	io.Reader
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (c ttyConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.w.Write(p)
}
func (c ttyConn) Close() error { return nil }

// execServer runs exec --server in-process with the test binary as the
// child.
func (w *cmdWorld) execServer(g globalOptions, profile, stdin string, extraEnv ...string) (map[string]string, error) {
	w.t.Helper()
	opts := &ExecOptions{}
	opts.fill(&g, profile)
	opts.sessionDeps = w.deps(g)
	opts.Server = true
	opts.Argv = []string{os.Args[0], "-test.run=^TestHelperEndpointClient$"}
	opts.Stdin = strings.NewReader(stdin)
	opts.Environ = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + w.t.TempDir(), endpointChildEnv + "=1",
		// Under go test -cover the child writes its coverage here, not a
		// warning on stderr.
		"GOCOVERDIR=" + w.t.TempDir(),
		"AWS_CONFIG_FILE=" + w.files.Config, "AWS_SHARED_CREDENTIALS_FILE=" + w.files.Credentials, "AWS_ENDPOINT_URL_STS=" + w.sts.URL,
		// What an earlier rolecall env or the user left: none of it may
		// reach the child, or the SDK would take it over the endpoint.
		"AWS_ACCESS_KEY_ID=AKIASTALE00000000000", "AWS_SECRET_ACCESS_KEY=stale", "AWS_SESSION_TOKEN=stale", "AWS_PROFILE=base"}, extraEnv...)
	err := runExec(context.Background(), opts)
	var got map[string]string
	if jerr := json.Unmarshal(w.out.Bytes(), &got); jerr != nil {
		w.t.Fatalf("the child printed no JSON (%v); stderr: %s", jerr, w.errOut.String())
	}
	return got, err
}

func TestExecServer(t *testing.T) {
	w := newCmdWorld(t)
	got, err := w.execServer(w.global, "dev", "", "ROLECALL_TEST_EXIT=7")
	if code, ok := err.(exitCodeError); !ok || code.code != 7 {
		t.Errorf("the child's exit 7 became %v", err)
	}
	if got["err"] != "" {
		t.Fatalf("the Go SDK's default chain failed in the child: %s", got["err"])
	}
	if !strings.HasPrefix(got["key"], "ASIAFAKE") || got["source"] != "CredentialsEndpointProvider" ||
		!strings.Contains(got["arn"], "assumed-role/dev/") {
		t.Errorf("the child got key %q from %q as %q; want the dev session from the endpoint", got["key"], got["source"], got["arn"])
	}
	if got["stale"] != "" || got["region"] != "eu-west-1" || got["profile"] != "dev" {
		t.Errorf("child environment: stale %q, region %q, ROLECALL_PROFILE %q", got["stale"], got["region"], got["profile"])
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:\d+/$`).MatchString(got["uri"]) {
		t.Errorf("endpoint URI %q is not loopback", got["uri"])
	}
	// The endpoint stopped with the child.
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(got["uri"]); err == nil {
		resp.Body.Close()
		t.Errorf("the endpoint still answers after its child exited")
	}
	// The token was in the child's environment alone.
	if strings.Contains(got["argv"], "AWS_CONTAINER") || w.errOut.String() != "" {
		t.Errorf("argv %q, stderr %q", got["argv"], w.errOut.String())
	}
}

func TestExecServerAsksOnTheTerminalNotOnStdin(t *testing.T) {
	w := newCmdWorld(t)
	f, _ := os.OpenFile(w.files.Config, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("\n[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/mfa\nsource_profile = base\nmfa_serial = arn:aws:iam::999999999999:mfa/base\n")
	f.Close()
	tty := &fakeTTY{answer: "123456\n"}
	g := w.global
	g.OpenTTY = tty.open
	got, err := w.execServer(g, "mfa", "the child's own input\n")
	if err != nil || got["err"] != "" {
		t.Fatalf("exec --server: %v; child: %s", err, got["err"])
	}
	if got["stdin"] != "the child's own input" {
		t.Errorf("the child read %q from its stdin: the prompt took from it", got["stdin"])
	}
	if tty.opened != 1 || !strings.Contains(tty.shown.String(), "MFA code for arn:aws:iam::999999999999:mfa/base") {
		t.Errorf("the terminal was opened %d times and shows %q", tty.opened, tty.shown.String())
	}
}

func TestTTYPrompt(t *testing.T) {
	ctx := context.Background()
	tty := &fakeTTY{answer: " 654321 \n"}
	p := &ttyPrompt{open: tty.open}
	if code, err := p.ask(ctx, "dev", "arn:x"); err != nil || code != "654321" {
		t.Errorf("ask = %q, %v", code, err)
	}
	p.off.Store(true)
	if _, err := p.ask(ctx, "dev", "arn:x"); err == nil || tty.opened != 1 {
		t.Errorf("asked once a shell had the terminal: %v", err)
	}
	if _, err := (&ttyPrompt{}).ask(ctx, "dev", "arn:x"); err == nil || !strings.Contains(err.Error(), "no terminal") {
		t.Errorf("without a terminal: %v", err)
	}
	// Nobody answers: the prompt gives up with its context.
	r, wr := io.Pipe()
	defer wr.Close()
	slow := &ttyPrompt{open: func() (io.ReadWriteCloser, error) { return pipeTTY{r}, nil }}
	tctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := slow.ask(tctx, "dev", "arn:x"); err == nil || !errors.Is(tctx.Err(), context.DeadlineExceeded) {
		t.Errorf("an unanswered prompt: %v", err)
	}
}

type pipeTTY struct{ r *io.PipeReader }

func (p pipeTTY) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p pipeTTY) Write(b []byte) (int, error) { return len(b), nil }
func (p pipeTTY) Close() error                { return p.r.Close() }

func TestServerSetting(t *testing.T) {
	tests := []struct {
		env     string
		args    []string
		want    bool
		wantErr string
	}{
		{env: "", args: []string{"dev", "--", "true"}, want: false},
		{env: "1", args: []string{"dev", "--", "true"}, want: true},
		{env: "true", args: []string{"dev", "--", "true"}, want: true},
		{env: "0", args: []string{"dev", "--", "true"}, want: false},
		{env: "", args: []string{"--server", "dev", "--", "true"}, want: true},
		{env: "1", args: []string{"--server=false", "dev", "--", "true"}, want: false},
		{env: "maybe", args: []string{"dev", "--", "true"}, wantErr: `ROLECALL_SERVER="maybe" is not 1 or 0`},
		{env: "maybe", args: []string{"--server=false", "dev", "--", "true"}, want: false},
	}
	for _, tt := range tests {
		t.Run(tt.env+" "+strings.Join(tt.args, " "), func(t *testing.T) {
			g := &globalOptions{Getenv: func(k string) string { return map[string]string{serverEnv: tt.env}[k] }}
			for _, cmdName := range []string{"exec", "shell"} {
				var got *ExecOptions
				runF := func(_ context.Context, o *ExecOptions) error { got = o; return nil }
				cmd, args := newExecCmd(g, runF), tt.args
				if cmdName == "shell" {
					cmd, args = newShellCmd(g, runF), args[:len(args)-2]
				}
				cmd.SetArgs(args)
				cmd.SetOut(io.Discard)
				cmd.SetErr(io.Discard)
				err := cmd.Execute()
				if tt.wantErr != "" {
					var ue usageError
					if !errors.As(err, &ue) || !strings.Contains(err.Error(), tt.wantErr) {
						t.Errorf("%s: %v, want a usage error %q", cmdName, err, tt.wantErr)
					}
					continue
				}
				if err != nil || got == nil || got.Server != tt.want {
					t.Errorf("%s: err %v, server %v; want %v", cmdName, err, got != nil && got.Server, tt.want)
				}
			}
		})
	}
}

// lockedBuffer is a buffer a command's goroutines and the test share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// exportedVars reads bash export lines into a map.
func exportedVars(lines string) map[string]string {
	vars := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^export ([A-Z_]+)='([^']*)'$`).FindAllStringSubmatch(lines, -1) {
		vars[m[1]] = m[2]
	}
	return vars
}

func TestServeCommand(t *testing.T) {
	w := newCmdWorld(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	var errOut lockedBuffer
	d := w.global.sessionDeps(false)
	d.Stdout, d.Stderr = outW, &errOut
	opts := &ServeOptions{sessionDeps: d, endpointDeps: w.global.endpointDeps(), Profile: "dev", Shell: "bash", Getenv: w.global.Getenv}
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, opts); outW.Close() }()
	var lines strings.Builder
	sc := bufio.NewScanner(outR)
	for sc.Scan() {
		lines.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "export ROLECALL_PROFILE=") {
			break
		}
	}
	go io.Copy(io.Discard, outR)
	if !strings.HasPrefix(lines.String(), "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN") {
		t.Errorf("the lines do not start by unsetting stale keys:\n%s", lines.String())
	}
	vars := exportedVars(lines.String())
	uri, token := vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"], vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
	if uri == "" || len(token) != 64 || vars["AWS_REGION"] != "eu-west-1" {
		t.Fatalf("export lines lack the endpoint: %v", keysIn(vars))
	}
	// Two terminals share the endpoint: both get the one session.
	for i := 0; i < 2; i++ {
		req, _ := http.NewRequest(http.MethodGet, uri, nil)
		req.Header.Set("Authorization", token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("terminal %d: %v", i+1, err)
		}
		resp.Body.Close()
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("serve ended with %v", err)
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(uri); err == nil {
		resp.Body.Close()
		t.Errorf("the endpoint still answers after serve stopped")
	}
	if s := errOut.String(); strings.Contains(s, token) || !strings.Contains(s, "serving dev's session at "+uri) || !strings.Contains(s, "stopped") {
		t.Errorf("stderr holds the token, or does not say what happens:\n%s", strings.ReplaceAll(s, token, "<token>"))
	}
}

func keysIn(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestServeUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve"}, "accepts 1 arg"},
		{[]string{"serve", "dev", "--port", "70000"}, "--port 70000 is not a port"},
		{[]string{"serve", "dev", "--shell", "tcsh"}, `unknown shell "tcsh"`},
	} {
		code, out, errOut := handoffRun(t, nil, tc.args...)
		if code != exitUsage || out != "" || !strings.Contains(errOut, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.want)
		}
	}
}
