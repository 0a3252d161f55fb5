package profiles

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// build turns merged sections into resolved profiles.
func build(m *merged) *Set {
	set := &Set{
		Profiles:    make([]*Profile, len(m.byName)),
		sorted:      true,
		SSOSessions: make(map[string]*Section, len(m.ssoSessions)),
		Services:    make(map[string]*Section, len(m.services)),
		Problems:    slices.Concat(m.problems, m.warnings),
	}
	for name, s := range m.ssoSessions {
		set.SSOSessions[name] = &Section{Name: name, Pos: s.Pos, Props: s.Props, Sub: s.Sub}
	}
	for name, s := range m.services {
		set.Services[name] = &Section{Name: name, Pos: s.Pos, Props: s.Props, Sub: s.Sub}
	}
	for i, s := range m.byName {
		set.Profiles[i] = &s.Profile
	}
	// The profiles are filled and resolved where their sections were
	// read, in the order they were read, which is the order of their
	// properties in memory.
	all := m.order
	for i, s := range all {
		s.idx = int32(i)
	}
	halves(len(all), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			s := all[i]
			fillProfile(s)
			if src := s.SourceProfile(); src != "" {
				if src := m.lookup(src); src != nil {
					s.src = &src.Profile
				}
			}
		}
	})
	chains := make([]Chain, len(all))
	roots := newRootCache(len(all))
	halves(len(all), func(lo, hi int) {
		// Each half holds its share of the hops a Set may hold in all.
		r := &resolver{roots: roots, mark: make([]uint32, len(all)),
			budget: (hi-lo)*deepHopsPerProfile + hopsSpare*(hi-lo)/max(len(all), 1)}
		for i := lo; i < hi; i++ {
			p := &all[i].Profile
			if p.Err != nil || p.Kind == KindOther {
				continue
			}
			c, err := set.resolveInto(p.Name, p, r)
			if err != nil {
				p.Err = err
				continue
			}
			chains[i] = c
			p.Chain = &chains[i]
		}
	})
	return set
}

// halves runs f over [0, n) in two goroutines when n is large enough to
// pay for them.
func halves(n int, f func(lo, hi int)) {
	if n < 2000 {
		f(0, n)
		return
	}
	var wg sync.WaitGroup
	wg.Go(func() { f(0, n/2) })
	f(n/2, n)
	wg.Wait()
}

// The property names the model reads.
const (
	keyRoleARN          = "role_arn"
	keySourceProfile    = "source_profile"
	keyCredentialSource = "credential_source"
	keyMFASerial        = "mfa_serial"
	keyExternalID       = "external_id"
	keySessionName      = "role_session_name"
	keyDuration         = "duration_seconds"
	keyRegion           = "region"
	keyEndpointURL      = "endpoint_url"
	keyServices         = "services"
	keyAccessKeyID      = "aws_access_key_id"
	keySecretKey        = "aws_secret_access_key"
	keySessionToken     = "aws_session_token"
	keyAccountID        = "aws_account_id"
	keySSOSession       = "sso_session"
	keySSOStartURL      = "sso_start_url"
	keySSORegion        = "sso_region"
	keySSOAccountID     = "sso_account_id"
	keySSORoleName      = "sso_role_name"
	keyProcess          = "credential_process"
	keyWebIdentity      = "web_identity_token_file"
)

// fillProfile works out, from the properties read, what the profile of
// section s is: its kind, its duration, and its problem (the reader's
// first, else a duration out of range).
func fillProfile(s *section) {
	p := &s.Profile
	// One pass over the section for what decides the kind.
	var roleARN, webIdentity, sso, process, keys bool
	for _, prop := range s.Props {
		v := prop.Value
		if v.Value == "" {
			continue
		}
		switch prop.Key {
		case keyRoleARN:
			roleARN = true
		case keyWebIdentity:
			webIdentity = true
		case keySSOSession, keySSOStartURL, keySSOAccountID, keySSORoleName:
			sso = true
		case keyProcess:
			process = true
		case keyAccessKeyID, keySecretKey:
			keys = true
		case keyDuration:
			d, err := strconv.Atoi(v.Value)
			var problem string
			switch {
			case err != nil && !isDigits(strings.TrimPrefix(v.Value, "-")):
				problem = "duration_seconds = " + strconv.Quote(v.Value) + " is not a number of seconds (use e.g. 3600)"
			case err != nil || d < int(MinDuration/time.Second) || d > int(MaxRoleDuration/time.Second):
				problem = "duration_seconds = " + v.Value +
					" is out of range: STS accepts 900 (15 minutes) to 43200 (12 hours), and the role's own maximum"
			default:
				p.DurationSeconds = d
			}
			// A line of the section that could not be read comes first.
			if problem != "" && p.Err == nil {
				p.Err = &Error{Pos: v.Pos, Profile: p.Name, Msg: problem}
			}
		}
	}
	switch {
	case webIdentity:
		p.Kind = KindWebIdentity
	case roleARN:
		p.Kind = KindRole
	case sso:
		p.Kind = KindSSO
	case process:
		p.Kind = KindProcess
	case keys:
		p.Kind = KindStatic
	default:
		p.Kind = KindOther
	}
}

// isDigits reports whether s is a non-empty run of ASCII digits (a number
// too large for an int is still a number, just out of range).
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// AccountFromARN returns the account id field of an ARN
// (arn:partition:service:region:account:resource), or "". It is the one
// place an account is read from an ARN.
func AccountFromARN(arn string) string {
	if !strings.HasPrefix(arn, "arn:") {
		return ""
	}
	s := arn
	for range 4 {
		i := strings.IndexByte(s, ':')
		if i < 0 {
			return ""
		}
		s = s[i+1:]
	}
	i := strings.IndexByte(s, ':')
	if i < 0 {
		return ""
	}
	return s[:i]
}
