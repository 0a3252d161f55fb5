// Package session turns a resolved profile chain into temporary
// credentials (STS, IMDS, ECS, environment, static, process, SSO, web
// identity), caches them on disk, decides when they are renewed, and hands
// them on as environment variables, export lines, credential_process JSON,
// [default] of the credentials file, or an aws.CredentialsProvider. It is
// the single owner of every session rule; it never imports ui or cli.
package session

import (
	"time"
)

// Credentials are AWS credentials. String masks them.
type Credentials struct {
	AccessKeyID     string `json:"access_key_id"`
	SecretAccessKey string `json:"secret_access_key"`
	SessionToken    string `json:"session_token,omitempty"`
	// Expires is zero when the credentials never expire. It is the one
	// home of a session's expiry.
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
	Profile string      `json:"profile"`
	Key     string      `json:"key"` // the chain's cache key
	Creds   Credentials `json:"credentials"`
	// IssuedAt is when rolecall got the credentials; with the expiry it
	// gives the lifetime the renewal policy halves.
	IssuedAt time.Time `json:"issued_at"`
	// Requested is the lifetime asked for the profile's own session
	// (--duration, else duration_seconds, else the STS default), before
	// any cap; zero when the source sets its own (SSO, a process).
	Requested      time.Duration `json:"requested,omitempty"`
	AssumedRoleARN string        `json:"assumed_role_arn,omitempty"`
	AccountID      string        `json:"account_id,omitempty"`
	// Source says where the credentials came from, in words: "STS",
	// "SSO", "credential_process", "static keys", ...
	Source string `json:"source,omitempty"`
	// Notes are things the user should know, e.g. a duration capped to one
	// hour because the role was chained.
	Notes     []string `json:"notes,omitempty"`
	FromCache bool     `json:"-"`
}

// Expires is when the session ends; zero when it never does (long-term
// keys).
func (s *Session) Expires() time.Time { return s.Creds.Expires }

// Lifetime is how long the session was issued for; zero when unknown or
// unlimited.
func (s *Session) Lifetime() time.Duration {
	if s.Creds.Expires.IsZero() || s.IssuedAt.IsZero() {
		return 0
	}
	return s.Creds.Expires.Sub(s.IssuedAt)
}

// MinLife is how long a session must still live to be handed out:
// credentials that die within seconds only make the next call fail. STS,
// a credential_process or the cache giving less is an error or a miss.
const MinLife = time.Minute

// Usable reports whether the session can still be handed out at now.
func (s *Session) Usable(now time.Time) bool {
	return s != nil && (s.Creds.Expires.IsZero() || s.Creds.Expires.After(now.Add(MinLife)))
}

// Identity is the answer of sts:GetCallerIdentity.
type Identity struct {
	Account string `json:"account"`
	ARN     string `json:"arn"`
	UserID  string `json:"user_id"`
}
