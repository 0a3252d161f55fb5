package session

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/profiles"
)

var ctx = context.Background()

// regionOf returns the region variables a hand-off exports.
func regionVars(h Handoff) (region, defaultRegion string, ok bool) {
	for _, v := range h.Vars() {
		switch v.Name {
		case "AWS_REGION":
			region, ok = v.Value, true
		case "AWS_DEFAULT_REGION":
			defaultRegion = v.Value
		}
	}
	return region, defaultRegion, ok
}

func TestRegionIsDecidedAtHandoff(t *testing.T) {
	w := newWorld(t)
	// The session is first assumed with a one-off --region.
	first, err := w.manager(nil, Options{Region: "us-east-1"}).Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if first.FromCache {
		t.Fatal("first assume came from the cache")
	}
	tests := []struct {
		name    string
		profile string
		env     env
		opts    Options
		want    string // "" means no region exported
	}{
		{name: "--region", profile: "dev", opts: Options{Region: "ap-south-1"}, env: env{"AWS_REGION": "eu-central-1"}, want: "ap-south-1"},
		{name: "AWS_REGION beats AWS_DEFAULT_REGION and the profile", profile: "dev", env: env{"AWS_REGION": "eu-central-1", "AWS_DEFAULT_REGION": "eu-north-1"}, want: "eu-central-1"},
		{name: "AWS_DEFAULT_REGION beats the profile", profile: "dev", env: env{"AWS_DEFAULT_REGION": "eu-north-1"}, want: "eu-north-1"},
		{name: "the profile's region, not the cached --region", profile: "dev", want: "eu-west-1"},
		{name: "none set: nothing exported, not us-east-1", profile: "nodefault", want: ""},
	}
	if _, err := w.manager(nil, Options{Region: "us-east-1"}).Assume(ctx, "nodefault"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := w.manager(tc.env, tc.opts)
			s, err := m.Assume(ctx, tc.profile)
			if err != nil {
				t.Fatal(err)
			}
			if !s.FromCache {
				t.Errorf("want the cached session: the region must not change what is cached")
			}
			region, def, ok := regionVars(m.Handoff(s))
			if tc.want == "" {
				if ok {
					t.Errorf("AWS_REGION=%q exported, want none", region)
				}
				return
			}
			if region != tc.want || def != tc.want {
				t.Errorf("AWS_REGION=%q AWS_DEFAULT_REGION=%q, want %q", region, def, tc.want)
			}
		})
	}
	// The STS call still needs a region: us-east-1 is used to reach STS,
	// never handed on.
	if _, err := w.manager(nil, Options{}).Renew(ctx, "nodefault"); err != nil {
		t.Fatalf("assume with no region set anywhere: %v", err)
	}
}

func TestDurationIsCheckedBeforeAnyCall(t *testing.T) {
	w := newWorld(t)
	tests := []struct {
		name    string
		profile string
		d       time.Duration
		want    string
	}{
		{"below 15 minutes", "dev", 300 * time.Second, "out of range for a role session"},
		{"above 12 hours", "dev", 13 * time.Hour, "out of range for a role session"},
		{"overflowing", "dev", 600000 * time.Hour, "out of range"},
		{"one nanosecond", "dev", time.Nanosecond, "out of range"},
		{"negative", "dev", -time.Hour, "out of range"},
		{"fractional seconds", "dev", time.Hour + time.Millisecond, "whole number of seconds"},
		{"above 36 hours for an MFA session", "mfauser", 37 * time.Hour, "out of range for an MFA session"},
		{"a source with its own lifetime", "proc", time.Hour, "does not apply"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := w.manager(nil, Options{Duration: tc.d, MFACode: "123456"})
			_, err := m.Assume(ctx, tc.profile)
			if !IsUsage(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want a usage error saying %q", err, tc.want)
			}
			if strings.Count(err.Error(), "\n") > 0 {
				t.Errorf("message %q is more than one line", err)
			}
			if calls := w.sts.Calls(); len(calls) != 0 {
				t.Errorf("STS was called (%v) for a duration it would refuse", stsfake.Actions(calls))
			}
		})
	}
	// In range: a 36-hour MFA session and a 12-hour role are accepted.
	for profile, d := range map[string]time.Duration{"mfauser": 36 * time.Hour, "dev": 12 * time.Hour} {
		s, err := w.manager(nil, Options{Duration: d, MFACode: "123456"}).Assume(ctx, profile)
		if err != nil {
			t.Fatalf("%s --duration %s: %v", profile, d, err)
		}
		if got := s.Lifetime(); got != d {
			t.Errorf("%s --duration %s: lifetime %s", profile, d, got)
		}
	}
}

func TestDurationChangeGetsAFreshSession(t *testing.T) {
	w := newWorld(t)
	first, err := w.manager(nil, Options{}).Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if first.Requested != time.Hour || first.Lifetime() != time.Hour {
		t.Fatalf("default session: requested %s, lifetime %s; want 1h", first.Requested, first.Lifetime())
	}
	// The same duration, explicit or not, reuses the session.
	for _, d := range []time.Duration{0, time.Hour} {
		s, err := w.manager(nil, Options{Duration: d}).Assume(ctx, "dev")
		if err != nil {
			t.Fatal(err)
		}
		if !s.FromCache || s.Creds.AccessKeyID != first.Creds.AccessKeyID {
			t.Errorf("--duration %s: want the cached session", d)
		}
	}
	w.sts.Calls()
	long, err := w.manager(nil, Options{Duration: 12 * time.Hour}).Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if long.FromCache || long.Creds.AccessKeyID == first.Creds.AccessKeyID {
		t.Fatalf("--duration 12h returned the cached 1h session")
	}
	calls := w.sts.Calls()
	if len(calls) != 1 || calls[0].Form["DurationSeconds"] != "43200" {
		t.Errorf("calls %v, want one AssumeRole asking for 43200 s", stsfake.Actions(calls))
	}
	if long.Requested != 12*time.Hour || long.Lifetime() != 12*time.Hour {
		t.Errorf("requested %s lifetime %s, want 12h", long.Requested, long.Lifetime())
	}
	// Without --duration, the cached 12-hour session is what the profile has.
	again, err := w.manager(nil, Options{}).Assume(ctx, "dev")
	if err != nil || !again.FromCache || again.Creds.AccessKeyID != long.Creds.AccessKeyID {
		t.Errorf("plain assume after --duration 12h: want the cached 12h session (err %v)", err)
	}
}

func TestChainedRoleIsCappedWithANote(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	s, err := m.Assume(ctx, "chained")
	if err != nil {
		t.Fatal(err)
	}
	calls := w.sts.Calls()
	if got := calls[len(calls)-1].Form["DurationSeconds"]; got != "3600" {
		t.Errorf("chained hop asked for %s s, want 3600", got)
	}
	if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, "capped to 1h (asked for 2h)") }) {
		t.Errorf("notes %q do not explain the cap", s.Notes)
	}
	pl, err := m.Plan("chained")
	if err != nil || !pl.Capped || pl.Requested != 2*time.Hour {
		t.Errorf("Plan(chained) = %+v, %v; want capped, 2h requested", pl, err)
	}
}

func TestMFAStepsAndReuse(t *testing.T) {
	const x, y = "arn:aws:iam::999999999999:mfa/x", "arn:aws:iam::999999999999:mfa/y"
	w := newWorld(t)
	m := w.manager(nil, Options{})
	pl, err := m.Plan("b")
	if err != nil {
		t.Fatal(err)
	}
	want := []MFAStep{{Serial: x, Profile: "a", Session: true, Hop: -1}, {Serial: y, Profile: "b", Hop: 1}}
	if !slices.Equal(pl.MFA, want) {
		t.Fatalf("MFA steps of user → a (mfa x) → b (mfa y) = %+v, want %+v", pl.MFA, want)
	}

	// No code and no prompt: the first missing device is named, and
	// nothing is called.
	_, err = m.Assume(ctx, "b")
	var se *Error
	if !errors.As(err, &se) || se.Kind != KindNeedMFA || se.Serial != x || !errors.Is(err, ErrMFARequired) {
		t.Fatalf("err %v, want the code of %s asked for", err, x)
	}
	if calls := w.sts.Calls(); len(calls) != 0 {
		t.Fatalf("STS called (%v) before any code was given", stsfake.Actions(calls))
	}
	// With x's code, y's is still missing: still nothing is called.
	_, err = m.Assume(ctx, "b", WithMFACode(x, "111111"))
	if !errors.As(err, &se) || se.Serial != y {
		t.Fatalf("err %v, want the code of %s asked for next", err, y)
	}
	if calls := w.sts.Calls(); len(calls) != 0 {
		t.Fatalf("STS called (%v) before every code was given", stsfake.Actions(calls))
	}
	// With both codes the chain runs: one MFA session, then each role.
	s, err := m.Assume(ctx, "b", WithMFACode(x, "111111"), WithMFACode(y, "222222"))
	if err != nil {
		t.Fatal(err)
	}
	calls := w.sts.Calls()
	if got := stsfake.Actions(calls); !slices.Equal(got, []string{"GetSessionToken", "AssumeRole", "AssumeRole"}) {
		t.Fatalf("calls %v", got)
	}
	if calls[0].Form["SerialNumber"] != x || calls[0].Form["TokenCode"] != "111111" {
		t.Errorf("GetSessionToken without x's code")
	}
	if calls[1].Form["TokenCode"] != "" || calls[2].Form["SerialNumber"] != y || calls[2].Form["TokenCode"] != "222222" {
		t.Errorf("a's AssumeRole must reuse the MFA session and b's must carry y's code")
	}
	if !strings.Contains(s.AssumedRoleARN, "role/b/") && !strings.Contains(s.AssumedRoleARN, "assumed-role/b/") {
		t.Errorf("assumed %q", s.AssumedRoleARN)
	}
	// Another role on device x, in a new process: the cached MFA session
	// serves it without a code.
	m2 := w.manager(nil, Options{})
	if got := m2.NeedsMFA("a2"); got != "" {
		t.Errorf("NeedsMFA(a2) = %q with a live MFA session", got)
	}
	if _, err := m2.Assume(ctx, "a2"); err != nil {
		t.Fatalf("a2 with the MFA session cached: %v", err)
	}
	if got := stsfake.Actions(w.sts.Calls()); !slices.Equal(got, []string{"AssumeRole"}) {
		t.Errorf("calls %v, want AssumeRole alone", got)
	}
	// Once it expires, the code is asked for again.
	w.clock.Add(13 * time.Hour)
	if got := w.manager(nil, Options{}).NeedsMFA("a2"); got != x {
		t.Errorf("NeedsMFA(a2) after the MFA session expired = %q, want %s", got, x)
	}
}

func TestExpiredCredentialsAreAnError(t *testing.T) {
	w := newWorld(t)
	w.sts.Lifetime = 30 * time.Second // STS hands out keys that live less than MinLife
	_, err := w.manager(nil, Options{}).Assume(ctx, "dev")
	var se *Error
	if !errors.As(err, &se) || se.Kind != KindSource || !strings.Contains(err.Error(), "expire in 30s") {
		t.Fatalf("err %v, want credentials expiring in 30s refused", err)
	}
	if sessions, _ := w.manager(nil, Options{}).Sessions(); len(sessions) != 0 {
		t.Errorf("the refused session was cached")
	}
	// And an already expired one, as a clock that is off would see it.
	w.sts.Lifetime = 0
	w.sts.Now = func() time.Time { return w.clock.Now().Add(-2 * time.Hour) }
	if _, err := w.manager(nil, Options{}).Assume(ctx, "dev"); err == nil || !strings.Contains(err.Error(), "expired 1h ago") {
		t.Fatalf("err %v, want credentials that expired an hour ago refused", err)
	}
}

func TestRenewAndForget(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	first, err := m.Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	renewed, err := m.Renew(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if renewed.Creds.AccessKeyID == first.Creds.AccessKeyID || renewed.FromCache {
		t.Errorf("Renew returned the same session")
	}
	if c, ok := m.Cached("dev"); !ok || c.Creds.AccessKeyID != renewed.Creds.AccessKeyID {
		t.Errorf("the cache does not hold the renewed session")
	}
	if n, err := m.Forget("dev"); err != nil || n != 1 {
		t.Fatalf("Forget(dev) = %d, %v; want 1 file removed", n, err)
	}
	if _, ok := m.Cached("dev"); ok {
		t.Errorf("Forget left the session")
	}
	if _, err := m.Forget("no-such-profile"); !IsUsage(err) {
		t.Errorf("Forget of an unknown profile: %v, want a usage error", err)
	}
	// ForgetAll drops sessions and MFA sessions.
	if _, err := m.Assume(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Assume(ctx, "a", WithMFACode("arn:aws:iam::999999999999:mfa/x", "123456")); err != nil {
		t.Fatal(err)
	}
	n, err := m.ForgetAll()
	if err != nil || n != 3 {
		t.Errorf("ForgetAll = %d, %v; want 3 files (two sessions, one MFA session)", n, err)
	}
	if m.NeedsMFA("a") == "" {
		t.Errorf("the MFA session survived ForgetAll")
	}
}

func TestRenewAndUseRewritesOnlyItsOwnDefault(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	if _, err := m.Use(ctx, "dev", false); err != nil {
		t.Fatal(err)
	}
	res, err := m.RenewAndUse(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	def, err := profiles.ReadDefault(w.files.Credentials)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Wrote || !def.Holds("dev", res.Session.Creds.AccessKeyID) || res.Default != def {
		t.Fatalf("RenewAndUse: wrote %v, [default] %+v; want the renewed session of dev", res.Wrote, def)
	}
	// Someone makes [default] another profile's: renewing dev leaves it.
	if _, err := w.manager(nil, Options{}).Use(ctx, "long", false); err != nil {
		t.Fatal(err)
	}
	before, _ := profiles.ReadDefault(w.files.Credentials)
	res, err = m.RenewAndUse(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	after, _ := profiles.ReadDefault(w.files.Credentials)
	if res.Wrote || after != before || res.Default != before {
		t.Errorf("renewing dev rewrote [default] that holds long now (wrote %v)", res.Wrote)
	}
}

func TestProviderRefreshesAhead(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	p := m.Provider("dev")
	c1, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !c1.CanExpire || c1.AccountID != "111111111111" {
		t.Errorf("credentials: can expire %v, account %q", c1.CanExpire, c1.AccountID)
	}
	w.clock.Add(30 * time.Minute)
	if c, _ := p.Retrieve(ctx); c.AccessKeyID != c1.AccessKeyID {
		t.Errorf("renewed with 30 minutes left")
	}
	w.clock.Add(16 * time.Minute) // 14 minutes left: inside the window
	c2, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c2.AccessKeyID == c1.AccessKeyID || !c2.Expires.After(w.clock.Now().Add(CredentialProcessWindow)) {
		t.Errorf("with 14 minutes left the provider handed out the old session")
	}
}

func TestHumanDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{
		5 * time.Minute: "5m", 2 * time.Hour: "2h", 90 * time.Minute: "1h30m", 45 * time.Second: "45s",
		36 * time.Hour: "36h", 0: "0s", time.Hour + 2*time.Second: "1h2s", -time.Minute: "-1m", 300 * time.Millisecond: "300ms",
	} {
		if got := HumanDuration(d); got != want {
			t.Errorf("HumanDuration(%s) = %q, want %q", d, got, want)
		}
	}
}

func TestCachedSessionsReadsOnlyWhatIsThere(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	for _, p := range []string{"dev", "long"} {
		if _, err := m.Assume(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got := w.manager(nil, Options{}).CachedSessions([]string{"dev", "long", "nodefault", "chained", "no-such-profile"})
	if len(got) != 2 || got["dev"] == nil || got["long"] == nil || !got["dev"].FromCache {
		t.Errorf("CachedSessions = %v, want dev and long from the cache", got)
	}
	// An expired one is not handed out.
	w.clock.Add(13 * time.Hour)
	if got := w.manager(nil, Options{}).CachedSessions([]string{"dev", "long"}); len(got) != 0 {
		t.Errorf("after 13 hours CachedSessions = %v, want none", got)
	}
}
