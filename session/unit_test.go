package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
)

func TestDefaultSessionName(t *testing.T) {
	now := time.Unix(1767225600, 0)
	valid := regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	tests := []struct {
		name string
		env  env
		want string
	}{
		{"user", env{"USER": "alice"}, "rolecall-alice-1767225600"},
		{"LOGNAME when USER is unset", env{"LOGNAME": "bob"}, "rolecall-bob-1767225600"},
		{"invalid characters replaced", env{"USER": "DOMAIN\\Jo Ann"}, "rolecall-DOMAIN_Jo_Ann-1767225600"},
		{"no user", env{}, "rolecall-1767225600"},
		{"long user trimmed to 64", env{"USER": strings.Repeat("x", 80)}, "rolecall-" + strings.Repeat("x", 44) + "-1767225600"},
		{"a user one too long for 64", env{"USER": strings.Repeat("x", 45)}, "rolecall-" + strings.Repeat("x", 44) + "-1767225600"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := defaultSessionName(tc.env.get, now)
			if got != tc.want || !valid.MatchString(got) {
				t.Errorf("got %q, want %q (and STS-valid)", got, tc.want)
			}
		})
	}
}

func TestEndpoints(t *testing.T) {
	set := loadSet(t, "unit")
	tests := []struct {
		name, profile string
		env           env
		wantEndpoint  string
	}{
		{name: "defaults", profile: "plain"},
		{name: "endpoint_url", profile: "regional", wantEndpoint: "https://profile.example"},
		{name: "services section beats endpoint_url", profile: "svc", wantEndpoint: "https://services.example"},
		{name: "AWS_ENDPOINT_URL beats config", profile: "svc", env: env{"AWS_ENDPOINT_URL": "http://global.example"}, wantEndpoint: "http://global.example"},
		{name: "AWS_ENDPOINT_URL_STS beats AWS_ENDPOINT_URL", profile: "svc", env: env{"AWS_ENDPOINT_URL": "http://global.example", "AWS_ENDPOINT_URL_STS": "http://sts.example"}, wantEndpoint: "http://sts.example"},
		{name: "ignore configured endpoints", profile: "svc", env: env{"AWS_ENDPOINT_URL_STS": "http://sts.example", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := New(set, Options{Getenv: tc.env.get})
			if got := m.newTarget(set.Get(tc.profile)).endpoint; got != tc.wantEndpoint {
				t.Errorf("endpoint %q, want %q", got, tc.wantEndpoint)
			}
		})
	}
}

func TestCacheFiles(t *testing.T) {
	set := loadSet(t, "unit")
	now := time.Now()
	dir := filepath.Join(t.TempDir(), "cache")
	m := New(set, Options{CacheDir: dir, Getenv: env{}.get})
	key := m.chainKey(set.Get("plain"))
	s := &Session{Profile: "plain", Key: key,
		Creds: Credentials{AccessKeyID: "ASIACACHED0000000001", SecretAccessKey: "s", SessionToken: "t", Expires: now.Add(time.Hour)}}
	if err := m.writeSession(s); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]os.FileMode{dir: 0o700, filepath.Join(dir, key+".json"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", path, fi.Mode().Perm(), want)
		}
	}
	if strings.Contains(key, "AKIA") || len(key) != 32 {
		t.Errorf("cache key %q should be a plain hash", key)
	}
	for name, body := range map[string]string{
		"corrupt.json": "{not json",
		"foreign.json": `{"AccessKeyId":"x"}`,
		"notes.txt":    "ignored: not json",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("Cached reads the session without a network call", func(t *testing.T) {
		got, ok := m.Cached("plain")
		if !ok || !got.FromCache || !sameCreds(got.Creds, s.Creds) {
			t.Fatalf("Cached: ok=%v, mismatch with the written session", ok)
		}
	})
	t.Run("Sessions lists it and warns about the bad files", func(t *testing.T) {
		list, warns := m.Sessions()
		if len(list) != 1 || list[0].Profile != "plain" {
			t.Errorf("Sessions = %d sessions, want plain only", len(list))
		}
		if len(warns) != 2 {
			t.Errorf("warnings %v, want one per bad .json file", warns)
		}
		for _, w := range warns {
			if !strings.Contains(w.Error(), dir) || !strings.Contains(w.Error(), "ignored") {
				t.Errorf("warning %q should name the file and say it was ignored", w)
			}
		}
	})
	t.Run("an expired session is not handed out", func(t *testing.T) {
		late := New(set, Options{CacheDir: dir, Getenv: env{}.get, Now: func() time.Time { return now.Add(2 * time.Hour) }})
		if _, ok := late.Cached("plain"); ok {
			t.Errorf("Cached returned an expired session")
		}
	})
	t.Run("a corrupt session file is a cache miss", func(t *testing.T) {
		if err := os.WriteFile(filepath.Join(dir, key+".json"), []byte("\x00garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, ok := m.Cached("plain"); ok {
			t.Errorf("Cached returned a corrupt session")
		}
	})
	t.Run("Assume replaces a corrupt session file and says so", func(t *testing.T) {
		fake := stsfake.Start(t)
		fake.Lenient = true
		m := New(set, Options{CacheDir: dir, Getenv: env{"AWS_ENDPOINT_URL_STS": fake.URL}.get})
		// The damaged file is the one this manager reads: same profile,
		// same endpoint, same key.
		path, _ := m.sessionPath(m.chainKey(set.Get("plain")))
		if err := os.WriteFile(path, []byte("\x00garbage"), 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := m.Assume(context.Background(), "plain")
		if err != nil {
			t.Fatalf("Assume over a corrupt cache file: %v", err)
		}
		if got := stsfake.Actions(fake.Calls()); !slices.Equal(got, []string{"AssumeRole"}) {
			t.Errorf("calls %v, want one AssumeRole", got)
		}
		if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, path) && strings.Contains(n, "ignored") }) {
			t.Errorf("notes %q do not say the damaged file %s was ignored", s.Notes, path)
		}
		again, ok := m.Cached("plain")
		if !ok || !sameCreds(again.Creds, s.Creds) {
			t.Errorf("the new session did not replace the damaged file")
		}
	})
	t.Run("ROLECALL_CACHE_DIR", func(t *testing.T) {
		d := t.TempDir()
		m := New(set, Options{Getenv: env{"ROLECALL_CACHE_DIR": d}.get})
		if got, _ := m.cacheDir(); got != d {
			t.Errorf("cache dir %q, want %q", got, d)
		}
	})
}

// stsError answers every call with one STS error document.
func stsError(status int, code, msg string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		fmt.Fprintf(w, `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r</RequestId></ErrorResponse>`, code, msg)
	}
}

func TestErrorsUsersCanActOn(t *testing.T) {
	closed := stsfake.Refusing(t)
	tests := []struct {
		name     string
		profile  string
		handler  http.HandlerFunc // nil: STS is down
		mfa      string
		wantKind ErrorKind
		wantMsg  []string
	}{
		{name: "trust policy", profile: "one", handler: stsError(403, "AccessDenied", "User: arn:aws:iam::123456789012:user/u is not authorized to perform: sts:AssumeRole"),
			wantKind: KindAccessDenied, wantMsg: []string{"trust policy", "external_id", "role/one"}},
		{name: "invalid keys", profile: "one", handler: stsError(403, "InvalidClientTokenId", "The security token included in the request is invalid."),
			wantKind: KindInvalidKeys, wantMsg: []string{"rejected", "one"}},
		{name: "expired keys", profile: "two", handler: stsError(400, "ExpiredToken", "The security token included in the request is expired"),
			wantKind: KindInvalidKeys, wantMsg: []string{"expired"}},
		{name: "wrong MFA code", profile: "mfa", mfa: "000000", handler: stsError(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."),
			wantKind: KindWrongMFA, wantMsg: []string{"MFA code was not accepted"}},
		{name: "throttled after retries", profile: "one", handler: stsError(400, "Throttling", "Rate exceeded"),
			wantKind: KindThrottled, wantMsg: []string{"throttling"}},
		{name: "not STS at the endpoint", profile: "one", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) },
			wantKind: KindUnreachable, wantMsg: []string{"HTTP 404", "not an STS answer", "AWS_ENDPOINT_URL_STS"}},
		{name: "STS outage", profile: "one", handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) },
			wantKind: KindUnreachable, wantMsg: []string{"HTTP 503", "after retries"}},
		{name: "STS down", profile: "one", wantKind: KindUnreachable, wantMsg: []string{closed, "not reachable", "AWS_ENDPOINT_URL_STS"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			endpoint := closed
			if tc.handler != nil {
				srv := httptest.NewServer(tc.handler)
				t.Cleanup(srv.Close)
				endpoint = srv.URL
			}
			m := New(loadSet(t, "moto"), Options{CacheDir: t.TempDir(), MFACode: tc.mfa,
				Getenv: env{"AWS_ENDPOINT_URL_STS": endpoint}.get})
			start := time.Now()
			_, err := m.Assume(context.Background(), tc.profile)
			elapsed := time.Since(start)
			var se *Error
			if !errors.As(err, &se) || se.Kind != tc.wantKind {
				t.Fatalf("err %v, want kind %s", err, tc.wantKind)
			}
			msg := err.Error()
			for _, w := range tc.wantMsg {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not mention %q", msg, w)
				}
			}
			if strings.Count(msg, "\n") > 1 || strings.Contains(msg, "not-a-real-secret") || strings.Contains(msg, "goroutine") {
				t.Errorf("message should be one or two lines without secrets: %q", msg)
			}
			if elapsed > 10*time.Second {
				t.Errorf("took %s to fail; a user waits for this", elapsed.Round(time.Millisecond))
			}
		})
	}
}

// TestNameRules: the character rules of role session names, federated
// user names, role names, account ids and console services, checked
// against the regular expressions IAM documents for them.
func TestNameRules(t *testing.T) {
	sessionChars := regexp.MustCompile(`[^\w+=,.@-]`)
	roleName := regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	accountID := regexp.MustCompile(`^[0-9]{12}$`)
	service := regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,39}$`)
	inputs := []string{"", "a", "alice", "Alice_B+=,.@-9", "al ice", "älice", "a\xffb", "日本", "x/y", "tab\there",
		"123456789012", "12345678901", "1234567890123", "12345678901a", "s3", "-s3", "ec2-instance-connect",
		strings.Repeat("a", 40), strings.Repeat("a", 41), strings.Repeat("r", 64), strings.Repeat("r", 65), "UPPER"}
	for _, s := range inputs {
		if got, want := asNameChars(s), sessionChars.ReplaceAllString(s, "_"); got != want {
			t.Errorf("asNameChars(%q) = %q, want %q", s, got, want)
		}
		if got, want := isRoleName(s), roleName.MatchString(s); got != want {
			t.Errorf("isRoleName(%q) = %v, want %v", s, got, want)
		}
		if got, want := isAccountID(s), accountID.MatchString(s); got != want {
			t.Errorf("isAccountID(%q) = %v, want %v", s, got, want)
		}
		if got, want := isServiceName(s), service.MatchString(s); got != want {
			t.Errorf("isServiceName(%q) = %v, want %v", s, got, want)
		}
	}
}
