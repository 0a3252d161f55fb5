package ssofake

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func (f *Fake) registerClient(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientName   string   `json:"clientName"`
		ClientType   string   `json:"clientType"`
		Scopes       []string `json:"scopes"`
		GrantTypes   []string `json:"grantTypes"`
		RedirectURIs []string `json:"redirectUris"`
		IssuerURL    string   `json:"issuerUrl"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	f.record("RegisterClient", map[string]string{"clientName": in.ClientName, "grantTypes": strings.Join(in.GrantTypes, ","),
		"redirectUris": strings.Join(in.RedirectURIs, ","), "scopes": strings.Join(in.Scopes, ","), "issuerUrl": in.IssuerURL})
	if in.ClientName == "" || in.ClientType != "public" {
		oidcError(w, http.StatusBadRequest, "InvalidClientMetadataException", "invalid_client_metadata", "clientName and clientType public are required")
		return
	}
	c := &client{secret: "fake-client-secret-" + randomHex(16), grantTypes: in.GrantTypes, redirectURIs: in.RedirectURIs,
		expires: f.now().Add(90 * 24 * time.Hour).Truncate(time.Second)}
	id := f.id("fake-client-")
	f.mu.Lock()
	f.clients[id] = c
	f.mu.Unlock()
	writeJSON(w, map[string]any{"clientId": id, "clientSecret": c.secret, "clientIdIssuedAt": f.now().Unix(),
		"clientSecretExpiresAt": c.expires.Unix()})
}

// client checks a client id and secret.
func (f *Fake) client(id, secret string) *client {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.clients[id]
	if c == nil || c.secret != secret || !f.now().Before(c.expires) {
		return nil
	}
	return c
}

func (f *Fake) startDevice(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
		StartURL     string `json:"startUrl"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	f.record("StartDeviceAuthorization", map[string]string{"clientId": in.ClientID, "startUrl": in.StartURL})
	if f.client(in.ClientID, in.ClientSecret) == nil {
		oidcError(w, http.StatusBadRequest, "InvalidClientException", "invalid_client", "unknown client or wrong secret")
		return
	}
	code := f.id("fake-device-")
	user := strings.ToUpper(randomHex(2) + "-" + randomHex(2))
	now := f.now()
	f.mu.Lock()
	f.devices[code] = &device{clientID: in.ClientID, userCode: user, started: now, expires: now.Add(10 * time.Minute)}
	interval := f.Interval
	f.mu.Unlock()
	if interval == 0 {
		interval = 1
	}
	verify := f.base(r) + "/device"
	answer := map[string]any{"deviceCode": code, "userCode": user, "verificationUri": verify,
		"verificationUriComplete": verify + "?user_code=" + url.QueryEscape(user), "expiresIn": 600, "interval": interval}
	if interval < 0 {
		delete(answer, "interval")
	}
	writeJSON(w, answer)
}

// base is the fake's own URL as the client reached it.
func (f *Fake) base(r *http.Request) string {
	if f.URL != "" {
		return f.URL
	}
	return "http://" + r.Host
}

// devicePage is the verification page: visiting it approves the code.
func (f *Fake) devicePage(w http.ResponseWriter, r *http.Request) {
	code := r.URL.Query().Get("user_code")
	f.record("DevicePage", map[string]string{"userCode": code})
	f.mu.Lock()
	var d *device
	for _, x := range f.devices {
		if x.userCode == code {
			d = x
		}
	}
	if d != nil {
		d.approved, d.denied = !f.Deny, f.Deny
	}
	f.mu.Unlock()
	if d == nil {
		http.Error(w, "no such code", http.StatusNotFound)
		return
	}
	fmt.Fprintln(w, "<html><body>Request approved. You can close this window.</body></html>")
}

func (f *Fake) createToken(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ClientID     string `json:"clientId"`
		ClientSecret string `json:"clientSecret"`
		GrantType    string `json:"grantType"`
		DeviceCode   string `json:"deviceCode"`
		Code         string `json:"code"`
		RefreshToken string `json:"refreshToken"`
		RedirectURI  string `json:"redirectUri"`
		CodeVerifier string `json:"codeVerifier"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	f.record("CreateToken", map[string]string{"grantType": in.GrantType, "clientId": in.ClientID, "redirectUri": in.RedirectURI})
	if f.client(in.ClientID, in.ClientSecret) == nil {
		oidcError(w, http.StatusBadRequest, "InvalidClientException", "invalid_client", "unknown client or wrong secret")
		return
	}
	now := f.now()
	switch in.GrantType {
	case "urn:ietf:params:oauth:grant-type:device_code":
		// The device as it stands, read under the lock: the verification
		// page approves it from another request.
		f.mu.Lock()
		var dev device
		found := f.devices[in.DeviceCode] != nil
		if found {
			d := f.devices[in.DeviceCode]
			if f.AutoApprove > 0 && !now.Before(d.started.Add(f.AutoApprove)) {
				d.approved = true
			}
			dev = *d
		}
		slow := f.SlowDown
		f.SlowDown = false
		f.mu.Unlock()
		switch {
		case !found || dev.clientID != in.ClientID:
			oidcError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "unknown device code")
		case !now.Before(dev.expires):
			oidcError(w, http.StatusBadRequest, "ExpiredTokenException", "expired_token", "the device code expired")
		case slow:
			oidcError(w, http.StatusBadRequest, "SlowDownException", "slow_down", "polling too fast")
		case dev.denied:
			oidcError(w, http.StatusBadRequest, "AccessDeniedException", "access_denied", "the user denied the request")
		case !dev.approved:
			oidcError(w, http.StatusBadRequest, "AuthorizationPendingException", "authorization_pending", "waiting for the user")
		default:
			f.mu.Lock()
			delete(f.devices, in.DeviceCode)
			f.mu.Unlock()
			f.issueToken(w, in.ClientID)
		}
	case "authorization_code":
		f.mu.Lock()
		g := f.codes[in.Code]
		delete(f.codes, in.Code)
		f.mu.Unlock()
		sum := sha256.Sum256([]byte(in.CodeVerifier))
		switch {
		case g == nil || g.clientID != in.ClientID:
			oidcError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "unknown or used authorization code")
		case g.redirectURI != in.RedirectURI:
			oidcError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "redirect_uri differs from the authorization request's")
		case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
			oidcError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "code_verifier does not match the code_challenge")
		default:
			f.issueToken(w, in.ClientID)
		}
	case "refresh_token":
		f.mu.Lock()
		owner, ok := f.refresh[in.RefreshToken]
		delete(f.refresh, in.RefreshToken) // refresh tokens rotate
		f.mu.Unlock()
		if !ok || owner != in.ClientID {
			oidcError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "unknown refresh token")
			return
		}
		f.issueToken(w, in.ClientID)
	default:
		oidcError(w, http.StatusBadRequest, "UnsupportedGrantTypeException", "unsupported_grant_type", "grant type "+in.GrantType)
	}
}

func (f *Fake) issueToken(w http.ResponseWriter, clientID string) {
	f.mu.Lock()
	ttl := f.TokenTTL
	if ttl == 0 {
		ttl = 8 * time.Hour
	}
	access := "fake-access-token-" + randomHex(24)
	f.tokens[access] = f.now().Add(ttl)
	out := map[string]any{"accessToken": access, "tokenType": "Bearer", "expiresIn": int(ttl / time.Second)}
	if !f.NoRefresh {
		rt := "fake-refresh-token-" + randomHex(24)
		f.refresh[rt] = clientID
		out["refreshToken"] = rt
	}
	f.mu.Unlock()
	writeJSON(w, out)
}

// authorize is the page the authorization-code flow opens in a browser:
// it checks the request and redirects to the loopback callback with a
// code, as the real page does once the user allows access.
func (f *Fake) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.record("Authorize", map[string]string{"clientId": q.Get("client_id"), "redirectUri": q.Get("redirect_uri"),
		"codeChallengeMethod": q.Get("code_challenge_method"), "scopes": q.Get("scopes")})
	f.mu.Lock()
	c := f.clients[q.Get("client_id")]
	deny := f.Deny
	f.mu.Unlock()
	redirect, err := url.Parse(q.Get("redirect_uri"))
	switch {
	case c == nil:
		http.Error(w, "unknown client_id", http.StatusBadRequest)
		return
	case err != nil || !registered(c.redirectURIs, redirect):
		http.Error(w, "redirect_uri is not registered for this client", http.StatusBadRequest)
		return
	case q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "":
		http.Error(w, "response_type=code, state and an S256 code_challenge are required", http.StatusBadRequest)
		return
	}
	back := redirect.Query()
	if deny {
		back.Set("error", "access_denied")
	} else {
		code := f.id("fake-code-")
		f.mu.Lock()
		f.codes[code] = &grant{clientID: q.Get("client_id"), redirectURI: q.Get("redirect_uri"), challenge: q.Get("code_challenge")}
		f.mu.Unlock()
		back.Set("code", code)
	}
	back.Set("state", q.Get("state"))
	redirect.RawQuery = back.Encode()
	http.Redirect(w, r, redirect.String(), http.StatusFound)
}

// registered accepts a loopback redirect on any port when the port-less
// URI was registered, as the service does.
func registered(uris []string, u *url.URL) bool {
	if u.Scheme != "http" || u.Hostname() != "127.0.0.1" {
		return false
	}
	for _, s := range uris {
		r, err := url.Parse(s)
		if err == nil && r.Scheme == u.Scheme && r.Hostname() == u.Hostname() && r.Path == u.Path {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
