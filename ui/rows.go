package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// row is one profile and what the UI knows about its session. Names and
// values come from files anyone may have edited: name is escaped once,
// for the filter to match what is shown; the account and region are
// escaped as the visible rows are drawn.
type row struct {
	p      *profiles.Profile
	role   bool   // listed in the default (roles only) view
	name   string // p.Name, safe to print
	source string // the chain's root, in words of this program's own
	// problem is why a broken profile cannot be used, in a few words (the
	// details pane has the file and line).
	problem string

	sess *session.Session
	busy op    // the running call, "" when idle
	err  error // the last call's failure, shown on the row
	// cancel stops the running call; cancelling is set once esc asked.
	cancel     context.CancelFunc
	cancelling bool
	// needLogin marks an SSO profile whose token is missing or expired.
	needLogin bool
}

func newRow(p *profiles.Profile) *row {
	r := &row{p: p, name: p.Name, source: sourceLabel(p)}
	if !printable(p.Name) {
		r.name = termsafe.Clean(p.Name)
	}
	r.role = p.AssumesRole() || p.Kind == profiles.KindSSO
	if p.Err != nil {
		r.problem = termsafe.Clean(problemText(p.Err, p.Name))
	}
	return r
}

// broken reports whether the profile cannot be used as its files stand.
func (r *row) broken() bool { return r.p.Err != nil }

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

// problemText is an error as a row shows it: what is wrong, without the
// file:line and profile name the details pane and the row already show.
func problemText(err error, profile string) string {
	var pe *profiles.Error
	if errors.As(err, &pe) {
		return firstLine(pe.Msg)
	}
	s := firstLine(err.Error())
	for _, prefix := range []string{"profile " + profile + ": ", fmt.Sprintf("profile %q: ", profile)} {
		if i := strings.Index(s, prefix); i >= 0 {
			s = s[i+len(prefix):]
		}
	}
	return s
}

// problemMessage is a call's error for the banner: all of it, what to do
// included, less the profile name the banner starts with.
func problemMessage(err error, profile string) string {
	first, rest, _ := strings.Cut(err.Error(), "\n")
	first = problemText(errors.New(first), profile)
	if rest != "" {
		return first + "\n" + rest
	}
	return first
}

// op is a call the UI runs for a row.
type op string

// The calls, as messages name them.
const (
	opAssume  op = "assume"
	opRenew   op = "renew"
	opAuto    op = "auto-renew"
	opDefault op = "write to [default]"
	opWhoAmI  op = "whoami"
	opForget  op = "forget"
)

// busyText is what the row's session column says while the call runs.
func (o op) busyText() string {
	switch o {
	case opAssume:
		return "assuming"
	case opRenew:
		return "renewing"
	case opAuto:
		return "auto-renewing"
	case opDefault:
		return "→ [default]"
	case opForget:
		return "forgetting"
	case opConsole:
		return "opening the console"
	case opLogin:
		return "logging in"
	}
	return string(o)
}

// cancellable reports whether esc can stop the call: the ones that wait
// on the network.
func (o op) cancellable() bool { return o != opForget && o != "" }

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

// leftText says how long a session has, in words that stay true as the
// clock runs: "58m59s left", "expired 3m ago".
func leftText(exp, now time.Time) string {
	if exp.IsZero() {
		return "no expiry"
	}
	d := exp.Sub(now).Truncate(time.Second)
	if d <= 0 {
		return "expired " + session.HumanDuration(-d) + " ago"
	}
	return session.HumanDuration(d) + " left"
}

// expiresNever reports whether a session has no expiry (static keys).
func expiresNever(s *session.Session) bool { return s.Expires().IsZero() }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
