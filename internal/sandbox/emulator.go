package sandbox

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// identity is who a set of keys belongs to.
type identity struct {
	arn, account, userID string
	// mfa is true for an MFA session (GetSessionToken with a code), which
	// satisfies a role's MFA condition as it does in AWS.
	mfa bool
	// expires is when temporary keys stop working; zero for long-term
	// keys.
	expires time.Time
}

// emulator answers the STS query API (AssumeRole, GetSessionToken,
// GetCallerIdentity) and the instance metadata credentials paths, in the
// shapes the AWS SDKs and CLI parse. It checks external ids and MFA codes
// so the demo shows real failures, and refuses expired keys with
// ExpiredToken as STS does, but checks no signatures.
type emulator struct {
	now func() time.Time

	mu   sync.Mutex
	keys map[string]identity
	// maxLifetime, when set, caps every session it issues: a test of
	// renewals sees sessions end within a minute.
	maxLifetime time.Duration
}

func newEmulator(now func() time.Time) *emulator {
	return &emulator{now: now, keys: map[string]identity{
		aliceKeyID: {arn: "arn:aws:iam::111111111111:user/alice", account: "111111111111", userID: "AIDADEMOALICE"},
		ciKeyID:    {arn: "arn:aws:iam::777777777777:user/ci-runner", account: "777777777777", userID: "AIDADEMOCIRUNNER"},
	}}
}

const stsNS = "https://sts.amazonaws.com/doc/2011-06-15/"

type xmlCreds struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string `xml:"SecretAccessKey"`
	SessionToken    string `xml:"SessionToken"`
	Expiration      string `xml:"Expiration"`
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

type assumeRoleResponse struct {
	XMLName xml.Name `xml:"AssumeRoleResponse"`
	NS      string   `xml:"xmlns,attr"`
	Result  struct {
		Credentials     xmlCreds `xml:"Credentials"`
		AssumedRoleUser struct {
			AssumedRoleID string `xml:"AssumedRoleId"`
			Arn           string `xml:"Arn"`
		} `xml:"AssumedRoleUser"`
	} `xml:"AssumeRoleResult"`
	Meta responseMetadata `xml:"ResponseMetadata"`
}

type getSessionTokenResponse struct {
	XMLName xml.Name `xml:"GetSessionTokenResponse"`
	NS      string   `xml:"xmlns,attr"`
	Result  struct {
		Credentials xmlCreds `xml:"Credentials"`
	} `xml:"GetSessionTokenResult"`
	Meta responseMetadata `xml:"ResponseMetadata"`
}

type getCallerIdentityResponse struct {
	XMLName xml.Name `xml:"GetCallerIdentityResponse"`
	NS      string   `xml:"xmlns,attr"`
	Result  struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	} `xml:"GetCallerIdentityResult"`
	Meta responseMetadata `xml:"ResponseMetadata"`
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	NS      string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

// ServeHTTP implements http.Handler: IMDS under /latest/, STS elsewhere.
func (e *emulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/latest/") {
		e.imds(w, r)
		return
	}
	e.sts(w, r)
}

var credentialRE = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

func (e *emulator) caller(r *http.Request) (identity, bool) {
	m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return identity{}, false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	id, ok := e.keys[m[1]]
	return id, ok
}

// expired reports whether id's keys have expired at now.
func (e *emulator) expired(id identity) bool {
	return !id.expires.IsZero() && !e.now().Before(id.expires)
}

// setMaxLifetime caps the sessions issued from now on; zero lifts the cap.
func (e *emulator) setMaxLifetime(d time.Duration) {
	e.mu.Lock()
	e.maxLifetime = d
	e.mu.Unlock()
}

func (e *emulator) sts(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		stsError(w, http.StatusBadRequest, "MalformedInput", "could not read the request")
		return
	}
	id, ok := e.caller(r)
	if !ok {
		stsError(w, http.StatusForbidden, "InvalidClientTokenId", "The security token included in the request is invalid.")
		return
	}
	if e.expired(id) {
		stsError(w, http.StatusForbidden, "ExpiredToken", "The security token included in the request is expired")
		return
	}
	switch action := r.Form.Get("Action"); action {
	case "AssumeRole":
		e.assumeRole(w, r, id)
	case "GetSessionToken":
		e.getSessionToken(w, r, id)
	case "GetCallerIdentity":
		var out getCallerIdentityResponse
		out.NS, out.Meta.RequestID = stsNS, requestID()
		out.Result.Arn, out.Result.UserID, out.Result.Account = id.arn, id.userID, id.account
		writeXML(w, out)
	default:
		stsError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("The sandbox does not emulate %q.", action))
	}
}

func (e *emulator) assumeRole(w http.ResponseWriter, r *http.Request, caller identity) {
	arn := r.Form.Get("RoleArn")
	spec, ok := roles[arn]
	if !ok {
		stsError(w, http.StatusForbidden, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", caller.arn, arn))
		return
	}
	if spec.externalID != "" && r.Form.Get("ExternalId") != spec.externalID {
		stsError(w, http.StatusForbidden, "AccessDenied", fmt.Sprintf("User: %s is not authorized to perform: sts:AssumeRole on resource: %s (external id mismatch)", caller.arn, arn))
		return
	}
	if spec.mfa && !caller.mfa && !validCode(r.Form.Get("TokenCode")) {
		stsError(w, http.StatusForbidden, "AccessDenied", fmt.Sprintf("MultiFactorAuthentication failed: %s needs an MFA code", arn))
		return
	}
	lifetime := spec.lifetime
	if d, err := strconv.Atoi(r.Form.Get("DurationSeconds")); err == nil && d > 0 && d < lifetime {
		lifetime = d
	}
	sessionName := r.Form.Get("RoleSessionName")
	if sessionName == "" {
		sessionName = "rolecall"
	}
	account := strings.Split(arn, ":")[4]
	roleName := arn[strings.LastIndex(arn, "/")+1:]
	var out assumeRoleResponse
	out.NS, out.Meta.RequestID = stsNS, requestID()
	assumed := fmt.Sprintf("arn:aws:sts::%s:assumed-role/%s/%s", account, roleName, sessionName)
	out.Result.Credentials = e.issue(identity{arn: assumed, account: account, userID: "AROADEMO" + strings.ToUpper(roleName) + ":" + sessionName}, time.Duration(lifetime)*time.Second)
	out.Result.AssumedRoleUser.AssumedRoleID = "AROADEMO" + strings.ToUpper(roleName) + ":" + sessionName
	out.Result.AssumedRoleUser.Arn = assumed
	writeXML(w, out)
}

func (e *emulator) getSessionToken(w http.ResponseWriter, r *http.Request, caller identity) {
	if r.Form.Get("SerialNumber") != "" && !validCode(r.Form.Get("TokenCode")) {
		stsError(w, http.StatusForbidden, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
		return
	}
	var out getSessionTokenResponse
	out.NS, out.Meta.RequestID = stsNS, requestID()
	session := caller
	session.mfa = r.Form.Get("SerialNumber") != ""
	// Short, so the demo reaches the point where a new code is needed.
	out.Result.Credentials = e.issue(session, 15*time.Minute)
	writeXML(w, out)
}

// issue makes temporary keys for id that live lifetime (or the cap, when
// shorter) and remembers them. The expiry is whole seconds, as the
// Expiration the SDKs read.
func (e *emulator) issue(id identity, lifetime time.Duration) xmlCreds {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.maxLifetime > 0 && e.maxLifetime < lifetime {
		lifetime = e.maxLifetime
	}
	id.expires = e.now().Add(lifetime).Truncate(time.Second)
	c := xmlCreds{
		AccessKeyID:     "ASIADEMO" + strings.ToUpper(randomHex(6)),
		SecretAccessKey: "demo/" + randomHex(18),
		SessionToken:    "demo-session-" + randomHex(32),
		Expiration:      id.expires.UTC().Format(time.RFC3339),
	}
	e.keys[c.AccessKeyID] = id
	return c
}

const instanceRole = "demo-instance-role"

// imds serves the IMDSv2 token and the instance role's credentials.
func (e *emulator) imds(w http.ResponseWriter, r *http.Request) {
	const credsPath = "/latest/meta-data/iam/security-credentials/"
	switch {
	case r.URL.Path == "/latest/api/token" && r.Method == http.MethodPut:
		w.Header().Set("X-Aws-Ec2-Metadata-Token-Ttl-Seconds", "21600")
		fmt.Fprint(w, "demo-imds-token")
	case r.URL.Path == credsPath:
		fmt.Fprint(w, instanceRole)
	case r.URL.Path == credsPath+instanceRole:
		c := e.issue(identity{arn: "arn:aws:sts::666666666666:assumed-role/" + instanceRole + "/i-0demo1234",
			account: "666666666666", userID: "AROADEMOINSTANCE:i-0demo1234"}, 6*time.Hour)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{
			"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": e.now().UTC().Format(time.RFC3339),
			"AccessKeyId": c.AccessKeyID, "SecretAccessKey": c.SecretAccessKey, "Token": c.SessionToken,
			"Expiration": c.Expiration,
		})
	default:
		http.NotFound(w, r)
	}
}

func validCode(s string) bool {
	return len(s) == 6 && strings.Trim(s, "0123456789") == ""
}

func stsError(w http.ResponseWriter, status int, code, msg string) {
	var out errorResponse
	out.NS, out.RequestID = stsNS, requestID()
	out.Error.Type, out.Error.Code, out.Error.Message = "Sender", code, msg
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_ = xml.NewEncoder(w).Encode(out)
}

func writeXML(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "text/xml")
	_ = xml.NewEncoder(w).Encode(v)
}

func requestID() string { return randomHex(16) }

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
