package session

import (
	"context"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Provider returns the profile as an aws.CredentialsProvider that the SDK,
// a local credentials endpoint or anything else can consume. Its first
// answer is what Assume gives (the cached session while it is usable);
// then it answers from memory until the session it holds is due under
// ServePolicy (15 minutes before expiry, or half the lifetime of a shorter
// session), and renews through FreshFor: the cache first, where a session
// renewed elsewhere (the TUI, rolecall renew) is found, then STS, reusing
// the MFA session, on the Manager's clock.
//
// Its value also has RenewAt and Servable, the rules an endpoint serving it
// follows (internal/credserver.Rules).
func (m *Manager) Provider(profile string, opts ...CallOption) aws.CredentialsProvider {
	return &provider{m: m, profile: profile, opts: opts, policy: ServePolicy()}
}

type provider struct {
	m       *Manager
	profile string
	opts    []CallOption
	policy  RenewPolicy

	fetch sync.Mutex // one renewal at a time
	mu    sync.Mutex // guards held; never held across a network call
	held  *Session
}

func (p *provider) current() *Session {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.held
}

// Retrieve implements aws.CredentialsProvider.
func (p *provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	p.fetch.Lock()
	defer p.fetch.Unlock()
	s := p.current()
	var fresh *Session
	var err error
	switch {
	case s == nil:
		// The first answer is the session at hand, due or not: starting to
		// serve it must not wait for (or fail on) a renewal, which comes
		// next, in the background for an endpoint.
		fresh, err = p.m.Assume(ctx, p.profile, p.opts...)
	case !p.m.now().Before(p.policy.RenewAt(s)):
		fresh, err = p.m.FreshFor(ctx, p.profile, p.policy.Window, p.opts...)
	}
	if err != nil {
		return aws.Credentials{}, err
	}
	if fresh != nil {
		s = fresh
		p.mu.Lock()
		p.held = fresh
		p.mu.Unlock()
	}
	exp := s.Expires()
	return aws.Credentials{
		AccessKeyID:     s.Creds.AccessKeyID,
		SecretAccessKey: s.Creds.SecretAccessKey,
		SessionToken:    s.Creds.SessionToken,
		Source:          "rolecall",
		CanExpire:       !exp.IsZero(),
		Expires:         exp,
		AccountID:       s.AccountID,
	}, nil
}

// RenewAt is when credentials this provider gave become due for renewal
// under ServePolicy; zero when they never expire.
func (p *provider) RenewAt(c aws.Credentials) time.Time {
	if !c.CanExpire {
		return time.Time{}
	}
	if s := p.current(); s != nil && s.Creds.AccessKeyID == c.AccessKeyID {
		return p.policy.RenewAt(s)
	}
	return p.policy.DueAt(time.Time{}, c.Expires)
}

// Servable reports whether credentials this provider gave may still be
// handed out at now: they outlive the Manager's minimum life.
func (p *provider) Servable(c aws.Credentials, now time.Time) bool {
	if c.AccessKeyID == "" {
		return false
	}
	if !c.CanExpire {
		return true
	}
	return p.m.usable(&Session{Creds: Credentials{Expires: c.Expires}}, now)
}
