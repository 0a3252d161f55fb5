package session

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rolecall/rolecall/profiles"
)

// CallOption adjusts one Assume, Renew or Use call.
type CallOption func(*callOptions)

type callOptions struct {
	codes map[string]string // MFA codes by device serial
}

func (co callOptions) code(serial string) string { return co.codes[serial] }

// WithMFACode gives this call the code of the MFA device serial, e.g. one
// the TUI collected in its modal after the call said it needs one.
func WithMFACode(serial, code string) CallOption {
	return func(o *callOptions) {
		if o.codes == nil {
			o.codes = map[string]string{}
		}
		o.codes[serial] = code
	}
}

// Assume returns a session for the profile: the cached one while it is
// usable (and was asked for with the same --duration, when one is given),
// else a new one.
func (m *Manager) Assume(ctx context.Context, profile string, opts ...CallOption) (*Session, error) {
	return m.get(ctx, profile, m.minLife(), opts)
}

// Renew assumes the profile again whatever the cache holds, reusing a
// cached MFA session where it can.
func (m *Manager) Renew(ctx context.Context, profile string, opts ...CallOption) (*Session, error) {
	return m.get(ctx, profile, skipCache, opts)
}

// FreshFor returns the profile's cached session when it lives longer than
// window, without touching the network or the SDK, else a renewed one.
// credential-process calls it on every AWS CLI call, so the cache-hit path
// must stay cheap.
func (m *Manager) FreshFor(ctx context.Context, profile string, window time.Duration, opts ...CallOption) (*Session, error) {
	return m.get(ctx, profile, max(window, m.minLife()), opts)
}

// CredentialProcessWindow is how long before expiry the AWS CLI asks a
// credential_process again; a session closer to expiry than this is renewed
// rather than handed out.
const CredentialProcessWindow = 15 * time.Minute

// skipCache, as a call's minimum life, makes it assume anew whatever the
// cache holds.
const skipCache time.Duration = -1

// get is the one cache-or-STS decision: the profile's cached session when
// it lives at least minLife longer and matches an explicit --duration,
// else a new one; skipCache always assumes anew.
func (m *Manager) get(ctx context.Context, name string, minLife time.Duration, opts []CallOption) (*Session, error) {
	p, err := m.profile(name)
	if err != nil {
		return nil, err
	}
	var co callOptions
	for _, o := range opts {
		o(&co)
	}
	// Durations are checked before anything else, cache included: a bad
	// --duration is a mistake whatever the cache holds.
	want, err := m.requested(p)
	if err != nil {
		return nil, err
	}
	key := m.chainKey(p)
	var warning error
	if minLife != skipCache {
		s, err := m.cachedAt(p, key, minLife)
		if s != nil && (m.opts.Duration == 0 || s.Requested == want) {
			m.noteNesting(p, s)
			return s, nil
		}
		warning = err // a damaged cache file is replaced, and the user told
	}
	// Ask for missing MFA codes before any network call.
	if serial := m.missingCode(p, co, false); serial != "" {
		return nil, needMFAError(name, serial)
	}
	// Concurrent calls for one chain share one round trip (and one prompt).
	v, err, _ := m.flight.Do(key, func() (any, error) { return m.assume(ctx, p, key, want, co) })
	if err != nil {
		return nil, err
	}
	s := *v.(*Session)
	if warning != nil {
		s.Notes = append(slices.Clip(s.Notes), warning.Error())
	}
	m.noteNesting(p, &s)
	return &s, nil
}

// noteNesting tells the user, on a session it hands out, that a profile
// whose credential_source is Environment took its keys from another
// profile's session: the environment rolecall shell or exec set up
// (ROLECALL_PROFILE names it). The note is not cached.
func (m *Manager) noteNesting(p *profiles.Profile, s *Session) {
	outer := m.getenv("ROLECALL_PROFILE")
	if outer == "" || p.Chain.Root.Kind != profiles.RootEnvironment || m.getenv("AWS_ACCESS_KEY_ID") == "" {
		return
	}
	s.Notes = append(slices.Clip(s.Notes), fmt.Sprintf("profile %s takes its keys from the environment (credential_source = Environment), "+
		"and this environment holds profile %s's session, set by 'rolecall shell %s' or 'rolecall exec %s': %s is assumed with %s's keys, not yours",
		q(p.Name), q(outer), q(outer), q(outer), q(p.Name), q(outer)))
}

// Cached returns the cached, usable session of a profile without any
// network call.
func (m *Manager) Cached(profile string) (*Session, bool) {
	p, err := m.profile(profile)
	if err != nil {
		return nil, false
	}
	s, _ := m.cachedAt(p, m.chainKey(p), m.minLife())
	return s, s != nil
}

// CachedSessions returns the cached, usable sessions of the named
// profiles. It reads the cache directory once and opens only the session
// files that are there, each of which names its profile: a TUI with
// 10,000 profiles and a few live sessions reads a few files and hashes a
// few chains, not 10,000.
func (m *Manager) CachedSessions(names []string) map[string]*Session {
	out := map[string]*Session{}
	dir, err := m.cacheDir()
	if err != nil {
		return out
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return out
	}
	wanted := make(map[string]bool, len(names))
	for _, n := range names {
		wanted[n] = true
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".json") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, mfaFilePrefix) {
			continue
		}
		s, _ := readSessionFile(filepath.Join(dir, name))
		if s == nil || !wanted[s.Profile] || out[s.Profile] != nil {
			continue
		}
		p, err := m.profile(s.Profile)
		if err != nil {
			continue
		}
		// A file left from another chain or endpoint of the same name is
		// not this profile's session.
		key := m.chainKey(p)
		if name != key+".json" {
			continue
		}
		if s, _ := m.usableCached(p, key, s, m.minLife()); s != nil {
			out[p.Name] = s
		}
	}
	return out
}

// cachedAt returns the session cached under key for the profile p when it
// lives at least minLife longer, else nil and the error, if any, that made
// the cache file unusable or untrustworthy.
func (m *Manager) cachedAt(p *profiles.Profile, key string, minLife time.Duration) (*Session, error) {
	s, err := m.readSession(key)
	if s == nil || s.Profile != p.Name {
		return nil, err
	}
	return m.usableCached(p, key, s, minLife)
}

// usableCached is s, read from p's cache file under key, when it lives at least
// minLife longer and the file can be trusted; else nil and the reason, if
// any.
func (m *Manager) usableCached(p *profiles.Profile, key string, s *Session, minLife time.Duration) (*Session, error) {
	now := m.now()
	if exp := s.Expires(); !exp.IsZero() && !exp.After(now.Add(minLife)) {
		return nil, nil
	}
	path, _ := m.sessionPath(key)
	if err := trusted(path, s, now, maxLifetime(p.Chain)); err != nil {
		return nil, err
	}
	s.FromCache = true
	return s, nil
}
