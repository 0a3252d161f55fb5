package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

// handoffRun runs a command line in-process on the static-credentials
// fixture (no STS needed) and returns the exit code and both outputs.
func handoffRun(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	config := filepath.Join(t.TempDir(), "config")
	os.WriteFile(config, nil, 0o600)
	// An empty file just written may be one a writer has yet to fill,
	// which the reader waits for; this one is old and empty on purpose.
	old := time.Now().Add(-time.Hour)
	os.Chtimes(config, old, old)
	args = append([]string{"--config", config,
		"--credentials", filepath.Join("testdata", "handoff", "static-credentials")}, args...)
	return runIn(env, "", false, args...)
}

func TestHandoffCLIUsage(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		want    int
		wantErr string
	}{
		{name: "use without a profile", args: []string{"use"}, want: exitUsage, wantErr: "use needs a PROFILE"},
		{name: "use with two profiles", args: []string{"use", "a", "b"}, want: exitUsage, wantErr: "rolecall use --help"},
		{name: "use --clear with a profile", args: []string{"use", "--clear", "a"}, want: exitUsage, wantErr: "takes no PROFILE"},
		{name: "unknown flag", args: []string{"use", "--nope"}, want: exitUsage, wantErr: "unknown flag: --nope"},
		{name: "unknown shell", args: []string{"env", "temp", "--shell", "tcsh"}, want: exitUsage, wantErr: `unknown shell "tcsh"`},
		{name: "exec without a command", args: []string{"exec", "temp"}, want: exitUsage, wantErr: "rolecall exec --help"},
		{name: "exec with only --", args: []string{"exec", "temp", "--"}, want: exitUsage, wantErr: "exec needs PROFILE -- CMD"},
		{name: "unknown command", args: []string{"bogus"}, want: exitUsage, wantErr: "rolecall --help"},
		{name: "unknown profile", args: []string{"env", "nope"}, want: exitUsage, wantErr: "profile nope not found"},
		{name: "command not found", args: []string{"exec", "temp", "--", "no-such-command-xyz"}, want: exitFailed, wantErr: `command "no-such-command-xyz" not found`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := handoffRun(t, nil, tt.args...)
			if code != tt.want || !strings.Contains(errOut, tt.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.want, tt.wantErr)
			}
			if out != "" {
				t.Errorf("stdout %q; errors belong on stderr", out)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n > 1 {
				t.Errorf("error runs over %d lines", n+1)
			}
		})
	}
}

func TestHandoffCLIHelp(t *testing.T) {
	for _, sub := range []string{"use", "env", "exec", "shell", "serve", "credential-process", "completion"} {
		t.Run(sub, func(t *testing.T) {
			code, out, _ := handoffRun(t, nil, sub, "--help")
			if code != exitOK || !strings.Contains(out, "Usage:") || !strings.Contains(out, "rolecall "+sub) {
				t.Errorf("exit %d, help %q", code, out)
			}
		})
	}
}

func TestHandoffCLIEnvAndCredentialProcess(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want []string
	}{
		{name: "bash from $SHELL", args: []string{"env", "temp"}, env: map[string]string{"SHELL": "/bin/bash"},
			want: []string{"unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN", "export AWS_ACCESS_KEY_ID='ASIASTATICEXAMPLE01'", "export ROLECALL_PROFILE='temp'", "export AWS_REGION='eu-central-1'"}},
		{name: "fish from $SHELL", args: []string{"env", "temp"}, env: map[string]string{"SHELL": "/usr/bin/fish"},
			want: []string{"set -gx AWS_SESSION_TOKEN 'static-not-a-real-token'"}},
		{name: "powershell asked", args: []string{"env", "temp", "--shell", "powershell"},
			want: []string{"$Env:AWS_SECRET_ACCESS_KEY = 'static-not-a-real-secret'"}},
		{name: "cmd asked", args: []string{"env", "temp", "--shell", "cmd"},
			want: []string{`set "AWS_DEFAULT_REGION=eu-central-1"`, "set AWS_PROFILE="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := handoffRun(t, tt.env, tt.args...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, firstLine(errOut))
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w+"\n") {
					t.Errorf("no line %q in the output", w)
				}
			}
		})
	}
	t.Run("use --clear leaves keys rolecall did not write", func(t *testing.T) {
		fixture, err := os.ReadFile(filepath.Join("testdata", "handoff", "static-credentials"))
		if err != nil {
			t.Fatal(err)
		}
		// [default] between the fixture's comment and its [temp] section.
		head, tail, _ := strings.Cut(string(fixture), "[temp]")
		line := strings.Count(head, "\n") + 1
		for _, tc := range []struct {
			name, def string
			refused   bool
		}{
			{"long-term keys", "[default]\naws_access_key_id = AKIAMYOWNDEFAULT0001\naws_secret_access_key = my-own-not-a-real-secret\n\n", true},
			{"another tool's session", "[default]\naws_access_key_id = ASIAOTHERTOOL0000001\naws_secret_access_key = tool-not-a-real-secret\naws_session_token = tool-not-a-real-token\n\n", true},
			{"settings, no keys", "[default]\nregion = eu-west-1\noutput = json\n\n", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := head + tc.def + "[temp]" + tail
				creds := filepath.Join(t.TempDir(), "credentials")
				if err := os.WriteFile(creds, []byte(before), 0o600); err != nil {
					t.Fatal(err)
				}
				code, out, errOut := runIn(nil, "", false, "--config", filepath.Join(t.TempDir(), "config"), "--credentials", creds, "use", "--clear")
				switch {
				case tc.refused && (code != exitFailed || !strings.Contains(errOut, fmt.Sprintf("%s:%d:", creds, line)) || !strings.Contains(errOut, "was not written by rolecall")):
					t.Errorf("exit %d, stderr %q; want a refusal naming %s:%d", code, errOut, creds, line)
				case !tc.refused && (code != exitOK || !strings.Contains(out, "Nothing to clear") || errOut != ""):
					t.Errorf("exit %d, stdout %q, stderr %q; want nothing to clear", code, out, errOut)
				}
				if strings.Contains(errOut, "not-a-real-secret") || strings.Contains(errOut, "not-a-real-token") {
					t.Errorf("the message reveals a secret")
				}
				if after, _ := os.ReadFile(creds); string(after) != before {
					t.Errorf("use --clear changed the file")
				}
			})
		}
	})
	t.Run("credential-process prints only the JSON", func(t *testing.T) {
		code, out, errOut := handoffRun(t, nil, "credential-process", "temp")
		if code != exitOK || errOut != "" {
			t.Fatalf("exit %d, stderr %q", code, errOut)
		}
		var got map[string]any
		dec := json.NewDecoder(strings.NewReader(out))
		if err := dec.Decode(&got); err != nil || dec.More() {
			t.Fatalf("stdout is not exactly one JSON object")
		}
		if got["Version"] != 1.0 || got["AccessKeyId"] != "ASIASTATICEXAMPLE01" || got["SessionToken"] != "static-not-a-real-token" {
			t.Errorf("credential_process fields mismatch")
		}
	})
}

// The completion scripts load in the shells they are for.
func TestHandoffCLICompletion(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		shell string
		want  string // in what the shell prints after loading the script
		check func(bin, script string) *exec.Cmd
	}{
		{"bash", "-F __start_rolecall rolecall", func(bin, script string) *exec.Cmd {
			return exec.Command(bin, "-c", "source "+script+" && complete -p rolecall")
		}},
		{"zsh", "", func(bin, script string) *exec.Cmd { return exec.Command(bin, "-n", script) }},
		{"fish", "complete", func(bin, script string) *exec.Cmd {
			return exec.Command(bin, "-c", "source "+script+"; and complete -c rolecall")
		}},
		{"powershell", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			code, out, errOut := handoffRun(t, nil, "completion", tt.shell)
			if code != exitOK || !strings.Contains(out, "rolecall") {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			if tt.check == nil {
				return
			}
			bin := testenv.RequireTool(t, tt.shell)
			script := filepath.Join(dir, "rolecall."+tt.shell)
			os.WriteFile(script, []byte(out), 0o600)
			c := tt.check(bin, script)
			c.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
			if got, err := c.CombinedOutput(); err != nil || !strings.Contains(string(got), tt.want) {
				t.Errorf("%s did not load the completion script: %v %s", tt.shell, err, firstLine(string(got)))
			}
		})
	}
}
