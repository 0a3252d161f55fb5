package session

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/profiles"
	"golang.org/x/sync/singleflight"
)

// MFAPrompt asks the user for the current code of the MFA device serial.
type MFAPrompt func(ctx context.Context, profile, serial string) (string, error)

// Options configure a Manager. Zero values mean the defaults.
type Options struct {
	Region   string        // --region; beats everything else
	MFACode  string        // --mfa-code
	Prompt   MFAPrompt     // asked when a code is needed and none was given
	Duration time.Duration // --duration; beats duration_seconds
	Getenv   func(string) string
	// ShellGetenv is the environment the user's AWS tools run in, which
	// the warnings about shadowed [default] keys look at; nil means
	// Getenv. The demo gives the manager credentials its shell lacks.
	ShellGetenv func(string) string
	Now         func() time.Time
	CacheDir    string // "" means ROLECALL_CACHE_DIR, else UserCacheDir/rolecall
	// MinLife is how long a session must still live to be handed out;
	// zero means MinLife. Only a world whose STS issues sessions of
	// seconds (a test's emulator) lowers it: AWS never issues less than
	// 15 minutes.
	MinLife time.Duration
	// Interactive says a user at a terminal can answer a
	// credential_process's own prompts: it then runs with rolecall's stdin
	// and stderr, in rolecall's process group (Ctrl-C reaches both).
	// Otherwise it gets no stdin and a process group of its own, killed as
	// a whole on timeout, and its stderr is kept for the error message.
	Interactive bool
	// CallTimeout bounds each attempt of every network call (connect,
	// headers and body); zero means the default CallTimeout.
	CallTimeout time.Duration
}

// Manager assumes, caches and renews sessions for the profiles of a Set.
// It is safe for concurrent use.
type Manager struct {
	set  *profiles.Set
	opts Options

	flight singleflight.Group // one STS round per chain at a time
	mfaMu  sync.Mutex

	cacheOnce sync.Once // the cache directory, checked once
	cachePath string
	cacheErr  error

	httpOnce sync.Once
	http     aws.HTTPClient
	fedOnce  sync.Once
	fed      *http.Client
	ssoMu    sync.Mutex // one SSO token refresh or login write at a time
	// pollUnit is a second of the device flow's polling interval; tests
	// shorten it.
	pollUnit time.Duration
}

// New returns a Manager. It does no I/O.
func New(set *profiles.Set, opts Options) *Manager {
	return &Manager{set: set, opts: opts}
}

// Set returns the profiles the Manager works on.
func (m *Manager) Set() *profiles.Set { return m.set }

func (m *Manager) getenv(k string) string {
	if m.opts.Getenv != nil {
		return m.opts.Getenv(k)
	}
	return os.Getenv(k)
}

// shellGetenv is the environment the user's AWS tools run in.
func (m *Manager) shellGetenv(k string) string {
	if m.opts.ShellGetenv != nil {
		return m.opts.ShellGetenv(k)
	}
	return m.getenv(k)
}

// minLife is how long a session must still live to be handed out.
func (m *Manager) minLife() time.Duration {
	if m.opts.MinLife > 0 {
		return m.opts.MinLife
	}
	return MinLife
}

// usable reports whether s can still be handed out at now.
func (m *Manager) usable(s *Session, now time.Time) bool {
	return s != nil && (s.Creds.Expires.IsZero() || s.Creds.Expires.After(now.Add(m.minLife())))
}

func (m *Manager) now() time.Time {
	if m.opts.Now != nil {
		return m.opts.Now()
	}
	return time.Now()
}

// profile finds a usable profile by name.
func (m *Manager) profile(name string) (*profiles.Profile, error) {
	var p *profiles.Profile
	if m.set != nil {
		p = m.set.Get(name)
	}
	if p == nil {
		return nil, &Error{Kind: KindUnknownProfile, Profile: name,
			Msg: fmt.Sprintf("profile %s not found; run 'rolecall list' to see the profiles of the config and credentials files", name)}
	}
	if p.Err != nil {
		return nil, &Error{Kind: KindProfile, Profile: name, Msg: p.Err.Error(), Err: p.Err}
	}
	if p.Chain == nil {
		return nil, &Error{Kind: KindProfile, Profile: name,
			Msg: fmt.Sprintf("%s: profile %s has no credentials; give it keys, a role_arn with a source, SSO, credential_process or a web identity", p.Pos, name)}
	}
	return p, nil
}
