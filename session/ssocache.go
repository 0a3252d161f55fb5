package session

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"
)

// The SSO token cache is the AWS CLI's: ~/.aws/sso/cache/<sha1>.json, one
// file per sso-session (sha1 of its name) or legacy start URL, with the
// fields the AWS CLI v2 writes, and one file per client registration
// under the key the AWS CLI computes. rolecall reads what `aws sso login`
// wrote and writes what `aws` reads, so either can log in for both.

// ssoTimeLayout is how the AWS CLI writes its timestamps.
const ssoTimeLayout = "2006-01-02T15:04:05Z"

// ssoRefreshWindow is how long before expiry a token is refreshed, as
// the AWS CLI does.
const ssoRefreshWindow = 15 * time.Minute

// maxSSOCacheFile bounds what is read from the cache directory.
const maxSSOCacheFile = 1 << 20

// ssoToken is one token cache file. Fields rolecall does not know are
// kept as they were when it rewrites the file.
type ssoToken struct {
	StartURL              string
	Region                string
	AccessToken           string
	ExpiresAt             time.Time
	RefreshToken          string
	ClientID              string
	ClientSecret          string
	RegistrationExpiresAt time.Time
	other                 map[string]json.RawMessage
}

// ssoCacheDir is ~/.aws/sso/cache, with HOME read through Options.Getenv.
func (m *Manager) ssoCacheDir() (string, error) {
	home := m.getenv("HOME")
	if home == "" {
		if up := m.getenv("USERPROFILE"); up != "" {
			home = up
		} else {
			h, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("no home directory for the SSO token cache (%v); set HOME", err)
			}
			home = h
		}
	}
	return filepath.Join(home, ".aws", "sso", "cache"), nil
}

// ssoTokenPath is where `aws sso login` caches the token for key (the
// sso-session name, or the start URL of a legacy profile), as
// ssocreds.StandardCachedTokenFilepath has it.
func (m *Manager) ssoTokenPath(key string) (string, error) {
	dir, err := m.ssoCacheDir()
	if err != nil {
		return "", err
	}
	sum := sha1.Sum([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), nil
}

// parseSSOTime reads the RFC 3339 timestamps the AWS CLI and SDKs write
// (the SDK's own SSO provider reads nothing else).
func parseSSOTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an RFC 3339 timestamp", s)
	}
	return t, nil
}

// readSSOToken reads a token cache file; a missing file is (nil, nil).
// A file without an access token and its expiry is an error naming it.
func readSSOToken(path string) (*ssoToken, error) {
	b, err := readSSOCacheFile(path)
	if b == nil || err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s is not an SSO token file (%v); delete it and log in again", path, err)
	}
	t := &ssoToken{other: map[string]json.RawMessage{}}
	str := func(key string, dst *string) error {
		v, ok := raw[key]
		if !ok {
			return nil
		}
		delete(raw, key)
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("%s: %s is not a string; delete the file and log in again", path, key)
		}
		return nil
	}
	tm := func(key string, dst *time.Time) error {
		var s string
		if err := str(key, &s); err != nil || s == "" {
			return err
		}
		v, err := parseSSOTime(s)
		if err != nil {
			return fmt.Errorf("%s: %s: %v; delete the file and log in again", path, key, err)
		}
		*dst = v
		return nil
	}
	for _, err := range []error{
		str("startUrl", &t.StartURL), str("region", &t.Region), str("accessToken", &t.AccessToken),
		tm("expiresAt", &t.ExpiresAt), str("refreshToken", &t.RefreshToken), str("clientId", &t.ClientID),
		str("clientSecret", &t.ClientSecret), tm("registrationExpiresAt", &t.RegistrationExpiresAt),
	} {
		if err != nil {
			return nil, err
		}
	}
	t.other = raw
	if t.AccessToken == "" || t.ExpiresAt.IsZero() {
		return nil, fmt.Errorf("%s has no accessToken and expiresAt; log in again", path)
	}
	return t, nil
}

// refreshable reports whether the token can be renewed without the user:
// a refresh token and an unexpired client registration.
func (t *ssoToken) refreshable(now time.Time) bool {
	return t.RefreshToken != "" && t.ClientID != "" && t.ClientSecret != "" &&
		(t.RegistrationExpiresAt.IsZero() || t.RegistrationExpiresAt.After(now))
}

// marshal renders the token as the AWS CLI writes it, with the fields it
// did not know as they were.
func (t *ssoToken) marshal() ([]byte, error) {
	out := map[string]any{}
	for k, v := range t.other {
		out[k] = v
	}
	set := func(k, v string) {
		if v != "" {
			out[k] = v
		}
	}
	set("startUrl", t.StartURL)
	set("region", t.Region)
	set("accessToken", t.AccessToken)
	set("expiresAt", t.ExpiresAt.UTC().Format(ssoTimeLayout))
	set("refreshToken", t.RefreshToken)
	set("clientId", t.ClientID)
	set("clientSecret", t.ClientSecret)
	if !t.RegistrationExpiresAt.IsZero() {
		set("registrationExpiresAt", t.RegistrationExpiresAt.UTC().Format(ssoTimeLayout))
	}
	return json.Marshal(out)
}

// ssoRegistration is an SSO OIDC client registration as the AWS CLI
// caches it.
type ssoRegistration struct {
	ClientID     string    `json:"clientId"`
	ClientSecret string    `json:"clientSecret"`
	ExpiresAt    time.Time `json:"-"`
	Scopes       []string  `json:"scopes,omitempty"`
	GrantTypes   []string  `json:"grantTypes,omitempty"`
}

// forAuthCode reports whether the registration is one for the
// authorization-code flow (the AWS CLI tells them apart this way).
func (r *ssoRegistration) forAuthCode() bool {
	for _, g := range r.GrantTypes {
		if g == "authorization_code" {
			return true
		}
	}
	return false
}

// registrationPath is the AWS CLI's cache file for a client registration:
// the sha1 of the JSON of its key, as Python's json.dumps(sort_keys=True)
// writes it. session is "" for a legacy profile (null in the key); nil
// scopes are null.
func (m *Manager) registrationPath(startURL, region, session string, scopes []string) (string, error) {
	dir, err := m.ssoCacheDir()
	if err != nil {
		return "", err
	}
	sc := "null"
	if scopes != nil {
		q := make([]string, len(scopes))
		for i, s := range scopes {
			q[i] = pyString(s)
		}
		sc = "[" + strings.Join(q, ", ") + "]"
	}
	name := "null"
	if session != "" {
		name = pyString(session)
	}
	key := fmt.Sprintf(`{"region": %s, "scopes": %s, "session_name": %s, "startUrl": %s, "tool": "botocore"}`,
		pyString(region), sc, name, pyString(startURL))
	sum := sha1.Sum([]byte(key))
	return filepath.Join(dir, hex.EncodeToString(sum[:])+".json"), nil
}

// pyString quotes s as Python's json.dumps does by default: ASCII only,
// everything else as \u escapes.
func pyString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`\"`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\b':
			b.WriteString(`\b`)
		case r == '\f':
			b.WriteString(`\f`)
		case r < 0x20 || r > 0x7e:
			if r > 0xffff {
				r -= 0x10000
				fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// readRegistration reads a cached registration; a missing, unreadable or
// foreign one is nil (a new registration replaces it).
func readRegistration(path string) *ssoRegistration {
	b, err := readSSOCacheFile(path)
	if b == nil || err != nil {
		return nil
	}
	var raw struct {
		ssoRegistration
		ExpiresAt string `json:"expiresAt"`
	}
	if json.Unmarshal(b, &raw) != nil || raw.ClientID == "" || raw.ClientSecret == "" {
		return nil
	}
	exp, err := parseSSOTime(raw.ExpiresAt)
	if err != nil {
		return nil
	}
	r := raw.ssoRegistration
	r.ExpiresAt = exp
	return &r
}

func (r *ssoRegistration) marshal() ([]byte, error) {
	return json.Marshal(struct {
		ClientID     string   `json:"clientId"`
		ClientSecret string   `json:"clientSecret"`
		ExpiresAt    string   `json:"expiresAt"`
		Scopes       []string `json:"scopes,omitempty"`
		GrantTypes   []string `json:"grantTypes,omitempty"`
	}{r.ClientID, r.ClientSecret, r.ExpiresAt.UTC().Format(ssoTimeLayout), r.Scopes, r.GrantTypes})
}

// readSSOCacheFile reads a cache file of bounded size; a missing one is
// (nil, nil).
func readSSOCacheFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("cannot read %s (%v); check its permissions", path, errors.Unwrap(err))
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxSSOCacheFile+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("cannot read %s (%v)", path, err)
	case len(b) > maxSSOCacheFile:
		return nil, fmt.Errorf("%s is too large to be an SSO cache file; delete it and log in again", path)
	case !utf8.Valid(b):
		return nil, fmt.Errorf("%s is not text; delete it and log in again", path)
	}
	return b, nil
}

// writeSSOFile writes one file of the SSO cache atomically (a reader, the
// AWS CLI included, sees the old file or the new one), 0600 in a 0700
// directory, as the AWS CLI creates them.
func writeSSOFile(path string, b []byte) error {
	dir := filepath.Dir(path)
	fail := func(err error) error {
		return fmt.Errorf("cannot write the SSO cache file %s: %v; check that %s is writable", path, err, dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fail(err)
	}
	tmp, err := os.CreateTemp(dir, ".rolecall-tmp-*")
	if err != nil {
		return fail(err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := tmp.Chmod(0o600); err != nil && runtime.GOOS != "windows" {
		tmp.Close()
		return fail(err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fail(err)
	}
	return nil
}
