package cli

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
)

// hostileConfig holds values that would act on a terminal: a region that
// clears the screen, an OSC 52 clipboard write in a role name, and a
// right-to-left override in a source_profile.
const hostileConfig = "[profile base]\n" +
	"[profile evil]\nrole_arn = arn:aws:iam::123456789012:role/x\x1b]52;c;cm0gLXJmIH4=\x07\nsource_profile = base\nregion = eu-west-1\x1b[2J\n" +
	"[profile broken]\nrole_arn = arn:aws:iam::123456789012:role/y\nsource_profile = nowhere\x1b[31m\u202egnp.exe\n"

func writeHostile(t *testing.T) (config, creds string) {
	t.Helper()
	dir := t.TempDir()
	config, creds = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(config, []byte(hostileConfig), 0o600)
	os.WriteFile(creds, []byte(cmdCreds), 0o600)
	return config, creds
}

// TestListEscapesWhatItPrints: the table, the problems and the warnings
// carry no control character read from the files; --json keeps the exact
// values.
func TestListEscapesWhatItPrints(t *testing.T) {
	config, creds := writeHostile(t)
	code, out, stderr := runCmd(t, "list", "--config", config, "--credentials", creds)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, bad := range []string{"\x1b", "\x07", "\u202e"} {
		if strings.Contains(out+stderr, bad) {
			t.Errorf("list printed %q raw:\n%s%s", bad, out, stderr)
		}
	}
	if !strings.Contains(out, `eu-west-1\x1b[2J`) || !strings.Contains(out, `nowhere\x1b[31m\u202egnp.exe`) {
		t.Errorf("the escaped values are not shown:\n%s", out)
	}
	_, out, _ = runCmd(t, "list", "--json", "--config", config, "--credentials", creds)
	var entries []listEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name == "evil" && e.Region != "eu-west-1\x1b[2J" {
			t.Errorf("--json changed the region: %q", e.Region)
		}
	}
}

// TestErrorsAreEscaped: an error that quotes a value read from the files
// (here, the name of a missing source profile) reaches stderr escaped.
func TestErrorsAreEscaped(t *testing.T) {
	config, creds := writeHostile(t)
	code, _, stderr := runCmd(t, "--config", config, "--credentials", creds, "assume", "broken")
	if code == exitOK || strings.ContainsAny(stderr, "\x1b\u202e") || !strings.Contains(stderr, `nowhere\x1b[31m\u202egnp.exe`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

func TestUsageExitCodes(t *testing.T) {
	w := newCmdWorld(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"completion", "tcsh"}, `no completion for "tcsh"`},
		{[]string{"completion"}, "completion needs a shell"},
		{[]string{"--config", filepath.Join(t.TempDir(), "nope"), "list"}, "no such file"},
		{[]string{"assume", "nosuchprofile"}, "profile nosuchprofile not found"},
		{[]string{"--timeout", "-3s", "assume", "dev"}, "--timeout -3s is negative"},
	}
	for _, tc := range tests {
		code, _, stderr := runIn(w.env, "", false, tc.args...)
		if code != exitUsage || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", tc.args, code, stderr, tc.want)
		}
	}
	w.env["ROLECALL_TIMEOUT"] = "soon"
	if code, _, stderr := runIn(w.env, "", false, "assume", "dev"); code != exitUsage || !strings.Contains(stderr, "ROLECALL_TIMEOUT=soon") {
		t.Errorf("ROLECALL_TIMEOUT=soon: exit %d, %q", code, stderr)
	}
}

// TestCommandTimeout: a command whose STS never answers ends at its
// deadline (--timeout, or ROLECALL_TIMEOUT) and says how to change it.
func TestCommandTimeout(t *testing.T) {
	w := newCmdWorld(t)
	w.env["AWS_ENDPOINT_URL_STS"] = stsfake.Unreachable(t)
	for _, tc := range []struct {
		env  string
		args []string
	}{{"", []string{"--timeout", "300ms", "assume", "dev"}}, {"0.3", []string{"assume", "dev"}}} {
		w.env["ROLECALL_TIMEOUT"] = tc.env
		start := time.Now()
		code, _, stderr := runIn(w.env, "", false, tc.args...)
		if took := time.Since(start); took > 2*time.Second {
			t.Errorf("%v took %s", tc.args, took)
		}
		// The call starts a moment after the command does, so it reports
		// a little less than the command's 0.3 s.
		if code != exitFailed || !strings.Contains(stderr, "timed out after 0.") || !strings.Contains(stderr, "gives a command 300ms") ||
			!strings.Contains(stderr, "--timeout or ROLECALL_TIMEOUT") {
			t.Errorf("%v: exit %d, %q", tc.args, code, stderr)
		}
	}
}

// TestCredentialProcessMFAMessage: credential-process cannot prompt, and
// says what to do instead.
func TestCredentialProcessMFAMessage(t *testing.T) {
	w := newCmdWorld(t)
	os.WriteFile(w.files.Config, []byte(cmdConfig+"[profile mfa]\nrole_arn = arn:aws:iam::123456789012:role/m\nsource_profile = base\nmfa_serial = arn:aws:iam::999999999999:mfa/me\n"), 0o600)
	code, out, stderr := runIn(w.env, "", true, "credential-process", "mfa")
	if code != exitFailed || out != "" || !strings.Contains(stderr, "Run 'rolecall assume mfa' once in a terminal") || strings.Contains(stderr, "run in a terminal to be asked") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestExecWarnsAboutNesting: inside 'rolecall shell dev', exec of a
// profile sourced from the environment says whose keys it uses.
func TestExecWarnsAboutNesting(t *testing.T) {
	w := newCmdWorld(t)
	os.WriteFile(w.files.Config, []byte(cmdConfig+"[profile envrole]\nrole_arn = arn:aws:iam::123456789012:role/e\ncredential_source = Environment\n"), 0o600)
	w.env["AWS_ACCESS_KEY_ID"], w.env["AWS_SECRET_ACCESS_KEY"], w.env["ROLECALL_PROFILE"] = "AKIACMDTESTBASE00001", "cmd-test-secret-not-real", "dev"
	g := w.global
	opts := &ExecOptions{}
	opts.fill(&g, "envrole")
	opts.sessionDeps = w.deps(g)
	opts.Argv = []string{"true"}
	if err := runExec(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.errOut.String(), "note: profile envrole takes its keys from the environment") || !strings.Contains(w.errOut.String(), "profile dev's session") {
		t.Errorf("stderr %q", w.errOut.String())
	}
}

// TestCredentialProcessCallingItself: a profile whose credential_process
// runs rolecall for that same profile fails at once, naming the loop,
// instead of nesting without end.
func TestCredentialProcessCallingItself(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the config runs rolecall through sh")
	}
	bin := rolecallBinary(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	os.WriteFile(config, []byte("[profile selfref]\ncredential_process = rolecall credential-process selfref\n"), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "credential-process", "selfref")
	cmd.Env = []string{"PATH=" + filepath.Dir(bin) + ":" + os.Getenv("PATH"), "HOME=" + dir, "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"), "ROLECALL_CACHE_DIR=" + filepath.Join(dir, "cache")}
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("still nesting after %s", time.Since(start))
	}
	if err == nil || stdout.String() != "" || !strings.Contains(stderr.String(), "credential_process loop: selfref -> selfref") {
		t.Errorf("%v; stdout %q; stderr %q", err, stdout.String(), stderr.String())
	}
}
