package session

import (
	"fmt"
	"strings"
	"time"

	"github.com/rolecall/rolecall/profiles"
)

// DefaultRoleDuration is what STS grants a role when no duration is asked
// for.
const DefaultRoleDuration = time.Hour

// mfaSessionDuration is what an MFA session behind roles lasts: one code a
// day for an IAM user is the point of caching it.
const mfaSessionDuration = 12 * time.Hour

// requested is the lifetime asked for the profile's own session:
// --duration, else duration_seconds, else the STS default. It is the one
// place --duration is checked, before any cache lookup or network call:
// 15 minutes to 12 hours for a role, to 36 hours for an IAM user's MFA
// session, and not at all for a source that sets its own lifetime.
func (m *Manager) requested(p *profiles.Profile) (time.Duration, error) {
	c := p.Chain
	d := m.opts.Duration
	if d == 0 {
		switch {
		case len(c.Roles) > 0 && c.Roles[len(c.Roles)-1].DurationSeconds > 0:
			return time.Duration(c.Roles[len(c.Roles)-1].DurationSeconds) * time.Second, nil
		case len(c.Roles) > 0:
			return DefaultRoleDuration, nil
		case hasMFASession(c):
			return mfaSessionDuration, nil
		}
		return 0, nil // the source decides
	}
	limit, what := profiles.MaxRoleDuration, "a role session"
	switch {
	case len(c.Roles) > 0:
	case hasMFASession(c):
		limit, what = profiles.MaxMFASessionDuration, "an MFA session"
	default:
		return 0, usageErr(p.Name, fmt.Sprintf("--duration does not apply to profile %s: its credentials come from %s, which sets their lifetime; drop --duration",
			p.Name, rootWords(c.Root)))
	}
	if d < profiles.MinDuration || d > limit {
		return 0, usageErr(p.Name, fmt.Sprintf("--duration %s is out of range for %s: use %s to %s",
			HumanDuration(d), what, HumanDuration(profiles.MinDuration), HumanDuration(limit)))
	}
	if d%time.Second != 0 {
		return 0, usageErr(p.Name, fmt.Sprintf("--duration %s is not a whole number of seconds", d))
	}
	return d, nil
}

// maxLifetime is the longest a session of chain c can last: an hour for a
// chained role, 12 hours for a role, 36 hours for an IAM user's MFA
// session; a source that sets its own lifetime (SSO, a process, instance
// metadata) is reused for 12 hours at most. The cache trusts no entry
// that claims more.
func maxLifetime(c *profiles.Chain) time.Duration {
	switch {
	case c.Capped():
		return profiles.ChainedMax
	case len(c.Roles) > 0:
		return profiles.MaxRoleDuration
	case hasMFASession(c):
		return profiles.MaxMFASessionDuration
	}
	return profiles.MaxRoleDuration
}

func hasMFASession(c *profiles.Chain) bool {
	_, ok := mfaSessionStep(MFASteps(c))
	return ok
}

// hopDuration is the lifetime asked for role i of the chain (own is the
// profile's own requested lifetime, for the last role), capped at
// profiles.ChainedMax when the role is chained, with a note saying so.
func hopDuration(c *profiles.Chain, i int, own time.Duration) (time.Duration, string) {
	hop := c.Roles[i]
	d := time.Duration(hop.DurationSeconds) * time.Second
	if i == len(c.Roles)-1 {
		d = own
	}
	if d <= 0 {
		d = DefaultRoleDuration
	}
	if c.Chained(i) && d > profiles.ChainedMax {
		return profiles.ChainedMax, fmt.Sprintf("%s: duration capped to %s (asked for %s) because STS limits chained roles to one hour",
			hop.Name, HumanDuration(profiles.ChainedMax), HumanDuration(d))
	}
	return d, ""
}

// Plan is how the Manager would turn a profile into a session, for the
// details pane and list: it reads no file and calls nothing.
type Plan struct {
	// Requested is the lifetime asked for the profile's own session
	// (zero when its source sets it); Capped says STS will grant at most
	// profiles.ChainedMax of it.
	Requested time.Duration
	// RequestedBy says where Requested comes from: "--duration",
	// "duration_seconds", or "" for the default.
	RequestedBy string
	Capped      bool
	// MFA lists the codes the chain asks for, in order.
	MFA []MFAStep
	// Region is the region the session is handed on with; "" when none is
	// set.
	Region string
	// DurationErr is why --duration cannot be used for this profile.
	DurationErr error
}

// Plan returns the profile's plan, or the reason it cannot be used.
func (m *Manager) Plan(profile string) (Plan, error) {
	p, err := m.profile(profile)
	if err != nil {
		return Plan{}, err
	}
	pl := Plan{Capped: p.Chain.Capped(), MFA: MFASteps(p.Chain), Region: m.regionOf(p)}
	pl.Requested, pl.DurationErr = m.requested(p)
	switch {
	case m.opts.Duration != 0:
		pl.RequestedBy = "--duration"
	case len(p.Chain.Roles) > 0 && p.Chain.Roles[len(p.Chain.Roles)-1].DurationSeconds > 0:
		pl.RequestedBy = "duration_seconds"
	}
	return pl, nil
}

// rootWords names a chain's root for a message.
func rootWords(r *profiles.Root) string {
	switch r.Kind {
	case profiles.RootStatic:
		if r.SessionToken != "" {
			return "temporary keys in profile " + r.Profile
		}
		return "the long-term keys of profile " + r.Profile
	case profiles.RootSSO:
		return "IAM Identity Center (SSO)"
	case profiles.RootProcess:
		return "a credential_process"
	case profiles.RootIMDS:
		return "the EC2 instance metadata service"
	case profiles.RootECS:
		return "the container credentials endpoint"
	case profiles.RootEnvironment:
		return "the environment's AWS_ACCESS_KEY_ID"
	case profiles.RootWebIdentity:
		return "a web identity token"
	}
	return string(r.Kind)
}

// HumanDuration prints a duration as people write it: 300ms, 45s, 5m, 1h,
// 1h30m, 36h; never Go's 1h0m0s.
func HumanDuration(d time.Duration) string {
	if d < 0 {
		return "-" + HumanDuration(-d)
	}
	if d > 0 && d < time.Second {
		return d.Round(time.Millisecond).String() // 300ms, not 0s
	}
	d = d.Round(time.Second)
	h, m, s := int64(d/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	var b strings.Builder
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if s > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", s)
	}
	return b.String()
}
