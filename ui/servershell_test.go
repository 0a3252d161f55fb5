package ui

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/rolecall/rolecall/internal/testenv"
)

func TestServerShellKey(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	if _, cmd := m.Update(keyMsg("S")); cmd != nil || !strings.Contains(screen(m), "no live session") {
		t.Fatal("S without a session did not ask to assume first")
	}
	press(m, "enter")
	if _, cmd := m.Update(keyMsg("S")); cmd == nil {
		t.Fatal("S with a live session started nothing")
	}
	press(m, "?")
	if s := screen(m); !strings.Contains(s, "S   renewing subshell") || !strings.Contains(s, "s   subshell") {
		t.Errorf("the full help does not tell s from S:\n%s", s)
	}
}

// TestServerShellRuns runs the S key's subshell with a stand-in shell that
// records its environment and waits; meanwhile the endpoint serves the
// session, and it is gone once the shell exits.
func TestServerShellRuns(t *testing.T) {
	sh := testenv.RequireTool(t, "sh")
	dir := t.TempDir()
	envOut := filepath.Join(dir, "env")
	shell := filepath.Join(dir, "shell")
	os.WriteFile(shell, []byte("#!"+sh+"\nenv > \"$ENV_OUT\"\nread line\nexit 3\n"), 0o700)
	c := &clock{now: t0}
	f := newFakeManager(testSet(), c)
	m := newModel(c, Options{Manager: f, Width: 100, Height: 30,
		Getenv:  func(k string) string { return map[string]string{"SHELL": shell}[k] },
		Environ: []string{"ENV_OUT=" + envOut, "AWS_ACCESS_KEY_ID=AKIASTALE00000000000", "AWS_PROFILE=stale"}})
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	cmd := m.serverShell(m.list.Selected())
	if cmd == nil {
		t.Fatal("no subshell for a live session")
	}
	in, release := io.Pipe()
	var out strings.Builder
	cmd.SetStdin(in)
	cmd.SetStdout(io.Discard)
	cmd.SetStderr(&lockedWriter{w: &out})
	done := make(chan error, 1)
	go func() { done <- cmd.Run() }()

	var env map[string]string
	deadline := time.Now().Add(10 * time.Second)
	for env["ROLECALL_PROFILE"] == "" {
		if time.Now().After(deadline) {
			t.Fatal("the shell did not start")
		}
		time.Sleep(20 * time.Millisecond)
		env = readEnv(envOut)
	}
	if env["AWS_ACCESS_KEY_ID"] != "" || env["AWS_PROFILE"] != "" || env["AWS_SESSION_TOKEN"] != "" {
		t.Errorf("the shell got keys or a profile: %v", env)
	}
	uri, token := env["AWS_CONTAINER_CREDENTIALS_FULL_URI"], env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
	got, err := endpointcreds.New(uri, func(o *endpointcreds.Options) { o.AuthorizationToken = token }).Retrieve(context.Background())
	if err != nil || !strings.HasPrefix(got.AccessKeyID, "ASIAFAKEFAKE") {
		t.Fatalf("the endpoint answered %v (key %q)", err, got.AccessKeyID)
	}
	release.Write([]byte("\n"))
	release.Close() // exec copies a non-file stdin until EOF
	var exit *exec.ExitError
	if err := <-done; !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("Run = %v, want the shell's exit status 3", err)
	}
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(uri); err == nil {
		resp.Body.Close()
		t.Errorf("the endpoint still answers after the shell exited")
	}
	if strings.Contains(out.String(), token) || !strings.Contains(out.String(), "through a local endpoint that renews it") {
		t.Errorf("stderr holds the token, or does not say what runs:\n%s", strings.ReplaceAll(out.String(), token, "<token>"))
	}
}

func readEnv(path string) map[string]string {
	env := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return env
	}
	defer f.Close()
	for sc := bufio.NewScanner(f); sc.Scan(); {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env
}

// lockedWriter lets the endpoint's goroutines and the shell share a
// writer.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
