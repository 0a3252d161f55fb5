package session

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/rolecall/rolecall/profiles"
)

const (
	mfaFilePrefix = "mfa-"
	// mfaSessionDuration is GetSessionToken's own default: one code a day
	// for an IAM user is the point of caching the MFA session.
	mfaSessionDuration = 12 * time.Hour
)

type mfaFile struct {
	Version int         `json:"rolecall_mfa"`
	Serial  string      `json:"serial"`
	Creds   Credentials `json:"credentials"`
}

// iamUser reports whether the root is long-term IAM user keys, the only
// identity that can get a reusable MFA session.
func iamUser(r profiles.Root) bool {
	return r.Kind == profiles.RootStatic && r.SessionToken == "" && r.AccessKeyID != ""
}

// userMFASerial is the device of the IAM user at the root of c whose MFA
// session the chain uses: the first role's mfa_serial, else the user's own.
// It is "" when the root is not an IAM user or names no device.
func userMFASerial(c *profiles.Chain) string {
	if !iamUser(*c.Root) {
		return ""
	}
	if len(c.Roles) > 0 && c.Roles[0].MFASerial != "" {
		return c.Roles[0].MFASerial
	}
	return c.Root.MFASerial
}

func (m *Manager) mfaPath(accessKeyID, serial string) (string, error) {
	dir, err := m.cacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, mfaFilePrefix+hashKey("mfa", accessKeyID, serial)+".json"), nil
}

// cachedMFA returns a still-valid MFA session for the user's keys and
// device, if one is cached.
func (m *Manager) cachedMFA(accessKeyID, serial string) (Credentials, bool) {
	path, err := m.mfaPath(accessKeyID, serial)
	if err != nil {
		return Credentials{}, false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return Credentials{}, false
	}
	var f mfaFile
	if json.Unmarshal(b, &f) != nil || f.Version != cacheVersion || f.Serial != serial || f.Creds.AccessKeyID == "" {
		return Credentials{}, false
	}
	if !f.Creds.Expires.After(m.now().Add(validMargin)) {
		return Credentials{}, false
	}
	return f.Creds, true
}

// mfaSession returns the user's MFA session for serial: the cached one, or
// a new one from sts:GetSessionToken with a code asked for once.
func (m *Manager) mfaSession(ctx context.Context, t target, root profiles.Root, serial string, co callOptions) (Credentials, error) {
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
	out, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{
		SerialNumber:    aws.String(serial),
		TokenCode:       aws.String(code),
		DurationSeconds: aws.Int32(int32(mfaSessionDuration / time.Second)),
	})
	if err != nil {
		return Credentials{}, classify(op{profile: t.profile, action: "get an MFA session for " + serial, endpoint: endpointName(t.endpoint, t.region), mfa: true}, err)
	}
	c := fromSTS(out.Credentials)
	if path, err := m.mfaPath(root.AccessKeyID, serial); err == nil {
		b, _ := json.Marshal(mfaFile{Version: cacheVersion, Serial: serial, Creds: c})
		_ = writeFileAtomic(path, b) // a cache miss next time only costs a prompt
	}
	return c, nil
}

// mfaCode finds the code for serial: this call's, then --mfa-code, then
// the prompt.
func (m *Manager) mfaCode(ctx context.Context, profile, serial string, co callOptions) (string, error) {
	code := co.mfaCode
	if code == "" {
		code = m.opts.MFACode
	}
	if code == "" && m.opts.Prompt != nil {
		c, err := m.opts.Prompt(ctx, profile, serial)
		if err != nil {
			return "", &Error{Kind: KindNeedMFA, Profile: profile, Err: fmt.Errorf("%w: %v", ErrMFARequired, err),
				Msg: fmt.Sprintf("profile %s: no MFA code for %s (%v).", profile, serial, err)}
		}
		code = c
	}
	code = strings.TrimSpace(code)
	if code == "" {
		return "", &Error{Kind: KindNeedMFA, Profile: profile, Err: ErrMFARequired,
			Msg: fmt.Sprintf("profile %s: an MFA code for %s is needed.\nPass --mfa-code CODE, or run in a terminal to be asked.", profile, serial)}
	}
	return code, nil
}
