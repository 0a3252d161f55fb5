package session

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/rolecall/rolecall/profiles"
)

// assume walks the chain: root credentials (or the IAM user's MFA
// session), then each role in order. want is the lifetime asked for the
// profile's own session.
func (m *Manager) assume(ctx context.Context, p *profiles.Profile, key string, want time.Duration, co callOptions) (*Session, error) {
	chain := p.Chain
	t := m.newTarget(p)
	now := m.now()
	s := &Session{Profile: p.Name, Key: key, IssuedAt: now, Requested: want, Source: "STS"}

	var creds Credentials
	steps := MFASteps(chain)
	if step, ok := mfaSessionStep(steps); ok {
		d := mfaSessionDuration
		if len(chain.Roles) == 0 {
			d = want // the MFA session is the profile's own session
		}
		c, err := m.mfaSession(ctx, t, chain.Root, step.Serial, d, co)
		if err != nil {
			return nil, err
		}
		creds = c
	} else {
		c, err := m.rootCredentials(ctx, t, chain.Root)
		if err != nil {
			return nil, err
		}
		creds = fromAWS(c)
		s.AccountID = c.AccountID
		if len(chain.Roles) == 0 {
			s.Source = sourceWords(chain.Root.Kind)
		}
	}

	for i, hop := range chain.Roles {
		in := &sts.AssumeRoleInput{
			RoleArn:         aws.String(hop.RoleARN()),
			RoleSessionName: aws.String(sessionName(hop.RoleSessionName(), m.getenv, now)),
		}
		if hop.ExternalID() != "" {
			in.ExternalId = aws.String(hop.ExternalID())
		}
		d, note := hopDuration(chain, i, want)
		if note != "" {
			s.Notes = append(s.Notes, note)
		}
		in.DurationSeconds = aws.Int32(int32(d / time.Second))
		withMFA := false
		for _, step := range steps {
			if step.Hop == i {
				code, err := m.mfaCode(ctx, p.Name, step.Serial, co)
				if err != nil {
					return nil, err
				}
				in.SerialNumber, in.TokenCode = aws.String(step.Serial), aws.String(code)
				withMFA = true
			}
		}
		client := m.stsClient(t, credentials.NewStaticCredentialsProvider(creds.AccessKeyID, creds.SecretAccessKey, creds.SessionToken))
		action := "assume " + hop.RoleARN()
		if hop.Name != p.Name {
			action += " (profile " + hop.Name + ")"
		}
		o := newOp(p.Name, action, t.stsName())
		o.mfa, o.at = withMFA, hop.RoleARNPos().String()
		out, err := client.AssumeRole(ctx, in)
		if err != nil {
			return nil, classify(o, err)
		}
		creds = fromSTS(out.Credentials)
		if u := out.AssumedRoleUser; u != nil && u.Arn != nil {
			s.AssumedRoleARN = *u.Arn
			s.AccountID = profiles.AccountFromARN(s.AssumedRoleARN)
		}
	}

	s.Creds = creds
	if s.AccountID == "" {
		s.AccountID = p.AccountID()
	}
	if err := checkFresh(p.Name, s, now, m.minLife()); err != nil {
		return nil, err
	}
	if limit := maxLifetime(chain); s.Creds.Expires.After(now.Add(limit)) {
		// A source that sets its own lifetime (a credential_process,
		// SSO) may claim years: reuse it for no longer than the limit,
		// then ask the source again.
		s.Creds.Expires = now.Add(limit)
		s.Notes = append(s.Notes, fmt.Sprintf("%s gave credentials that claim to last longer than %s; rolecall reuses them for %s at most",
			s.Source, HumanDuration(limit), HumanDuration(limit)))
	}
	if s.Creds.Expires.IsZero() {
		// Long-term keys are read from the user's own files each time and
		// never copied into the cache.
		return s, nil
	}
	if err := m.writeSession(s); err != nil {
		s.Notes = append(s.Notes, "not cached: "+err.Error())
	}
	return s, nil
}

// checkFresh refuses credentials that come back already expired or about
// to (less than minLife left): handing them out only makes the next call
// fail.
func checkFresh(profile string, s *Session, now time.Time, minLife time.Duration) error {
	exp := s.Expires()
	if exp.IsZero() || exp.After(now.Add(minLife)) {
		return nil
	}
	when := "expired " + HumanDuration(now.Sub(exp)) + " ago"
	if exp.After(now) {
		when = "expire in " + HumanDuration(exp.Sub(now))
	}
	return &Error{Kind: KindSource, Profile: profile,
		Msg: fmt.Sprintf("profile %s: %s gave credentials that %s (at %s); rolecall hands out none with less than %s left.\nCheck the source (and this machine's clock), then try again.",
			profile, s.Source, when, exp.UTC().Format(time.RFC3339), HumanDuration(minLife))}
}

// sourceWords names where a chain without roles gets its credentials.
func sourceWords(k profiles.RootKind) string {
	switch k {
	case profiles.RootStatic:
		return "static keys"
	case profiles.RootSSO:
		return "SSO"
	case profiles.RootProcess:
		return "credential_process"
	case profiles.RootIMDS:
		return "instance metadata"
	case profiles.RootECS:
		return "container credentials"
	case profiles.RootEnvironment:
		return "the environment"
	case profiles.RootWebIdentity:
		return "STS (web identity)"
	}
	return string(k)
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
