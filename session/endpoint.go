package session

import (
	"fmt"
	"os/exec"

	"github.com/rolecall/rolecall/profiles"
)

// EndpointHandoff hands a session on through a local credentials endpoint
// instead of keys: AWS SDKs and the AWS CLI read
// AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN,
// fetch credentials from the endpoint, and fetch again before those expire,
// so a long job outlives any one session. Build it with Handoff.Endpoint.
type EndpointHandoff struct {
	Profile string
	// Region is "" when none is set: then no region is exported.
	Region string
	URL    string
	// Token is the endpoint's secret: it goes into the environment and the
	// export lines, and nowhere else.
	Token string
}

// Endpoint is the hand-off through the endpoint at url that wants token:
// the profile and region of h, no keys.
func (h Handoff) Endpoint(url, token string) EndpointHandoff {
	return EndpointHandoff{Profile: h.Profile, Region: h.Region, URL: url, Token: token}
}

// EndpointRemoved lists the variables an endpoint hand-off drops. AWS
// SDKs and the AWS CLI take keys in the environment, a profile, a web
// identity, and the relative container URI before the full URI, and a
// token file before the token; an expiry would be stale at once.
var EndpointRemoved = []string{
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME",
}

// Vars lists the variables the hand-off exports, in a stable order.
func (e EndpointHandoff) Vars() []Var {
	vars := []Var{
		{"AWS_CONTAINER_CREDENTIALS_FULL_URI", e.URL},
		{"AWS_CONTAINER_AUTHORIZATION_TOKEN", e.Token},
	}
	if e.Region != "" {
		vars = append(vars, Var{"AWS_REGION", e.Region}, Var{"AWS_DEFAULT_REGION", e.Region})
	}
	return append(vars, Var{"ROLECALL_PROFILE", e.Profile})
}

// Environ returns base (os.Environ form) with the hand-off's variables set
// and every variable in EndpointRemoved dropped.
func (e EndpointHandoff) Environ(base []string) []string {
	return environ(base, EndpointRemoved, e.Vars(), e.Region != "")
}

// ExportLines renders the hand-off as lines for shell (one of Shells; ""
// means bash), unsetting what EndpointRemoved lists.
func (e EndpointHandoff) ExportLines(shell string) (string, error) {
	return exportLines(shell, EndpointRemoved, e.Vars())
}

// ShellCommand returns the command that starts a shell with the hand-off's
// environment; see Handoff.ShellCommand.
func (e EndpointHandoff) ShellCommand(base []string, getenv func(string) string, shell string) *exec.Cmd {
	return shellCommand(base, getenv, shell, e.Environ)
}

// EndpointShadows says what in the shared files would make AWS tools take
// other credentials than the endpoint's: they read a [default] profile
// that has credentials before the container endpoint. It reads only the
// loaded files.
func (m *Manager) EndpointShadows() []string {
	if m.set == nil {
		return nil
	}
	p := m.set.Get("default")
	if p == nil || p.Kind == profiles.KindOther {
		return nil
	}
	pos := p.Pos
	for _, key := range []string{"aws_access_key_id", "role_arn", "credential_source", "credential_process",
		"web_identity_token_file", "sso_session", "sso_start_url"} {
		if v, ok := p.Props.Lookup(key); ok {
			pos = v.Pos
			break
		}
	}
	if m.set.Default.Profile != "" {
		return []string{fmt.Sprintf("%s: [default] holds rolecall's session of %s, which AWS tools take before the endpoint; run 'rolecall use --clear' first",
			pos, m.set.Default.Profile)}
	}
	return []string{fmt.Sprintf("%s: [default] has %s credentials, which AWS tools take before the endpoint; move them to a named profile",
		pos, p.Kind)}
}
