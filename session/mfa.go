package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rolecall/rolecall/profiles"
)

const mfaFilePrefix = "mfa-"

// ErrMFARequired is returned (wrapped in an *Error of KindNeedMFA whose
// Serial names the device) when a chain needs an MFA code and neither the
// call, Options.MFACode nor Options.Prompt gives one. It comes back before
// any network call, so the caller can ask for the code and call again.
var ErrMFARequired = errors.New("an MFA code is needed")

// MFAStep is one MFA code a chain asks for.
type MFAStep struct {
	Serial string
	// Profile is the profile whose mfa_serial names the device.
	Profile string
	// Session is true when the code buys an MFA session
	// (sts:GetSessionToken) that every role on the device reuses until it
	// expires, so one code a day is enough; false when the code goes with
	// sts:AssumeRole of Roles[Hop] itself.
	Session bool
	Hop     int // the role the code goes with; -1 for an MFA session
}

// MFASteps is the one answer to which MFA devices a chain uses and how.
// An IAM user at the root gets one MFA session for the device of its
// first role (else its own mfa_serial); every later role that names a
// device sends a code with its own AssumeRole, as it must: its source is
// a role session, which cannot get an MFA session.
func MFASteps(c *profiles.Chain) []MFAStep {
	var steps []MFAStep
	sessionSerial := ""
	if iamUser(c.Root) {
		switch {
		case len(c.Roles) > 0 && c.Roles[0].MFASerial() != "":
			sessionSerial = c.Roles[0].MFASerial()
			steps = append(steps, MFAStep{Serial: sessionSerial, Profile: c.Roles[0].Name, Session: true, Hop: -1})
		case c.Root.MFASerial != "":
			sessionSerial = c.Root.MFASerial
			steps = append(steps, MFAStep{Serial: sessionSerial, Profile: c.Root.Profile, Session: true, Hop: -1})
		}
	}
	for i, h := range c.Roles {
		if h.MFASerial() == "" || (i == 0 && sessionSerial != "") {
			continue
		}
		steps = append(steps, MFAStep{Serial: h.MFASerial(), Profile: h.Name, Hop: i})
	}
	return steps
}

// mfaSessionStep is the chain's MFA session step, if it has one.
func mfaSessionStep(steps []MFAStep) (MFAStep, bool) {
	if len(steps) > 0 && steps[0].Session {
		return steps[0], true
	}
	return MFAStep{}, false
}

// iamUser reports whether the root is long-term IAM user keys, the only
// identity that can get a reusable MFA session.
func iamUser(r *profiles.Root) bool {
	return r.Kind == profiles.RootStatic && r.SessionToken == "" && r.AccessKeyID != ""
}

// NeedsMFA returns the serial of the first MFA device whose code assuming
// the profile now would need, or "" when none is needed (no MFA in the
// chain, a usable cached session, or a reusable MFA session and no role
// of its own with a device). It reads the cache, never the network.
func (m *Manager) NeedsMFA(profile string) string {
	p, err := m.profile(profile)
	if err != nil {
		return ""
	}
	if _, ok := m.Cached(profile); ok {
		return ""
	}
	return m.missingCode(p, callOptions{}, true)
}

// missingCode is the serial of the first step that needs a code this call
// does not have, when no prompt can ask for it (or always, with
// ignoreCodes, to answer NeedsMFA).
func (m *Manager) missingCode(p *profiles.Profile, co callOptions, ignoreCodes bool) string {
	if !ignoreCodes && (m.opts.Prompt != nil || m.opts.MFACode != "") {
		return ""
	}
	for _, step := range MFASteps(p.Chain) {
		if step.Session {
			if _, ok := m.cachedMFA(p.Chain.Root.AccessKeyID, step.Serial); ok {
				continue
			}
		}
		if ignoreCodes || co.code(step.Serial) == "" {
			return step.Serial
		}
	}
	return ""
}

// needMFAError says which code is missing, before any call was made.
func needMFAError(profile, serial string) error {
	return &Error{Kind: KindNeedMFA, Profile: profile, Serial: serial, Err: ErrMFARequired,
		Msg: fmt.Sprintf("profile %s: an MFA code for %s is needed.\nPass --mfa-code CODE, or run in a terminal to be asked.", profile, serial)}
}

type mfaFile struct {
	Version int         `json:"rolecall_mfa"`
	Serial  string      `json:"serial"`
	Creds   Credentials `json:"credentials"`
}

func (m *Manager) mfaPath(accessKeyID, serial string) (string, error) {
	dir, err := m.cacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, mfaFilePrefix+hashKey("mfa", accessKeyID, serial)+".json"), nil
}

// cachedMFA returns a still-usable MFA session for the user's keys and
// device, if one is cached.
func (m *Manager) cachedMFA(accessKeyID, serial string) (Credentials, bool) {
	path, err := m.mfaPath(accessKeyID, serial)
	if err != nil {
		return Credentials{}, false
	}
	b, err := readCacheFile(path)
	if err != nil || b == nil {
		return Credentials{}, false
	}
	var f mfaFile
	if json.Unmarshal(b, &f) != nil || f.Version != cacheVersion || f.Serial != serial || f.Creds.AccessKeyID == "" {
		return Credentials{}, false
	}
	s := &Session{Profile: serial, Creds: f.Creds}
	if !m.usable(s, m.now()) || trusted(path, s, m.now(), profiles.MaxMFASessionDuration) != nil {
		return Credentials{}, false
	}
	return f.Creds, true
}

// mfaSession returns the user's MFA session for serial: the cached one, or
// a new one from sts:GetSessionToken with a code asked for once.
func (m *Manager) mfaSession(ctx context.Context, t target, root *profiles.Root, serial string, d time.Duration, co callOptions) (Credentials, error) {
	m.mfaMu.Lock() // one prompt at a time, and the second caller reuses the first's session
	defer m.mfaMu.Unlock()
	if c, ok := m.cachedMFA(root.AccessKeyID, serial); ok {
		return c, nil
	}
	code, err := m.mfaCode(ctx, t.profile, serial, co)
	if err != nil {
		return Credentials{}, err
	}
	client := m.stsClient(t, credentials.NewStaticCredentialsProvider(root.AccessKeyID, root.SecretAccessKey, ""))
	o := newOp(t.profile, "get an MFA session for "+serial, t.stsName())
	o.mfa = true
	out, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber:    aws.String(serial),
		TokenCode:       aws.String(code),
		DurationSeconds: aws.Int32(int32(d / time.Second)),
	})
	if err != nil {
		return Credentials{}, classify(o, err)
	}
	c := fromSTS(out.Credentials)
	if path, err := m.mfaPath(root.AccessKeyID, serial); err == nil {
		b, _ := json.Marshal(mfaFile{Version: cacheVersion, Serial: serial, Creds: c})
		_ = m.writeCacheFile(path, b) // a cache miss next time only costs a prompt
	}
	return c, nil
}

// mfaCode finds the code for serial: this call's, then --mfa-code, then
// the prompt.
func (m *Manager) mfaCode(ctx context.Context, profile, serial string, co callOptions) (string, error) {
	code := co.code(serial)
	if code == "" {
		code = m.opts.MFACode
	}
	if code == "" && m.opts.Prompt != nil {
		c, err := m.opts.Prompt(ctx, profile, serial)
		if err != nil {
			return "", &Error{Kind: KindNeedMFA, Profile: profile, Serial: serial, Err: fmt.Errorf("%w: %v", ErrMFARequired, err),
				Msg: fmt.Sprintf("profile %s: no MFA code for %s (%v).", profile, serial, err)}
		}
		code = c
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return "", needMFAError(profile, serial)
	}
	return code, nil
}
