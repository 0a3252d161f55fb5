package session

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/testenv"
)

// hostileValues would run a command, or end the quoting, in some shell
// if they were quoted by the wrong rules.
var hostileValues = []string{
	"x’; Write-Output INJECTED; ’",
	"x‘‛‚'; Write-Output INJECTED; '",
	"it's $(echo INJECTED) `echo INJECTED` ${HOME}",
	`back\slash\' and \\ "double" ; echo INJECTED`,
	"two\nlines; echo INJECTED",
	"tab\tand (parens) & | > < ^ % ! ~ # *",
	"ünïcödé and a bidi \u202e override",
}

func hostileHandoff(region string) Handoff {
	return Handoff{Session: &Session{Profile: "p", Creds: Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: region}}, Region: region}
}

// TestExportLinesInRealShells evaluates the lines in bash, zsh and fish and
// checks that every variable holds exactly the value, and nothing ran.
func TestExportLinesInRealShells(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		t.Run(shell, func(t *testing.T) {
			bin := testenv.RequireTool(t, shell)
			for i, v := range hostileValues {
				lines, err := hostileHandoff(v).ExportLines(shell)
				if err != nil {
					t.Fatalf("value %d: %v", i, err)
				}
				dir := t.TempDir()
				script := lines + "printf '%s' \"$AWS_REGION\" > " + filepath.Join(dir, "region") + "\n" +
					"printf '%s' \"$AWS_SESSION_TOKEN\" > " + filepath.Join(dir, "token") + "\n"
				out, err := exec.Command(bin, "-c", script).CombinedOutput()
				if err != nil || strings.Contains(string(out), "INJECTED") {
					t.Errorf("value %d: %v, output %q", i, err, out)
				}
				for _, f := range []string{"region", "token"} {
					if got, _ := os.ReadFile(filepath.Join(dir, f)); string(got) != v {
						t.Errorf("value %d: %s holds %q, want %q", i, f, got, v)
					}
				}
			}
		})
	}
}

// psVerbatim reads a PowerShell single-quoted string at the start of s by
// the language specification (section 2.3.5.2): it opens and closes with
// any single-quote-character (U+0027, U+2018, U+2019, U+201A, U+201B),
// and two of them in a row stand for one. It returns the value and what
// follows the closing quote. (No PowerShell is installed here: Debian has
// none, and npm's only installs one by downloading it.)
func psVerbatim(t *testing.T, s string) (value, rest string) {
	t.Helper()
	isQuote := func(r rune) bool { return strings.ContainsRune("'\u2018\u2019\u201a\u201b", r) }
	r, size := utf8.DecodeRuneInString(s)
	if !isQuote(r) {
		t.Fatalf("%q does not open with a single quote", s)
	}
	s = s[size:]
	var b strings.Builder
	for s != "" {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if !isQuote(r) {
			b.WriteRune(r)
			continue
		}
		if r2, size2 := utf8.DecodeRuneInString(s); s != "" && isQuote(r2) {
			b.WriteRune(r)
			s = s[size2:]
			continue
		}
		return b.String(), s
	}
	t.Fatalf("the string never closes")
	return "", ""
}

func TestExportLinesPowerShellQuoting(t *testing.T) {
	for i, v := range hostileValues {
		lines, err := hostileHandoff(v).ExportLines("powershell")
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(strings.TrimSuffix(lines, "\n"), "\n$Env:") {
			line = strings.TrimPrefix(line, "$Env:")
			name, quoted, ok := strings.Cut(line, " = ")
			if !ok || strings.HasPrefix(line, "Remove-Item") {
				continue
			}
			value, rest := psVerbatim(t, quoted)
			if rest != "" {
				t.Errorf("value %d: %s's string ends early; %q follows it", i, name, rest)
			}
			if (name == "AWS_REGION" || name == "AWS_SESSION_TOKEN") && value != v {
				t.Errorf("value %d: %s = %q, want %q", i, name, value, v)
			}
		}
	}
}

// TestExportLinesRefuseWhatNoQuotingCarries: a NUL in any shell; for
// cmd.exe also quotes, percent signs, exclamation marks and line breaks.
func TestExportLinesRefuseWhatNoQuotingCarries(t *testing.T) {
	for _, shell := range Shells {
		if _, err := hostileHandoff("eu\x00west").ExportLines(shell); err == nil || !strings.Contains(err.Error(), "NUL") {
			t.Errorf("%s took a NUL: %v", shell, err)
		}
	}
	for _, v := range []string{`a"b`, "50%PATH%", "wow!", "a\nb", "a\rb"} {
		if _, err := hostileHandoff(v).ExportLines("cmd"); err == nil || !strings.Contains(err.Error(), "--shell powershell") {
			t.Errorf("cmd took %q: %v", v, err)
		}
	}
	if lines, err := hostileHandoff("eu-west-1").ExportLines("cmd"); err != nil || !strings.Contains(lines, `set "AWS_REGION=eu-west-1"`) {
		t.Errorf("cmd: %v %q", err, lines)
	}
}
