package session

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
)

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
