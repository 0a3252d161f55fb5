//go:build !windows

package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

// counterSource is a child that writes one line per signal it gets to
// $COUNT, tells its pid through $READY once it listens, and exits 143 on
// TERM. It is Go rather than a shell script: a shell runs a trap once for
// signals that arrive together, and would hide a doubled Ctrl-C.
const counterSource = `package main

import (
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGHUP, syscall.SIGTERM)
	count, _ := os.OpenFile(os.Getenv("COUNT"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	os.WriteFile(os.Getenv("READY"), []byte(fmt.Sprintln(os.Getpid())), 0o600)
	for sig := range sigs {
		name := map[os.Signal]string{syscall.SIGINT: "INT", syscall.SIGQUIT: "QUIT", syscall.SIGHUP: "HUP", syscall.SIGTERM: "TERM"}[sig]
		fmt.Fprintln(count, name)
		if sig == syscall.SIGTERM {
			os.Exit(143)
		}
	}
}
`

var builtCounter struct {
	once sync.Once
	path string
	err  error
}

// counterBinary builds the signal-counting child once per test run.
func counterBinary(t *testing.T) string {
	t.Helper()
	builtCounter.once.Do(func() {
		dir, err := os.MkdirTemp("", "rolecall-counter-")
		if err != nil {
			builtCounter.err = err
			return
		}
		src := filepath.Join(dir, "counter.go")
		os.WriteFile(src, []byte(counterSource), 0o600)
		builtCounter.path = filepath.Join(dir, "counter")
		if out, err := exec.Command("go", "build", "-o", builtCounter.path, src).CombinedOutput(); err != nil {
			builtCounter.err = fmt.Errorf("%v: %s", err, out)
		}
	})
	if builtCounter.err != nil {
		t.Fatalf("build the counter: %v", builtCounter.err)
	}
	return builtCounter.path
}

// signalWorld runs 'rolecall exec temp -- counter' in a process group
// of its own, as a shell starts a job, with no terminal.
type signalWorld struct {
	t            *testing.T
	cmd          *exec.Cmd
	count, ready string
	stderr       bytes.Buffer
	child        int
}

func startSignalWorld(t *testing.T) *signalWorld {
	t.Helper()
	dir := t.TempDir()
	w := &signalWorld{t: t, count: filepath.Join(dir, "count"), ready: filepath.Join(dir, "ready")}
	config := filepath.Join(dir, "config")
	os.WriteFile(config, nil, 0o600)
	w.cmd = exec.Command(rolecallBinary(t), "--config", config, "--credentials", filepath.Join("testdata", "handoff", "static-credentials"),
		"exec", "temp", "--", counterBinary(t))
	w.cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "COUNT=" + w.count, "READY=" + w.ready, "ROLECALL_CACHE_DIR=" + filepath.Join(dir, "cache")}
	w.cmd.Stderr = &w.stderr
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		syscall.Kill(-w.cmd.Process.Pid, syscall.SIGKILL)
		if w.child != 0 {
			syscall.Kill(w.child, syscall.SIGKILL)
		}
		w.cmd.Wait()
	})
	w.child = w.waitFor(func() (int, bool) {
		b, err := os.ReadFile(w.ready)
		var pid int
		for _, c := range strings.TrimSpace(string(b)) {
			pid = pid*10 + int(c-'0')
		}
		return pid, err == nil && strings.HasSuffix(string(b), "\n")
	})
	return w
}

func (w *signalWorld) waitFor(cond func() (int, bool)) int {
	w.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if v, ok := cond(); ok {
			return v
		}
		time.Sleep(10 * time.Millisecond)
	}
	w.t.Fatalf("timed out; rolecall said %q", w.stderr.String())
	return 0
}

// seen waits for the child to have counted n signals, lets more arrive
// a moment, and returns them.
func (w *signalWorld) seen(n int) []string {
	w.t.Helper()
	w.waitFor(func() (int, bool) { return 0, len(w.lines()) >= n })
	time.Sleep(200 * time.Millisecond)
	return w.lines()
}

func (w *signalWorld) lines() []string {
	b, _ := os.ReadFile(w.count)
	return strings.Fields(string(b))
}

// exit ends the child with TERM to rolecall and returns rolecall's code.
func (w *signalWorld) exit() int {
	w.t.Helper()
	w.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- w.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		w.t.Fatal("rolecall did not exit after TERM")
	}
	return w.cmd.ProcessState.ExitCode()
}

// TestExecSignalToTheGroupReachesTheChildOnce: a signal to rolecall's
// process group (what a terminal does for Ctrl-C) reaches the child once,
// not once from the group and again forwarded.
func TestExecSignalToTheGroupReachesTheChildOnce(t *testing.T) {
	w := startSignalWorld(t)
	syscall.Kill(-w.cmd.Process.Pid, syscall.SIGINT)
	if got := w.seen(1); strings.Join(got, " ") != "INT" {
		t.Errorf("the child saw %v, want one INT", got)
	}
	if code := w.exit(); code != 143 {
		t.Errorf("rolecall exited %d, want the child's 143", code)
	}
}

// TestExecSignalToRolecallAloneIsPassedOn: INT, HUP and QUIT sent to
// rolecall alone reach the child once each; QUIT dumps no goroutines.
func TestExecSignalToRolecallAloneIsPassedOn(t *testing.T) {
	w := startSignalWorld(t)
	for i, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT} {
		w.cmd.Process.Signal(sig)
		w.seen(i + 1)
	}
	if got := strings.Join(w.lines(), " "); got != "INT HUP QUIT" {
		t.Errorf("the child saw %q", got)
	}
	if code := w.exit(); code != 143 || strings.Contains(w.stderr.String(), "goroutine") {
		t.Errorf("rolecall exited %d, stderr %q", code, w.stderr.String())
	}
}

// TestExecChildDoesNotOutliveRolecall: a rolecall killed outright takes
// its child with it (Linux: the parent-death signal).
func TestExecChildDoesNotOutliveRolecall(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("only Linux has a parent-death signal")
	}
	w := startSignalWorld(t)
	w.cmd.Process.Kill()
	w.cmd.Wait()
	if got := w.seen(1); strings.Join(got, " ") != "TERM" {
		t.Errorf("the child saw %v after rolecall was killed, want TERM", got)
	}
	w.waitFor(func() (int, bool) { return 0, syscall.Kill(w.child, 0) != nil })
}

// removeCounter deletes the counter built for this run, if any.
func removeCounter() {
	if builtCounter.path != "" {
		os.RemoveAll(filepath.Dir(builtCounter.path))
	}
}

// TestExecAtATerminal runs exec in tmux, where Ctrl-C and Ctrl-\ come from
// the terminal: each reaches the child once (it has the terminal's
// foreground), rolecall neither dies nor dumps, and it exits with the
// child's status.
func TestExecAtATerminal(t *testing.T) {
	tmux := testenv.RequireTool(t, "tmux")
	dir := t.TempDir()
	count, ready := filepath.Join(dir, "count"), filepath.Join(dir, "ready")
	config := filepath.Join(dir, "config")
	os.WriteFile(config, nil, 0o600)
	creds, _ := filepath.Abs(filepath.Join("testdata", "handoff", "static-credentials"))
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TERM=xterm", "COUNT=" + count, "READY=" + ready,
		"ROLECALL_CACHE_DIR=" + filepath.Join(dir, "cache")}
	s := startTUI(t, tmux, rolecallBinary(t), env, "--config '"+config+"' --credentials '"+creds+"' exec temp -- '"+counterBinary(t)+"'")
	w := &signalWorld{t: t, count: count, ready: ready}
	child := w.waitFor(func() (int, bool) {
		b, err := os.ReadFile(ready)
		var pid int
		fmt.Sscan(string(b), &pid)
		return pid, err == nil && pid > 0
	})
	s.keys("C-c")
	w.seen(1)
	s.keys(`C-\`)
	if got := strings.Join(w.seen(2), " "); got != "INT QUIT" {
		t.Errorf("the child saw %q, want INT QUIT", got)
	}
	syscall.Kill(child, syscall.SIGTERM)
	status := s.waitFor("rolecall to exit", func(string) string {
		b, _ := os.ReadFile(s.status)
		return strings.TrimSpace(string(b))
	})
	if status != "143" || strings.Contains(s.screen(), "goroutine") {
		t.Errorf("rolecall exited %s; screen:\n%s", status, s.screen())
	}
}
