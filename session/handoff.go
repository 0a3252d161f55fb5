package session

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/rolecall/rolecall/profiles"
)

// UseResult is what Use did.
type UseResult struct {
	Session *Session
	profiles.WriteResult
	// Warnings say why the written keys could be shadowed.
	Warnings []string
}

// Use assumes the profile (or reuses its cached session) and writes it into
// [default] of the credentials file. rolecall use, the TUI's d key and
// auto-renew of the profile [default] holds all call it.
func (m *Manager) Use(ctx context.Context, profile string, force bool, opts ...CallOption) (UseResult, error) {
	path := ""
	if m.set != nil {
		path = m.set.Files.Credentials
	}
	if path == "" {
		return UseResult{}, fmt.Errorf("no credentials file to write; set AWS_SHARED_CREDENTIALS_FILE or --credentials")
	}
	if p := m.set.Get(profile); p != nil && p.Chain != nil && p.Chain.Root.Kind == profiles.RootStatic &&
		slices.Contains(p.Chain.Names(), "default") {
		// Writing the session over the keys it came from would break every
		// later renewal of this chain.
		return UseResult{}, fmt.Errorf("%s: profile %s gets its keys from [default], so rolecall cannot write its session there; move those keys to a profile of their own and point source_profile at it", p.Pos, profile)
	}
	// Refuse before spending an STS call or an MFA code.
	if err := profiles.CheckDefault(path, profiles.DefaultOptions{Force: force}); err != nil {
		return UseResult{}, err
	}
	// A session about to expire would be stale in the file at once.
	s, err := m.FreshFor(ctx, profile, DefaultRenewPolicy().Before, opts...)
	if err != nil {
		return UseResult{}, err
	}
	if s.Creds.SessionToken == "" {
		// Copying long-term keys would leave a second copy of them that the
		// next use must refuse to overwrite.
		return UseResult{}, fmt.Errorf("profile %s is long-term keys, not a session; rolecall use writes only temporary sessions (set AWS_PROFILE=%s to use it)", profile, profile)
	}
	wr, err := profiles.WriteDefault(path, profiles.DefaultWrite{
		AccessKeyID:     s.Creds.AccessKeyID,
		SecretAccessKey: s.Creds.SecretAccessKey,
		SessionToken:    s.Creds.SessionToken,
		Expiration:      expiration(s),
		Profile:         profile,
	}, profiles.DefaultOptions{Force: force})
	res := UseResult{Session: s, WriteResult: wr}
	if err != nil {
		return res, err
	}
	shell := m.opts.ShellGetenv
	if shell == nil {
		shell = m.getenv
	}
	res.Warnings = profiles.ShadowWarnings(m.set, shell)
	return res, nil
}

// CredentialProcessWindow is how long before expiry the AWS CLI asks a
// credential_process again; a session closer to expiry than this is renewed
// rather than handed out.
const CredentialProcessWindow = 15 * time.Minute

// FreshFor returns the profile's cached session when it lives longer than
// window, without touching the network or the SDK, else a renewed one.
// credential-process calls it on every AWS CLI call, so the cache-hit path
// must stay cheap.
func (m *Manager) FreshFor(ctx context.Context, profile string, window time.Duration, opts ...CallOption) (*Session, error) {
	return m.get(ctx, profile, max(window, validMargin), opts)
}
