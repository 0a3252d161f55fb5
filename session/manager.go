package session

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

func (m *Manager) getenv(k string) string {
	if m.opts.Getenv != nil {
		return m.opts.Getenv(k)
	}
	return os.Getenv(k)
}

func (m *Manager) now() time.Time {
	if m.opts.Now != nil {
		return m.opts.Now()
	}
	return time.Now()
}

func (m *Manager) cached(name string) (*Session, bool) {
	p, err := m.profile(name)
	if err != nil {
		return nil, false
	}
	s, _ := m.cachedAt(name, m.chainKey(p), validMargin)
	return s, s != nil
}

// cachedAt returns the session cached under key for the profile when it
// lives at least minLife longer, else nil and the error, if any, that made
// the cache file unusable.
func (m *Manager) cachedAt(name, key string, minLife time.Duration) (*Session, error) {
	s, err := m.readSession(key)
	if !liveFor(s, m.now(), minLife) || s.Profile != name {
		return nil, err
	}
	s.FromCache = true
	return s, nil
}

// forget removes the profile's session under its current chain key and any
// older one left under a key its files no longer give.
func (m *Manager) forget(name string) error {
	if p, err := m.profile(name); err == nil {
		if path, err := m.sessionPath(m.chainKey(p)); err == nil {
			if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	all, _ := m.listSessions()
	dir, err := m.cacheDir()
	if err != nil {
		return err
	}
	for _, s := range all {
		if s.Profile == name && s.Key != "" && filepath.Base(s.Key) == s.Key {
			if err := os.Remove(filepath.Join(dir, s.Key+".json")); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

// needsMFA is NeedsMFA: it looks only at the cache, never the network.
func (m *Manager) needsMFA(name string) string {
	p, err := m.profile(name)
	if err != nil {
		return ""
	}
	if _, ok := m.cached(name); ok {
		return ""
	}
	c := p.Chain
	serial := userMFASerial(c)
	if serial != "" {
		if _, ok := m.cachedMFA(c.Root.AccessKeyID, serial); !ok {
			return serial
		}
	}
	for i, h := range c.Roles {
		if h.MFASerial != "" && (i > 0 || serial == "") {
			return h.MFASerial // sent with AssumeRole itself
		}
	}
	return ""
}

func (m *Manager) whoAmI(ctx context.Context, s *Session) (Identity, error) {
	t := target{profile: s.Profile, region: s.Region}
	if p, err := m.profile(s.Profile); err == nil {
		t = m.newTarget(p)
		if s.Region != "" {
			t.region = s.Region
		}
	}
	if t.region == "" {
		t.region = "us-east-1"
	}
	region, endpoint := t.region, t.endpoint
	client := m.stsClient(t, credentials.NewStaticCredentialsProvider(s.Creds.AccessKeyID, s.Creds.SecretAccessKey, s.Creds.SessionToken))
	out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{}, classify(op{profile: s.Profile, action: "get the caller identity", endpoint: endpointName(endpoint, region)}, err)
	}
	return Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}, nil
}
