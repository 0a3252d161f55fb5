package ui

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// fakeManager answers like session.Manager without STS. What the UI must
// not decide itself (the plan of a chain, the hand-off region) comes from
// a real session.Manager on the same profiles.
type fakeManager struct {
	mu       sync.Mutex
	set      *profiles.Set
	real     *session.Manager
	clock    *clock
	lifetime time.Duration
	fail     map[string]error  // Assume/Renew/Use fail with this
	useFail  map[string]error  // the [default] write fails with this
	mfa      map[string]string // the MFA device a profile needs a code of
	cached   map[string]*session.Session
	def      profiles.DefaultState // who holds [default]
	calls    []string              // "assume p", "renew p code=123456", "use p"
	at       []time.Time           // when each call was made, by the clock
	n        int
	// gate, when set, holds every Assume/Renew/Use until it is closed or
	// the call's context ends, as a slow STS would.
	gate chan struct{}
	// sso answers NeedsLogin and BeginLogin when set.
	sso *session.Manager
	// auto is the saved auto-renew list; saves counts the saves.
	auto  []string
	saves int
	// longTerm makes [default] hold long-term keys: Use refuses them
	// unless forced, and then keeps them in a backup profile.
	longTerm bool
	// warnings are what Use says could shadow the keys it wrote.
	warnings []string
}

// token is what a real session token looks like: several hundred
// characters, longer than any terminal is wide.
var token = "fake-token-" + strings.Repeat("IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQ", 12)

func newFakeManager(set *profiles.Set, c *clock) *fakeManager {
	return &fakeManager{set: set, real: session.New(set, session.Options{Getenv: func(string) string { return "" }}),
		clock: c, lifetime: time.Hour, fail: map[string]error{}, useFail: map[string]error{},
		mfa: map[string]string{}, cached: map[string]*session.Session{}}
}

// needCode is the error session.Manager gives before any call when a code
// is missing.
func (f *fakeManager) needCode(p string, opts []session.CallOption) error {
	f.mu.Lock()
	serial := f.mfa[p]
	f.mu.Unlock()
	if serial == "" || codesOf(opts)[serial] != "" {
		return nil
	}
	return &session.Error{Kind: session.KindNeedMFA, Profile: p, Serial: serial, Err: session.ErrMFARequired,
		Msg: "profile " + p + ": an MFA code for " + serial + " is needed."}
}

func (f *fakeManager) record(op, profile string, opts []session.CallOption) {
	s := op + " " + profile
	for _, code := range codesOf(opts) {
		s += " code=" + code
	}
	f.mu.Lock()
	f.calls = append(f.calls, s)
	f.at = append(f.at, f.clock.Now())
	f.mu.Unlock()
}

// callTimes returns when each call matching want ("renew prod-admin") was
// made, as offsets from t0.
func (f *fakeManager) callTimes(want string) []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []time.Duration
	for i, c := range f.calls {
		if c == want {
			out = append(out, f.at[i].Sub(t0))
		}
	}
	return out
}

// codesOf reads the MFA codes from call options the way Manager does: by
// applying them. Their target type is unexported, so reflect makes one.
func codesOf(opts []session.CallOption) map[string]string {
	out := map[string]string{}
	for _, o := range opts {
		fn := reflect.ValueOf(o)
		target := reflect.New(fn.Type().In(0).Elem())
		fn.Call([]reflect.Value{target})
		for i := 0; i < target.Elem().NumField(); i++ {
			if f := target.Elem().Field(i); f.Kind() == reflect.Map {
				iter := f.MapRange()
				for iter.Next() {
					out[iter.Key().String()] = iter.Value().String()
				}
			}
		}
	}
	return out
}

func (f *fakeManager) newSession(ctx context.Context, profile string) (*session.Session, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, &session.Error{Kind: session.KindOther, Profile: profile, Err: ctx.Err(), Msg: "profile " + profile + ": cancelled"}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[profile]; err != nil {
		return nil, err
	}
	now := f.clock.Now()
	f.n++
	s := &session.Session{Profile: profile, IssuedAt: now, Source: "STS",
		Creds: session.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKEFAKE%04d", f.n), SecretAccessKey: "fake-secret", SessionToken: token,
			Expires: now.Add(f.lifetime)}}
	f.cached[profile] = s
	return s, nil
}

func (f *fakeManager) Assume(ctx context.Context, p string, opts ...session.CallOption) (*session.Session, error) {
	if err := f.needCode(p, opts); err != nil {
		return nil, err
	}
	if f.NeedsLogin(p) {
		return nil, &session.Error{Kind: session.KindNeedLogin, Profile: p, Err: session.ErrSSOLogin, Msg: "profile " + p + ": no SSO login yet"}
	}
	f.record("assume", p, opts)
	return f.newSession(ctx, p)
}

func (f *fakeManager) RenewAndUse(ctx context.Context, p string, opts ...session.CallOption) (session.RenewResult, error) {
	if err := f.needCode(p, opts); err != nil {
		return session.RenewResult{}, err
	}
	f.record("renew", p, opts)
	f.mu.Lock()
	prev := f.cached[p]
	def := f.def
	f.mu.Unlock()
	s, err := f.newSession(ctx, p)
	res := session.RenewResult{UseResult: session.UseResult{Session: s}, Default: def}
	if err != nil || prev == nil || !def.Holds(p, prev.Creds.AccessKeyID) {
		return res, err
	}
	f.record("write [default]", p, nil)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.useFail[p]; err != nil {
		return res, fmt.Errorf("renewed, but [default] was not rewritten: %w", err)
	}
	f.def = profiles.DefaultState{Holder: profiles.DefaultRolecall, Profile: p, AccessKeyID: s.Creds.AccessKeyID}
	res.Wrote, res.Default = true, f.def
	return res, nil
}

func (f *fakeManager) Cached(p string) (*session.Session, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.cached[p]
	return s, ok
}

func (f *fakeManager) CachedSessions(names []string) map[string]*session.Session {
	out := map[string]*session.Session{}
	for _, n := range names {
		if s, ok := f.Cached(n); ok {
			out[n] = s
		}
	}
	return out
}

func (f *fakeManager) Forget(p string) (int, error) {
	f.record("forget", p, nil)
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.cached[p]
	delete(f.cached, p)
	if ok {
		return 1, nil
	}
	return 0, nil
}

func (f *fakeManager) WhoAmI(_ context.Context, s *session.Session) (session.Identity, error) {
	return session.Identity{Account: "222222222222", ARN: "arn:aws:sts::222222222222:assumed-role/Admin/rolecall"}, nil
}

func (f *fakeManager) Plan(p string) (session.Plan, error) { return f.real.Plan(p) }

func (f *fakeManager) Handoff(s *session.Session) session.Handoff { return f.real.Handoff(s) }

func (f *fakeManager) Use(ctx context.Context, p string, force bool, opts ...session.CallOption) (session.UseResult, error) {
	if err := f.needCode(p, opts); err != nil {
		return session.UseResult{}, err
	}
	what := "use"
	if force {
		what = "use --force"
	}
	f.record(what, p, opts)
	f.mu.Lock()
	uerr, longTerm := f.useFail[p], f.longTerm
	f.mu.Unlock()
	if uerr != nil {
		return session.UseResult{}, uerr
	}
	if longTerm && !force {
		return session.UseResult{}, fmt.Errorf("/home/u/.aws/credentials:1: [default] holds long-term keys (AKIA…0001) that rolecall did not write and will not overwrite; use --force to move them to a backup profile first (%w)", profiles.ErrForeignDefault)
	}
	s, err := f.newSession(ctx, p)
	if err != nil {
		return session.UseResult{}, err
	}
	f.mu.Lock()
	f.def = profiles.DefaultState{Holder: profiles.DefaultRolecall, Profile: p, AccessKeyID: s.Creds.AccessKeyID}
	res := session.UseResult{Session: s, Warnings: f.warnings}
	res.Default = f.def
	if f.longTerm {
		res.BackupProfile, f.longTerm = "default-backup-20260301-120000", false
	}
	f.mu.Unlock()
	return res, nil
}

func (f *fakeManager) Set() *profiles.Set { return f.set }

func (f *fakeManager) LoadAutoRenew() ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auto...), nil
}

func (f *fakeManager) SaveAutoRenew(p []string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.auto = append([]string(nil), p...)
	f.saves++
	return nil
}

// Provider serves the fake's sessions: a new one on every call.
func (f *fakeManager) Provider(p string, opts ...session.CallOption) aws.CredentialsProvider {
	return aws.CredentialsProviderFunc(func(ctx context.Context) (aws.Credentials, error) {
		s, err := f.Assume(ctx, p, opts...)
		if err != nil {
			return aws.Credentials{}, err
		}
		return aws.Credentials{AccessKeyID: s.Creds.AccessKeyID, SecretAccessKey: s.Creds.SecretAccessKey,
			SessionToken: s.Creds.SessionToken, CanExpire: true, Expires: s.Expires()}, nil
	})
}

func (f *fakeManager) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

var errDenied = errors.New("AccessDenied: not authorized to perform sts:AssumeRole on arn:aws:iam::333333333333:role/ReadOnly; check the role's trust policy")

// The browser side. SSO answers (who needs a login, the login itself)
// come from a real session.Manager on the SSO fake, when a test sets sso.
func (f *fakeManager) Console(ctx context.Context, p string, co session.ConsoleOptions, opts ...session.CallOption) (*session.Console, error) {
	if err := f.needCode(p, opts); err != nil {
		return nil, err
	}
	if f.NeedsLogin(p) {
		return nil, &session.Error{Kind: session.KindNeedLogin, Profile: p, Err: session.ErrSSOLogin, Msg: "profile " + p + ": no SSO login yet"}
	}
	f.record("console", p, opts)
	s, err := f.newSession(ctx, p)
	if err != nil {
		return nil, err
	}
	return &session.Console{URL: "https://signin.example/federation?Action=login&SigninToken=fake-signin-token", Profile: p,
		Destination: "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1", Session: s}, nil
}

func (f *fakeManager) NeedsLogin(p string) bool { return f.sso != nil && f.sso.NeedsLogin(p) }

func (f *fakeManager) NeedLogins(ps []string) map[string]bool {
	need := make(map[string]bool, len(ps))
	for _, p := range ps {
		need[p] = f.NeedsLogin(p)
	}
	return need
}

func (f *fakeManager) BeginLogin(ctx context.Context, who session.SSOTarget, lo session.LoginOptions) (*session.Login, error) {
	if f.sso == nil {
		return nil, errors.New("no SSO in this test")
	}
	f.record("login", who.Profile, nil)
	return f.sso.BeginLogin(ctx, who, lo)
}
