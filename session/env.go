package session

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Var is one environment variable a session exports.
type Var struct{ Name, Value string }

// Removed lists the variables a session's environment drops: they would
// make AWS tools pick a profile or a stale token over the session's keys.
var Removed = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"}

// Vars lists the variables a session exports, in a stable order.
func Vars(s *Session) []Var {
	vars := []Var{
		{"AWS_ACCESS_KEY_ID", s.Creds.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", s.Creds.SecretAccessKey},
	}
	if s.Creds.SessionToken != "" {
		vars = append(vars, Var{"AWS_SESSION_TOKEN", s.Creds.SessionToken})
	}
	if s.Region != "" {
		vars = append(vars, Var{"AWS_REGION", s.Region}, Var{"AWS_DEFAULT_REGION", s.Region})
	}
	if exp := expiration(s); !exp.IsZero() {
		vars = append(vars, Var{"AWS_CREDENTIAL_EXPIRATION", exp.UTC().Format(time.RFC3339)})
	}
	return append(vars, Var{"ROLECALL_PROFILE", s.Profile})
}

func expiration(s *Session) time.Time {
	if !s.Expiration.IsZero() {
		return s.Expiration
	}
	return s.Creds.Expires
}

// Environ returns base (os.Environ form) with the session's variables set
// and AWS_PROFILE (and other variables that would override them) removed.
// A session without a token or expiry also drops inherited ones, so a
// stale token never pairs with the new keys.
func Environ(base []string, s *Session) []string {
	vars := Vars(s)
	drop := append([]string{"AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION"}, Removed...)
	for _, v := range vars {
		drop = append(drop, v.Name)
	}
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		name, _, _ := strings.Cut(kv, "=")
		if !containsName(drop, name) {
			out = append(out, kv)
		}
	}
	for _, v := range vars {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

// containsName compares as the OS does: Windows names ignore case.
func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name || (runtime.GOOS == "windows" && strings.EqualFold(n, name)) {
			return true
		}
	}
	return false
}

// Shells lists the shells ExportLines renders for.
var Shells = []string{"bash", "zsh", "fish", "powershell", "cmd"}

// ShellFromEnv picks the export syntax for the user's shell from $SHELL:
// fish, zsh, or bash for every other POSIX shell; powershell on Windows.
func ShellFromEnv(getenv func(string) string) string {
	switch b := strings.TrimSuffix(filepath.Base(getenv("SHELL")), ".exe"); b {
	case "fish", "zsh", "bash":
		return b
	case "pwsh", "powershell":
		return "powershell"
	}
	if runtime.GOOS == "windows" {
		return "powershell"
	}
	return "bash"
}

// ExportLines renders the session as lines for shell (bash, zsh, fish,
// powershell, cmd), unsetting AWS_PROFILE too. An empty shell means bash.
func ExportLines(shell string, s *Session) (string, error) {
	var b strings.Builder
	vars := Vars(s)
	switch shell {
	case "", "bash", "zsh", "sh":
		fmt.Fprintf(&b, "unset %s\n", strings.Join(Removed, " "))
		for _, v := range vars {
			fmt.Fprintf(&b, "export %s=%s\n", v.Name, posixQuote(v.Value))
		}
	case "fish":
		// A bare set -e of an unset variable leaves status 4, which every
		// later set keeps; "rolecall env | source; and cmd" would fail.
		for _, n := range Removed {
			fmt.Fprintf(&b, "if set -q %s; set -e %s; end\n", n, n)
		}
		for _, v := range vars {
			fmt.Fprintf(&b, "set -gx %s %s\n", v.Name, fishQuote(v.Value))
		}
	case "powershell", "pwsh":
		for _, n := range Removed {
			fmt.Fprintf(&b, "Remove-Item Env:%s -ErrorAction SilentlyContinue\n", n)
		}
		for _, v := range vars {
			fmt.Fprintf(&b, "$Env:%s = '%s'\n", v.Name, strings.ReplaceAll(v.Value, "'", "''"))
		}
	case "cmd":
		for _, n := range Removed {
			fmt.Fprintf(&b, "set %s=\n", n)
		}
		for _, v := range vars {
			// cmd.exe has no quoting that survives these; AWS keys never
			// contain them.
			if strings.ContainsAny(v.Value, "\"%!\r\n") {
				return "", fmt.Errorf("%s holds a character cmd.exe cannot take in a set command; use --shell powershell", v.Name)
			}
			fmt.Fprintf(&b, "set \"%s=%s\"\n", v.Name, v.Value)
		}
	default:
		return "", fmt.Errorf("unknown shell %q; use one of %s", shell, strings.Join(Shells, ", "))
	}
	return b.String(), nil
}

// posixQuote single-quotes a value for sh, bash and zsh: nothing inside
// single quotes is special except the quote itself.
func posixQuote(v string) string {
	return "'" + strings.ReplaceAll(v, "'", `'\''`) + "'"
}

// fishQuote single-quotes a value for fish, where \\ and \' are the only
// escapes inside single quotes.
func fishQuote(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	return "'" + strings.ReplaceAll(v, "'", `\'`) + "'"
}

// credentialProcessOutput is the AWS CLI's credential_process format.
type credentialProcessOutput struct {
	Version         int
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string `json:",omitempty"`
	Expiration      string `json:",omitempty"`
}

// CredentialProcessJSON renders the session as the AWS CLI's
// credential_process output (Version 1). A session without an expiry
// omits Expiration, which tells the CLI it never expires.
func CredentialProcessJSON(s *Session) ([]byte, error) {
	if s == nil || s.Creds.AccessKeyID == "" || s.Creds.SecretAccessKey == "" {
		return nil, fmt.Errorf("no credentials to print")
	}
	out := credentialProcessOutput{
		Version:         1,
		AccessKeyID:     s.Creds.AccessKeyID,
		SecretAccessKey: s.Creds.SecretAccessKey,
		SessionToken:    s.Creds.SessionToken,
	}
	if exp := expiration(s); !exp.IsZero() {
		out.Expiration = exp.UTC().Format(time.RFC3339)
	}
	return json.Marshal(out)
}

// ShellCommand returns the command that starts the user's shell ($SHELL,
// else /bin/sh; %COMSPEC% on Windows) with the session's environment.
// rolecall shell runs it directly and the TUI through tea.ExecProcess.
func ShellCommand(s *Session, base []string, getenv func(string) string) *exec.Cmd {
	return ShellCommandFor(s, base, getenv, "")
}

// ShellCommandFor is ShellCommand with a shell asked for by name or path
// ("powershell" finds pwsh or powershell.exe); "" means the user's shell.
func ShellCommandFor(s *Session, base []string, getenv func(string) string, shell string) *exec.Cmd {
	if getenv == nil {
		getenv = os.Getenv
	}
	if base == nil {
		base = os.Environ()
	}
	path := shellPath(getenv, shell)
	c := exec.Command(path)
	c.Env = Environ(base, s)
	return c
}

func shellPath(getenv func(string) string, shell string) string {
	switch shell {
	case "powershell", "pwsh":
		for _, name := range []string{"pwsh", "powershell"} {
			if p, err := exec.LookPath(name); err == nil {
				return p
			}
		}
		return "powershell"
	case "":
	default:
		return shell
	}
	if runtime.GOOS == "windows" {
		if c := getenv("COMSPEC"); c != "" {
			return c
		}
		return "cmd.exe"
	}
	if sh := getenv("SHELL"); sh != "" {
		return sh
	}
	return "/bin/sh"
}
