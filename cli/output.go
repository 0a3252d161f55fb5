package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// sessionJSON is a session in --json output. It never holds a secret.
// role_arn is the IAM role of the profile, assumed_role_arn the session's.
type sessionJSON struct {
	Profile          string   `json:"profile"`
	RoleARN          string   `json:"role_arn,omitempty"`
	AssumedRoleARN   string   `json:"assumed_role_arn,omitempty"`
	Account          string   `json:"account,omitempty"`
	Region           string   `json:"region,omitempty"`
	Source           string   `json:"source,omitempty"`
	Expiration       string   `json:"expiration,omitempty"`
	RemainingSeconds int64    `json:"remaining_seconds"`
	Expired          bool     `json:"expired"`
	FromCache        bool     `json:"from_cache"`
	Default          bool     `json:"default"`
	Notes            []string `json:"notes,omitempty"`
}

// toJSON describes h at now; set gives the profile's IAM role and who
// holds [default].
func toJSON(h session.Handoff, set *profiles.Set, now time.Time) sessionJSON {
	s := h.Session
	j := sessionJSON{Profile: s.Profile, AssumedRoleARN: s.AssumedRoleARN, Account: s.AccountID, Region: h.Region,
		Source: s.Source, FromCache: s.FromCache, Default: set.Default.Holds(s.Profile, s.Creds.AccessKeyID), Notes: s.Notes}
	if p := set.Get(s.Profile); p != nil {
		j.RoleARN = p.RoleARN()
	}
	if exp := s.Expires(); !exp.IsZero() {
		j.Expiration = exp.Format(time.RFC3339)
		left := exp.Sub(now)
		j.RemainingSeconds = max(int64(left/time.Second), 0)
		j.Expired = left <= 0
	}
	return j
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// expiryText is the local expiry time and how long is left.
func expiryText(exp, now time.Time) string {
	if exp.IsZero() {
		return "never (long-term keys)"
	}
	at := exp.Local().Format("2006-01-02 15:04:05 MST")
	left := exp.Sub(now)
	if left <= 0 {
		return at + " (expired " + roundDuration(-left) + " ago)"
	}
	return at + " (in " + roundDuration(left) + ")"
}

// roundDuration prints 1h 2m, 5m 3s or 42s: two units at most, as a
// countdown is read.
func roundDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// sourceText says where a session came from, for people: the cache, or
// the source the session package names (STS, SSO, credential_process,
// instance metadata, ...); keys that never expire are no session.
func sourceText(s *session.Session) string {
	switch {
	case s.FromCache:
		return "cached session"
	case s.Expires().IsZero():
		return "long-term keys, not a session (" + s.Source + ")"
	}
	return "new session from " + s.Source
}
