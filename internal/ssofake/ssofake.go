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
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
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
