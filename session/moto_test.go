package session

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/internal/testenv"
)

const userKeyID = "AKIAROLECALLTEST0001" // testdata/moto/credentials

// motoEnv is an STS, with the instance metadata service beside it, and a
// recorder in front of it, shared by the subtests of a test function to
// save start-up time. The STS is the stsfake, on any machine, or
// moto_server where it is installed: the same tests run against both.
type motoEnv struct {
	url  string // STS and IMDS
	stop func() // takes STS away
	rec  *recorder
	// imdsKey reports whether keyID is one the instance metadata service
	// handed out.
	imdsKey func(keyID string) bool
}

// againstSTS runs test against the stsfake and against moto; the moto
// run skips where moto_server is not installed.
func againstSTS(t *testing.T, test func(t *testing.T, me motoEnv)) {
	t.Run("stsfake", func(t *testing.T) { test(t, startFake(t)) })
	t.Run("moto", func(t *testing.T) { test(t, startMoto(t)) })
}

func startFake(t *testing.T) motoEnv {
	f := stsfake.Start(t)
	f.Lenient = true // testdata/moto's keys are made up
	return motoEnv{url: f.URL, stop: f.Close, rec: newRecorder(t, f.URL),
		imdsKey: func(id string) bool { return strings.HasPrefix(id, "ASIAFAKE") }}
}

func startMoto(t *testing.T) motoEnv {
	m := testenv.StartMoto(t)
	return motoEnv{url: m.URL, stop: m.Stop, rec: newRecorder(t, m.URL),
		imdsKey: func(id string) bool { return id == "test-key" }}
}

// manager returns a Manager on testdata/moto with STS behind the recorder
// and a fresh cache, unless e names one.
func (me motoEnv) manager(t *testing.T, e env, opts Options) *Manager {
	t.Helper()
	if e == nil {
		e = env{}
	}
	if _, ok := e["AWS_ENDPOINT_URL_STS"]; !ok {
		e["AWS_ENDPOINT_URL_STS"] = me.rec.URL
	}
	if _, ok := e["USER"]; !ok {
		e["USER"] = "tester"
	}
	opts.Getenv = e.get
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir()
	}
	me.rec.take()
	return New(loadSet(t, "moto"), opts)
}

func TestAssumeAgainstSTS(t *testing.T) { againstSTS(t, assumeAgainst) }

func assumeAgainst(t *testing.T, me motoEnv) {
	ctx := context.Background()
	hour := strconv.Itoa(3600)

	tests := []struct {
		name        string
		profile     string
		opts        Options
		wantRoles   []string // RoleArn of each AssumeRole, in order
		wantForm    map[string]string
		wantExpires time.Duration
		wantNote    string
	}{
		{name: "one hop", profile: "one", wantRoles: []string{"role/one"},
			wantForm: map[string]string{"DurationSeconds": hour}, wantExpires: time.Hour},
		{name: "three hops, chained duration capped", profile: "three",
			wantRoles: []string{"role/one", "role/two", "role/three"},
			wantForm:  map[string]string{"DurationSeconds": hour}, wantExpires: time.Hour, wantNote: "capped to 1h"},
		{name: "external id, duration and session name", profile: "ext", wantRoles: []string{"role/ext"},
			wantForm:    map[string]string{"ExternalId": "ext-4711", "DurationSeconds": "1800", "RoleSessionName": "ci-job-42"},
			wantExpires: 30 * time.Minute},
		{name: "--duration beats duration_seconds", profile: "ext", opts: Options{Duration: 15 * time.Minute},
			wantRoles: []string{"role/ext"}, wantForm: map[string]string{"DurationSeconds": "900", "RoleSessionName": "ci-job-42"}, wantExpires: 15 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := me.manager(t, nil, tc.opts)
			s, err := m.Assume(ctx, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			calls := me.rec.take()
			if len(calls) != len(tc.wantRoles) {
				t.Fatalf("STS calls %v, want %d AssumeRole", actions(calls), len(tc.wantRoles))
			}
			for i, c := range calls {
				if c.Action != "AssumeRole" || !strings.HasSuffix(c.Form.Get("RoleArn"), tc.wantRoles[i]) {
					t.Errorf("call %d: %s %s, want AssumeRole %s", i, c.Action, c.Form.Get("RoleArn"), tc.wantRoles[i])
				}
			}
			if calls[0].KeyID != userKeyID {
				t.Errorf("first hop not signed with the source profile's keys")
			}
			for i := 1; i < len(calls); i++ {
				if calls[i].KeyID == userKeyID || calls[i].KeyID == "" {
					t.Errorf("hop %d not signed with the previous role's session", i)
				}
			}
			last := calls[len(calls)-1].Form
			for k, v := range tc.wantForm {
				if got := last.Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			if _, ok := tc.wantForm["RoleSessionName"]; !ok {
				if n := last.Get("RoleSessionName"); !regexp.MustCompile(`^rolecall-tester-\d+$`).MatchString(n) {
					t.Errorf("RoleSessionName %q, want rolecall-tester-<unix time>", n)
				}
			}
			within(t, s.Expires(), time.Now().Add(tc.wantExpires), time.Minute)
			if s.AccountID != "123456789012" || !strings.Contains(s.AssumedRoleARN, tc.wantRoles[len(tc.wantRoles)-1]) {
				t.Errorf("account %q role %q", s.AccountID, s.AssumedRoleARN)
			}
			if tc.wantNote != "" && !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, tc.wantNote) }) {
				t.Errorf("notes %q, want one containing %q", s.Notes, tc.wantNote)
			}
			if s.FromCache || s.Creds.SessionToken == "" {
				t.Errorf("want fresh temporary credentials")
			}

			id, err := m.WhoAmI(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			wantRole := strings.TrimPrefix(tc.wantRoles[len(tc.wantRoles)-1], "role/")
			if id.Account != "123456789012" || !strings.Contains(id.ARN, "assumed-role/"+wantRole+"/") || id.UserID == "" {
				t.Errorf("whoami %+v, want the last role %s", id, wantRole)
			}
			me.rec.take()

			again, err := m.Assume(ctx, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			if calls := me.rec.take(); len(calls) != 0 || !again.FromCache || !sameCreds(again.Creds, s.Creds) {
				t.Errorf("second Assume: %d STS calls, from cache %v: want the cached session and no call", len(calls), again.FromCache)
			}
		})
	}
}

func TestMFAAgainstSTS(t *testing.T) { againstSTS(t, mfaAgainst) }

func mfaAgainst(t *testing.T, me motoEnv) {
	ctx := context.Background()
	const serial = "arn:aws:iam::111111111111:mfa/alice"

	t.Run("one prompt serves every role on the device and renewals", func(t *testing.T) {
		var prompts atomic.Int32
		cache := t.TempDir()
		opts := Options{CacheDir: cache, Prompt: func(_ context.Context, profile, s string) (string, error) {
			prompts.Add(1)
			if s != serial {
				t.Errorf("prompt for %q, want %q", s, serial)
			}
			return "123456", nil
		}}
		m := me.manager(t, nil, opts)
		if got := m.NeedsMFA("mfa"); got != serial {
			t.Errorf("NeedsMFA before = %q, want %q", got, serial)
		}
		if _, err := m.Assume(ctx, "mfa"); err != nil {
			t.Fatal(err)
		}
		calls := me.rec.take()
		if got := actions(calls); !slices.Equal(got, []string{"GetSessionToken", "AssumeRole"}) {
			t.Fatalf("calls %v, want GetSessionToken then AssumeRole", got)
		}
		if calls[0].Form.Get("SerialNumber") != serial || calls[0].Form.Get("TokenCode") != "123456" {
			t.Errorf("GetSessionToken without the serial and code")
		}
		if calls[1].Form.Get("TokenCode") != "" || calls[1].KeyID == userKeyID {
			t.Errorf("AssumeRole should use the MFA session, not send a code again")
		}

		m2 := me.manager(t, nil, opts) // a new process, same cache
		if got := m2.NeedsMFA("mfa2"); got != "" {
			t.Errorf("NeedsMFA(mfa2) = %q with a live MFA session, want none", got)
		}
		for _, step := range []func() error{
			func() error { _, err := m2.Assume(ctx, "mfa2"); return err },
			func() error { _, err := m2.Renew(ctx, "mfa"); return err },
		} {
			if err := step(); err != nil {
				t.Fatal(err)
			}
			if got := actions(me.rec.take()); !slices.Equal(got, []string{"AssumeRole"}) {
				t.Errorf("calls %v, want one AssumeRole", got)
			}
		}
		if n := prompts.Load(); n != 1 {
			t.Errorf("prompted %d times, want once", n)
		}
	})

	t.Run("the user's own mfa_serial", func(t *testing.T) {
		var prompts atomic.Int32
		m := me.manager(t, nil, Options{Prompt: func(_ context.Context, _, s string) (string, error) {
			prompts.Add(1)
			return "314159", nil
		}})
		if got := m.NeedsMFA("viauser"); got != "arn:aws:iam::111111111111:mfa/bob" {
			t.Errorf("NeedsMFA(viauser) = %q, want the user's device", got)
		}
		s, err := m.Assume(ctx, "viauser")
		if err != nil {
			t.Fatal(err)
		}
		if got := actions(me.rec.take()); !slices.Equal(got, []string{"GetSessionToken", "AssumeRole"}) {
			t.Errorf("calls %v, want GetSessionToken then AssumeRole", got)
		}
		if !strings.Contains(s.AssumedRoleARN, "assumed-role/viauser/") {
			t.Errorf("role %q", s.AssumedRoleARN)
		}
		// The user profile itself: its session is the MFA session.
		u, err := m.Assume(ctx, "mfauser")
		if err != nil {
			t.Fatal(err)
		}
		if calls := me.rec.take(); len(calls) != 0 || u.Creds.SessionToken == "" || u.Expires().IsZero() {
			t.Errorf("mfauser: %d calls, want the cached MFA session", len(calls))
		}
		if n := prompts.Load(); n != 1 {
			t.Errorf("prompted %d times, want once", n)
		}
	})

	t.Run("concurrent assumes on one device share one prompt", func(t *testing.T) {
		var prompts atomic.Int32
		m := me.manager(t, nil, Options{Prompt: func(context.Context, string, string) (string, error) {
			prompts.Add(1)
			return "123456", nil
		}})
		errs := make(chan error, 4)
		for _, p := range []string{"mfa", "mfa2", "mfa", "mfa2"} {
			go func() { _, err := m.Assume(ctx, p); errs <- err }()
		}
		for range 4 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if n := prompts.Load(); n != 1 {
			t.Errorf("prompted %d times, want once", n)
		}
		me.rec.take()
	})

	t.Run("per-call code beats --mfa-code", func(t *testing.T) {
		m := me.manager(t, nil, Options{MFACode: "111111"})
		if _, err := m.Assume(ctx, "mfa", WithMFACode("arn:aws:iam::111111111111:mfa/alice", "222222")); err != nil {
			t.Fatal(err)
		}
		if calls := me.rec.take(); len(calls) == 0 || calls[0].Form.Get("TokenCode") != "222222" {
			t.Errorf("the call's own code was not sent")
		}
	})

	t.Run("no code and no prompt", func(t *testing.T) {
		m := me.manager(t, nil, Options{})
		_, err := m.Assume(ctx, "mfa")
		if !errors.Is(err, ErrMFARequired) || !strings.Contains(err.Error(), "--mfa-code") {
			t.Errorf("err %v, want ErrMFARequired naming --mfa-code", err)
		}
		if calls := me.rec.take(); len(calls) != 0 {
			t.Errorf("STS called %v without a code", actions(calls))
		}
	})
}

func TestRootsAgainstSTS(t *testing.T) { againstSTS(t, rootsAgainst) }

func rootsAgainst(t *testing.T, me motoEnv) {
	ctx := context.Background()

	ecsCreds := map[string]string{"AccessKeyId": "ASIAECSCONTAINER0001", "SecretAccessKey": "ecs-secret", "Token": "ecs-token",
		"Expiration": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)}
	ecs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "ecs-auth-token" || r.URL.Path != "/creds" {
			w.WriteHeader(http.StatusUnauthorized)
			json.NewEncoder(w).Encode(map[string]string{"code": "AccessDenied", "message": "bad token"})
			return
		}
		json.NewEncoder(w).Encode(ecsCreds)
	}))
	t.Cleanup(ecs.Close)
	tokenFile := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(tokenFile, []byte("ecs-auth-token\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	closed := stsfake.Refusing(t)

	tests := []struct {
		name      string
		profile   string
		env       env
		wantKeyID string    // key that signed the AssumeRole
		wantKind  ErrorKind // "" for success
		wantMsg   string
	}{
		{name: "Environment", profile: "env", wantKeyID: "AKIAFROMENVIRONMENT1",
			env: env{"AWS_ACCESS_KEY_ID": "AKIAFROMENVIRONMENT1", "AWS_SECRET_ACCESS_KEY": "s"}},
		{name: "Environment unset", profile: "env", wantKind: KindSource, wantMsg: "AWS_ACCESS_KEY_ID"},
		{name: "Ec2InstanceMetadata", profile: "imds", wantKeyID: "the instance role's",
			env: env{"AWS_EC2_METADATA_SERVICE_ENDPOINT": me.url}},
		{name: "Ec2InstanceMetadata disabled", profile: "imds", wantKind: KindMetadata, wantMsg: "AWS_EC2_METADATA_DISABLED",
			env: env{"AWS_EC2_METADATA_SERVICE_ENDPOINT": me.url, "AWS_EC2_METADATA_DISABLED": "true"}},
		{name: "Ec2InstanceMetadata unreachable", profile: "imds", wantKind: KindMetadata, wantMsg: closed,
			env: env{"AWS_EC2_METADATA_SERVICE_ENDPOINT": closed}},
		{name: "EcsContainer token", profile: "ecs", wantKeyID: "ASIAECSCONTAINER0001",
			env: env{"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.URL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "ecs-auth-token"}},
		{name: "EcsContainer token file", profile: "ecs", wantKeyID: "ASIAECSCONTAINER0001",
			env: env{"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.URL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tokenFile}},
		{name: "EcsContainer wrong token", profile: "ecs", wantKind: KindMetadata, wantMsg: ecs.URL,
			env: env{"AWS_CONTAINER_CREDENTIALS_FULL_URI": ecs.URL + "/creds", "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"}},
		{name: "EcsContainer unset", profile: "ecs", wantKind: KindMetadata, wantMsg: "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.name == "Ec2InstanceMetadata unreachable" {
				t.Skip("the metadata client retries for 4 s; runs without -short")
			}
			m := me.manager(t, tc.env, Options{})
			s, err := m.Assume(ctx, tc.profile)
			calls := me.rec.take()
			if tc.wantKind != "" {
				var se *Error
				if !errors.As(err, &se) || se.Kind != tc.wantKind || !strings.Contains(se.Msg, tc.wantMsg) {
					t.Fatalf("err %v, want a %s error naming %q", err, tc.wantKind, tc.wantMsg)
				}
				if len(calls) != 0 {
					t.Errorf("STS called without source credentials")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			signedBy := func(id string) bool { return id == tc.wantKeyID }
			if tc.profile == "imds" {
				signedBy = me.imdsKey
			}
			if len(calls) != 1 || calls[0].Action != "AssumeRole" || !signedBy(calls[0].KeyID) {
				t.Errorf("calls %v: want one AssumeRole signed by the %s credentials", actions(calls), tc.name)
			}
			if !strings.Contains(s.AssumedRoleARN, "assumed-role/"+tc.profile+"/") {
				t.Errorf("role %q", s.AssumedRoleARN)
			}
		})
	}
}

func TestCacheOutlivesSTS(t *testing.T) { againstSTS(t, cacheOutlives) }

func cacheOutlives(t *testing.T, me motoEnv) {
	ctx := context.Background()
	cache := t.TempDir()
	m := me.manager(t, nil, Options{CacheDir: cache})
	first, err := m.Assume(ctx, "two")
	if err != nil {
		t.Fatal(err)
	}
	me.stop()
	me.rec.take()

	m = me.manager(t, nil, Options{CacheDir: cache}) // as a new process would
	if s, ok := m.Cached("two"); !ok || !sameCreds(s.Creds, first.Creds) {
		t.Fatalf("Cached: ok=%v, want the session assumed before", ok)
	}
	again, err := m.Assume(ctx, "two")
	if err != nil {
		t.Fatalf("Assume with STS down and a live cached session: %v", err)
	}
	if !again.FromCache || !sameCreds(again.Creds, first.Creds) || !again.Expires().Equal(first.Expires()) {
		t.Errorf("want the cached session (from cache %v)", again.FromCache)
	}
	if calls := me.rec.take(); len(calls) != 0 {
		t.Errorf("%d STS calls on a cache hit", len(calls))
	}
	if got := m.NeedsMFA("two"); got != "" {
		t.Errorf("NeedsMFA = %q", got)
	}
	if n, err := m.Forget("two"); err != nil || n != 1 {
		t.Fatalf("Forget removed %d files (err %v), want 1", n, err)
	}
	if _, ok := m.Cached("two"); ok {
		t.Errorf("Forget left the session cached")
	}
	if _, err := m.Assume(ctx, "two"); err == nil {
		t.Errorf("Assume after Forget with STS down succeeded")
	}
}
