package session

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"
)

// RenewPolicy decides when a session is renewed ahead of its expiry.
type RenewPolicy struct {
	// Window is how long before expiry a session is renewed (5 minutes),
	// or at half its lifetime when that comes later: a session shorter
	// than twice the window is not renewed on every tick.
	Window     time.Duration
	MinBackoff time.Duration // first wait after a failure
	MaxBackoff time.Duration
}

// DefaultRenewPolicy renews 5 minutes before expiry (or at half the
// lifetime of a shorter session) and backs off from 30 seconds to 5
// minutes after failures.
func DefaultRenewPolicy() RenewPolicy {
	return RenewPolicy{Window: 5 * time.Minute, MinBackoff: 30 * time.Second, MaxBackoff: 5 * time.Minute}
}

// ServePolicy is when a local credentials endpoint (rolecall serve, exec
// --server) renews the session it serves: 15 minutes before expiry, where
// the AWS CLI starts refreshing container credentials, so what it hands
// out always has more than that left (or at half the lifetime of a
// session too short for that). After a failure it tries again after 5
// seconds, doubling up to a minute: the credentials it holds are still
// served meanwhile, and a dead STS costs one call a minute.
func ServePolicy() RenewPolicy {
	return RenewPolicy{Window: CredentialProcessWindow, MinBackoff: 5 * time.Second, MaxBackoff: time.Minute}
}

// RenewAt is when s becomes due: min(Window, half its lifetime) before it
// expires. It is zero for a session that never expires.
func (p RenewPolicy) RenewAt(s *Session) time.Time {
	return p.DueAt(s.IssuedAt, s.Expires())
}

// DueAt is RenewAt for credentials issued at issued (zero when unknown)
// that expire at expires (zero when never).
func (p RenewPolicy) DueAt(issued, expires time.Time) time.Time {
	if expires.IsZero() {
		return time.Time{}
	}
	lead := p.Window
	if !issued.IsZero() {
		if life := expires.Sub(issued); life > 0 && life/2 < lead {
			lead = life / 2
		}
	}
	return expires.Add(-lead)
}

// RetryAfter is how long to wait after failures in a row, the last one
// err, before trying again. A renewal that waits for the user (a new MFA
// code) is retried at MinBackoff whatever the count: the retry costs no
// network call, and it picks up the session the user renews meanwhile
// (rolecall renew in a terminal) from the cache.
func (p RenewPolicy) RetryAfter(failures int, err error) time.Duration {
	if errors.Is(err, ErrMFARequired) {
		return p.Backoff(1)
	}
	return p.Backoff(failures)
}

// Due reports whether s should be renewed at now, given the failures in a
// row so far and the time of the last one.
func (p RenewPolicy) Due(now time.Time, s *Session, failures int, lastFailure time.Time) bool {
	at := p.NextAt(s, failures, lastFailure)
	return !at.IsZero() && !now.Before(at)
}

// NextAt is when Due first holds: the session's RenewAt, or after
// failures the end of their backoff when that is later; zero for a
// session that never expires.
func (p RenewPolicy) NextAt(s *Session, failures int, lastFailure time.Time) time.Time {
	at := p.RenewAt(s)
	if at.IsZero() || failures == 0 || lastFailure.IsZero() {
		return at
	}
	if retry := lastFailure.Add(p.Backoff(failures)); retry.After(at) {
		return retry
	}
	return at
}

// Backoff is the wait after failures in a row: it doubles from MinBackoff
// up to MaxBackoff, so a broken renewal never turns into a tight loop.
func (p RenewPolicy) Backoff(failures int) time.Duration {
	d := p.MinBackoff
	if d <= 0 {
		d = time.Second
	}
	for i := 1; i < failures && (p.MaxBackoff <= 0 || d < p.MaxBackoff); i++ {
		d *= 2
	}
	if p.MaxBackoff > 0 && d > p.MaxBackoff {
		return p.MaxBackoff
	}
	return d
}

// Renewer keeps sessions alive: it knows which profiles have auto-renew
// on, decides which are due, renews them (rewriting [default] when it
// holds the old session), and keeps failures, backoff and "needs the
// user" per profile. The TUI asks it on every tick; it holds the only
// copy of that state. It is safe for concurrent use.
type Renewer struct {
	mgr    RenewAndUser
	policy RenewPolicy
	now    func() time.Time

	mu    sync.Mutex
	state map[string]*renewState // profiles with auto-renew on

	// saveMu makes Saves run one at a time.
	saveMu sync.Mutex
}

type renewState struct {
	failures    int
	lastFailure time.Time
	lastErr     error
	needsUser   bool // a new MFA code is needed: wait for the user
	running     bool
}

// RenewAndUser renews a profile and rewrites [default] when it holds the
// old session: *Manager, or a fake in tests.
type RenewAndUser interface {
	RenewAndUse(ctx context.Context, profile string, opts ...CallOption) (RenewResult, error)
}

// NewRenewer returns a Renewer over mgr; a zero policy means
// DefaultRenewPolicy, a nil clock time.Now.
func NewRenewer(mgr RenewAndUser, policy RenewPolicy, now func() time.Time) *Renewer {
	if policy == (RenewPolicy{}) {
		policy = DefaultRenewPolicy()
	}
	if now == nil {
		now = time.Now
	}
	return &Renewer{mgr: mgr, policy: policy, now: now, state: map[string]*renewState{}}
}

// Policy is the policy the Renewer applies.
func (r *Renewer) Policy() RenewPolicy { return r.policy }

// SetAuto turns auto-renew on or off for a profile; turning it on clears
// earlier failures.
func (r *Renewer) SetAuto(profile string, on bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if on {
		r.state[profile] = &renewState{}
	} else {
		delete(r.state, profile)
	}
}

// Auto reports whether auto-renew is on for the profile.
func (r *Renewer) Auto(profile string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state[profile] != nil
}

// AutoProfiles lists the profiles with auto-renew on, sorted.
func (r *Renewer) AutoProfiles() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.state))
	for name := range r.state {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Save records in store which profiles have auto-renew on. Saves run one
// at a time and each reads the state when it runs, so however several
// under way interleave, the last to finish writes the latest state.
func (r *Renewer) Save(store AutoRenewStore) error {
	r.saveMu.Lock()
	defer r.saveMu.Unlock()
	return store.SaveAutoRenew(r.AutoProfiles())
}

// Status is what the Renewer knows of a profile with auto-renew on.
type Status struct {
	Auto      bool
	Failures  int
	LastErr   error
	NeedsUser bool // a new MFA code is needed; renewing by hand clears it
	Running   bool
}

// Status returns the profile's auto-renew state.
func (r *Renewer) Status(profile string) Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.state[profile]
	if st == nil {
		return Status{}
	}
	return Status{Auto: true, Failures: st.failures, LastErr: st.lastErr, NeedsUser: st.needsUser, Running: st.running}
}

// Due returns the profiles with auto-renew on whose session is due at
// now, and marks them running until their Renew returns. current gives a
// profile's session as the caller holds it, or nil to skip the profile
// (none yet, or the caller is busy with it).
func (r *Renewer) Due(now time.Time, current func(profile string) *Session) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var due []string
	for name, st := range r.state {
		if st.running || st.needsUser {
			continue
		}
		s := current(name)
		if s == nil || !r.policy.Due(now, s, st.failures, st.lastFailure) {
			continue
		}
		st.running = true
		due = append(due, name)
	}
	slices.Sort(due)
	return due
}

// NextDue is the earliest time a profile with auto-renew on becomes due,
// as Due would decide it, or zero when none will without something else
// changing first (no session yet, a renewal running, a code awaited). A
// caller that wakes only when it must sleeps until then.
func (r *Renewer) NextDue(now time.Time, current func(profile string) *Session) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	var next time.Time
	for name, st := range r.state {
		if st.running || st.needsUser {
			continue
		}
		s := current(name)
		if s == nil {
			continue
		}
		at := r.policy.NextAt(s, st.failures, st.lastFailure)
		if at.IsZero() {
			continue
		}
		if next.IsZero() || at.Before(next) {
			next = at
		}
	}
	return next
}

// Renew renews the profile now (RenewAndUse) and records the outcome: a
// success clears failures and a wait for the user; a missing MFA code
// makes the Renewer wait for the user (a Renew with the code); any other
// failure counts towards the backoff. Call it for what Due returned, and
// for a renewal the user asked for.
func (r *Renewer) Renew(ctx context.Context, profile string, opts ...CallOption) (RenewResult, error) {
	res, err := r.mgr.RenewAndUse(ctx, profile, opts...)
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.state[profile]
	if st == nil {
		return res, err
	}
	st.running = false
	switch {
	case err == nil:
		*st = renewState{}
	case errors.Is(err, ErrMFARequired):
		st.needsUser, st.lastErr = true, err
	case res.Session != nil:
		// Renewed, but [default] could not be rewritten: that counts too,
		// or the next tick would renew again at once.
		fallthrough
	default:
		st.failures++
		st.lastFailure = r.now()
		st.lastErr = err
	}
	return res, err
}
