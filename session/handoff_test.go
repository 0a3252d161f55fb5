package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolecall/rolecall/profiles"
)

// handoffSTS answers every AssumeRole with a session that expires an hour
// after the real now, and counts the calls.
func handoffSTS(t *testing.T) (url string, calls *atomic.Int32) {
	calls = new(atomic.Int32)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		exp := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>
<Credentials><AccessKeyId>ASIAHANDOFF%04d</AccessKeyId><SecretAccessKey>handoff-secret-%d</SecretAccessKey>
<SessionToken>handoff-token-%d</SessionToken><Expiration>%s</Expiration></Credentials>
<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn><AssumedRoleId>AROAX:s</AssumedRoleId></AssumedRoleUser>
</AssumeRoleResult><ResponseMetadata><RequestId>r%d</RequestId></ResponseMetadata></AssumeRoleResponse>`, n, n, n, exp, n)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, calls
}

const handoffConfig = `[profile r]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = src
region = us-east-1

[profile from-default]
role_arn = arn:aws:iam::123456789012:role/r
source_profile = default
`

const handoffCreds = `[src]
aws_access_key_id = AKIAHANDOFFSOURCE1
aws_secret_access_key = handoff-source-secret
`

// handoffManager writes the files into a temp dir and returns a Manager on
// them whose clock runs skew ahead of the real one.
func handoffManager(t *testing.T, creds string, skew time.Duration, env map[string]string) (*Manager, string, *atomic.Int32) {
	t.Helper()
	url, calls := handoffSTS(t)
	dir := t.TempDir()
	files := profiles.Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
	os.WriteFile(files.Config, []byte(handoffConfig), 0o600)
	os.WriteFile(files.Credentials, []byte(handoffCreds+creds), 0o600)
	set, err := profiles.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	getenv := func(k string) string {
		if k == "AWS_ENDPOINT_URL_STS" {
			return url
		}
		return env[k]
	}
	m := New(set, Options{Getenv: getenv, CacheDir: filepath.Join(dir, "cache"),
		Now: func() time.Time { return time.Now().Add(skew) }})
	return m, files.Credentials, calls
}

func TestHandoffFreshFor(t *testing.T) {
	tests := []struct {
		name      string
		prime     bool
		skew      time.Duration // how far the clock runs ahead after priming
		wantCalls int32
		wantCache bool
	}{
		{name: "nothing cached: assumed", wantCalls: 1},
		{name: "30 minutes left: the cached session", prime: true, skew: 30 * time.Minute, wantCalls: 1, wantCache: true},
		{name: "10 minutes left: renewed", prime: true, skew: 50 * time.Minute, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, calls := handoffManager(t, "", 0, nil)
			if tt.prime {
				if _, err := m.Assume(context.Background(), "r"); err != nil {
					t.Fatal(err)
				}
			}
			m.opts.Now = func() time.Time { return time.Now().Add(tt.skew) }
			s, err := m.FreshFor(context.Background(), "r", CredentialProcessWindow)
			if err != nil {
				t.Fatal(err)
			}
			if calls.Load() != tt.wantCalls || s.FromCache != tt.wantCache {
				t.Errorf("STS calls %d, from cache %v; want %d, %v", calls.Load(), s.FromCache, tt.wantCalls, tt.wantCache)
			}
		})
	}
}

func TestHandoffUse(t *testing.T) {
	tests := []struct {
		name      string
		creds     string // appended to the source keys
		profile   string
		force     bool
		env       map[string]string
		wantErr   string
		wantIs    error
		wantCalls int32
		wantWarn  string
	}{
		{name: "writes [default]", profile: "r", wantCalls: 1},
		{name: "warns about AWS_PROFILE", profile: "r", env: map[string]string{"AWS_PROFILE": "src"}, wantCalls: 1, wantWarn: "AWS_PROFILE=src"},
		{name: "long-term [default] refused before any STS call", profile: "r",
			creds: "[default]\naws_access_key_id = AKIALONG\naws_secret_access_key = long\n", wantIs: profiles.ErrLongTermDefault},
		{name: "--force backs up and writes", profile: "r", force: true,
			creds: "[default]\naws_access_key_id = AKIALONG\naws_secret_access_key = long\n", wantCalls: 1},
		{name: "a chain rooted at [default] is refused", profile: "from-default",
			creds: "[default]\naws_access_key_id = AKIALONG\naws_secret_access_key = long\n", wantErr: "gets its keys from [default]"},
		{name: "long-term keys are not a session", profile: "src", wantErr: "long-term keys, not a session"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, path, calls := handoffManager(t, tt.creds, 0, tt.env)
			before, _ := os.ReadFile(path)
			res, err := m.Use(context.Background(), tt.profile, tt.force)
			if calls.Load() != tt.wantCalls {
				t.Errorf("STS calls %d, want %d", calls.Load(), tt.wantCalls)
			}
			if tt.wantErr != "" || tt.wantIs != nil {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || (tt.wantIs != nil && !errors.Is(err, tt.wantIs)) {
					t.Fatalf("error %v; want one with %q", err, tt.wantErr)
				}
				if after, _ := os.ReadFile(path); string(after) != string(before) {
					t.Errorf("a refused use changed the file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			set, err := profiles.Load(m.Set().Files)
			if err != nil {
				t.Fatal(err)
			}
			d := set.Get("default")
			if set.Default.Profile != tt.profile || d == nil || d.Get("aws_session_token") != res.Session.Creds.SessionToken {
				t.Errorf("[default] does not hold the session (profile %q)", set.Default.Profile)
			}
			if (res.BackupProfile != "") != tt.force {
				t.Errorf("backup profile %q with force %v", res.BackupProfile, tt.force)
			}
			if got := strings.Join(res.Warnings, "\n"); !strings.Contains(got, tt.wantWarn) || (tt.wantWarn == "" && got != "") {
				t.Errorf("warnings %q, want %q", got, tt.wantWarn)
			}
		})
	}
}

func TestHandoffUseRenewsANearlyExpiredSession(t *testing.T) {
	tests := []struct {
		name      string
		skew      time.Duration
		wantCalls int32
	}{
		{name: "30 minutes left: written as is", skew: 30 * time.Minute, wantCalls: 1},
		{name: "3 minutes left: renewed first", skew: 57 * time.Minute, wantCalls: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _, calls := handoffManager(t, "", 0, nil)
			if _, err := m.Assume(context.Background(), "r"); err != nil {
				t.Fatal(err)
			}
			m.opts.Now = func() time.Time { return time.Now().Add(tt.skew) }
			if _, err := m.Use(context.Background(), "r", false); err != nil {
				t.Fatal(err)
			}
			if calls.Load() != tt.wantCalls {
				t.Errorf("STS calls %d, want %d", calls.Load(), tt.wantCalls)
			}
		})
	}
}
