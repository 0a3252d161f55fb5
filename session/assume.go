package session

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/rolecall/rolecall/profiles"
)

const (
	defaultDuration = time.Hour
	// chainedMax is the longest session STS grants a role assumed with
	// credentials that are themselves a role session.
	chainedMax = time.Hour
)

// get returns the profile's cached session when it lives at least
// minLife longer, else a new one; skipCache always assumes anew (Renew).
func (m *Manager) get(ctx context.Context, name string, minLife time.Duration, opts []CallOption) (*Session, error) {
	p, err := m.profile(name)
	if err != nil {
		return nil, err
	}
	var co callOptions
	for _, o := range opts {
		o(&co)
	}
	key := m.chainKey(p)
	var warning error
	if minLife != skipCache {
		s, err := m.cachedAt(name, key, minLife)
		if s != nil {
			return s, nil
		}
		warning = err // a damaged cache file is replaced, and the user told
	}
	// Concurrent calls for one chain share one round trip (and one prompt).
	v, err, _ := m.flight.Do(key, func() (any, error) { return m.assume(ctx, p, key, co) })
	if err != nil {
		return nil, err
	}
	s := *v.(*Session)
	if warning != nil {
		s.Notes = append(slices.Clip(s.Notes), warning.Error())
	}
	return &s, nil
}

// profile finds a usable profile by name.
func (m *Manager) profile(name string) (*profiles.Profile, error) {
	var p *profiles.Profile
	if m.set != nil {
		p = m.set.Get(name)
	}
	if p == nil {
		return nil, &Error{Kind: KindProfile, Profile: name,
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

// assume walks the chain: root credentials, then each role in order.
func (m *Manager) assume(ctx context.Context, p *profiles.Profile, key string, co callOptions) (*Session, error) {
	chain := p.Chain
	t := m.newTarget(p)
	now := m.now()
	s := &Session{Profile: p.Name, Key: key, Region: t.region, IssuedAt: now}

	var (
		creds       Credentials
		rootAccount string
	)
	root := *chain.Root
	// An IAM user whose first role (or own profile) names an MFA device
	// gets one MFA session, reused by every role on that device until it
	// expires.
	serial := userMFASerial(chain)
	useMFASession := serial != ""
	if useMFASession {
		c, err := m.mfaSession(ctx, t, root, serial, co)
		if err != nil {
			return nil, err
		}
		creds = c
	} else {
		c, err := m.rootCredentials(ctx, t, root)
		if err != nil {
			return nil, err
		}
		creds = fromAWS(c)
		rootAccount = c.AccountID
	}

	for i, hop := range chain.Roles {
		in := &sts.AssumeRoleInput{
			RoleArn:         aws.String(hop.RoleARN),
			RoleSessionName: aws.String(sessionName(hop.RoleSessionName, m.getenv, now)),
		}
		if hop.ExternalID != "" {
			in.ExternalId = aws.String(hop.ExternalID)
		}
		d, note := m.hopDuration(p, chain, i)
		if note != "" {
			s.Notes = append(s.Notes, note)
		}
		in.DurationSeconds = aws.Int32(int32(d / time.Second))
		withMFA := hop.MFASerial != "" && !(i == 0 && useMFASession)
		if withMFA {
			code, err := m.mfaCode(ctx, p.Name, hop.MFASerial, co)
			if err != nil {
				return nil, err
			}
			in.SerialNumber, in.TokenCode = aws.String(hop.MFASerial), aws.String(code)
		}
		client := m.stsClient(t, credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken))
		out, err := client.AssumeRole(ctx, in)
		if err != nil {
			action := "assume " + hop.RoleARN
			if hop.Profile != p.Name {
				action += " (profile " + hop.Profile + ")"
			}
			return nil, classify(op{profile: p.Name, action: action, endpoint: endpointName(t.endpoint, t.region), mfa: withMFA}, err)
		}
		creds = fromSTS(out.Credentials)
		if u := out.AssumedRoleUser; u != nil && u.Arn != nil {
			s.AssumedRoleARN = *u.Arn
		}
	}

	s.Creds = creds
	s.Expiration = creds.Expires
	s.AccountID = accountOf(s.AssumedRoleARN)
	if len(chain.Roles) == 0 {
		s.AccountID = rootAccount
	}
	if s.AccountID == "" {
		s.AccountID = p.AccountID
	}
	if creds.Expires.IsZero() {
		// Long-term keys are read from the user's own files each time and
		// never copied into the cache.
		return s, nil
	}
	if err := m.writeSession(s); err != nil {
		s.Notes = append(s.Notes, "not cached: "+err.Error())
	}
	return s, nil
}

// hopDuration is the requested lifetime of role i: --duration for the
// profile's own role, else duration_seconds, else one hour; capped when the
// role is chained.
func (m *Manager) hopDuration(p *profiles.Profile, c *profiles.Chain, i int) (time.Duration, string) {
	hop := c.Roles[i]
	d := time.Duration(hop.DurationSeconds) * time.Second
	if i == len(c.Roles)-1 && m.opts.Duration > 0 {
		d = m.opts.Duration
	}
	if d <= 0 {
		d = defaultDuration
	}
	chained := i > 0 || roleRoot(c.Root.Kind)
	if chained && d > chainedMax {
		return chainedMax, fmt.Sprintf("%s: duration capped to 1h (asked for %s) because STS limits chained roles to one hour", hop.Profile, d)
	}
	return d, ""
}

// roleRoot reports whether a root's credentials are themselves a role
// session, which makes the first hop a chained one.
func roleRoot(k profiles.RootKind) bool {
	switch k {
	case profiles.RootIMDS, profiles.RootECS, profiles.RootSSO, profiles.RootWebIdentity:
		return true
	}
	return false
}

func fromSTS(c *ststypes.Credentials) Credentials {
	if c == nil {
		return Credentials{}
	}
	return Credentials{
		AccessKeyID:     aws.ToString(c.AccessKeyId),
		SecretAccessKey: aws.ToString(c.SecretAccessKey),
		SessionToken:    aws.ToString(c.SessionToken),
		Expires:         aws.ToTime(c.Expiration),
	}
}

func fromAWS(c aws.Credentials) Credentials {
	out := Credentials{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken}
	if c.CanExpire {
		out.Expires = c.Expires
	}
	return out
}

// accountOf is the account id field of an ARN.
func accountOf(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}
