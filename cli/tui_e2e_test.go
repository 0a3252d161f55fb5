package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

// tmuxSession drives the built binary in a private tmux server.
type tmuxSession struct {
	t      *testing.T
	bin    string
	socket string
	// status is the file the pane's script writes rolecall's exit status
	// into: tmux itself does not always reap a detached pane's process, so
	// its pane_dead_status cannot be relied on.
	status string
}

func (s *tmuxSession) run(args ...string) (string, error) {
	out, err := exec.Command(s.bin, append([]string{"-L", s.socket}, args...)...).CombinedOutput()
	return string(out), err
}

func (s *tmuxSession) keys(keys ...string) {
	s.t.Helper()
	if out, err := s.run(append([]string{"send-keys", "-t", "e2e"}, keys...)...); err != nil {
		s.t.Fatalf("tmux send-keys %v: %v %s", keys, err, out)
	}
}

func (s *tmuxSession) screen() string {
	out, _ := s.run("capture-pane", "-p", "-t", "e2e")
	return out
}

// waitFor polls the screen until match finds something, and returns it.
func (s *tmuxSession) waitFor(what string, match func(string) string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		scr := s.screen()
		if got := match(scr); got != "" {
			return got
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("timed out waiting for %s; the screen was:\n%s", what, scr)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *tmuxSession) waitText(text string) {
	s.t.Helper()
	s.waitFor(fmt.Sprintf("%q", text), func(scr string) string {
		if strings.Contains(scr, text) {
			return text
		}
		return ""
	})
}

var countdownRE = regexp.MustCompile(`chained-role .*● (\d+):(\d\d)(?::(\d\d))?`)

// secondsLeft reads the chained role's countdown off the screen.
func secondsLeft(scr string) int {
	m := countdownRE.FindStringSubmatch(scr)
	if m == nil {
		return -1
	}
	var a, b, c int
	fmt.Sscan(m[1], &a)
	fmt.Sscan(m[2], &b)
	if m[3] != "" {
		fmt.Sscan(m[3], &c)
		return a*3600 + b*60 + c
	}
	return a*60 + b
}

// TestTUIEndToEnd opens the real binary in tmux against moto: filter to a
// chained role, assume it, watch the countdown, write it into [default],
// check with the AWS CLI that [default] is that role, quit.
func TestTUIEndToEnd(t *testing.T) {
	tmux := testenv.RequireTool(t, "tmux")
	awsBin := testenv.RequireTool(t, "aws")
	moto := testenv.StartMoto(t)

	dir := t.TempDir()
	bin := rolecallBinary(t)
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	write := func(path, text string) {
		if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write(config, `[profile base-user]
region = us-east-1

[profile first-role]
role_arn = arn:aws:iam::123456789012:role/first
source_profile = base-user
region = us-east-1

[profile chained-role]
role_arn = arn:aws:iam::123456789012:role/second
source_profile = first-role
region = us-east-1
`)
	write(creds, `[base-user]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
`)
	env := []string{
		"HOME=" + dir,
		"PATH=" + os.Getenv("PATH"),
		"TERM=xterm-256color",
		"AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"ROLECALL_CACHE_DIR=" + filepath.Join(dir, "cache"),
	}
	env = append(env, moto.Env()...)

	s := startTUI(t, tmux, bin, env, "")
	s.waitText("chained-role")
	s.keys("/")
	s.keys("-l", "chained")
	s.waitText("/ chained")
	s.keys("Enter")
	s.keys("Enter")
	first := 0
	s.waitFor("a countdown on chained-role", func(scr string) string {
		if first = secondsLeft(scr); first > 0 {
			return "ok"
		}
		return ""
	})
	time.Sleep(2500 * time.Millisecond)
	second := secondsLeft(s.screen())
	if second <= 0 || second >= first {
		t.Fatalf("the countdown did not go down: %d s, then %d s", first, second)
	}

	s.keys("d")
	s.waitText("[default] now holds chained-role")

	cli := exec.Command(awsBin, "sts", "get-caller-identity", "--output", "json")
	cli.Env = append(env, "AWS_DEFAULT_REGION=us-east-1")
	out, err := cli.CombinedOutput()
	if err != nil {
		t.Fatalf("aws sts get-caller-identity with [default]: %v\n%s", err, out)
	}
	var id struct{ Arn string }
	if err := json.Unmarshal(out, &id); err != nil || !strings.Contains(id.Arn, ":assumed-role/second/") {
		t.Fatalf("the AWS CLI sees %q through [default], want the chained role's session (%v)", id.Arn, err)
	}

	s.quit()
}

// startTUI runs bin (with args) in a private tmux server, in exactly env.
func startTUI(t *testing.T, tmux, bin string, env []string, args string) *tmuxSession {
	t.Helper()
	dir := t.TempDir()
	s := &tmuxSession{t: t, bin: tmux, socket: fmt.Sprintf("rolecall-e2e-%d-%s", os.Getpid(), strings.ReplaceAll(t.Name(), "/", "-")),
		status: filepath.Join(dir, "status")}
	script := filepath.Join(dir, "run.sh")
	var sb strings.Builder
	sb.WriteString("#!/bin/sh\nenv -i")
	for _, kv := range env {
		sb.WriteString(" '" + kv + "'")
	}
	sb.WriteString(" '" + bin + "' " + args + "\n")
	sb.WriteString("echo $? > '" + s.status + ".tmp' && mv '" + s.status + ".tmp' '" + s.status + "'\n")
	if err := os.WriteFile(script, []byte(sb.String()), 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := s.run("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "100", "-y", "30", script); err != nil {
		t.Fatalf("tmux new-session: %v %s", err, out)
	}
	t.Cleanup(func() { _, _ = s.run("kill-server") })
	_, _ = s.run("set-option", "-t", "e2e", "remain-on-exit", "on")
	return s
}

// quit presses q and checks that rolecall exits with status 0.
func (s *tmuxSession) quit() {
	s.t.Helper()
	s.keys("q")
	status := s.waitFor("rolecall to exit", func(string) string {
		b, err := os.ReadFile(s.status)
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(b))
	})
	if status != "0" {
		s.t.Errorf("rolecall exited with status %s after q; screen:\n%s", status, s.screen())
	}
}

// TestDemoEndToEnd runs rolecall demo: with an empty HOME it assumes a
// role through the built-in STS emulator, writes the sandbox's [default],
// and on quit leaves nothing behind, neither in TMPDIR nor in ~/.aws.
func TestDemoEndToEnd(t *testing.T) {
	tmux := testenv.RequireTool(t, "tmux")
	bin := rolecallBinary(t)
	home, tmp := t.TempDir(), t.TempDir()
	env := []string{"HOME=" + home, "TMPDIR=" + tmp, "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color",
		"AWS_PROFILE=someone-elses", "AWS_CONFIG_FILE=/nonexistent/config"}
	s := startTUI(t, tmux, bin, env, "demo")
	s.waitText("demo sandbox")
	s.keys("/")
	s.keys("-l", "prod-admin")
	s.waitText("/ prod-admin")
	s.keys("Enter")
	s.keys("Enter")
	s.waitFor("prod-admin's session", func(scr string) string {
		return regexp.MustCompile(`prod-admin .*● 1:59:\d\d`).FindString(scr)
	})
	s.keys("d")
	s.waitText("[default] now holds prod-admin")
	// The export view shows every line, the token's too, wrapped at the
	// edge: the last line names the profile.
	s.keys("e")
	s.waitText("export ROLECALL_PROFILE='prod-admin'")
	s.keys("Escape")
	s.waitFor("the export view to close", func(scr string) string {
		if strings.Contains(scr, "export lines for") {
			return ""
		}
		return "closed"
	})
	// esc clears the filter, and the sandbox's broken profile shows,
	// marked with its reason.
	s.keys("Escape")
	s.waitFor("the broken row", func(scr string) string {
		return regexp.MustCompile(`✗ +legacy-reports +source_profile`).FindString(scr)
	})
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		t.Fatalf("the sandbox is not one directory in TMPDIR: %v", entries)
	}
	creds, err := os.ReadFile(filepath.Join(tmp, entries[0].Name(), "credentials"))
	if err != nil || !strings.Contains(string(creds), "[default]") {
		t.Fatalf("[default] was not written into the sandbox's credentials (%v)", err)
	}
	s.quit()
	if entries, _ := os.ReadDir(tmp); len(entries) != 0 {
		t.Errorf("the demo left files behind: %v", entries)
	}
	if _, err := os.Stat(filepath.Join(home, ".aws")); !os.IsNotExist(err) {
		t.Errorf("the demo touched ~/.aws (%v)", err)
	}
}
