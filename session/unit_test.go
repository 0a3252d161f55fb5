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
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

func TestRenewPolicyDue(t *testing.T) {
	p := DefaultRenewPolicy()
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		exp         time.Time
		lastFailure time.Time
		failures    int
		want        bool
	}{
		{"far from expiry", now.Add(time.Hour), time.Time{}, 0, false},
		{"just outside the window", now.Add(5*time.Minute + time.Second), time.Time{}, 0, false},
		{"inside the window", now.Add(4 * time.Minute), time.Time{}, 0, true},
		{"already expired", now.Add(-time.Minute), time.Time{}, 0, true},
		{"never expires", time.Time{}, time.Time{}, 0, false},
		{"failed 10s ago: wait 30s", now.Add(time.Minute), now.Add(-10 * time.Second), 1, false},
		{"failed 31s ago: retry", now.Add(time.Minute), now.Add(-31 * time.Second), 1, true},
		{"third failure 90s ago: wait 2m", now.Add(time.Minute), now.Add(-90 * time.Second), 3, false},
		{"third failure 2m ago: retry", now.Add(time.Minute), now.Add(-2 * time.Minute), 3, true},
		{"many failures cap at 5m", now.Add(time.Minute), now.Add(-5 * time.Minute), 30, true},
		{"many failures 4m ago wait", now.Add(time.Minute), now.Add(-4 * time.Minute), 30, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := p.Due(now, tc.exp, tc.lastFailure, tc.failures); got != tc.want {
				t.Errorf("Due = %v, want %v", got, tc.want)
			}
		})
	}
}

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

func TestRegionAndEndpoint(t *testing.T) {
	set := loadSet(t, "unit")
	tests := []struct {
		name, profile string
		opts          Options
		env           env
		wantRegion    string
		wantEndpoint  string
	}{
		{name: "defaults", profile: "plain", wantRegion: "us-east-1"},
		{name: "profile region and endpoint_url", profile: "regional", wantRegion: "ap-southeast-2", wantEndpoint: "https://profile.example"},
		{name: "AWS_DEFAULT_REGION beats the profile", profile: "regional", env: env{"AWS_DEFAULT_REGION": "eu-north-1"}, wantRegion: "eu-north-1", wantEndpoint: "https://profile.example"},
		{name: "AWS_REGION beats AWS_DEFAULT_REGION", profile: "regional", env: env{"AWS_DEFAULT_REGION": "eu-north-1", "AWS_REGION": "eu-west-3"}, wantRegion: "eu-west-3", wantEndpoint: "https://profile.example"},
		{name: "--region beats all", profile: "regional", opts: Options{Region: "sa-east-1"}, env: env{"AWS_REGION": "eu-west-3"}, wantRegion: "sa-east-1", wantEndpoint: "https://profile.example"},
		{name: "services section beats endpoint_url", profile: "svc", wantRegion: "us-east-1", wantEndpoint: "https://services.example"},
		{name: "AWS_ENDPOINT_URL beats config", profile: "svc", env: env{"AWS_ENDPOINT_URL": "http://global.example"}, wantRegion: "us-east-1", wantEndpoint: "http://global.example"},
		{name: "AWS_ENDPOINT_URL_STS beats AWS_ENDPOINT_URL", profile: "svc", env: env{"AWS_ENDPOINT_URL": "http://global.example", "AWS_ENDPOINT_URL_STS": "http://sts.example"}, wantRegion: "us-east-1", wantEndpoint: "http://sts.example"},
		{name: "ignore configured endpoints", profile: "svc", env: env{"AWS_ENDPOINT_URL_STS": "http://sts.example", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}, wantRegion: "us-east-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.env == nil {
				tc.env = env{}
			}
			tc.opts.Getenv = tc.env.get
			m := New(set, tc.opts)
			p := set.Get(tc.profile)
			if got := m.resolveRegion(p); got != tc.wantRegion {
				t.Errorf("region %q, want %q", got, tc.wantRegion)
			}
			if got := m.resolveEndpoint(p); got != tc.wantEndpoint {
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
	s := &Session{Profile: "plain", Key: key, Expiration: now.Add(time.Hour),
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
		srv := httptest.NewServer(stsError(403, "AccessDenied", "denied"))
		t.Cleanup(srv.Close)
		m := New(set, Options{CacheDir: dir, Getenv: env{"AWS_ENDPOINT_URL_STS": srv.URL}.get})
		_, err := m.Assume(context.Background(), "plain")
		var se *Error
		if !errors.As(err, &se) || se.Kind != KindAccessDenied {
			t.Errorf("err %v: want STS to be asked (and deny) instead of a crash on the corrupt file", err)
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

func TestHopDuration(t *testing.T) {
	set := loadSet(t, "moto")
	tests := []struct {
		profile  string
		opts     Options
		hop      int
		want     time.Duration
		wantNote bool
	}{
		{profile: "one", hop: 0, want: time.Hour},
		{profile: "ext", hop: 0, want: 30 * time.Minute},
		{profile: "ext", opts: Options{Duration: 8 * time.Hour}, hop: 0, want: 8 * time.Hour},
		{profile: "three", hop: 2, want: time.Hour, wantNote: true}, // asks for 2h
		{profile: "three", opts: Options{Duration: 30 * time.Minute}, hop: 2, want: 30 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s hop %d %s", tc.profile, tc.hop, tc.opts.Duration), func(t *testing.T) {
			p := set.Get(tc.profile)
			got, note := New(set, tc.opts).hopDuration(p, p.Chain, tc.hop)
			if got != tc.want || (note != "") != tc.wantNote {
				t.Errorf("got %s note %q, want %s (note %v)", got, note, tc.want, tc.wantNote)
			}
		})
	}
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
	closed := "http://127.0.0.1:" + strconv.Itoa(testenv.FreePort(t))
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
