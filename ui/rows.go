package ui

import (
	"fmt"
	"time"

	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// row is one profile and what the UI knows about its session.
type row struct {
	p       *profiles.Profile
	role    bool   // listed in the default (roles only) view
	source  string // the chain's root, in words
	account string

	sess *session.Session
	busy string // the running call ("assuming", ...), "" when idle
	err  error  // the last call's failure, shown on the row
	// needLogin marks an SSO profile whose token is missing or expired.
	needLogin bool
}

func newRow(p *profiles.Profile) *row {
	r := &row{p: p, account: p.AccountID, source: sourceLabel(p)}
	r.role = p.Kind == profiles.KindRole || p.Kind == profiles.KindWebIdentity || p.Kind == profiles.KindSSO ||
		(p.Err != nil && p.RoleARN != "")
	return r
}

// sourceLabel names where a profile's credentials start.
func sourceLabel(p *profiles.Profile) string {
	if p.Chain == nil {
		if p.Err != nil {
			return "broken"
		}
		return string(p.Kind)
	}
	switch k := p.Chain.Root.Kind; k {
	case profiles.RootStatic:
		if p.Chain.Root.SessionToken != "" {
			return "static session"
		}
		return "static user"
	case profiles.RootSSO:
		return "SSO"
	case "":
		return string(p.Kind)
	default:
		return string(k)
	}
}

// urgency is how soon a session runs out; it picks the countdown colour.
type urgency int

const (
	urgencyNone    urgency = iota // no session
	urgencyPlenty                 // 15 min or more
	urgencySoon                   // under 15 min
	urgencyUrgent                 // under 5 min
	urgencyExpired                // gone
)

func urgencyOf(left time.Duration) urgency {
	switch {
	case left <= 0:
		return urgencyExpired
	case left < 5*time.Minute:
		return urgencyUrgent
	case left < 15*time.Minute:
		return urgencySoon
	default:
		return urgencyPlenty
	}
}

// formatLeft renders a remaining lifetime as mm:ss, or h:mm:ss from one
// hour on. It rounds down, as a countdown does.
func formatLeft(left time.Duration) string {
	if left <= 0 {
		return "expired"
	}
	s := int(left / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// expiresNever reports whether a session has no expiry (static keys).
func expiresNever(s *session.Session) bool { return s.Expires().IsZero() }
