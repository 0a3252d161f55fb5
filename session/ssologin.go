package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	ssotypes "github.com/aws/aws-sdk-go-v2/service/sso/types"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	oidctypes "github.com/aws/aws-sdk-go-v2/service/ssooidc/types"
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
	tok, err := readSSOToken(path)
	if err != nil || tok == nil {
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

// LoginFlow is how a login got (or gets) its token.
type LoginFlow string

// The ways a login ends.
const (
	FlowCached    LoginFlow = "cached"             // the cached token is still good
	FlowRefreshed LoginFlow = "refreshed"          // renewed with the refresh token
	FlowDevice    LoginFlow = "device code"        // the user enters a code on a page
	FlowAuthCode  LoginFlow = "authorization code" // the browser returns to a loopback page (PKCE)
)

// LoginOptions shape a login.
type LoginOptions struct {
	// DeviceCode uses the device flow even where the authorization-code
	// flow would be used (a machine without a browser).
	DeviceCode bool
	// Force asks the user again even when the cached token is good or can
	// be refreshed.
	Force bool
}

// Login is a login under way. When NeedsUser is true the user must open
// URL (and, in the device flow, confirm UserCode there); Wait then
// returns once the token is stored. Close releases the loopback listener
// of an abandoned login.
type Login struct {
	Flow     LoginFlow
	Name     string // "sso-session NAME" or "SSO start URL URL"
	StartURL string
	// URL is the page to open; UserCode is the code the page shows, in
	// the device flow ("" in the authorization-code flow).
	URL      string
	UserCode string
	// Expires is when the token expires, once there is one.
	Expires time.Time
	// Path is the token cache file.
	Path string

	wait  func(ctx context.Context) (time.Time, error)
	close func()
	once  sync.Once
}

// NeedsUser reports whether the user must act in a browser.
func (l *Login) NeedsUser() bool { return l.wait != nil }

// Wait blocks until the user has approved the login in the browser and
// the token is stored, the authorization expires, or ctx ends.
func (l *Login) Wait(ctx context.Context) (time.Time, error) {
	if l.wait == nil {
		return l.Expires, nil
	}
	defer l.Close()
	exp, err := l.wait(ctx)
	if err == nil {
		l.Expires = exp
	}
	return exp, err
}

// Close stops a login that will not be waited for.
func (l *Login) Close() {
	l.once.Do(func() {
		if l.close != nil {
			l.close()
		}
	})
}

// BeginLogin starts an IAM Identity Center login: the cached token when
// it is still good, a refresh when it can be refreshed (unless Force),
// else the authorization-code flow with PKCE and a loopback redirect
// (sso-session profiles, as the AWS CLI does), or the device flow
// (legacy profiles, or DeviceCode).
func (m *Manager) BeginLogin(ctx context.Context, who SSOTarget, lo LoginOptions) (*Login, error) {
	cfg, p, err := m.ssoTarget(who)
	if err != nil {
		return nil, err
	}
	t := m.newTarget(p)
	path, err := m.ssoTokenPath(cfg.key())
	if err != nil {
		return nil, err
	}
	l := &Login{Name: cfg.name(), StartURL: cfg.startURL, Path: path}
	if !lo.Force {
		m.ssoMu.Lock()
		tok, _ := readSSOToken(path)
		m.ssoMu.Unlock()
		if tok != nil && tok.StartURL != "" && tok.StartURL != cfg.startURL {
			tok = nil // another start URL's token under this name: log in afresh
		}
		if tok != nil && tok.ExpiresAt.After(m.now().Add(ssoRefreshWindow)) {
			l.Flow, l.Expires = FlowCached, tok.ExpiresAt
			return l, nil
		}
		if tok != nil && tok.refreshable(m.now()) {
			if _, err := m.ssoAccessToken(ctx, t, cfg); err == nil {
				if fresh, _ := readSSOToken(path); fresh != nil {
					l.Flow, l.Expires = FlowRefreshed, fresh.ExpiresAt
					return l, nil
				}
			}
		}
	}
	if cfg.session != "" && !lo.DeviceCode {
		return m.beginAuthCode(ctx, t, cfg, l)
	}
	return m.beginDevice(ctx, t, cfg, l)
}

// registration is the cached client registration for the flow, or a new
// one from RegisterClient, stored where the AWS CLI keeps it.
func (m *Manager) registration(ctx context.Context, t target, cfg ssoConfig, authCode bool) (*ssoRegistration, error) {
	path, err := m.registrationPath(cfg.startURL, cfg.region, cfg.session, cfg.scopes)
	if err != nil {
		return nil, err
	}
	if r := readRegistration(path); r != nil && r.ExpiresAt.After(m.now().Add(ssoRefreshWindow)) && r.forAuthCode() == authCode {
		return r, nil
	}
	name := "rolecall-client-" + cfg.session
	if cfg.session == "" {
		name = fmt.Sprintf("rolecall-client-%d", m.now().Unix())
	}
	in := &ssooidc.RegisterClientInput{ClientName: aws.String(name), ClientType: aws.String("public"), Scopes: cfg.scopes}
	if authCode {
		in.GrantTypes = []string{"authorization_code", "refresh_token"}
		in.RedirectUris = []string{"http://127.0.0.1/oauth/callback"}
		in.IssuerUrl = aws.String(cfg.startURL)
		if len(in.Scopes) == 0 {
			in.Scopes = []string{defaultSSOScope}
		}
	}
	out, err := m.oidcClient(t, cfg.region).RegisterClient(ctx, in)
	if err != nil {
		return nil, oidcErr(t, cfg, "register rolecall as an SSO client", err)
	}
	r := &ssoRegistration{ClientID: aws.ToString(out.ClientId), ClientSecret: aws.ToString(out.ClientSecret),
		ExpiresAt: time.Unix(out.ClientSecretExpiresAt, 0).UTC(), Scopes: cfg.scopes}
	if authCode {
		r.Scopes, r.GrantTypes = in.Scopes, in.GrantTypes
	}
	if r.ClientID == "" || r.ClientSecret == "" {
		return nil, fmt.Errorf("%s: SSO OIDC registered no client id and secret", cfg.name())
	}
	if b, err := r.marshal(); err == nil {
		_ = writeSSOFile(path, b) // not cached only costs a registration next time
	}
	return r, nil
}

// beginDevice starts the device authorization flow (RFC 8628).
func (m *Manager) beginDevice(ctx context.Context, t target, cfg ssoConfig, l *Login) (*Login, error) {
	reg, err := m.registration(ctx, t, cfg, false)
	if err != nil {
		return nil, err
	}
	client := m.oidcClient(t, cfg.region)
	auth, err := client.StartDeviceAuthorization(ctx, &ssooidc.StartDeviceAuthorizationInput{
		ClientId: aws.String(reg.ClientID), ClientSecret: aws.String(reg.ClientSecret), StartUrl: aws.String(cfg.startURL),
	})
	if err != nil {
		return nil, oidcErr(t, cfg, "start the device authorization", err)
	}
	l.Flow = FlowDevice
	l.URL = aws.ToString(auth.VerificationUriComplete)
	if l.URL == "" {
		l.URL = aws.ToString(auth.VerificationUri)
	}
	l.UserCode = aws.ToString(auth.UserCode)
	if err := checkPageURL(l.URL); err != nil {
		return nil, fmt.Errorf("%s: SSO OIDC sent a verification page that cannot be opened (%v)", cfg.name(), err)
	}
	unit := m.pollUnit
	if unit == 0 {
		unit = time.Second
	}
	interval := time.Duration(auth.Interval) * unit
	if interval <= 0 {
		interval = defaultPollInterval / time.Second * unit
	}
	deadline := time.Now().Add(time.Duration(max(auth.ExpiresIn, 60)) * time.Second)
	deviceCode := aws.ToString(auth.DeviceCode)
	l.wait = func(ctx context.Context) (time.Time, error) {
		ctx, cancel := context.WithDeadline(ctx, deadline)
		defer cancel()
		for {
			out, err := client.CreateToken(ctx, &ssooidc.CreateTokenInput{
				ClientId: aws.String(reg.ClientID), ClientSecret: aws.String(reg.ClientSecret),
				GrantType: aws.String("urn:ietf:params:oauth:grant-type:device_code"), DeviceCode: aws.String(deviceCode),
			})
			var (
				pending *oidctypes.AuthorizationPendingException
				slow    *oidctypes.SlowDownException
				expired *oidctypes.ExpiredTokenException
				denied  *oidctypes.AccessDeniedException
			)
			switch {
			case err == nil:
				return m.storeLogin(l, cfg, reg, out)
			case errors.As(err, &pending):
			case errors.As(err, &slow):
				interval += slowDownStep / time.Second * unit
			case errors.As(err, &expired) || (ctx.Err() != nil && time.Now().After(deadline)):
				return time.Time{}, fmt.Errorf("%s: the code %s was not approved in time; log in again", cfg.name(), l.UserCode)
			case errors.As(err, &denied):
				return time.Time{}, fmt.Errorf("%s: the login was denied in the browser", cfg.name())
			case ctx.Err() != nil:
				return time.Time{}, fmt.Errorf("%s: login cancelled", cfg.name())
			default:
				return time.Time{}, oidcErr(t, cfg, "get the SSO token", err)
			}
			timer := time.NewTimer(interval)
			select {
			case <-ctx.Done():
				timer.Stop()
				if time.Now().After(deadline) {
					return time.Time{}, fmt.Errorf("%s: the code %s was not approved in time; log in again", cfg.name(), l.UserCode)
				}
				return time.Time{}, fmt.Errorf("%s: login cancelled", cfg.name())
			case <-timer.C:
			}
		}
	}
	return l, nil
}

// callbackResult is what the browser brought back to the loopback page.
type callbackResult struct{ code, state, err string }

// beginAuthCode starts the authorization-code flow with PKCE: a loopback
// listener takes the browser's redirect with the code.
func (m *Manager) beginAuthCode(ctx context.Context, t target, cfg ssoConfig, l *Login) (*Login, error) {
	reg, err := m.registration(ctx, t, cfg, true)
	if err != nil {
		return nil, err
	}
	base, err := m.oidcBase(ctx, t, cfg.region)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("%s: cannot listen on loopback for the browser's answer (%v); use --device-code", cfg.name(), err)
	}
	redirect := fmt.Sprintf("http://127.0.0.1:%d/oauth/callback", ln.Addr().(*net.TCPAddr).Port)
	verifier := randomString(64)
	sum := sha256.Sum256([]byte(verifier))
	state := randomHex(16)
	scopes := reg.Scopes
	if len(scopes) == 0 {
		scopes = []string{defaultSSOScope}
	}
	q := url.Values{}
	q.Set("response_type", "code")
	q.Set("client_id", reg.ClientID)
	q.Set("redirect_uri", redirect)
	q.Set("state", state)
	q.Set("code_challenge_method", "S256")
	q.Set("scopes", strings.Join(scopes, " "))
	q.Set("code_challenge", base64.RawURLEncoding.EncodeToString(sum[:]))
	l.Flow = FlowAuthCode
	l.URL = base + "/authorize?" + q.Encode()

	results := make(chan callbackResult, 1)
	srv := &http.Server{ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/oauth/callback" {
			http.NotFound(w, r)
			return
		}
		v := r.URL.Query()
		res := callbackResult{code: v.Get("code"), state: v.Get("state"), err: v.Get("error")}
		if res.code == "" && res.err == "" {
			http.Error(w, "no code", http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if res.err != "" {
			fmt.Fprintln(w, "<!doctype html><title>rolecall</title><p>The login was not completed. You can close this tab.</p>")
		} else {
			fmt.Fprintln(w, "<!doctype html><title>rolecall</title><p>rolecall is signed in. You can close this tab and go back to the terminal.</p>")
		}
		select {
		case results <- res:
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	l.close = func() { _ = srv.Close() }
	l.wait = func(ctx context.Context) (time.Time, error) {
		ctx, cancel := context.WithTimeout(ctx, authCodeTimeout)
		defer cancel()
		var res callbackResult
		select {
		case res = <-results:
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return time.Time{}, fmt.Errorf("%s: the browser did not come back within %s; log in again", cfg.name(), HumanDuration(authCodeTimeout))
			}
			return time.Time{}, fmt.Errorf("%s: login cancelled", cfg.name())
		}
		switch {
		case res.err != "":
			return time.Time{}, fmt.Errorf("%s: the browser ended the login (%s)", cfg.name(), oneLine(res.err))
		case res.state != state:
			return time.Time{}, fmt.Errorf("%s: the browser's answer is not for this login (state differs); log in again", cfg.name())
		}
		out, err := m.oidcClient(t, cfg.region).CreateToken(ctx, &ssooidc.CreateTokenInput{
			ClientId: aws.String(reg.ClientID), ClientSecret: aws.String(reg.ClientSecret),
			GrantType: aws.String("authorization_code"), Code: aws.String(res.code),
			RedirectUri: aws.String(redirect), CodeVerifier: aws.String(verifier),
		})
		if err != nil {
			return time.Time{}, oidcErr(t, cfg, "get the SSO token", err)
		}
		return m.storeLogin(l, cfg, reg, out)
	}
	return l, nil
}

// storeLogin writes the new token where the AWS CLI keeps it.
func (m *Manager) storeLogin(l *Login, cfg ssoConfig, reg *ssoRegistration, out *ssooidc.CreateTokenOutput) (time.Time, error) {
	tok := &ssoToken{StartURL: cfg.startURL, Region: cfg.region, ClientID: reg.ClientID, ClientSecret: reg.ClientSecret,
		RegistrationExpiresAt: reg.ExpiresAt}
	if err := tok.take(out, m.now()); err != nil {
		return time.Time{}, fmt.Errorf("%s: %v", cfg.name(), err)
	}
	m.ssoMu.Lock()
	defer m.ssoMu.Unlock()
	if err := writeTokenFile(l.Path, tok); err != nil {
		return time.Time{}, err
	}
	return tok.ExpiresAt, nil
}

// checkPageURL accepts a page to open in a browser: http(s) only.
func checkPageURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// randomString is a PKCE code verifier: n characters of the unreserved
// set RFC 7636 allows.
func randomString(n int) string {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	out := make([]byte, 0, n)
	buf := make([]byte, 1)
	for len(out) < n {
		_, _ = rand.Read(buf)
		// 66 × 3 = 198: rejecting bytes above keeps every character
		// equally likely.
		if int(buf[0]) < 3*len(chars) {
			out = append(out, chars[int(buf[0])%len(chars)])
		}
	}
	return string(out)
}
