package session

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Provider returns the profile as an aws.CredentialsProvider that the SDK,
// a local credentials endpoint or anything else can consume. It answers
// from memory while the session it holds has more than
// CredentialProcessWindow left, and renews ahead of that through FreshFor
// (the cache, then STS, reusing the MFA session), on the Manager's clock.
func (m *Manager) Provider(profile string, opts ...CallOption) aws.CredentialsProvider {
	return &provider{m: m, profile: profile, opts: opts}
}

type provider struct {
	m       *Manager
	profile string
	opts    []CallOption

	mu   sync.Mutex
	held *Session
}

// Retrieve implements aws.CredentialsProvider.
func (p *provider) Retrieve(ctx context.Context) (aws.Credentials, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.held
	if s == nil || !s.Usable(p.m.now().Add(CredentialProcessWindow)) {
		fresh, err := p.m.FreshFor(ctx, p.profile, CredentialProcessWindow, p.opts...)
		if err != nil {
			return aws.Credentials{}, err
		}
		s, p.held = fresh, fresh
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
