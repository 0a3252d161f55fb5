package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/testenv"
)

// completeConfig has roles, a broken role, an SSO profile, a user and a
// name with an escape sequence in it.
const completeConfig = `[profile alice]
region = eu-west-1

[profile prod-admin]
role_arn = arn:aws:iam::222222222222:role/Admin
source_profile = alice
region = eu-west-1

[profile audit]
role_arn = arn:aws:iam::444444444444:role/Audit
source_profile = prod-admin

[profile legacy]
role_arn = arn:aws:iam::123456789012:role/Reports
source_profile = old-user

[profile sso-dev]
sso_start_url = https://example.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Dev

[profile evil` + "\x1b[2J" + `]
region = eu-west-1
`

const completeCreds = `[alice]
aws_access_key_id = AKIACOMPLETETEST0001
aws_secret_access_key = complete-test-secret-not-real
`

// completeFiles writes the fixture and returns the environment that
// points at it.
func completeFiles(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	cfg, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cfg, []byte(completeConfig), 0o600)
	os.WriteFile(creds, []byte(completeCreds), 0o600)
	return map[string]string{"AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": creds, "HOME": dir}
}

// completions parses cobra's __complete output: the names, and the
// directive line.
func completions(out string) (names []string, directive string) {
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.HasPrefix(l, ":") {
			directive = l
			continue
		}
		name, _, _ := strings.Cut(l, "\t")
		names = append(names, name)
	}
	return names, directive
}

// rolesFirst is what every command that takes a profile offers for an
// empty word: the roles, then the rest, each group by name; no file
// names, and nothing a terminal would act on.
var rolesFirst = []string{"audit", "legacy", "prod-admin", "alice", "sso-dev"}

func TestCompleteProfileNames(t *testing.T) {
	env := completeFiles(t)
	for _, cmd := range []string{"assume", "whoami", "renew", "forget", "use", "env", "exec", "shell", "credential-process"} {
		t.Run(cmd, func(t *testing.T) {
			code, out, stderr := runIn(env, "", false, "__complete", cmd, "")
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			names, directive := completions(out)
			if !slices.Equal(names, rolesFirst) {
				t.Errorf("completes %v, want %v", names, rolesFirst)
			}
			// 4 (no file names) + 32 (keep this order).
			if directive != ":36" {
				t.Errorf("directive %s, want :36", directive)
			}
			if strings.Contains(out, "\x1b") {
				t.Error("a completion holds an escape character")
			}
		})
	}
	t.Run("a prefix narrows, with a description", func(t *testing.T) {
		_, out, _ := runIn(env, "", false, "__complete", "assume", "pr")
		if !strings.HasPrefix(out, "prod-admin\trole 222222222222 eu-west-1\n") {
			t.Errorf("assume pr: %q", out)
		}
		if names, _ := completions(out); len(names) != 1 {
			t.Errorf("assume pr completes %v", names)
		}
	})
	t.Run("--config is honoured", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "config")
		os.WriteFile(other, []byte("[profile elsewhere]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = alice\n"), 0o600)
		_, out, _ := runIn(env, "", false, "__complete", "--config", other, "assume", "")
		if names, _ := completions(out); !slices.Equal(names, []string{"elsewhere", "alice"}) {
			t.Errorf("with --config: %v", names)
		}
	})
	t.Run("after the profile", func(t *testing.T) {
		_, out, _ := runIn(env, "", false, "__complete", "assume", "dev", "")
		if names, directive := completions(out); len(names) != 0 || directive != ":4" {
			t.Errorf("assume dev <tab>: %v %s, want nothing and no file names", names, directive)
		}
		// exec's command is the shell's to complete.
		_, out, _ = runIn(env, "", false, "__complete", "exec", "dev", "")
		if _, directive := completions(out); directive != ":0" {
			t.Errorf("exec dev <tab>: directive %s, want the shell's default", directive)
		}
	})
	t.Run("unreadable files complete nothing", func(t *testing.T) {
		_, out, _ := runIn(map[string]string{"AWS_CONFIG_FILE": t.TempDir()}, "", false, "__complete", "assume", "")
		if names, directive := completions(out); len(names) != 0 || directive != ":4" {
			t.Errorf("got %v %s", names, directive)
		}
	})
}

// TestCompletionInTheShells loads each shell's completion script in that
// shell and completes "rolecall assume ", with the real binary on PATH.
func TestCompletionInTheShells(t *testing.T) {
	bin := rolecallBinary(t)
	env := completeFiles(t)
	base := []string{"PATH=" + filepath.Dir(bin) + ":/usr/bin:/bin", "HOME=" + env["HOME"],
		"AWS_CONFIG_FILE=" + env["AWS_CONFIG_FILE"], "AWS_SHARED_CREDENTIALS_FILE=" + env["AWS_SHARED_CREDENTIALS_FILE"]}
	script := func(t *testing.T, shell string) string {
		code, out, stderr := runIn(env, "", false, "completion", shell)
		if code != exitOK {
			t.Fatalf("completion %s: exit %d %s", shell, code, stderr)
		}
		path := filepath.Join(t.TempDir(), "rolecall."+shell)
		os.WriteFile(path, []byte(out), 0o600)
		return path
	}
	complete := func(t *testing.T, c *exec.Cmd) []string {
		t.Helper()
		c.Env = base
		// Only stdout: bash's compopt complains on stderr when the
		// function runs outside a real completion.
		var stderr strings.Builder
		c.Stderr = &stderr
		out, err := c.Output()
		if err != nil {
			t.Fatalf("%v: %s", err, stderr.String())
		}
		var names []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if f := strings.Fields(l); len(f) > 0 {
				names = append(names, f[0])
			}
		}
		return names
	}
	t.Run("bash", func(t *testing.T) {
		sh := testenv.RequireTool(t, "bash")
		// The script uses bash-completion's _get_comp_words_by_ref; where
		// that package is missing, a stand-in sets the same variables.
		c := exec.Command(sh, "-c", `if [ -r /usr/share/bash-completion/bash_completion ]; then
  source /usr/share/bash-completion/bash_completion
else
  _get_comp_words_by_ref() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
fi
source "$1"
COMP_WORDS=(rolecall assume ""); COMP_CWORD=2; COMP_LINE="rolecall assume "; COMP_POINT=${#COMP_LINE}
__start_rolecall rolecall "" assume
printf '%s\n' "${COMPREPLY[@]}"`, "bash", script(t, "bash"))
		if got := complete(t, c); !slices.Equal(got, rolesFirst) {
			t.Errorf("bash completes %v, want %v", got, rolesFirst)
		}
	})
	t.Run("zsh", func(t *testing.T) {
		sh := testenv.RequireTool(t, "zsh")
		// _describe and compdef belong to compinit; these stand-ins print
		// what the script hands them.
		c := exec.Command(sh, "-f", "-c", `compdef() { :; }
_describe() { print -rl -- "${completions[@]}"; }
source "$1"
words=(rolecall assume ""); CURRENT=3
_rolecall`, "zsh", script(t, "zsh"))
		var got []string
		for _, l := range complete(t, c) {
			got = append(got, strings.SplitN(l, ":", 2)[0])
		}
		if !slices.Equal(got, rolesFirst) {
			t.Errorf("zsh completes %v, want %v", got, rolesFirst)
		}
	})
	t.Run("fish", func(t *testing.T) {
		sh := testenv.RequireTool(t, "fish")
		c := exec.Command(sh, "--no-config", "-c", `source $argv[1]; complete -C "rolecall assume "`, script(t, "fish"))
		got := complete(t, c)
		slices.Sort(got) // fish sorts or keeps order as it sees fit
		want := slices.Sorted(slices.Values(rolesFirst))
		if !slices.Equal(got, want) {
			t.Errorf("fish completes %v, want %v", got, want)
		}
	})
	t.Run("powershell", func(t *testing.T) {
		s, err := os.ReadFile(script(t, "powershell"))
		if err != nil || !strings.Contains(string(s), "Register-ArgumentCompleter") || !strings.Contains(string(s), "__complete") {
			t.Fatalf("the PowerShell script does not register a completer that asks rolecall __complete")
		}
		pwsh, err := exec.LookPath("pwsh")
		if err != nil {
			t.Skip("pwsh is not installed: the script was checked, not run")
		}
		c := exec.Command(pwsh, "-NoProfile", "-Command", `. $args[0]; (TabExpansion2 -inputScript 'rolecall assume ' -cursorColumn 16).CompletionMatches | % CompletionText`, script(t, "powershell"))
		if got := complete(t, c); !slices.Equal(got, rolesFirst) {
			t.Errorf("PowerShell completes %v, want %v", got, rolesFirst)
		}
	})
}
