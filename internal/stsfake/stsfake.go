// Package stsfake is a local STS (AssumeRole, GetSessionToken,
// GetCallerIdentity, GetFederationToken), EC2 instance metadata and
// container credentials server for tests. It speaks the wire formats the
// AWS SDKs parse, remembers every call (never a secret), checks MFA codes,
// refuses expired or unknown keys the way STS does, and can be told to
// fail. Tests point the SDK at it with AWS_ENDPOINT_URL_STS,
// AWS_EC2_METADATA_SERVICE_ENDPOINT and AWS_CONTAINER_CREDENTIALS_FULL_URI.
package stsfake

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Call is one request the fake answered. It holds no secret: the form of
// these actions carries none, and the signer is a key id.
type Call struct {
	Action string
	Form   map[string]string // first value of each form field
	KeyID  string            // the access key id that signed the call
}

// Failure is an STS error to answer with.
type Failure struct {
	Status  int
	Code    string
	Message string
}

// Fake is a running fake. Its fields may be changed between calls; they
// are read under its lock.
type Fake struct {
	URL string

	mu sync.Mutex
	// Now is the fake's clock; time.Now when nil.
	Now func() time.Time
	// Lifetime, when set, caps every session the fake issues (a short
	// lifetime lets a test see renewals).
	Lifetime time.Duration
	// MFACode, when set, is the only code accepted; else any 6 digits.
	MFACode string
	// Fail, when it returns non-nil for a call, answers with that error
	// instead.
	Fail func(Call) *Failure
	// Lenient accepts calls signed by keys it never issued, as an IAM user.
	Lenient bool

	keys  map[string]identity
	calls []Call
	n     int
	srv   *httptest.Server
}

type identity struct {
	arn, account, userID string
	role, mfa            bool // a role session; an MFA session
	expires              time.Time
}

// Start starts a fake on a loopback port and stops it when the test ends.
// It knows no keys: add users with AddUser, or set Lenient.
func Start(tb testing.TB) *Fake {
	tb.Helper()
	f := &Fake{keys: map[string]identity{}}
	f.srv = httptest.NewServer(f)
	f.URL = f.srv.URL
	tb.Cleanup(f.srv.Close)
	return f
}

// Close stops the fake at once (a test of an endpoint that went away).
func (f *Fake) Close() { f.srv.Close() }

// AddUser makes keyID the access key of an IAM user in account.
func (f *Fake) AddUser(keyID, account, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.keys[keyID] = identity{arn: "arn:aws:iam::" + account + ":user/" + name, account: account, userID: "AIDA" + strings.ToUpper(name)}
}

// Calls returns the calls answered so far and forgets them.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.calls
	f.calls = nil
	return c
}

// Actions lists the actions of calls, in order.
func Actions(calls []Call) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Action
	}
	return out
}

func (f *Fake) now() time.Time {
	if f.Now != nil {
		return f.Now()
	}
	return time.Now()
}

// ServeHTTP implements http.Handler: IMDS under /latest/, container
// credentials under /ecs/, STS elsewhere.
func (f *Fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case strings.HasPrefix(r.URL.Path, "/latest/"):
		f.imds(w, r)
	case strings.HasPrefix(r.URL.Path, "/ecs/"):
		f.ecs(w, r)
	default:
		f.sts(w, r)
	}
}

var credentialRE = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

func (f *Fake) sts(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		writeError(w, Failure{http.StatusBadRequest, "MalformedInput", "could not read the request"})
		return
	}
	call := Call{Action: r.Form.Get("Action"), Form: map[string]string{}}
	for k, v := range r.Form {
		if len(v) > 0 {
			call.Form[k] = v[0]
		}
	}
	if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
		call.KeyID = m[1]
	}
	f.mu.Lock()
	f.calls = append(f.calls, call)
	fail := f.Fail
	f.mu.Unlock()
	if fail != nil {
		if e := fail(call); e != nil {
			writeError(w, *e)
			return
		}
	}
	caller, failure := f.caller(call.KeyID, call.Action)
	if failure != nil {
		writeError(w, *failure)
		return
	}
	switch call.Action {
	case "AssumeRole":
		f.assumeRole(w, call, caller)
	case "GetSessionToken":
		f.getSessionToken(w, call, caller)
	case "GetFederationToken":
		f.getFederationToken(w, call, caller)
	case "GetCallerIdentity":
		writeXML(w, "GetCallerIdentity", fmt.Sprintf("<Arn>%s</Arn><UserId>%s</UserId><Account>%s</Account>", caller.arn, caller.userID, caller.account))
	default:
		writeError(w, Failure{http.StatusBadRequest, "InvalidAction", fmt.Sprintf("the fake does not answer %q", call.Action)})
	}
}

// caller is who signed the call, or the error STS gives.
func (f *Fake) caller(keyID, action string) (identity, *Failure) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.keys[keyID]
	if !ok {
		if !f.Lenient || keyID == "" {
			return identity{}, &Failure{http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid."}
		}
		id = identity{arn: "arn:aws:iam::123456789012:user/" + strings.ToLower(keyID), account: "123456789012", userID: "AIDA" + keyID}
	}
	if !id.expires.IsZero() && !f.now().Before(id.expires) {
		return identity{}, &Failure{http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired"}
	}
	return id, nil
}

func (f *Fake) assumeRole(w http.ResponseWriter, call Call, caller identity) {
	arn := call.Form["RoleArn"]
	parts := strings.Split(arn, ":")
	if len(parts) < 6 || !strings.HasPrefix(parts[5], "role/") {
		writeError(w, Failure{http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'roleArn' failed to satisfy constraint"})
		return
	}
	d := time.Hour
	if s := call.Form["DurationSeconds"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 900 || n > 43200 {
			writeError(w, Failure{http.StatusBadRequest, "ValidationError", "1 validation error detected: Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200"})
			return
		}
		d = time.Duration(n) * time.Second
	}
	if caller.role && d > time.Hour {
		writeError(w, Failure{http.StatusBadRequest, "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."})
		return
	}
	if serial := call.Form["SerialNumber"]; serial != "" && !f.validCode(call.Form["TokenCode"]) {
		writeError(w, Failure{http.StatusForbidden, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."})
		return
	}
	name := call.Form["RoleSessionName"]
	account, role := parts[4], strings.TrimPrefix(parts[5], "role/")
	assumed := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, role, name)
	id := identity{arn: assumed, account: account, userID: "AROA" + strings.ToUpper(role) + ":" + name, role: true}
	creds := f.issue(id, d)
	writeXML(w, "AssumeRole", creds+fmt.Sprintf("<AssumedRoleUser><Arn>%s</Arn><AssumedRoleId>%s</AssumedRoleId></AssumedRoleUser>", assumed, id.userID))
}

func (f *Fake) getSessionToken(w http.ResponseWriter, call Call, caller identity) {
	if caller.role {
		writeError(w, Failure{http.StatusForbidden, "AccessDenied", "Cannot call GetSessionToken with session credentials"})
		return
	}
	if call.Form["SerialNumber"] != "" && !f.validCode(call.Form["TokenCode"]) {
		writeError(w, Failure{http.StatusForbidden, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code."})
		return
	}
	d := 12 * time.Hour
	if s := call.Form["DurationSeconds"]; s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 900 || n > 129600 {
			writeError(w, Failure{http.StatusBadRequest, "ValidationError", "Value at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 129600"})
			return
		}
		d = time.Duration(n) * time.Second
	}
	id := caller
	id.mfa = call.Form["SerialNumber"] != ""
	writeXML(w, "GetSessionToken", f.issue(id, d))
}

func (f *Fake) getFederationToken(w http.ResponseWriter, call Call, caller identity) {
	if caller.role {
		writeError(w, Failure{http.StatusForbidden, "AccessDenied", "Cannot call GetFederationToken with session credentials"})
		return
	}
	name := call.Form["Name"]
	id := identity{arn: "arn:aws:sts::" + caller.account + ":federated-user/" + name, account: caller.account, userID: caller.account + ":" + name, role: true}
	writeXML(w, "GetFederationToken", f.issue(id, 12*time.Hour)+
		fmt.Sprintf("<FederatedUser><Arn>%s</Arn><FederatedUserId>%s</FederatedUserId></FederatedUser>", id.arn, id.userID))
}

func (f *Fake) validCode(code string) bool {
	f.mu.Lock()
	want := f.MFACode
	f.mu.Unlock()
	if want != "" {
		return code == want
	}
	return len(code) == 6 && strings.Trim(code, "0123456789") == ""
}

// Issued is one set of keys the fake gave out.
type Issued struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expires                                    time.Time
}

// issue makes keys for id that live d (or the fake's Lifetime, when
// shorter) and returns them as an STS <Credentials> element.
func (f *Fake) issue(id identity, d time.Duration) string {
	c := f.newKeys(id, d)
	return fmt.Sprintf("<Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken><Expiration>%s</Expiration></Credentials>",
		c.AccessKeyID, c.SecretAccessKey, c.SessionToken, c.Expires.UTC().Format(time.RFC3339))
}

func (f *Fake) newKeys(id identity, d time.Duration) Issued {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.Lifetime > 0 && f.Lifetime < d {
		d = f.Lifetime
	}
	f.n++
	id.expires = f.now().Add(d).Truncate(time.Second)
	c := Issued{
		AccessKeyID:     fmt.Sprintf("ASIAFAKE%08d%s", f.n, strings.ToUpper(randomHex(2))),
		SecretAccessKey: "fake-secret-" + randomHex(12),
		SessionToken:    "fake-token-" + randomHex(24),
		Expires:         id.expires,
	}
	f.keys[c.AccessKeyID] = id
	return c
}

// IMDSRole is the instance role the metadata paths serve.
const IMDSRole = "fake-instance-role"

// ECSToken is the authorization token the container credentials path
// wants.
const ECSToken = "fake-ecs-token"

func (f *Fake) imds(w http.ResponseWriter, r *http.Request) {
	const credsPath = "/latest/meta-data/iam/security-credentials/"
	f.record(Call{Action: "IMDS " + r.URL.Path})
	switch {
	case r.URL.Path == "/latest/api/token" && r.Method == http.MethodPut:
		w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
		fmt.Fprint(w, "fake-imds-token")
	case r.URL.Path == credsPath:
		fmt.Fprint(w, IMDSRole)
	case r.URL.Path == credsPath+IMDSRole:
		c := f.newKeys(identity{arn: "arn:aws:sts::666666666666:assumed-role/" + IMDSRole + "/i-0fake", account: "666666666666", userID: "AROAFAKE:i-0fake", role: true}, 6*time.Hour)
		writeJSON(w, map[string]string{"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": f.now().UTC().Format(time.RFC3339),
			"AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey, "Token": c.SessionToken, "Expiration": c.Expires.UTC().Format(time.RFC3339)})
	default:
		http.NotFound(w, r)
	}
}

func (f *Fake) ecs(w http.ResponseWriter, r *http.Request) {
	f.record(Call{Action: "ECS " + r.URL.Path})
	if r.Header.Get("Authorization") != ECSToken {
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, map[string]string{"code": "AccessDenied", "message": "wrong authorization token"})
		return
	}
	c := f.newKeys(identity{arn: "arn:aws:sts::555555555555:assumed-role/fake-task-role/task", account: "555555555555", userID: "AROAFAKETASK:task", role: true}, 6*time.Hour)
	writeJSON(w, map[string]string{"AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey, "Token": c.SessionToken,
		"Expiration": c.Expires.UTC().Format(time.RFC3339), "RoleArn": "arn:aws:iam::555555555555:role/fake-task-role"})
}

func (f *Fake) record(c Call) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

// ECSURL is the container credentials URL for AWS_CONTAINER_CREDENTIALS_FULL_URI.
func (f *Fake) ECSURL() string { return f.URL + "/ecs/creds" }

const ns = "https://sts.amazonaws.com/doc/2011-06-15/"

func writeXML(w http.ResponseWriter, action, result string) {
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprintf(w, `<%sResponse xmlns="%s"><%sResult>%s</%sResult><ResponseMetadata><RequestId>%s</RequestId></ResponseMetadata></%sResponse>`,
		action, ns, action, result, action, randomHex(8), action)
}

func writeError(w http.ResponseWriter, e Failure) {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(e.Message))
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(e.Status)
	fmt.Fprintf(w, `<ErrorResponse xmlns="%s"><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>%s</RequestId></ErrorResponse>`,
		ns, e.Code, b.String(), randomHex(8))
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Unreachable is an address that accepts connections and never answers,
// held open for the test: a stalled endpoint that no other process can
// take over, unlike a port freed a moment ago.
func Unreachable(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("listen on loopback: %v", err)
	}
	tb.Cleanup(func() { l.Close() })
	return "http://" + l.Addr().String()
}

// Refusing is an address on loopback that refuses every connection at
// once, as a host with nothing listening does. The port is bound for the
// test and never listened on, so unlike a port freed a moment ago no other
// process can take it and answer.
func Refusing(tb testing.TB) string {
	tb.Helper()
	port, release, err := boundSocket()
	if err != nil {
		tb.Fatalf("bind a loopback port: %v", err)
	}
	tb.Cleanup(release)
	return fmt.Sprintf("http://127.0.0.1:%d", port)
}
