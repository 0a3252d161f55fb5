package session

import (
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// Handoff is a session with the region it is handed on with. Build it
// with Manager.Handoff, the one place that pairs them.
type Handoff struct {
	*Session
	// Region is "" when none is set: then no region is exported.
	Region string
}

// Handoff pairs a session with its profile's hand-off region. It does no
// I/O.
func (m *Manager) Handoff(s *Session) Handoff {
	return Handoff{Session: s, Region: m.Region(s.Profile)}
}

// Var is one environment variable a session exports.
type Var struct{ Name, Value string }

// Removed lists the variables a session's environment drops: they would
// make AWS tools pick a profile or a stale token over the session's keys.
var Removed = []string{"AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN"}

// Vars lists the variables the hand-off exports, in a stable order.
func (h Handoff) Vars() []Var {
	s := h.Session
	vars := []Var{
		{"AWS_ACCESS_KEY_ID", s.Creds.AccessKeyID},
		{"AWS_SECRET_ACCESS_KEY", s.Creds.SecretAccessKey},
	}
	if s.Creds.SessionToken != "" {
		vars = append(vars, Var{"AWS_SESSION_TOKEN", s.Creds.SessionToken})
	}
	if h.Region != "" {
		vars = append(vars, Var{"AWS_REGION", h.Region}, Var{"AWS_DEFAULT_REGION", h.Region})
	}
	if exp := s.Expires(); !exp.IsZero() {
		vars = append(vars, Var{"AWS_CREDENTIAL_EXPIRATION", exp.UTC().Format(time.RFC3339)})
	}
	return append(vars, Var{"ROLECALL_PROFILE", s.Profile})
}

// staleVars are variables an earlier hand-off may have set that this one
// must not leave behind.
var staleVars = []string{"AWS_SESSION_TOKEN", "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION", "AWS_DEFAULT_REGION"}

// Environ returns base (os.Environ form) with the hand-off's variables set
// and AWS_PROFILE (and other variables that would override them) removed.
// A session without a token, expiry or region also drops inherited ones,
// so a stale token never pairs with the new keys.
func (h Handoff) Environ(base []string) []string {
	return environ(base, append(append([]string{}, staleVars...), Removed...), h.Vars(), h.Region != "")
}

// environ returns base with the variables in drop and those vars sets
// removed, then vars appended. Without a region of its own it keeps the
// region the user's environment sets: the one they chose.
func environ(base, drop []string, vars []Var, ownRegion bool) []string {
	for _, v := range vars {
		drop = append(drop, v.Name)
	}
	if !ownRegion {
		drop = slicesWithout(drop, "AWS_REGION", "AWS_DEFAULT_REGION")
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

func slicesWithout(s []string, names ...string) []string {
	out := s[:0:0]
	for _, x := range s {
		if !containsName(names, x) {
			out = append(out, x)
		}
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

// ExportLines renders the hand-off as lines for shell (bash, zsh, fish,
// powershell, cmd), unsetting AWS_PROFILE too. An empty shell means bash.
func (h Handoff) ExportLines(shell string) (string, error) {
	return exportLines(shell, Removed, h.Vars())
}

// exportLines renders lines for shell that unset the variables in removed
// and set vars: the one place each shell's quoting lives.
func exportLines(shell string, removed []string, vars []Var) (string, error) {
	var b strings.Builder
	for _, v := range vars {
		if err := carriable(shell, v); err != nil {
			return "", err
		}
	}
	switch shell {
	case "", "bash", "zsh", "sh":
		fmt.Fprintf(&b, "unset %s\n", strings.Join(removed, " "))
		for _, v := range vars {
			fmt.Fprintf(&b, "export %s=%s\n", v.Name, posixQuote(v.Value))
		}
	case "fish":
		// A bare set -e of an unset variable leaves status 4, which every
		// later set keeps; "rolecall env | source; and cmd" would fail.
		for _, n := range removed {
			fmt.Fprintf(&b, "if set -q %s; set -e %s; end\n", n, n)
		}
		for _, v := range vars {
			fmt.Fprintf(&b, "set -gx %s %s\n", v.Name, fishQuote(v.Value))
		}
	case "powershell", "pwsh":
		for _, n := range removed {
			fmt.Fprintf(&b, "Remove-Item Env:%s -ErrorAction SilentlyContinue\n", n)
		}
		for _, v := range vars {
			fmt.Fprintf(&b, "$Env:%s = %s\n", v.Name, powershellQuote(v.Value))
		}
	case "cmd":
		for _, n := range removed {
			fmt.Fprintf(&b, "set %s=\n", n)
		}
		for _, v := range vars {
			fmt.Fprintf(&b, "set \"%s=%s\"\n", v.Name, v.Value)
		}
	default:
		return "", fmt.Errorf("unknown shell %q; use one of %s", shell, strings.Join(Shells, ", "))
	}
	return b.String(), nil
}

// carriable refuses a value that no quoting of shell can carry: a NUL
// (no environment variable holds one) in any shell; for cmd.exe, which
// has no quoting that survives them, also '"', '%', '!' and control
// characters. AWS keys never hold them; a region or a credential_process
// could.
func carriable(shell string, v Var) error {
	if i := strings.IndexByte(v.Value, 0); i >= 0 {
		return fmt.Errorf("%s holds a NUL character, which no environment variable can carry; fix where it comes from (the profile's region, or the credential_process output)", v.Name)
	}
	if shell != "cmd" {
		return nil
	}
	if i := strings.IndexFunc(v.Value, func(r rune) bool { return r == '"' || r == '%' || r == '!' || r < 0x20 || r == 0x7f }); i >= 0 {
		return fmt.Errorf("%s holds %s, which cmd.exe cannot take in a set command; use --shell powershell", v.Name, strconv.QuoteRune(rune(v.Value[i])))
	}
	return nil
}

// powershellQuotes are the characters that open and close a PowerShell
// single-quoted (verbatim) string: the ASCII apostrophe and the curly
// single quotes U+2018 to U+201B. Inside one, each is written twice.
const powershellQuotes = "'\u2018\u2019\u201a\u201b"

// powershellQuote single-quotes a value for PowerShell, doubling every
// character that would end the string, not only the ASCII one.
func powershellQuote(v string) string {
	var b strings.Builder
	b.Grow(len(v) + 2)
	b.WriteByte('\'')
	for _, r := range v {
		b.WriteRune(r)
		if strings.ContainsRune(powershellQuotes, r) {
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
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
	if exp := s.Expires(); !exp.IsZero() {
		out.Expiration = exp.UTC().Format(time.RFC3339)
	}
	return json.Marshal(out)
}
