// Package ssofake is a local IAM Identity Center for tests and the demo:
// the SSO OIDC service (RegisterClient, StartDeviceAuthorization,
// CreateToken with the device, authorization-code + PKCE and refresh
// grants, and the /authorize page a browser opens), the SSO portal
// (GetRoleCredentials, ListAccounts, ListAccountRoles, paginated), and the
// console's federation endpoint (getSigninToken, login). It speaks the
// wire formats the AWS SDKs and CLI parse. The SDK reaches it through
// AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO, rolecall's console
// through ROLECALL_FEDERATION_ENDPOINT. It records every call without a
// secret.
package ssofake

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Account is one account of the portal and the roles the user has in it.
type Account struct {
	ID, Name, Email string
	Roles           []string
}

// Creds are role credentials the portal hands out.
type Creds struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expires                                    time.Time
}

// Call is one request the fake answered, without any secret.
type Call struct {
	Op     string            // RegisterClient, CreateToken, GetRoleCredentials, getSigninToken, ...
	Fields map[string]string // grantType, accountId, roleName, sessionId (a key id), ...
}

// SessionKeys are the keys a getSigninToken call carried, for tests that
// check which session signed in; secrets are kept out of Call.
type SessionKeys struct{ AccessKeyID, SecretAccessKey, SessionToken string }

// Fake is a running fake. Change its fields between calls only.
type Fake struct {
	URL string

	mu sync.Mutex
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// Accounts are what the portal lists.
	Accounts []Account
	// PageSize is how many accounts or roles one list page holds (2 when
	// zero), so that pagination is always exercised.
	PageSize int
	// Interval is the device flow's polling interval in seconds (1 when
	// zero; left out of the answer when negative).
	Interval int32
	// TokenTTL is how long an access token lives (8 hours when zero).
	TokenTTL time.Duration
	// RoleTTL is how long role credentials live (1 hour when zero).
	RoleTTL time.Duration
	// AutoApprove, when positive, approves a device authorization that
	// long after it started, without a browser; a visit to the
	// verification page approves at once in any case.
	AutoApprove time.Duration
	// Deny makes the browser pages refuse (the user clicked "deny").
	Deny bool
	// SlowDown answers the next device CreateToken with SlowDownException.
	SlowDown bool
	// NoRefresh gives tokens without a refresh token.
	NoRefresh bool
	// Issue makes role credentials; random keys when nil. The demo makes
	// them keys its STS emulator knows.
	Issue func(account, role string, lifetime time.Duration) Creds
	// RefuseSignin refuses getSigninToken for a key id (an MFA session,
	// which the real endpoint refuses).
	RefuseSignin func(keyID string) bool

	calls    []Call
	signins  []SessionKeys
	clients  map[string]*client
	devices  map[string]*device
	codes    map[string]*grant
	tokens   map[string]time.Time // access token -> expiry
	refresh  map[string]string    // refresh token -> client id
	signinOK map[string]bool
	n        int
}

type client struct {
	secret       string
	grantTypes   []string
	redirectURIs []string
	expires      time.Time
}

type device struct {
	clientID, userCode string
	started, expires   time.Time
	approved, denied   bool
}

type grant struct {
	clientID, redirectURI, challenge string
}

// New returns a fake that is not listening yet: serve it with ServeHTTP.
func New() *Fake {
	return &Fake{
		clients: map[string]*client{}, devices: map[string]*device{}, codes: map[string]*grant{},
		tokens: map[string]time.Time{}, refresh: map[string]string{}, signinOK: map[string]bool{},
	}
}

// Start starts a fake on loopback and stops it when the test ends.
func Start(tb testing.TB) *Fake {
	tb.Helper()
	f := New()
	srv := httptest.NewServer(f)
	f.URL = srv.URL
	tb.Cleanup(srv.Close)
	return f
}

// Calls returns the calls answered so far and forgets them.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// Ops lists the operations of calls, in order.
func Ops(calls []Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Op
	}
	return out
}

// Signins returns the keys of every getSigninToken call so far.
func (f *Fake) Signins() []SessionKeys {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]SessionKeys(nil), f.signins...)
}

// ExpireTokens makes every access token issued so far expired, as hours
// passing would.
func (f *Fake) ExpireTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.tokens {
		f.tokens[k] = time.Time{}
	}
}

// AddToken makes an access token the portal accepts until expires: a
// token some other tool (the AWS CLI) got from the service.
func (f *Fake) AddToken(token string, expires time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokens[token] = expires
}

func (f *Fake) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

func (f *Fake) record(op string, fields map[string]string) {
	f.mu.Lock()
	f.calls = append(f.calls, Call{Op: op, Fields: fields})
	f.mu.Unlock()
}

// ServeHTTP implements http.Handler.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/client/register" && r.Method == http.MethodPost:
		f.registerClient(w, r)
	case r.URL.Path == "/device_authorization" && r.Method == http.MethodPost:
		f.startDevice(w, r)
	case r.URL.Path == "/token" && r.Method == http.MethodPost:
		f.createToken(w, r)
	case r.URL.Path == "/authorize":
		f.authorize(w, r)
	case r.URL.Path == "/device":
		f.devicePage(w, r)
	case r.URL.Path == "/federation/credentials":
		f.roleCredentials(w, r)
	case r.URL.Path == "/assignment/accounts":
		f.listAccounts(w, r)
	case r.URL.Path == "/assignment/roles":
		f.listRoles(w, r)
	case r.URL.Path == "/federation":
		f.federation(w, r)
	default:
		apiError(w, http.StatusNotFound, "ResourceNotFoundException", "the fake does not answer "+r.Method+" "+r.URL.Path)
	}
}

// Handles says whether the fake serves path, so a sandbox can put it next
// to other fakes on one port.
func Handles(path string) bool {
	switch path {
	case "/client/register", "/device_authorization", "/token", "/authorize", "/device",
		"/federation/credentials", "/assignment/accounts", "/assignment/roles", "/federation":
		return true
	}
	return false
}

func (f *Fake) id(prefix string) string {
	f.mu.Lock()
	f.n++
	n := f.n
	f.mu.Unlock()
	return fmt.Sprintf("%s%d%s", prefix, n, randomHex(8))
}

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
		f.mu.Lock()
		d := f.devices[in.DeviceCode]
		slow := f.SlowDown
		f.SlowDown = false
		if d != nil && f.AutoApprove > 0 && !now.Before(d.started.Add(f.AutoApprove)) {
			d.approved = true
		}
		f.mu.Unlock()
		switch {
		case d == nil || d.clientID != in.ClientID:
			oidcError(w, http.StatusBadRequest, "InvalidGrantException", "invalid_grant", "unknown device code")
		case !now.Before(d.expires):
			oidcError(w, http.StatusBadRequest, "ExpiredTokenException", "expired_token", "the device code expired")
		case slow:
			oidcError(w, http.StatusBadRequest, "SlowDownException", "slow_down", "polling too fast")
		case d.denied:
			oidcError(w, http.StatusBadRequest, "AccessDeniedException", "access_denied", "the user denied the request")
		case !d.approved:
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

// bearer checks the portal's access token header.
func (f *Fake) bearer(w http.ResponseWriter, r *http.Request) bool {
	tok := r.Header.Get("x-amz-sso_bearer_token")
	f.mu.Lock()
	exp, ok := f.tokens[tok]
	f.mu.Unlock()
	if !ok || !f.now().Before(exp) {
		apiError(w, http.StatusUnauthorized, "UnauthorizedException", "Session token not found or invalid")
		return false
	}
	return true
}

func (f *Fake) account(id string) *Account {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.Accounts {
		if f.Accounts[i].ID == id {
			a := f.Accounts[i]
			return &a
		}
	}
	return nil
}

func (f *Fake) roleCredentials(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.record("GetRoleCredentials", map[string]string{"accountId": q.Get("account_id"), "roleName": q.Get("role_name")})
	if !f.bearer(w, r) {
		return
	}
	a := f.account(q.Get("account_id"))
	if a == nil || !contains(a.Roles, q.Get("role_name")) {
		apiError(w, http.StatusForbidden, "ForbiddenException", "No access")
		return
	}
	f.mu.Lock()
	ttl, issue := f.RoleTTL, f.Issue
	f.mu.Unlock()
	if ttl == 0 {
		ttl = time.Hour
	}
	var c Creds
	if issue != nil {
		c = issue(a.ID, q.Get("role_name"), ttl)
	} else {
		c = Creds{AccessKeyID: "ASIASSOFAKE" + strings.ToUpper(randomHex(5)), SecretAccessKey: "sso-fake-secret-" + randomHex(12),
			SessionToken: "sso-fake-token-" + randomHex(24), Expires: f.now().Add(ttl).Truncate(time.Second)}
	}
	writeJSON(w, map[string]any{"roleCredentials": map[string]any{"accessKeyId": c.AccessKeyID, "secretAccessKey": c.SecretAccessKey,
		"sessionToken": c.SessionToken, "expiration": c.Expires.UnixMilli()}})
}

// page cuts one page out of n items at next_token.
func (f *Fake) page(q url.Values, n int) (start, end int, next string, ok bool) {
	size := f.PageSize
	if size == 0 {
		size = 2
	}
	if m, err := strconv.Atoi(q.Get("max_result")); err == nil && m > 0 && m < size {
		size = m
	}
	if t := q.Get("next_token"); t != "" {
		s, err := strconv.Atoi(strings.TrimPrefix(t, "page-"))
		if err != nil || s < 0 || s > n {
			return 0, 0, "", false
		}
		start = s
	}
	end = min(start+size, n)
	if end < n {
		next = "page-" + strconv.Itoa(end)
	}
	return start, end, next, true
}

func (f *Fake) listAccounts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.record("ListAccounts", map[string]string{"nextToken": q.Get("next_token")})
	if !f.bearer(w, r) {
		return
	}
	f.mu.Lock()
	accts := append([]Account(nil), f.Accounts...)
	f.mu.Unlock()
	sort.Slice(accts, func(i, j int) bool { return accts[i].ID < accts[j].ID })
	start, end, next, ok := f.page(q, len(accts))
	if !ok {
		apiError(w, http.StatusBadRequest, "InvalidRequestException", "bad next token")
		return
	}
	list := []map[string]string{}
	for _, a := range accts[start:end] {
		list = append(list, map[string]string{"accountId": a.ID, "accountName": a.Name, "emailAddress": a.Email})
	}
	out := map[string]any{"accountList": list}
	if next != "" {
		out["nextToken"] = next
	}
	writeJSON(w, out)
}

func (f *Fake) listRoles(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f.record("ListAccountRoles", map[string]string{"accountId": q.Get("account_id"), "nextToken": q.Get("next_token")})
	if !f.bearer(w, r) {
		return
	}
	a := f.account(q.Get("account_id"))
	if a == nil {
		apiError(w, http.StatusNotFound, "ResourceNotFoundException", "no such account")
		return
	}
	start, end, next, ok := f.page(q, len(a.Roles))
	if !ok {
		apiError(w, http.StatusBadRequest, "InvalidRequestException", "bad next token")
		return
	}
	list := []map[string]string{}
	for _, role := range a.Roles[start:end] {
		list = append(list, map[string]string{"roleName": role, "accountId": a.ID})
	}
	out := map[string]any{"roleList": list}
	if next != "" {
		out["nextToken"] = next
	}
	writeJSON(w, out)
}

// federation is the console's federation endpoint.
func (f *Fake) federation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch q.Get("Action") {
	case "getSigninToken":
		var s struct {
			ID    string `json:"sessionId"`
			Key   string `json:"sessionKey"`
			Token string `json:"sessionToken"`
		}
		err := json.Unmarshal([]byte(q.Get("Session")), &s)
		f.record("getSigninToken", map[string]string{"sessionId": s.ID, "sessionDuration": q.Get("SessionDuration")})
		f.mu.Lock()
		f.signins = append(f.signins, SessionKeys{s.ID, s.Key, s.Token})
		refuse := f.RefuseSignin
		f.mu.Unlock()
		if err != nil || s.ID == "" || s.Key == "" || s.Token == "" || (refuse != nil && refuse(s.ID)) {
			// The real endpoint answers 400 with an HTML page.
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, "<html><body>Bad Request</body></html>")
			return
		}
		tok := "fake-signin-token-" + randomHex(32)
		f.mu.Lock()
		f.signinOK[tok] = true
		f.mu.Unlock()
		writeJSON(w, map[string]string{"SigninToken": tok})
	case "login":
		f.record("login", map[string]string{"issuer": q.Get("Issuer"), "destination": q.Get("Destination")})
		f.mu.Lock()
		ok := f.signinOK[q.Get("SigninToken")]
		f.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintln(w, "<html><body>Bad sign-in token</body></html>")
			return
		}
		fmt.Fprintf(w, "<html><body>Signed in; the console would open %s</body></html>\n", htmlEscape(q.Get("Destination")))
	default:
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintln(w, "<html><body>Unknown action</body></html>")
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(v); err != nil {
		oidcError(w, http.StatusBadRequest, "InvalidRequestException", "invalid_request", "could not read the request")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// apiError is a restJson1 error of the SSO portal.
func apiError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}

// oidcError is an SSO OIDC error: restJson1 with the OAuth error fields.
func oidcError(w http.ResponseWriter, status int, code, oauth, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "error": oauth, "error_description": desc})
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Visit is a test's browser: it GETs u and follows redirects, so a
// verification page approves its code and an /authorize page lands on
// the login's loopback callback.
func Visit(u string) error {
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("visit: HTTP %d", resp.StatusCode)
	}
	return nil
}
