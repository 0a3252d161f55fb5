// Package session turns a resolved profile chain into temporary
// credentials (STS, IMDS, ECS, environment, static, process, SSO, web
// identity), caches them on disk, renews them, and hands them on as
// environment variables, export lines or credential_process JSON. It never
// imports ui.
package session

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/profiles"
	"golang.org/x/sync/singleflight"
)

// Credentials are AWS credentials. String masks them.
type Credentials struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	SessionToken    string `json:"session_token,omitempty"`
	// Expires is zero when the credentials never expire.
	Expires time.Time `json:"expires"`
}

// String implements fmt.Stringer without revealing any secret.
func (c Credentials) String() string { return MaskKey(c.AccessKeyID) }

// MaskKey shows an access key id as AKIA…WXYZ.
func MaskKey(id string) string {
	if len(id) < 8 {
		return "****"
	}
	return id[:4] + "…" + id[len(id)-4:]
}

// Session is a profile's working credentials.
type Session struct {
	Profile        string      `json:"profile"`
	Key            string      `json:"key"` // the chain's cache key
	Creds          Credentials `json:"credentials"`
	Expiration     time.Time   `json:"expiration"`
	IssuedAt       time.Time   `json:"issued_at"`
	AssumedRoleARN string      `json:"assumed_role_arn,omitempty"`
	AccountID      string      `json:"account_id,omitempty"`
	Region         string      `json:"region,omitempty"`
	// Notes are things the user should know, e.g. a duration capped to one
	// hour because the role was chained.
	Notes     []string `json:"notes,omitempty"`
	FromCache bool     `json:"-"`
}

// MFAPrompt asks the user for the current code of the MFA device serial.
type MFAPrompt func(ctx context.Context, profile, serial string) (string, error)

// Options configure a Manager. Zero values mean the defaults.
type Options struct {
	Region   string        // --region; beats everything else
	MFACode  string        // --mfa-code
	Prompt   MFAPrompt     // asked when a code is needed and MFACode is empty
	Duration time.Duration // --duration; beats duration_seconds
	Getenv   func(string) string
	// ShellGetenv is the environment the user's AWS tools run in, which
	// the warnings about shadowed [default] keys look at; nil means
	// Getenv. The demo gives the manager credentials its shell lacks.
	ShellGetenv func(string) string
	Now         func() time.Time
	CacheDir    string // "" means ROLECALL_CACHE_DIR, else UserCacheDir/rolecall
}

// Identity is the answer of sts:GetCallerIdentity.
type Identity struct {
	Account string `json:"account"`
	ARN     string `json:"arn"`
	UserID  string `json:"user_id"`
}

// Manager assumes, caches and renews sessions for the profiles of a Set.
// It is safe for concurrent use.
type Manager struct {
	set  *profiles.Set
	opts Options

	flight   singleflight.Group // one STS round per chain at a time
	mfaMu    sync.Mutex
	httpOnce sync.Once
	http     aws.HTTPClient
}

// New returns a Manager. It does no I/O.
func New(set *profiles.Set, opts Options) *Manager {
	return &Manager{set: set, opts: opts}
}

// Assume returns a session for the profile: the cached one while it is
// valid, else a new one.
func (m *Manager) Assume(ctx context.Context, profile string, opts ...CallOption) (*Session, error) {
	return m.get(ctx, profile, validMargin, opts)
}

// Renew assumes the profile again whatever the cache holds, reusing a
// cached MFA session where it can.
func (m *Manager) Renew(ctx context.Context, profile string, opts ...CallOption) (*Session, error) {
	return m.get(ctx, profile, skipCache, opts)
}

// CallOption adjusts one Assume or Renew call.
type CallOption func(*callOptions)

type callOptions struct{ mfaCode string }

// WithMFACode gives the MFA code for this call, e.g. one the TUI collected
// in its modal before starting the call.
func WithMFACode(code string) CallOption { return func(o *callOptions) { o.mfaCode = code } }

// NeedsMFA returns the serial of the MFA device whose code assuming the
// profile now would need, or "" when no code is needed (no MFA in the
// chain, a valid cached session, or a reusable MFA session).
func (m *Manager) NeedsMFA(profile string) string { return m.needsMFA(profile) }

// Set returns the profiles the Manager works on.
func (m *Manager) Set() *profiles.Set { return m.set }

// Cached returns the cached, unexpired session of a profile without any
// network call.
func (m *Manager) Cached(profile string) (*Session, bool) { return m.cached(profile) }

// Forget drops a profile's cached session.
func (m *Manager) Forget(profile string) error { return m.forget(profile) }

// Sessions lists every cached session; warnings name files it ignored.
func (m *Manager) Sessions() ([]*Session, []error) { return m.listSessions() }

// WhoAmI calls sts:GetCallerIdentity with the session's credentials.
func (m *Manager) WhoAmI(ctx context.Context, s *Session) (Identity, error) {
	return m.whoAmI(ctx, s)
}

// RenewPolicy decides when auto-renew fires.
type RenewPolicy struct {
	Before     time.Duration // renew this long before expiry (5 min)
	MinBackoff time.Duration // first wait after a failure
	MaxBackoff time.Duration
}

// DefaultRenewPolicy renews 5 minutes before expiry and backs off from 30
// seconds to 5 minutes after failures.
func DefaultRenewPolicy() RenewPolicy {
	return RenewPolicy{Before: 5 * time.Minute, MinBackoff: 30 * time.Second, MaxBackoff: 5 * time.Minute}
}

// Due reports whether a session expiring at exp should be renewed now,
// given the time of the last failed attempt and how many failed in a row.
func (p RenewPolicy) Due(now, exp, lastFailure time.Time, failures int) bool {
	return p.due(now, exp, lastFailure, failures)
}

// ErrMFARequired is returned (wrapped) when a chain needs an MFA code and
// neither Options.MFACode nor Options.Prompt can give one. Auto-renew uses
// it to tell the user that a new code is needed.
var ErrMFARequired = errors.New("an MFA code is needed")
