package session

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/aws/smithy-go"
	"github.com/rolecall/rolecall/profiles"
)

// ErrSSOLogin is returned (wrapped in an *Error of KindNeedLogin) when an
// SSO profile's token is missing, or expired and cannot be refreshed: the
// user must log in (rolecall login) before the profile gives credentials.
// It comes back before any call to the SSO portal.
var ErrSSOLogin = errors.New("an SSO login is needed")

// KindNeedLogin is the kind of an error that asks for an SSO login.
const KindNeedLogin ErrorKind = "sso_login"

const (
	// authCodeTimeout is how long the authorization-code flow waits for
	// the browser, as the AWS CLI does.
	authCodeTimeout = 10 * time.Minute
	// slowDownStep is what a slow_down answer adds to the polling interval
	// (RFC 8628).
	slowDownStep = 5 * time.Second
	// defaultPollInterval is RFC 8628's, for an answer without one.
	defaultPollInterval = 5 * time.Second
	// defaultSSOScope is what the authorization-code flow asks for when
	// the sso-session names no sso_registration_scopes.
	defaultSSOScope = "sso:account:access"
)

// ssoConfig is one IAM Identity Center sign-in: an [sso-session] or a
// legacy profile's sso_start_url and sso_region.
type ssoConfig struct {
	session  string // "" for a legacy profile
	startURL string
	region   string
	scopes   []string // sso_registration_scopes; nil when unset
	profile  string   // the profile it was found through, for messages
}

// key names the token cache file: the sso-session, else the start URL.
func (c ssoConfig) key() string {
	if c.session != "" {
		return c.session
	}
	return c.startURL
}

// name is how messages call it.
func (c ssoConfig) name() string {
	if c.session != "" {
		return "sso-session " + c.session
	}
	return "SSO start URL " + c.startURL
}

// loginHint says how to log in again.
func (c ssoConfig) loginHint() string {
	if c.profile != "" {
		return fmt.Sprintf("Run 'rolecall login %s' (or 'aws sso login --profile %s').", c.profile, c.profile)
	}
	return fmt.Sprintf("Run 'rolecall login --sso-session %s' (or 'aws sso login --sso-session %s').", c.session, c.session)
}

func ssoConfigOf(root *profiles.Root) ssoConfig {
	return ssoConfig{session: root.SSOSession, startURL: root.SSOStartURL, region: root.SSORegion, profile: root.Profile}
}

// SSOTarget names what to log in to: a profile (whose chain starts at
// SSO), or an [sso-session] by name.
type SSOTarget struct {
	Profile    string
	SSOSession string
}

// ssoTarget resolves a target to its sign-in settings and the profile
// whose endpoints the calls use.
func (m *Manager) ssoTarget(who SSOTarget) (ssoConfig, *profiles.Profile, error) {
	if who.SSOSession != "" {
		var sec *profiles.Section
		if m.set != nil {
			sec = m.set.SSOSessions[who.SSOSession]
		}
		if sec == nil {
			return ssoConfig{}, nil, usageErr("", fmt.Sprintf("no [sso-session %s] in the config file; add one with sso_start_url and sso_region", who.SSOSession))
		}
		cfg := ssoConfig{session: who.SSOSession, startURL: sec.Props.Get("sso_start_url").Value, region: sec.Props.Get("sso_region").Value}
		if v := sec.Props.Get("sso_registration_scopes").Value; v != "" {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s != "" {
					cfg.scopes = append(cfg.scopes, s)
				}
			}
		}
		if cfg.startURL == "" || cfg.region == "" {
			return ssoConfig{}, nil, usageErr("", fmt.Sprintf("%s: [sso-session %s] needs sso_start_url and sso_region", sec.Pos, who.SSOSession))
		}
		return cfg, &profiles.Profile{Name: "sso-session " + who.SSOSession}, nil
	}
	p, err := m.profile(who.Profile)
	if err != nil {
		return ssoConfig{}, nil, err
	}
	if p.Chain.Root.Kind != profiles.RootSSO {
		return ssoConfig{}, nil, usageErr(p.Name, fmt.Sprintf("profile %s does not sign in through IAM Identity Center (SSO); it starts from %s", p.Name, rootWords(p.Chain.Root)))
	}
	cfg := ssoConfigOf(p.Chain.Root)
	if cfg.session != "" {
		// The sso-session's own scopes.
		full, _, err := m.ssoTarget(SSOTarget{SSOSession: cfg.session})
		if err == nil {
			cfg.scopes = full.scopes
		}
	}
	cfg.profile = p.Name
	return cfg, p, nil
}

func needLoginErr(profile string, cfg ssoConfig, why string, cause error) error {
	err := ErrSSOLogin
	if cause != nil {
		err = fmt.Errorf("%w: %v", ErrSSOLogin, cause)
	}
	who := cfg.name()
	if profile != "" {
		who = "profile " + profile + ": " + who
	}
	return &Error{Kind: KindNeedLogin, Profile: profile, Err: err, Msg: fmt.Sprintf("%s: %s.\n%s", who, why, cfg.loginHint())}
}

// NeedsLogin reports whether the profile's chain starts at SSO and its
// token is missing, or expired and cannot be refreshed, so that assuming
// it needs a login first. It reads the disk, never the network; a usable
// cached session needs no login.
func (m *Manager) NeedsLogin(profile string) bool {
	return m.needsLogin(profile, nil)
}

// NeedLogins is NeedsLogin of each profile, reading each SSO token cache
// file once however many of the profiles share it: a config of thousands
// of SSO profiles has a handful of sessions.
func (m *Manager) NeedLogins(profiles []string) map[string]bool {
	need := make(map[string]bool, len(profiles))
	tokens := map[string]*ssoToken{}
	for _, p := range profiles {
		need[p] = m.needsLogin(p, tokens)
	}
	return need
}

// needsLogin is NeedsLogin; tokens, when not nil, keeps each token file
// read (nil for one that cannot be used) for the next profile.
func (m *Manager) needsLogin(profile string, tokens map[string]*ssoToken) bool {
	p, err := m.profile(profile)
	if err != nil || p.Chain.Root.Kind != profiles.RootSSO {
		return false
	}
	if _, ok := m.Cached(profile); ok {
		return false
	}
	path, err := m.ssoTokenPath(ssoConfigOf(p.Chain.Root).key())
	if err != nil {
		return true
	}
	tok, read := tokens[path]
	if !read {
		if tok, err = readSSOToken(path); err != nil {
			tok = nil
		}
		if tokens != nil {
			tokens[path] = tok
		}
	}
	if tok == nil {
		return true
	}
	return !tok.ExpiresAt.After(m.now().Add(MinLife)) && !tok.refreshable(m.now())
}

// ssoAccessToken returns the cached access token of cfg, refreshed with
// its refresh token when it has less than ssoRefreshWindow left, or a
// KindNeedLogin error when there is none to be had without the user.
func (m *Manager) ssoAccessToken(ctx context.Context, t target, cfg ssoConfig) (string, error) {
	path, err := m.ssoTokenPath(cfg.key())
	if err != nil {
		return "", &Error{Kind: KindSource, Profile: cfg.profile, Err: err, Msg: fmt.Sprintf("%s: %v", cfg.name(), err)}
	}
	m.ssoMu.Lock()
	defer m.ssoMu.Unlock()
	tok, err := readSSOToken(path)
	if err != nil {
		return "", needLoginErr(cfg.profile, cfg, "the token cache cannot be used ("+oneLine(err.Error())+")", err)
	}
	if tok == nil {
		return "", needLoginErr(cfg.profile, cfg, "no SSO login yet (no token at "+path+")", nil)
	}
	now := m.now()
	if tok.ExpiresAt.After(now.Add(ssoRefreshWindow)) {
		return tok.AccessToken, nil
	}
	var refreshErr error
	if tok.refreshable(now) {
		fresh, err := m.refreshSSOToken(ctx, t, cfg, tok)
		if err == nil {
			if err := writeTokenFile(path, fresh); err != nil {
				return "", &Error{Kind: KindSource, Profile: cfg.profile, Err: err, Msg: err.Error()}
			}
			return fresh.AccessToken, nil
		}
		refreshErr = err
		// Another process may have refreshed it with the same (rotated)
		// refresh token meanwhile.
		if again, _ := readSSOToken(path); again != nil && again.ExpiresAt.After(now.Add(MinLife)) {
			return again.AccessToken, nil
		}
	}
	if tok.ExpiresAt.After(now.Add(MinLife)) {
		return tok.AccessToken, nil // the refresh can wait for the next call
	}
	why := "the SSO token expired " + HumanDuration(now.Sub(tok.ExpiresAt)) + " ago"
	if refreshErr != nil {
		why += " and could not be refreshed (" + oneLine(refreshErr.Error()) + ")"
	}
	return "", needLoginErr(cfg.profile, cfg, why, refreshErr)
}

// refreshSSOToken renews a token with its refresh token (CreateToken,
// grant refresh_token), keeping what the AWS CLI stored with it.
func (m *Manager) refreshSSOToken(ctx context.Context, t target, cfg ssoConfig, tok *ssoToken) (*ssoToken, error) {
	out, err := m.oidcClient(t, cfg.region).CreateToken(ctx, &ssooidc.CreateTokenInput{
		ClientId:     aws.String(tok.ClientID),
		ClientSecret: aws.String(tok.ClientSecret),
		GrantType:    aws.String("refresh_token"),
		RefreshToken: aws.String(tok.RefreshToken),
	})
	if err != nil {
		return nil, oidcErr(t, cfg, "refresh the SSO token", err)
	}
	fresh := *tok
	if err := fresh.take(out, m.now()); err != nil {
		return nil, err
	}
	return &fresh, nil
}

// take stores a CreateToken answer in the token, checking it first.
func (t *ssoToken) take(out *ssooidc.CreateTokenOutput, now time.Time) error {
	access := aws.ToString(out.AccessToken)
	if access == "" || out.ExpiresIn <= 0 || len(access) > maxSSOCacheFile/4 {
		return errors.New("SSO OIDC answered CreateToken without a usable access token")
	}
	t.AccessToken = access
	t.ExpiresAt = now.Add(time.Duration(out.ExpiresIn) * time.Second).Truncate(time.Second)
	if r := aws.ToString(out.RefreshToken); r != "" {
		t.RefreshToken = r
	}
	return nil
}

func writeTokenFile(path string, t *ssoToken) error {
	b, err := t.marshal()
	if err != nil {
		return err
	}
	return writeSSOFile(path, b)
}

// oidcErr explains an SSO OIDC failure; it never holds a token or secret
// (the SDK's messages carry the service's error text only).
func oidcErr(t target, cfg ssoConfig, action string, err error) error {
	endpoint := t.oidcEndpoint
	if endpoint == "" {
		endpoint = "https://oidc." + cfg.region + ".amazonaws.com"
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		switch api.ErrorCode() {
		case "InvalidClientException", "InvalidGrantException", "UnauthorizedClientException", "ExpiredTokenException":
			return needLoginErr(cfg.profile, cfg, fmt.Sprintf("SSO OIDC refused to %s (%s)", action, api.ErrorCode()), err)
		}
	}
	e := classify(op{profile: cfg.profile, action: action + " for " + cfg.name(), endpoint: endpoint}, err)
	var se *Error
	if errors.As(e, &se) && se.Kind == KindUnreachable {
		se.Msg = strings.ReplaceAll(se.Msg, "STS", "SSO OIDC")
		se.Msg = strings.ReplaceAll(se.Msg, "AWS_ENDPOINT_URL_SSO OIDC", "AWS_ENDPOINT_URL_SSO_OIDC")
		se.Msg = strings.ReplaceAll(se.Msg, "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO_OIDC")
	}
	return e
}

// classifySSO explains a failure of the SSO portal's GetRoleCredentials.
func (m *Manager) classifySSO(t target, root *profiles.Root, start time.Time, err error) error {
	var (
		unauth *ssotypes.UnauthorizedException
		api    smithy.APIError
	)
	cfg := ssoConfigOf(root)
	cfg.profile = t.profile
	switch {
	case errors.As(err, &unauth):
		return needLoginErr(t.profile, cfg, "the SSO portal no longer accepts the token (signed out, or the session ended)", err)
	case errors.As(err, &api) && api.ErrorCode() == "ForbiddenException":
		return &Error{Kind: KindAccessDenied, Profile: t.profile, Err: err,
			Msg: fmt.Sprintf("profile %s: IAM Identity Center gives no role %s in account %s to this user.\nCheck sso_account_id and sso_role_name, or the assignment in IAM Identity Center.", t.profile, root.SSORoleName, root.SSOAccountID)}
	}
	endpoint := t.ssoEndpoint
	if endpoint == "" {
		endpoint = "https://portal.sso." + root.SSORegion + ".amazonaws.com"
	}
	switch {
	case errors.Is(err, context.Canceled):
		return &Error{Kind: KindOther, Profile: t.profile, Endpoint: q(endpoint), Err: err,
			Msg: fmt.Sprintf("profile %s: SSO credentials: cancelled", q(t.profile))}
	case isTimeout(err):
		return &Error{Kind: KindUnreachable, Profile: t.profile, Endpoint: q(endpoint), Err: err,
			Msg: fmt.Sprintf("profile %s: %s.\nCheck the network and sso_region, or try again.", q(t.profile), timeoutText("the SSO portal", q(endpoint), start, err))}
	case isNetErr(err):
		return &Error{Kind: KindUnreachable, Profile: t.profile, Endpoint: q(endpoint), Err: err,
			Msg: fmt.Sprintf("profile %s: the SSO portal at %s is not reachable.\nCheck the network, sso_region, and AWS_ENDPOINT_URL_SSO.", q(t.profile), q(endpoint))}
	}
	return &Error{Kind: KindSource, Profile: t.profile, Endpoint: q(endpoint), Err: err,
		Msg: fmt.Sprintf("profile %s: the SSO portal gave no credentials (%s).", q(t.profile), q(oneLine(cause(err))))}
}
