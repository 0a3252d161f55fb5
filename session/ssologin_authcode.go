package session

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
)

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

// checkPageURL accepts a page to open in a browser: http(s) only.
func checkPageURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an http(s) URL", s)
	}
	return nil
}
