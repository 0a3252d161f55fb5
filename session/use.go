package session

import (
	"context"
	"errors"
	"fmt"
	"slices"

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
// [default] of the credentials file. rolecall use and the TUI's d key call
// it; renewals go through RenewAndUse.
func (m *Manager) Use(ctx context.Context, profile string, force bool, opts ...CallOption) (UseResult, error) {
	path, err := m.credentialsPath()
	if err != nil {
		return UseResult{}, err
	}
	if err := m.checkUsable(profile); err != nil {
		return UseResult{}, err
	}
	// Refuse before spending an STS call or an MFA code.
	if err := profiles.CheckDefault(path, profiles.DefaultOptions{Force: force}); err != nil {
		return UseResult{}, err
	}
	// A session about to be renewed would be stale in the file at once.
	s, err := m.FreshFor(ctx, profile, DefaultRenewPolicy().Window, opts...)
	if err != nil {
		return UseResult{}, err
	}
	return m.writeDefault(path, s, profiles.DefaultOptions{Force: force})
}

// RenewResult is what RenewAndUse did.
type RenewResult struct {
	UseResult
	// Wrote is true when [default] held the old session and now holds the
	// new one.
	Wrote bool
	// Default is who holds [default] after the call.
	Default profiles.DefaultState
}

// RenewAndUse always gets a fresh session for the profile and, when
// [default] holds this profile's previous session, writes the new one
// there too. Who holds [default] is read from the file at the time of the
// call, and the write happens only if it still holds that session when the
// writer has the file locked: a [default] someone else has written since
// (rolecall use of another profile, the AWS CLI, a TUI in another window)
// is left alone, and Default says who holds it. rolecall renew, the TUI's
// renew key and auto-renew all call it.
func (m *Manager) RenewAndUse(ctx context.Context, profile string, opts ...CallOption) (RenewResult, error) {
	var res RenewResult
	path, _ := m.credentialsPath()
	var held *profiles.DefaultState
	if p, err := m.profile(profile); err == nil && path != "" {
		prev, _ := m.readSession(m.chainKey(p))
		def, err := profiles.ReadDefault(path)
		if err == nil {
			res.Default = def
			if prev != nil && def.Holds(profile, prev.Creds.AccessKeyID) {
				held = &def
			}
		}
	}
	s, err := m.Renew(ctx, profile, opts...)
	res.Session = s
	if err != nil || held == nil {
		return res, err
	}
	ur, err := m.writeDefault(path, s, profiles.DefaultOptions{Expect: held})
	res.UseResult = ur
	var changed *profiles.DefaultChangedError
	switch {
	case errors.As(err, &changed):
		// Someone wrote [default] between the read and the write: it is
		// theirs now, and stays so.
		res.Default = changed.Now
		return res, nil
	case err != nil:
		return res, fmt.Errorf("renewed, but [default] was not rewritten: %w", err)
	}
	res.Wrote = true
	res.Default = ur.Default
	return res, nil
}

func (m *Manager) credentialsPath() (string, error) {
	if m.set == nil || m.set.Files.Credentials == "" {
		return "", errors.New("no credentials file to write; set AWS_SHARED_CREDENTIALS_FILE or --credentials")
	}
	return m.set.Files.Credentials, nil
}

// checkUsable refuses a profile whose session cannot go into [default].
func (m *Manager) checkUsable(profile string) error {
	p, err := m.profile(profile)
	if err != nil {
		return err
	}
	if p.Chain.Root.Kind == profiles.RootStatic && slices.Contains(p.Chain.Names(), "default") {
		// Writing the session over the keys it came from would break every
		// later renewal of this chain.
		return fmt.Errorf("%s: profile %s gets its keys from [default], so rolecall cannot write its session there; move those keys to a profile of their own and point source_profile at it", p.Pos, profile)
	}
	return nil
}

// writeDefault writes s into [default] and says what could shadow it.
func (m *Manager) writeDefault(path string, s *Session, opts profiles.DefaultOptions) (UseResult, error) {
	res := UseResult{Session: s}
	if s.Creds.SessionToken == "" {
		// Copying long-term keys would leave a second copy of them that the
		// next use must refuse to overwrite.
		return res, fmt.Errorf("profile %s is long-term keys, not a session; rolecall use writes only temporary sessions (set AWS_PROFILE=%s to use it)", s.Profile, s.Profile)
	}
	wr, err := profiles.WriteDefault(path, profiles.DefaultWrite{
		AccessKeyID:     s.Creds.AccessKeyID,
		SecretAccessKey: s.Creds.SecretAccessKey,
		SessionToken:    s.Creds.SessionToken,
		Expiration:      s.Expires(),
		Profile:         s.Profile,
	}, opts)
	res.WriteResult = wr
	if err != nil {
		return res, err
	}
	res.Warnings = profiles.ShadowWarnings(m.set, m.shellGetenv)
	return res, nil
}
