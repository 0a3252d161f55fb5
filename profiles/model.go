// Package profiles reads and models the AWS shared config and credentials
// files, resolves every profile's credential chain, and writes the
// credentials file. It does no network I/O and imports neither session nor ui.
package profiles

import (
	"fmt"
	"strings"
	"time"
)

// Pos is where a section or value was read: a file path and a 1-based line.
type Pos struct {
	File string
	Line int
}

// String implements fmt.Stringer as "file:line", or "" for the zero Pos.
func (p Pos) String() string {
	if p.File == "" {
		return ""
	}
	if p.Line <= 0 {
		return p.File
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Kind is what a profile turns into when it is used.
type Kind string

// The kinds of profile.
const (
	KindStatic      Kind = "static"       // aws_access_key_id + aws_secret_access_key
	KindRole        Kind = "role"         // role_arn + source_profile or credential_source
	KindSSO         Kind = "sso"          // sso_session or legacy sso_* keys
	KindProcess     Kind = "process"      // credential_process
	KindWebIdentity Kind = "web_identity" // web_identity_token_file + role_arn
	KindOther       Kind = "other"        // configuration only
)

// RootKind is the kind of credentials at the start of a chain.
type RootKind string

// The roots a chain can start from.
const (
	RootStatic      RootKind = "static"              // keys in a profile
	RootEnvironment RootKind = "Environment"         // credential_source = Environment
	RootIMDS        RootKind = "Ec2InstanceMetadata" // credential_source = Ec2InstanceMetadata
	RootECS         RootKind = "EcsContainer"        // credential_source = EcsContainer
	RootSSO         RootKind = "sso"
	RootProcess     RootKind = "process"
	RootWebIdentity RootKind = "web_identity"
)

// Value is one property value and where it was read.
type Value struct {
	Value string
	Pos   Pos
}

// Prop is one property: its lower-cased key and its value.
type Prop struct {
	Key   string
	Value Value
}

// Props is a section's top-level properties, in the order they were first
// set. A slice rather than a map: a profile holds a handful of keys, which
// a scan finds faster than a hash, in a third of the memory.
type Props []Prop

// Lookup returns the value of key (lower-cased) and whether it is set.
func (ps Props) Lookup(key string) (Value, bool) {
	for i := range ps {
		if ps[i].Key == key {
			return ps[i].Value, true
		}
	}
	return Value{}, false
}

// Get returns the value of key (lower-cased), or the zero Value.
func (ps Props) Get(key string) Value {
	v, _ := ps.Lookup(key)
	return v
}

// Map returns the properties as a map.
func (ps Props) Map() map[string]Value {
	m := make(map[string]Value, len(ps))
	for _, p := range ps {
		m[p.Key] = p.Value
	}
	return m
}

// Block is one sub-property block: a property with no value followed by
// indented name = value lines, as "s3 =" then "  addressing_style = path".
type Block struct {
	Key   string // lower-cased
	Props Props  // lower-cased keys; the last value of a key wins
}

// Blocks are a section's sub-property blocks, in the order they were first
// set. A slice for the same reason as Props: a profile holds one or two.
type Blocks []Block

// Lookup returns the properties of block key (lower-cased) and whether it
// is set.
func (bs Blocks) Lookup(key string) (Props, bool) {
	for i := range bs {
		if bs[i].Key == key {
			return bs[i].Props, true
		}
	}
	return nil, false
}

// Get returns the properties of block key (lower-cased), or nil.
func (bs Blocks) Get(key string) Props {
	ps, _ := bs.Lookup(key)
	return ps
}

func (ps Props) index(key string) int {
	for i := range ps {
		if ps[i].Key == key {
			return i
		}
	}
	return -1
}

// Profile is one merged profile: the config section, overlaid by the
// credentials section of the same name. Secrets live only in Props and in
// Root; nothing here prints them.
type Profile struct {
	Name string
	Kind Kind
	// Pos is the section header that defined the profile (the config file's
	// one when both files have it).
	Pos Pos
	// Props holds every top-level property, lower-cased keys, with position.
	// Sub-property blocks (s3 = ...) are not in Props but in Sub.
	Props Props
	// Sub holds sub-property blocks: Sub.Get("s3").Get("addressing_style").
	Sub Blocks

	// DurationSeconds is duration_seconds, checked; 0 when unset.
	DurationSeconds int

	// Chain is the resolved chain; nil when Err is set or the profile is
	// configuration only.
	Chain *Chain
	// Err is the problem that stops this profile from being used, if any.
	// It is a *Error naming file:line.
	Err error

	src *Profile // the source_profile, once looked up
	idx int32    // the place in the order read, in a loaded Set (marks of a chain walk)
}

// The settings a profile's chain and its rows read. Each is its property
// in Props, read where it is stored rather than copied into a field of
// its own: a profile of 10,000 holds each value once.

// RoleARN is role_arn.
func (p *Profile) RoleARN() string { return p.Get(keyRoleARN) }

// SourceProfile is source_profile.
func (p *Profile) SourceProfile() string { return p.Get(keySourceProfile) }

// CredentialSource is credential_source.
func (p *Profile) CredentialSource() string { return p.Get(keyCredentialSource) }

// MFASerial is mfa_serial.
func (p *Profile) MFASerial() string { return p.Get(keyMFASerial) }

// ExternalID is external_id.
func (p *Profile) ExternalID() string { return p.Get(keyExternalID) }

// RoleSessionName is role_session_name.
func (p *Profile) RoleSessionName() string { return p.Get(keySessionName) }

// Region is region.
func (p *Profile) Region() string { return p.Get(keyRegion) }

// EndpointURL is endpoint_url.
func (p *Profile) EndpointURL() string { return p.Get(keyEndpointURL) }

// Services is services: the name of a [services x] section.
func (p *Profile) Services() string { return p.Get(keyServices) }

// SSOSession is sso_session.
func (p *Profile) SSOSession() string { return p.Get(keySSOSession) }

// SSOStartURL is sso_start_url.
func (p *Profile) SSOStartURL() string { return p.Get(keySSOStartURL) }

// SSORegion is sso_region.
func (p *Profile) SSORegion() string { return p.Get(keySSORegion) }

// SSOAccountID is sso_account_id.
func (p *Profile) SSOAccountID() string { return p.Get(keySSOAccountID) }

// SSORoleName is sso_role_name.
func (p *Profile) SSORoleName() string { return p.Get(keySSORoleName) }

// CredentialProcess is credential_process.
func (p *Profile) CredentialProcess() string { return p.Get(keyProcess) }

// WebIdentityFile is web_identity_token_file.
func (p *Profile) WebIdentityFile() string { return p.Get(keyWebIdentity) }

// RoleARNPos is where role_arn is set: the line of the profile's hop in
// a chain.
func (p *Profile) RoleARNPos() Pos { return p.Props.Get(keyRoleARN).Pos }

// AccountID is the account the profile's credentials are for: from
// role_arn, else aws_account_id, else sso_account_id.
func (p *Profile) AccountID() string {
	if a := AccountFromARN(p.RoleARN()); a != "" {
		return a
	}
	if a := p.Get(keyAccountID); a != "" {
		return a
	}
	return p.SSOAccountID()
}

// HasKeys reports whether the profile holds an access key id and secret.
func (p *Profile) HasKeys() bool {
	return p.Get(keyAccessKeyID) != "" && p.Get(keySecretKey) != ""
}

// Get returns a property value by (case-insensitive, lower-cased) key.
func (p *Profile) Get(key string) string { return p.Props.Get(key).Value }

// AssumesRole reports whether using the profile assumes a role: a role or
// web identity profile, or a broken one that names a role_arn. These are
// the profiles people switch between; the TUI lists them first and shell
// completion offers them first.
func (p *Profile) AssumesRole() bool {
	return p.Kind == KindRole || p.Kind == KindWebIdentity || (p.Err != nil && p.RoleARN() != "")
}

// Chain is how a profile becomes credentials: a root, then zero or more
// roles assumed in order; the selected profile's own role is last.
type Chain struct {
	// Root is shared by every chain that starts at the same profile:
	// treat it as read-only.
	Root *Root
	// Roles are the profiles whose roles are assumed, in order, each one
	// sts:AssumeRole call with its RoleARN, ExternalID, RoleSessionName,
	// MFASerial and DurationSeconds; the selected profile's own is last.
	Roles []*Profile
}

// Names returns the profile names from the root to the selected profile.
func (c *Chain) Names() []string {
	names := make([]string, 0, len(c.Roles)+1)
	for n := range c.EachName {
		names = append(names, n)
	}
	return names
}

// EachName yields the names Names returns, one by one, without building
// the slice: the root's profile, then each role's, a profile that sources
// its own keys once.
func (c *Chain) EachName(yield func(string) bool) {
	last, have := "", false
	if c.Root.Profile != "" {
		last, have = c.Root.Profile, true
		if !yield(last) {
			return
		}
	}
	for _, r := range c.Roles {
		if have && last == r.Name {
			continue // a profile that sources its own keys
		}
		last, have = r.Name, true
		if !yield(last) {
			return
		}
	}
}

// MultiHop reports whether the chain assumes more than one role.
func (c *Chain) MultiHop() bool { return len(c.Roles) > 1 }

// Chained reports whether role i of the chain is assumed with credentials
// that are themselves a role session (role chaining), which STS limits to
// ChainedMax: every role after the first, and the first one when the root
// is a role session (instance or container role, SSO, web identity).
func (c *Chain) Chained(i int) bool {
	return i > 0 || (i == 0 && c.Root.Kind.RoleSession())
}

// Capped reports whether the profile's own role is chained, so that STS
// grants it at most ChainedMax whatever duration is asked for. It is the
// one answer to "is this session capped at an hour" that every caller uses.
func (c *Chain) Capped() bool {
	return len(c.Roles) > 0 && c.Chained(len(c.Roles)-1)
}

// RoleSession reports whether a root's credentials are a role session.
// Static keys, the environment and a credential_process may hold either
// kind; STS tells when it matters (see session's error for that case).
func (k RootKind) RoleSession() bool {
	switch k {
	case RootIMDS, RootECS, RootSSO, RootWebIdentity:
		return true
	}
	return false
}

// Session lifetimes STS accepts: AssumeRole from 15 minutes to 12 hours
// (the role's own maximum may be lower), GetSessionToken up to 36 hours,
// and a chained role at most one hour.
const (
	MinDuration           = 15 * time.Minute
	MaxRoleDuration       = 12 * time.Hour
	MaxMFASessionDuration = 36 * time.Hour
	ChainedMax            = time.Hour
)

// Root is the start of a chain. Secret values are only read by session.
type Root struct {
	Kind    RootKind
	Profile string // profile that supplies the root
	Pos     Pos    // where the root was defined (keys, credential_source, ...)

	AccessKeyID     string // RootStatic
	SecretAccessKey string // RootStatic; never print
	SessionToken    string // RootStatic; never print
	AccountID       string // RootStatic: aws_account_id, if set
	// MFASerial is the root profile's own mfa_serial: an IAM user that can
	// get one MFA session (GetSessionToken) and reuse it for every role.
	MFASerial string

	CredentialProcess string // RootProcess

	SSOSession   string // RootSSO
	SSOStartURL  string
	SSORegion    string
	SSOAccountID string
	SSORoleName  string

	WebIdentityFile string // RootWebIdentity
	RoleARN         string // RootWebIdentity
	RoleSessionName string // RootWebIdentity
}

// Error is a problem in a file or a profile, with the place it was found.
type Error struct {
	Pos     Pos
	Profile string // empty for file-level problems
	Msg     string
}

// Error implements error as "file:line: profile X: message".
func (e *Error) Error() string {
	s := e.Msg
	if e.Profile != "" {
		s = fmt.Sprintf("profile %q: %s", e.Profile, s)
	}
	if p := e.Pos.String(); p != "" {
		s = p + ": " + s
	}
	return s
}

// DefaultHolder says who wrote the keys in [default] of the credentials
// file.
type DefaultHolder uint8

// The holders of [default].
const (
	// DefaultEmpty: there is no [default], or it holds no keys.
	DefaultEmpty DefaultHolder = iota
	// DefaultRolecall: a session rolecall wrote; the access key id matches
	// the one rolecall recorded next to it.
	DefaultRolecall
	// DefaultLongTerm: long-term keys (an AKIA key id, or no session token).
	DefaultLongTerm
	// DefaultOtherTool: temporary keys that rolecall did not write.
	DefaultOtherTool
)

// DefaultState is who holds [default] of the credentials file. Only
// defaultStateOf decides it; Load, WriteDefault, ClearDefault and
// CheckDefault all read it from there.
type DefaultState struct {
	Holder DefaultHolder
	// Profile is the profile whose session [default] holds; empty unless
	// Holder is DefaultRolecall.
	Profile string
	// AccessKeyID is [default]'s aws_access_key_id, whoever wrote it. It is
	// not a secret, but show it masked (MaskKeyID).
	AccessKeyID string
	// Expires is the expiry another tool wrote next to its temporary keys
	// (aws_expiration, x_security_token_expires, ...), as written; empty
	// unless Holder is DefaultOtherTool and the tool wrote one.
	Expires string
}

// Ours reports whether [default] holds a session rolecall wrote.
func (s DefaultState) Ours() bool { return s.Holder == DefaultRolecall }

// String describes what [default] holds, for messages: "prod's session
// (ASIA…WXYZ)", "long-term keys (AKIA…WXYZ)", "temporary keys written by
// another tool (ASIA…WXYZ, expiring ...)" or "no keys". It never holds a
// secret.
func (s DefaultState) String() string {
	key := MaskKeyID(s.AccessKeyID)
	switch s.Holder {
	case DefaultRolecall:
		return fmt.Sprintf("%s's session (%s)", s.Profile, key)
	case DefaultLongTerm:
		return "long-term keys (" + key + ")"
	case DefaultOtherTool:
		if s.Expires != "" {
			return fmt.Sprintf("temporary keys written by another tool (%s, expiring %s)", key, s.Expires)
		}
		return "temporary keys written by another tool (" + key + ")"
	}
	return "no keys"
}

// MaskKeyID shows an access key id as its first and last four characters,
// "AKIA…WXYZ"; a short one, or one that is not letters and digits, is all
// stars.
func MaskKeyID(id string) string {
	if len(id) < 8 || strings.IndexFunc(id, func(r rune) bool {
		return (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') && (r < '0' || r > '9')
	}) >= 0 {
		return "****"
	}
	return id[:4] + "…" + id[len(id)-4:]
}

// Holds reports whether [default] holds the session rolecall wrote for
// profile, whose access key id is keyID: the profile it recorded and the
// very keys, not only the name (a later session of the same profile, or
// keys another tool wrote over rolecall's, are not it).
func (s DefaultState) Holds(profile, keyID string) bool {
	return s.Ours() && profile != "" && keyID != "" && s.Profile == profile && s.AccessKeyID == keyID
}
