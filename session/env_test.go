package session

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

func handSession(secret, token string) Handoff {
	exp := time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)
	return Handoff{Session: &Session{
		Profile: "prod admin",
		Creds:   Credentials{AccessKeyID: "ASIAEXAMPLEKEY01", SecretAccessKey: secret, SessionToken: token, Expires: exp},
	}, Region: "eu-west-1"}
}

func TestEnvVars(t *testing.T) {
	tests := []struct {
		name string
		s    Handoff
		want []string
	}{
		{name: "role session", s: handSession("sec", "tok"), want: []string{
			"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION",
			"AWS_CREDENTIAL_EXPIRATION", "ROLECALL_PROFILE"}},
		{name: "long-term keys, no region", s: Handoff{Session: &Session{Profile: "p", Creds: Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s"}}},
			want: []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "ROLECALL_PROFILE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, v := range tt.s.Vars() {
				got = append(got, v.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("names %v, want %v", got, tt.want)
			}
		})
	}
}

func TestEnvEnviron(t *testing.T) {
	base := []string{"PATH=/bin", "AWS_PROFILE=dev", "AWS_DEFAULT_PROFILE=dev", "AWS_SECURITY_TOKEN=old",
		"AWS_SESSION_TOKEN=stale", "AWS_ACCESS_KEY_ID=AKIAOLD", "HOME=/h"}
	tests := []struct {
		name      string
		s         Handoff
		wantToken bool
	}{
		{name: "role session replaces the token", s: handSession("sec", "tok"), wantToken: true},
		{name: "keys without a token drop the stale one", s: Handoff{Session: &Session{Profile: "p", Creds: Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := tt.s.Environ(base)
			got := map[string][]string{}
			for _, kv := range env {
				k, v, _ := strings.Cut(kv, "=")
				got[k] = append(got[k], v)
			}
			for _, gone := range []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"} {
				if _, ok := got[gone]; ok {
					t.Errorf("%s still set", gone)
				}
			}
			for k, vs := range got {
				if len(vs) > 1 {
					t.Errorf("%s set %d times", k, len(vs))
				}
			}
			if got["PATH"][0] != "/bin" || got["HOME"][0] != "/h" {
				t.Errorf("unrelated variables changed")
			}
			if got["AWS_ACCESS_KEY_ID"][0] != tt.s.Creds.AccessKeyID {
				t.Errorf("AWS_ACCESS_KEY_ID mismatch")
			}
			_, hasTok := got["AWS_SESSION_TOKEN"]
			if hasTok != tt.wantToken || (hasTok && got["AWS_SESSION_TOKEN"][0] != tt.s.Creds.SessionToken) {
				t.Errorf("AWS_SESSION_TOKEN mismatch (set: %v, want set: %v)", hasTok, tt.wantToken)
			}
			if got["ROLECALL_PROFILE"][0] != tt.s.Profile {
				t.Errorf("ROLECALL_PROFILE = %q, want %q", got["ROLECALL_PROFILE"][0], tt.s.Profile)
			}
		})
	}
}

// awkward values: every character a shell treats specially.
var awkward = []struct{ name, secret string }{
	{"plain", "wJalrXUtnFEMI/K7MDENG+bPxRfiCY=="},
	{"single quotes", `it's 'quoted'`},
	{"double quotes and dollars", `"$HOME" ${PATH} $(echo hi) ` + "`id`"},
	{"backslashes", `a\b\\c\'d\`},
	{"spaces and tabs", "a b\tc  d"},
	{"newline", "line1\nline2"},
	{"glob and history", "*?[a]!{x,y}~#;&|<>"},
}

func TestEnvExportLinesThroughShells(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			bin := testenv.RequireTool(t, shell)
			for _, a := range awkward {
				t.Run(a.name, func(t *testing.T) {
					s := handSession(a.secret, "tok'en $x")
					lines, err := s.ExportLines(shell)
					if err != nil {
						t.Fatal(err)
					}
					c := exec.Command(bin, "-c", lines+"\nenv -0\n")
					c.Env = []string{"PATH=/usr/bin:/bin", "AWS_PROFILE=other", "AWS_DEFAULT_PROFILE=other", "HOME=" + t.TempDir()}
					out, err := c.Output()
					if err != nil {
						t.Fatalf("%s rejected the export lines: %v", shell, err)
					}
					got := map[string]string{}
					for _, kv := range strings.Split(string(out), "\x00") {
						k, v, _ := strings.Cut(kv, "=")
						got[k] = v
					}
					for _, v := range s.Vars() {
						if got[v.Name] != v.Value {
							t.Errorf("%s: value mismatch after %s ran the lines", v.Name, shell)
						}
					}
					for _, n := range Removed {
						if _, ok := got[n]; ok {
							t.Errorf("%s still set", n)
						}
					}
				})
			}
		})
	}
}

func TestEnvExportLinesSyntax(t *testing.T) {
	s := handSession(`a'b`, "tok")
	tests := []struct {
		shell, want string
		wantErr     bool
	}{
		{shell: "bash", want: `export AWS_SECRET_ACCESS_KEY='a'\''b'`},
		{shell: "zsh", want: "unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SECURITY_TOKEN"},
		{shell: "fish", want: `set -gx AWS_SECRET_ACCESS_KEY 'a\'b'`},
		{shell: "fish", want: "if set -q AWS_PROFILE; set -e AWS_PROFILE; end"},
		{shell: "powershell", want: `$Env:AWS_SECRET_ACCESS_KEY = 'a''b'`},
		{shell: "powershell", want: "Remove-Item Env:AWS_PROFILE -ErrorAction SilentlyContinue"},
		{shell: "cmd", want: `set "AWS_SECRET_ACCESS_KEY=a'b"`},
		{shell: "cmd", want: "set AWS_PROFILE="},
		{shell: "tcsh", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.shell+"/"+tt.want, func(t *testing.T) {
			got, err := s.ExportLines(tt.shell)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if !tt.wantErr && !slices.Contains(strings.Split(got, "\n"), tt.want) {
				t.Errorf("no line %q in the %s output", tt.want, tt.shell)
			}
		})
	}
	if _, err := handSession(`a"b%c`, "t").ExportLines("cmd"); err == nil {
		t.Errorf("cmd accepted a value it cannot quote")
	}
}

func TestEnvShellFromEnv(t *testing.T) {
	tests := []struct{ shell, want string }{
		{"/bin/zsh", "zsh"}, {"/usr/local/bin/fish", "fish"}, {"/bin/bash", "bash"}, {"/bin/dash", "bash"},
		{"/usr/bin/pwsh", "powershell"},
	}
	for _, tt := range tests {
		t.Run(tt.shell, func(t *testing.T) {
			if got := ShellFromEnv(func(string) string { return tt.shell }); got != tt.want {
				t.Errorf("ShellFromEnv(%s) = %s, want %s", tt.shell, got, tt.want)
			}
		})
	}
}

func TestEnvCredentialProcessJSON(t *testing.T) {
	tests := []struct {
		name    string
		s       *Session
		wantExp string
	}{
		{name: "role session", s: handSession("sec", "tok").Session, wantExp: "2026-11-23T16:00:00Z"},
		{name: "never expires", s: &Session{Creds: Credentials{AccessKeyID: "AKIA", SecretAccessKey: "s"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := CredentialProcessJSON(tt.s)
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			allowed := []string{"Version", "AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}
			for k := range got {
				if !slices.Contains(allowed, k) {
					t.Errorf("unexpected key %s", k)
				}
			}
			if got["Version"] != 1.0 || got["AccessKeyId"] != tt.s.Creds.AccessKeyID || got["SecretAccessKey"] != tt.s.Creds.SecretAccessKey {
				t.Errorf("Version/AccessKeyId/SecretAccessKey mismatch")
			}
			if exp, _ := got["Expiration"].(string); exp != tt.wantExp {
				t.Errorf("Expiration %q, want %q", exp, tt.wantExp)
			}
		})
	}
	if _, err := CredentialProcessJSON(&Session{}); err == nil {
		t.Errorf("empty session rendered")
	}
}

func TestEnvShellCommand(t *testing.T) {
	tests := []struct{ name, shellVar, ask, want string }{
		{name: "SHELL", shellVar: "/usr/bin/zsh", want: "/usr/bin/zsh"},
		{name: "no SHELL", want: "/bin/sh"},
		{name: "asked by path", shellVar: "/usr/bin/zsh", ask: "/bin/bash", want: "/bin/bash"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := handSession("s", "t").ShellCommand([]string{"AWS_PROFILE=x"}, func(k string) string {
				if k == "SHELL" {
					return tt.shellVar
				}
				return ""
			}, tt.ask)
			if c.Path != tt.want {
				t.Errorf("shell %s, want %s", c.Path, tt.want)
			}
			if !slices.Contains(c.Env, "ROLECALL_PROFILE=prod admin") || slices.Contains(c.Env, "AWS_PROFILE=x") {
				t.Errorf("environment lacks ROLECALL_PROFILE or keeps AWS_PROFILE")
			}
		})
	}
}
