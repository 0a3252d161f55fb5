package session

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

func lived(issued time.Time, life time.Duration) *Session {
	return &Session{IssuedAt: issued, Creds: Credentials{AccessKeyID: "ASIATEST", Expires: issued.Add(life)}}
}

func TestRenewPolicyDue(t *testing.T) {
	p := DefaultRenewPolicy()
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		s           *Session
		at          time.Duration // now, after t0
		failures    int
		lastFailure time.Duration // after t0
		want        bool
	}{
		{name: "1h session, 56m in", s: lived(t0, time.Hour), at: 56 * time.Minute, want: true},
		{name: "1h session, 54m59s in", s: lived(t0, time.Hour), at: 54*time.Minute + 59*time.Second, want: false},
		{name: "1h session, exactly 5m left", s: lived(t0, time.Hour), at: 55 * time.Minute, want: true},
		{name: "12h session, 11h54m in", s: lived(t0, 12*time.Hour), at: 11*time.Hour + 54*time.Minute, want: false},
		{name: "12h session, 11h55m in", s: lived(t0, 12*time.Hour), at: 11*time.Hour + 55*time.Minute, want: true},
		{name: "3m session: not at once", s: lived(t0, 3*time.Minute), at: time.Second, want: false},
		{name: "3m session: not before half", s: lived(t0, 3*time.Minute), at: 89 * time.Second, want: false},
		{name: "3m session: at half", s: lived(t0, 3*time.Minute), at: 90 * time.Second, want: true},
		{name: "already expired", s: lived(t0, time.Hour), at: 2 * time.Hour, want: true},
		{name: "never expires", s: &Session{IssuedAt: t0}, at: 100 * time.Hour, want: false},
		{name: "no issue time: the window", s: &Session{Creds: Credentials{Expires: t0.Add(3 * time.Minute)}}, at: 0, want: true},
		{name: "failed 10s ago: wait 30s", s: lived(t0, time.Hour), at: 58 * time.Minute, failures: 1, lastFailure: 58*time.Minute - 10*time.Second, want: false},
		{name: "failed 30s ago: retry", s: lived(t0, time.Hour), at: 58 * time.Minute, failures: 1, lastFailure: 57*time.Minute + 30*time.Second, want: true},
		{name: "third failure 90s ago: wait 2m", s: lived(t0, time.Hour), at: 58 * time.Minute, failures: 3, lastFailure: 56*time.Minute + 30*time.Second, want: false},
		{name: "third failure 2m ago: retry", s: lived(t0, time.Hour), at: 58 * time.Minute, failures: 3, lastFailure: 56 * time.Minute, want: true},
		{name: "many failures cap at 5m", s: lived(t0, time.Hour), at: 2 * time.Hour, failures: 30, lastFailure: 115 * time.Minute, want: true},
		{name: "many failures 4m ago wait", s: lived(t0, time.Hour), at: 2 * time.Hour, failures: 30, lastFailure: 116 * time.Minute, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var last time.Time
			if tc.failures > 0 {
				last = t0.Add(tc.lastFailure)
			}
			if got := p.Due(t0.Add(tc.at), tc.s, tc.failures, last); got != tc.want {
				t.Errorf("Due = %v, want %v", got, tc.want)
			}
		})
	}
	for n, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 4: 4 * time.Minute, 5: 5 * time.Minute, 1000: 5 * time.Minute} {
		if got := p.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %s, want %s", n, got, want)
		}
	}
}

// fakeSource renews sessions the way a source would: each renewal issues
// a session of life from now, or fails with err.
type fakeSource struct {
	mu      sync.Mutex
	clock   *fakeClock
	life    time.Duration
	fixed   time.Time // when set, every session ends then (a source that hands out the same keys)
	err     error
	renewed int
	current map[string]*Session
}

func (f *fakeSource) RenewAndUse(_ context.Context, profile string, _ ...CallOption) (RenewResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renewed++
	if f.err != nil {
		return RenewResult{}, f.err
	}
	now := f.clock.Now()
	exp := now.Add(f.life)
	if !f.fixed.IsZero() {
		exp = f.fixed
	}
	s := &Session{Profile: profile, IssuedAt: now, Creds: Credentials{AccessKeyID: fmt.Sprintf("ASIA%04d", f.renewed), Expires: exp}}
	if err := checkFresh(profile, s, now, MinLife); err != nil {
		return RenewResult{}, err
	}
	f.current[profile] = s
	return RenewResult{UseResult: UseResult{Session: s}}, nil
}

func (f *fakeSource) session(profile string) *Session {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.current[profile]
}

// run ticks once a second for d, renewing what the Renewer says is due,
// and returns how many renewals fired.
func run(r *Renewer, f *fakeSource, clock *fakeClock, d time.Duration) int {
	start := f.renewed
	for end := clock.Now().Add(d); clock.Now().Before(end); clock.Add(time.Second) {
		for _, name := range r.Due(clock.Now(), f.session) {
			_, _ = r.Renew(context.Background(), name)
		}
	}
	return f.renewed - start
}

func TestRenewerNeverLoops(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		life      time.Duration
		over      time.Duration
		wantMin   int
		wantMax   int
		fixedTail bool // the source keeps handing out keys that end at one time
	}{
		// A 3-minute session renews at half its life: every 90 s.
		{name: "3-minute sessions for an hour", life: 3 * time.Minute, over: time.Hour, wantMin: 39, wantMax: 41},
		// A 12-hour session renews 5 minutes before it ends.
		{name: "12-hour sessions for a day", life: 12 * time.Hour, over: 24 * time.Hour, wantMin: 2, wantMax: 2},
		{name: "1-hour sessions for 3 hours", life: time.Hour, over: 3 * time.Hour, wantMin: 3, wantMax: 3},
		// A renewal that gives no longer session halves the wait each
		// time until the keys are under a minute from their end, then
		// fails and backs off: never a renewal per tick.
		{name: "a source that keeps its expiry", life: 10 * time.Minute, over: time.Hour, wantMin: 4, wantMax: 20, fixedTail: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clock := &fakeClock{now: t0}
			f := &fakeSource{clock: clock, life: tc.life, current: map[string]*Session{}}
			if tc.fixedTail {
				f.fixed = t0.Add(tc.life)
			}
			f.current["p"] = lived(t0, tc.life)
			r := NewRenewer(f, DefaultRenewPolicy(), clock.Now)
			r.SetAuto("p", true)
			n := run(r, f, clock, tc.over)
			if n < tc.wantMin || n > tc.wantMax {
				t.Errorf("%d renewals over %s, want %d to %d", n, tc.over, tc.wantMin, tc.wantMax)
			}
			if s := f.session("p"); !tc.fixedTail && !s.Usable(clock.Now()) {
				t.Errorf("the session lapsed under auto-renew")
			}
			if tc.fixedTail {
				// Long after the keys ran out, the attempts come at the
				// backoff's pace: at most one per MaxBackoff.
				if n := run(r, f, clock, 30*time.Minute); n > 6 {
					t.Errorf("%d attempts in 30 minutes on keys that cannot be renewed, want at most 6", n)
				}
			}
		})
	}
}

func TestRenewerBacksOffAndWaitsForTheUser(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	f := &fakeSource{clock: clock, life: time.Hour, current: map[string]*Session{"p": lived(t0.Add(-56*time.Minute), time.Hour)}}
	r := NewRenewer(f, DefaultRenewPolicy(), clock.Now)
	r.SetAuto("p", true)

	// STS is down: attempts at 0, 30 s, 1m30, 3m30 … never per tick.
	f.err = &Error{Kind: KindUnreachable, Msg: "down"}
	if n := run(r, f, clock, 4*time.Minute); n != 4 {
		t.Errorf("%d attempts in 4 minutes of failures, want 4 (0, 30s, 1m30s, 3m30s)", n)
	}
	if st := r.Status("p"); st.Failures != 4 || st.LastErr == nil {
		t.Errorf("status %+v, want 4 failures", st)
	}

	// A new MFA code is needed: no attempt until the user gives one.
	f.err = needMFAError("p", "arn:aws:iam::1:mfa/x")
	clock.Add(10 * time.Minute)
	if n := run(r, f, clock, time.Second); n != 1 || !r.Status("p").NeedsUser {
		t.Fatalf("first attempt: %d, needs user %v", n, r.Status("p").NeedsUser)
	}
	if n := run(r, f, clock, time.Hour); n != 0 {
		t.Errorf("%d attempts while waiting for an MFA code, want 0", n)
	}
	// The user renews with a code: the wait and the failures are over.
	f.err = nil
	if _, err := r.Renew(context.Background(), "p", WithMFACode("arn:aws:iam::1:mfa/x", "123456")); err != nil {
		t.Fatal(err)
	}
	if st := r.Status("p"); st.NeedsUser || st.Failures != 0 || st.LastErr != nil {
		t.Errorf("status after a successful renewal %+v, want clean", st)
	}

	// Turning auto-renew off stops it at once.
	r.SetAuto("p", false)
	clock.Add(2 * time.Hour)
	if n := run(r, f, clock, time.Minute); n != 0 {
		t.Errorf("%d renewals with auto-renew off", n)
	}
	if r.Auto("p") || len(r.AutoProfiles()) != 0 {
		t.Errorf("auto-renew still on")
	}
}

func TestRenewerRunsOneRenewalAtATime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	f := &fakeSource{clock: clock, life: time.Hour, current: map[string]*Session{"p": lived(t0.Add(-59*time.Minute), time.Hour)}}
	r := NewRenewer(f, DefaultRenewPolicy(), clock.Now)
	r.SetAuto("p", true)
	if due := r.Due(clock.Now(), f.session); len(due) != 1 {
		t.Fatalf("due %v, want p", due)
	}
	clock.Add(time.Second)
	if due := r.Due(clock.Now(), f.session); len(due) != 0 {
		t.Errorf("p due again while its renewal runs")
	}
	if _, err := r.Renew(context.Background(), "p"); err != nil {
		t.Fatal(err)
	}
	if st := r.Status("p"); st.Running {
		t.Errorf("still running after Renew returned")
	}
}

func TestRenewerNextDue(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	clock := &fakeClock{now: t0}
	f := &fakeSource{clock: clock, life: time.Hour, current: map[string]*Session{
		"a": lived(t0, time.Hour), "b": lived(t0, 3*time.Minute)}}
	r := NewRenewer(f, DefaultRenewPolicy(), clock.Now)
	if got := r.NextDue(t0, f.session); !got.IsZero() {
		t.Errorf("no auto-renew on: NextDue = %s, want never", got)
	}
	r.SetAuto("a", true)
	r.SetAuto("b", true)
	if got, want := r.NextDue(t0, f.session), t0.Add(90*time.Second); !got.Equal(want) {
		t.Errorf("NextDue = %s, want b's half-life %s", got, want)
	}
	// After a failure the next attempt waits for the backoff.
	f.err = &Error{Kind: KindUnreachable, Msg: "down"}
	clock.now = t0.Add(90 * time.Second)
	for _, name := range r.Due(clock.Now(), f.session) {
		r.Renew(context.Background(), name)
	}
	if got, want := r.NextDue(clock.Now(), f.session), clock.Now().Add(30*time.Second); !got.Equal(want) {
		t.Errorf("after a failure NextDue = %s, want the backoff's end %s", got, want)
	}
	// Waiting for an MFA code: never, until the user acts.
	r.SetAuto("a", false)
	f.err = needMFAError("b", "arn:aws:iam::1:mfa/x")
	clock.now = clock.now.Add(time.Minute)
	for _, name := range r.Due(clock.Now(), f.session) {
		r.Renew(context.Background(), name)
	}
	if got := r.NextDue(clock.Now(), f.session); !got.IsZero() {
		t.Errorf("waiting for a code: NextDue = %s, want never", got)
	}
}
