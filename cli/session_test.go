package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/internal/testenv"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

var (
	sessionConfig      = filepath.Join("..", "session", "testdata", "moto", "config")
	sessionCredentials = filepath.Join("..", "session", "testdata", "moto", "credentials")
	// The source profile's secret in session/testdata/moto/credentials.
	sessionSourceSecret = "not-a-real-secret-for-tests-only"
)

// sessionRun runs one command line with STS at endpoint and the session
// cache in cache.
func sessionRun(t *testing.T, endpoint, cache, stdin string, terminal bool, args ...string) (int, string, string) {
	t.Helper()
	env := map[string]string{"AWS_ENDPOINT_URL_STS": endpoint, "ROLECALL_CACHE_DIR": cache, "USER": "tester"}
	args = append(args, "--config", sessionConfig, "--credentials", sessionCredentials)
	return runIn(env, stdin, terminal, args...)
}

// cachedSecrets are the secrets of every session cached in dir: no
// command output may hold them.
func cachedSecrets(t *testing.T, cache string) []string {
	set, err := profiles.Load(profiles.Files{Config: sessionConfig, Credentials: sessionCredentials})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := session.New(set, session.Options{CacheDir: cache}).Sessions()
	out := []string{sessionSourceSecret}
	for _, s := range list {
		out = append(out, s.Creds.SecretAccessKey, s.Creds.SessionToken)
	}
	return out
}

// cachedKey is the access key id of profile's cached session in cache.
func cachedKey(t *testing.T, cache, profile string) string {
	t.Helper()
	set, err := profiles.Load(profiles.Files{Config: sessionConfig, Credentials: sessionCredentials})
	if err != nil {
		t.Fatal(err)
	}
	list, _ := session.New(set, session.Options{CacheDir: cache}).Sessions()
	for _, s := range list {
		if s.Profile == profile {
			return s.Creds.AccessKeyID
		}
	}
	t.Fatalf("no cached session of %s", profile)
	return ""
}

func noSecrets(t *testing.T, cache, what, out string) {
	t.Helper()
	for i, s := range cachedSecrets(t, cache) {
		if s != "" && strings.Contains(out, s) {
			t.Errorf("%s holds secret #%d", what, i)
		}
	}
}

// TestSessionCommands runs the session commands against the STS fake,
// on any machine, and against moto where it is installed. Each case has a
// cache of its own and assumes what it needs, so that it passes alone
// (go test -run 'TestSessionCommands/stsfake/sessions').
func TestSessionCommands(t *testing.T) {
	for _, backend := range []struct {
		name  string
		start func(t *testing.T) string // the STS endpoint
	}{
		{"stsfake", func(t *testing.T) string {
			f := stsfake.Start(t)
			f.Lenient = true // the fixture's user keys are made up
			return f.URL
		}},
		{"moto", func(t *testing.T) string { return testenv.StartMoto(t).URL }},
	} {
		t.Run(backend.name, func(t *testing.T) { sessionCommands(t, backend.start(t)) })
	}
}

func sessionCommands(t *testing.T, sts string) {
	// assume runs one command line with its own cache, which it returns.
	assume := func(t *testing.T, profiles ...string) string {
		t.Helper()
		cache := t.TempDir()
		for _, p := range profiles {
			if code, _, stderr := sessionRun(t, sts, cache, "", false, "assume", p); code != exitOK {
				t.Fatalf("assume %s: exit %d: %s", p, code, stderr)
			}
		}
		return cache
	}

	t.Run("assume prints role, account and expiry", func(t *testing.T) {
		cache := t.TempDir()
		code, out, stderr := sessionRun(t, sts, cache, "", false, "assume", "one")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{"profile  one", "assumed-role/one/rolecall-tester-", "account  123456789012", "expires", "(in ", "new session from STS"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
		noSecrets(t, cache, "assume", out+stderr)
		_, out, _ = sessionRun(t, sts, cache, "", false, "assume", "one")
		if !strings.Contains(out, "cached session") {
			t.Errorf("second assume did not reuse the cache:\n%s", out)
		}
	})

	t.Run("assume --json has an RFC 3339 expiration and no secrets", func(t *testing.T) {
		cache := t.TempDir()
		code, out, stderr := sessionRun(t, sts, cache, "", false, "assume", "three", "--json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		noSecrets(t, cache, "assume --json", out+stderr)
		var j map[string]any
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		exp, err := time.Parse(time.RFC3339, j["expiration"].(string))
		if err != nil || exp.Sub(time.Now()) < 58*time.Minute || exp.Sub(time.Now()) > 61*time.Minute {
			t.Errorf("expiration %v (%v), want RFC 3339 about an hour ahead", j["expiration"], err)
		}
		for _, k := range []string{"secret_access_key", "session_token", "credentials"} {
			if _, ok := j[k]; ok {
				t.Errorf("--json has %q", k)
			}
		}
		if notes, _ := json.Marshal(j["notes"]); !strings.Contains(string(notes), "capped to 1h") {
			t.Errorf("the chained-duration note is missing: %s", notes)
		}
	})

	t.Run("whoami shows the last role of a chain", func(t *testing.T) {
		code, out, stderr := sessionRun(t, sts, t.TempDir(), "", false, "whoami", "three")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		for _, want := range []string{"account  123456789012", "assumed-role/three/", "user id"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})

	t.Run("MFA code from a terminal prompt", func(t *testing.T) {
		code, out, stderr := sessionRun(t, sts, t.TempDir(), "123456\n", true, "assume", "mfa")
		if code != exitOK || !strings.Contains(stderr, "MFA code for arn:aws:iam::111111111111:mfa/alice") || !strings.Contains(out, "assumed-role/mfa/") {
			t.Errorf("exit %d, stderr %q, out %q", code, stderr, out)
		}
	})

	t.Run("MFA code from --mfa-code", func(t *testing.T) {
		code, _, stderr := sessionRun(t, sts, t.TempDir(), "", false, "assume", "mfa", "--mfa-code", "654321")
		if code != exitOK || strings.Contains(stderr, "MFA code for") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("no MFA code and no terminal", func(t *testing.T) {
		code, _, stderr := sessionRun(t, sts, t.TempDir(), "", false, "assume", "mfa")
		if code != exitFailed || !strings.Contains(stderr, "--mfa-code") {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("sessions lists the cache and the [default] holder", func(t *testing.T) {
		cache := assume(t, "one", "three")
		code, out, stderr := sessionRun(t, sts, cache, "", false, "sessions", "--json")
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		noSecrets(t, cache, "sessions --json", out+stderr)
		var list []sessionJSON
		if err := json.Unmarshal([]byte(out), &list); err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, s := range list {
			names = append(names, s.Profile)
			if s.Expired || s.RemainingSeconds < 3000 || s.Expiration == "" {
				t.Errorf("%s: %+v", s.Profile, s)
			}
		}
		if strings.Join(names, ",") != "one,three" {
			t.Errorf("sessions %v, want one,three", names)
		}

		// [default] holding three's session: marked. Another key under
		// three's name (a later session, or keys written over rolecall's):
		// not marked.
		threeKey := cachedKey(t, cache, "three")
		for _, tc := range []struct {
			key    string
			marked bool
		}{{threeKey, true}, {"ASIAOTHERSESSION0001", false}} {
			dir := t.TempDir()
			creds := filepath.Join(dir, "credentials")
			src, _ := os.ReadFile(sessionCredentials)
			def := "\n[default]\naws_access_key_id = " + tc.key + "\naws_secret_access_key = x\naws_session_token = y\nrolecall_profile = three\nrolecall_access_key_id = " + tc.key + "\n"
			if err := os.WriteFile(creds, append(src, def...), 0o600); err != nil {
				t.Fatal(err)
			}
			var outBuf, errBuf bytes.Buffer
			g := &globalOptions{Stdin: strings.NewReader(""), Stdout: &outBuf, Stderr: &errBuf,
				Getenv: func(k string) string { return map[string]string{"ROLECALL_CACHE_DIR": cache}[k] }}
			if code := run(context.Background(), g, []string{"sessions", "--config", sessionConfig, "--credentials", creds}); code != exitOK {
				t.Fatalf("exit %d: %s", code, errBuf.String())
			}
			for _, line := range strings.Split(outBuf.String(), "\n") {
				want := tc.marked && strings.HasPrefix(line, "three ")
				if strings.Contains(line, "[default]") != want {
					t.Errorf("[default] holding key %s: marker wrong on %q", session.MaskKey(tc.key), line)
				}
			}
		}
	})

	t.Run("unknown profile", func(t *testing.T) {
		code, _, stderr := sessionRun(t, sts, t.TempDir(), "", false, "assume", "nope")
		if code != exitUsage || !strings.Contains(stderr, "rolecall list") || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
			t.Errorf("exit %d, stderr %q", code, stderr)
		}
	})

	t.Run("missing profile argument", func(t *testing.T) {
		if code, _, _ := sessionRun(t, sts, t.TempDir(), "", false, "whoami"); code != exitUsage {
			t.Errorf("exit %d, want %d", code, exitUsage)
		}
	})
}

func TestExpiryText(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		exp  time.Time
		want string
	}{
		{"hours", now.Add(time.Hour + 2*time.Minute + 3*time.Second), "(in 1h 2m)"},
		{"minutes", now.Add(5*time.Minute + 3*time.Second), "(in 5m 3s)"},
		{"seconds", now.Add(42 * time.Second), "(in 42s)"},
		{"expired", now.Add(-3 * time.Minute), "(expired 3m 0s ago)"},
		{"never", time.Time{}, "never (long-term keys)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := expiryText(tc.exp, now); !strings.HasSuffix(got, tc.want) {
				t.Errorf("got %q, want it to end in %q", got, tc.want)
			}
		})
	}
}
