package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/rolecall/rolecall/internal/testenv"
	"github.com/rolecall/rolecall/profiles"
)

// handoffWorld is a home directory with the fixture's config and
// credentials files, a session cache and moto as STS, in which rolecall and
// the AWS CLI run as separate processes.
type handoffWorld struct {
	t                   *testing.T
	bin                 string
	home, config, creds string
	env                 []string
}

func newHandoffWorld(t *testing.T, moto *testenv.Moto, credsFixture string) *handoffWorld {
	t.Helper()
	home := t.TempDir()
	w := &handoffWorld{t: t, bin: rolecallBinary(t), home: home,
		config: filepath.Join(home, ".aws", "config"), creds: filepath.Join(home, ".aws", "credentials")}
	os.MkdirAll(filepath.Dir(w.config), 0o700)
	copyFile(t, filepath.Join("testdata", "handoff", "config"), w.config)
	copyFile(t, filepath.Join("testdata", "handoff", credsFixture), w.creds)
	w.env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "USER=tester", "SHELL=/bin/sh",
		"AWS_CONFIG_FILE=" + w.config, "AWS_SHARED_CREDENTIALS_FILE=" + w.creds,
		"ROLECALL_CACHE_DIR=" + filepath.Join(home, "cache"),
		"AWS_ENDPOINT_URL_STS=" + moto.URL, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true",
	}
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		w.env = append(w.env, "PYENV_ROOT="+v) // the AWS CLI may be a pyenv shim
	}
	return w
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// run runs a program in the world and returns its exit code and output.
func (w *handoffWorld) run(stdin string, extraEnv []string, name string, args ...string) (int, string, string) {
	w.t.Helper()
	c := exec.Command(name, args...)
	c.Env = append(append([]string{}, w.env...), extraEnv...)
	c.Dir = w.home
	c.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	c.Stdout, c.Stderr = &out, &errOut
	err := c.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		w.t.Fatalf("run %s: %v", name, err)
	}
	return c.ProcessState.ExitCode(), out.String(), errOut.String()
}

func (w *handoffWorld) rolecall(args ...string) (int, string, string) {
	w.t.Helper()
	return w.run("", nil, w.bin, args...)
}

// callerARN runs `aws sts get-caller-identity` with extra arguments and
// returns the ARN it reports.
func (w *handoffWorld) callerARN(extraEnv []string, args ...string) string {
	w.t.Helper()
	awsBin := testenv.RequireTool(w.t, "aws")
	code, out, errOut := w.run("", extraEnv, awsBin, append([]string{"sts", "get-caller-identity", "--output", "json"}, args...)...)
	if code != 0 {
		w.t.Fatalf("aws sts get-caller-identity failed (%d): %s", code, firstLine(errOut))
	}
	var id struct{ Arn string }
	if err := json.Unmarshal([]byte(out), &id); err != nil {
		w.t.Fatalf("aws output is not JSON: %v", err)
	}
	return id.Arn
}

func (w *handoffWorld) credsText() string {
	w.t.Helper()
	b, err := os.ReadFile(w.creds)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return line
}

// withoutDefault drops [default]'s lines (header included) from a file, so
// two versions can be compared byte for byte outside it.
func withoutDefault(text string) string {
	var b strings.Builder
	in := false
	for _, line := range strings.SplitAfter(text, "\n") {
		t := strings.TrimSpace(line)
		if strings.HasPrefix(t, "[") && strings.Contains(t, "]") {
			in = strings.TrimSpace(t[1:strings.Index(t, "]")]) == "default"
		}
		if !in {
			b.WriteString(line)
		}
	}
	return b.String()
}

const roleA = "assumed-role/roleA/"

func TestHandoffEndToEnd(t *testing.T) {
	testenv.RequireTool(t, "aws")
	moto := testenv.StartMoto(t)

	t.Run("use then the AWS CLI without a profile gets the role", func(t *testing.T) {
		w := newHandoffWorld(t, moto, "credentials")
		before := w.credsText()
		code, out, errOut := w.rolecall("use", "roleA")
		if code != 0 {
			t.Fatalf("use exited %d: %s", code, errOut)
		}
		if !strings.Contains(out, "[default]") {
			t.Errorf("use printed %q; want it to name [default]", out)
		}
		if arn := w.callerARN(nil); !strings.Contains(arn, roleA) {
			t.Errorf("aws sees %s, want the roleA session", arn)
		}
		after := w.credsText()
		if withoutDefault(after) != before {
			t.Errorf("bytes outside [default] changed")
		}
		if st, _ := os.Stat(w.creds); st.Mode().Perm() != 0o600 {
			t.Errorf("mode %v, want 0600", st.Mode().Perm())
		}
		// A second use of another role replaces the first.
		if code, _, errOut := w.rolecall("use", "roleB"); code != 0 {
			t.Fatalf("use roleB exited %d: %s", code, errOut)
		}
		if arn := w.callerARN(nil); !strings.Contains(arn, "assumed-role/roleB/") {
			t.Errorf("aws sees %s after use roleB", arn)
		}
		// --clear gives back the original file.
		if code, _, errOut := w.rolecall("use", "--clear"); code != 0 {
			t.Fatalf("use --clear exited %d: %s", code, errOut)
		}
		if w.credsText() != before {
			t.Errorf("after use --clear the file differs from the original")
		}
	})

	t.Run("use warns when AWS_PROFILE shadows [default]", func(t *testing.T) {
		w := newHandoffWorld(t, moto, "credentials")
		code, _, errOut := w.run("", []string{"AWS_PROFILE=base"}, w.bin, "use", "roleA")
		if code != 0 || !strings.Contains(errOut, "warning: AWS_PROFILE=base") {
			t.Errorf("exit %d, stderr %q; want 0 and a warning about AWS_PROFILE", code, errOut)
		}
	})

	t.Run("long-term keys in default are refused, then backed up with --force", func(t *testing.T) {
		w := newHandoffWorld(t, moto, "credentials-longterm")
		before := w.credsText()
		code, _, errOut := w.rolecall("use", "roleA")
		if code != 1 || !strings.Contains(errOut, "--force") || !strings.Contains(errOut, w.creds+":1") {
			t.Fatalf("exit %d, stderr %q; want 1 and an error naming %s:1 and --force", code, errOut, w.creds)
		}
		if len(strings.Split(strings.TrimSpace(errOut), "\n")) > 2 {
			t.Errorf("error runs over two lines")
		}
		if w.credsText() != before {
			t.Fatalf("refused use changed the file")
		}
		code, out, errOut := w.rolecall("use", "roleA", "--force")
		if code != 0 {
			t.Fatalf("use --force exited %d: %s", code, errOut)
		}
		set, err := profiles.Load(profiles.Files{Credentials: w.creds})
		if err != nil {
			t.Fatal(err)
		}
		var backup *profiles.Profile
		for _, p := range set.Profiles {
			if strings.HasPrefix(p.Name, "default-backup-") {
				backup = p
			}
		}
		if backup == nil || !strings.Contains(out, "["+backup.Name+"]") {
			t.Fatalf("no backup profile named in %q", out)
		}
		if backup.Get("aws_access_key_id") != "AKIADEFAULTLONGTERM1" || backup.Get("aws_secret_access_key") != "default-long-term-not-a-real-secret" {
			t.Errorf("backup profile keys mismatch")
		}
		if arn := w.callerARN(nil); !strings.Contains(arn, roleA) {
			t.Errorf("aws sees %s, want the roleA session", arn)
		}
	})

	t.Run("credential_process profile read by the AWS CLI", func(t *testing.T) {
		w := newHandoffWorld(t, moto, "credentials")
		f, _ := os.OpenFile(w.config, os.O_APPEND|os.O_WRONLY, 0)
		f.WriteString("\n[profile cp]\ncredential_process = " + w.bin + " credential-process roleA\n")
		f.Close()
		code, out, _ := w.rolecall("credential-process", "roleA")
		var js map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &js) != nil || js["Version"] != 1.0 {
			t.Fatalf("credential-process exited %d and did not print Version 1 JSON alone on stdout", code)
		}
		for i := 0; i < 2; i++ { // the second call reuses the cache
			if arn := w.callerARN(nil, "--profile", "cp"); !strings.Contains(arn, roleA) {
				t.Errorf("aws --profile cp sees %s, want the roleA session", arn)
			}
		}
	})

	t.Run("exec passes the exit code and the environment", func(t *testing.T) {
		w := newHandoffWorld(t, moto, "credentials")
		tests := []struct {
			name     string
			args     []string
			wantCode int
			wantErr  string
		}{
			{name: "exit code 7", args: []string{"exec", "roleA", "--", "sh", "-c", "exit 7"}, wantCode: 7},
			{name: "variables set, AWS_PROFILE gone", args: []string{"exec", "roleA", "--", "sh", "-c",
				`test -z "$AWS_PROFILE" && test "$ROLECALL_PROFILE" = roleA && test -n "$AWS_SESSION_TOKEN" && test "$AWS_REGION" = us-east-1`}},
			{name: "child flags are not rolecall's", args: []string{"exec", "roleA", "--", "sh", "-c", "exit 3", "--help"}, wantCode: 3},
			{name: "command not found", args: []string{"exec", "roleA", "--", "no-such-command-xyz"}, wantCode: 1, wantErr: "not found"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				code, _, errOut := w.run("", []string{"AWS_PROFILE=base"}, w.bin, tt.args...)
				if code != tt.wantCode || !strings.Contains(errOut, tt.wantErr) {
					t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.wantCode, tt.wantErr)
				}
			})
		}
		// SIGTERM sent to rolecall reaches the command, whose exit code
		// comes back.
		c := exec.Command(w.bin, "exec", "roleA", "--", "sh", "-c", `trap 'exit 42' TERM; echo ready; while :; do sleep 0.05; done`)
		c.Env = w.env
		stdout, _ := c.StdoutPipe()
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 6)
		if _, err := io.ReadFull(stdout, buf); err != nil || string(buf) != "ready\n" {
			t.Fatalf("the command did not start: %v", err)
		}
		c.Process.Signal(syscall.SIGTERM)
		c.Wait()
		if code := c.ProcessState.ExitCode(); code != 42 {
			t.Errorf("after SIGTERM exec exited %d, want the command's 42", code)
		}

		// The AWS CLI under exec gets the role although AWS_PROFILE was set.
		awsBin := testenv.RequireTool(t, "aws")
		code, out, errOut := w.run("", []string{"AWS_PROFILE=base"}, w.bin, "exec", "roleA", "--", awsBin, "sts", "get-caller-identity", "--output", "text", "--query", "Arn")
		if code != 0 || !strings.Contains(out, roleA) {
			t.Errorf("aws under exec: exit %d, %q, %s", code, out, firstLine(errOut))
		}
	})

	t.Run("exec --server hands the AWS CLI an endpoint, not keys", func(t *testing.T) {
		w := newHandoffWorld(t, moto, "credentials")
		awsBin := testenv.RequireTool(t, "aws")
		// Stale keys and a profile in the environment would win over the
		// endpoint if they reached the AWS CLI.
		stale := []string{"AWS_PROFILE=base", "AWS_ACCESS_KEY_ID=AKIASTALE00000000000", "AWS_SECRET_ACCESS_KEY=stale"}
		code, out, errOut := w.run("", stale, w.bin, "exec", "--server", "roleA", "--", awsBin, "sts", "get-caller-identity", "--output", "text", "--query", "Arn")
		if code != 0 || !strings.Contains(out, roleA) {
			t.Errorf("aws under exec --server: exit %d, %q, %s", code, out, firstLine(errOut))
		}
		code, _, errOut = w.run("", stale, w.bin, "exec", "--server", "roleA", "--", "sh", "-c",
			`test -z "$AWS_ACCESS_KEY_ID$AWS_SESSION_TOKEN$AWS_PROFILE" && test -n "$AWS_CONTAINER_AUTHORIZATION_TOKEN" && case "$AWS_CONTAINER_CREDENTIALS_FULL_URI" in http://127.0.0.1:*) exit 5;; esac`)
		if code != 5 {
			t.Errorf("exit %d, want the child's 5 (its environment was wrong otherwise); stderr %q", code, errOut)
		}
		// ROLECALL_SERVER=1 makes it the default.
		code, out, _ = w.run("", []string{"ROLECALL_SERVER=1"}, w.bin, "exec", "roleA", "--", "sh", "-c", `echo "[$AWS_ACCESS_KEY_ID]"`)
		if code != 0 || strings.TrimSpace(out) != "[]" {
			t.Errorf("ROLECALL_SERVER=1: exit %d, keys %q; want none", code, out)
		}
	})

	t.Run("shell exits with the shell's code", func(t *testing.T) {
		w := newHandoffWorld(t, moto, "credentials")
		code, out, _ := w.run(`echo "profile=$ROLECALL_PROFILE"; exit 4`+"\n", nil, w.bin, "shell", "roleA")
		if code != 4 || !strings.Contains(out, "profile=roleA") {
			t.Errorf("exit %d, stdout %q; want 4 and profile=roleA", code, out)
		}
	})

	t.Run("env output evaluated by each shell", func(t *testing.T) {
		w := newHandoffWorld(t, moto, "credentials")
		awsBin := testenv.RequireTool(t, "aws")
		tests := []struct{ shell, script string }{
			{"bash", `eval "$(%s env roleA --shell bash)" && %s sts get-caller-identity --output text --query Arn && echo "p=[$AWS_PROFILE]"`},
			{"zsh", `eval "$(%s env roleA --shell zsh)" && %s sts get-caller-identity --output text --query Arn && echo "p=[$AWS_PROFILE]"`},
			{"fish", `%s env roleA --shell fish | source; and %s sts get-caller-identity --output text --query Arn; and echo "p=[$AWS_PROFILE]"`},
		}
		for _, tt := range tests {
			t.Run(tt.shell, func(t *testing.T) {
				sh := testenv.RequireTool(t, tt.shell)
				script := strings.Replace(strings.Replace(tt.script, "%s", w.bin, 1), "%s", awsBin, 1)
				code, out, errOut := w.run("", []string{"AWS_PROFILE=base"}, sh, "-c", script)
				if code != 0 || !strings.Contains(out, roleA) || !strings.Contains(out, "p=[]") {
					t.Errorf("%s: exit %d, stdout %q, stderr %q", tt.shell, code, out, firstLine(errOut))
				}
			})
		}
	})
}
