package session

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
	"github.com/rolecall/rolecall/profiles"
)

// conformanceSkips are the cases that test an SDK's default credential
// chain rather than what a profile does; rolecall always names a profile.
var conformanceSkips = map[string]string{
	"environment_variables":           "no profile: credentials straight from the environment",
	"prefer_environment":              "default-chain precedence of environment keys over the profile",
	"ecs_credentials":                 "no profile: the default chain's container provider",
	"ecs_credentials_invalid_profile": "no usable profile: the default chain falls through to the container provider",
	"eks_pod_identity_credentials":    "no profile: the default chain's EKS Pod Identity provider",
	"eks_pod_identity_no_token_file":  "no profile: the default chain's EKS Pod Identity provider",
	"imds_default_chain_error":        "no profile: the default chain's IMDS provider",
	"imds_default_chain_retries":      "no profile: the default chain's IMDS provider",
	"imds_default_chain_success":      "no profile: the default chain's IMDS provider",
	"imds_config_with_no_creds":       "the profile has no credentials; the default chain falls through to IMDS",
	"imds_disabled":                   "no profile: whether the default chain may use IMDS",
	"web_identity_token_env":          "no profile: web identity from AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN",
}

type dvrEvent struct {
	ConnectionID int `json:"connection_id"`
	Action       struct {
		Request *struct {
			Request struct {
				URI    string `json:"uri"`
				Method string `json:"method"`
			} `json:"request"`
		} `json:"Request"`
		Response *struct {
			Response struct {
				Ok *struct {
					Status  int                 `json:"status"`
					Headers map[string][]string `json:"headers"`
				} `json:"Ok"`
			} `json:"response"`
		} `json:"Response"`
		Data *struct {
			Data      struct{ Utf8 string } `json:"data"`
			Direction string                `json:"direction"`
		} `json:"Data"`
	} `json:"action"`
}

// exchange is one recorded request and its answer.
type exchange struct {
	method, uri string
	status      int
	headers     map[string][]string
	body        strings.Builder
	used        bool
}

type conformanceCase struct {
	Name   string `json:"name"`
	Result struct {
		Ok *struct {
			AccessKeyID     string `json:"access_key_id"`
			SecretAccessKey string `json:"secret_access_key"`
			SessionToken    string `json:"session_token"`
			AccountID       string `json:"account_id"`
			Expiry          int64  `json:"expiry"`
		} `json:"Ok"`
		ErrorContains string `json:"ErrorContains"`
	} `json:"result"`
}

// replay answers requests with a case's recorded responses. Every request
// reaches it whatever its host, with the URL it was sent to in a header,
// so the test also checks that the endpoint was resolved as recorded.
type replay struct {
	mu         sync.Mutex
	exchanges  []*exchange
	unexpected []string
}

func loadReplay(t *testing.T, path string) *replay {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Events []dvrEvent }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	r := &replay{}
	byConn := map[int]*exchange{}
	for _, e := range doc.Events {
		a := e.Action
		switch {
		case a.Request != nil:
			x := &exchange{method: a.Request.Request.Method, uri: a.Request.Request.URI}
			byConn[e.ConnectionID] = x
			r.exchanges = append(r.exchanges, x)
		case a.Response != nil && a.Response.Response.Ok != nil:
			if x := byConn[e.ConnectionID]; x != nil {
				x.status, x.headers = a.Response.Response.Ok.Status, a.Response.Response.Ok.Headers
			}
		case a.Data != nil && a.Data.Direction == "Response":
			if x := byConn[e.ConnectionID]; x != nil {
				x.body.WriteString(a.Data.Data.Utf8)
			}
		}
	}
	return r
}

func sameURL(recorded, sent string) bool {
	a, err1 := url.Parse(recorded)
	b, err2 := url.Parse(sent)
	if err1 != nil || err2 != nil {
		return false
	}
	pa, pb := strings.TrimSuffix(a.Path, "/"), strings.TrimSuffix(b.Path, "/")
	return a.Scheme == b.Scheme && a.Host == b.Host && pa == pb && a.Query().Encode() == b.Query().Encode()
}

func (r *replay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	sent := req.Header.Get("X-Replay-Url")
	r.mu.Lock()
	defer r.mu.Unlock()
	// The first unused answer for this URL; once all are used, the last one
	// again, as a server that keeps failing would (SDK retries).
	var match *exchange
	for _, x := range r.exchanges {
		if !sameURL(x.uri, sent) || (x.method != "" && !strings.EqualFold(x.method, req.Method)) {
			continue
		}
		match = x
		if !x.used {
			break
		}
	}
	if x := match; x != nil {
		x.used = true
		for k, vs := range x.headers {
			if strings.EqualFold(k, "content-length") {
				continue
			}
			for _, v := range vs {
				w.Header().Add(k, v)
			}
		}
		w.WriteHeader(x.status)
		io.WriteString(w, x.body.String())
		return
	}
	r.unexpected = append(r.unexpected, req.Method+" "+sent)
	w.WriteHeader(http.StatusNotFound)
}

// redirect sends every request to the replay server, whatever its host.
type redirect struct{ to *url.URL }

func (rt redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Replay-Url", req.URL.String())
	req.URL.Scheme, req.URL.Host = rt.to.Scheme, rt.to.Host
	return http.DefaultTransport.RoundTrip(req)
}

// copyTree copies a case's virtual filesystem under root.
func copyTree(t *testing.T, from, root string) {
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(root, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			return err
		}
		// The case's files are old, as people's are: the reader waits a
		// moment for a young, empty one, which a writer may be filling.
		old := time.Now().Add(-time.Hour)
		return os.Chtimes(dst, old, old)
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
}

func TestConformanceProfileProvider(t *testing.T) {
	runConformance(t, "profile-provider")
}

func TestConformanceDefaultChain(t *testing.T) {
	runConformance(t, "default-credential-provider-chain")
}

func runConformance(t *testing.T, suite string) {
	// The smithy-rs end-to-end credential cases (see the data's README,
	// section 5).
	conformanceDir := testenv.ConformanceDir(t)
	dirs, err := os.ReadDir(filepath.Join(conformanceDir, suite))
	if err != nil {
		t.Fatalf("conformance data incomplete: %v", err)
	}
	for _, d := range dirs {
		name := d.Name()
		t.Run(name, func(t *testing.T) {
			if why, ok := conformanceSkips[name]; ok {
				t.Skip("not about a profile: " + why)
			}
			dir := filepath.Join(conformanceDir, suite, name)
			var tc conformanceCase
			if b, err := os.ReadFile(filepath.Join(dir, "test-case.json")); err != nil || json.Unmarshal(b, &tc) != nil {
				t.Fatalf("%s/test-case.json unreadable", dir)
			}
			root := t.TempDir()
			copyTree(t, filepath.Join(dir, "fs"), root)
			vars := env{}
			if b, err := os.ReadFile(filepath.Join(dir, "env.json")); err == nil {
				if err := json.Unmarshal(b, &vars); err != nil {
					t.Fatal(err)
				}
			}
			// Paths in the case point into its virtual filesystem.
			for _, k := range []string{"HOME", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"} {
				if v := vars[k]; strings.HasPrefix(v, "/") {
					vars[k] = filepath.Join(root, v)
				}
			}
			rp := loadReplay(t, filepath.Join(dir, "http-traffic.json"))
			srv := httptest.NewServer(rp)
			t.Cleanup(srv.Close)
			to, _ := url.Parse(srv.URL)

			// The recordings are years old: the clock reads half an hour
			// before the recorded expiry, when there is one, as it did
			// when they were made.
			now := time.Now()
			if ok := tc.Result.Ok; ok != nil && ok.Expiry != 0 {
				now = time.Unix(ok.Expiry, 0).Add(-30 * time.Minute)
			}
			s, err := conformanceAssume(t, vars, root, redirect{to}, now)
			if want := tc.Result.Ok; want != nil {
				if len(rp.unexpected) > 0 {
					t.Errorf("requests the recording does not have: %v", rp.unexpected)
				}
				if err != nil {
					t.Fatalf("want credentials, got error: %v", err)
				}
				got := s.Creds
				if got.AccessKeyID != want.AccessKeyID || got.SecretAccessKey != want.SecretAccessKey || got.SessionToken != want.SessionToken {
					t.Errorf("credentials mismatch (key id %s, want %s)", MaskKey(got.AccessKeyID), MaskKey(want.AccessKeyID))
				}
				if want.Expiry != 0 && s.Expires().Unix() != want.Expiry {
					t.Errorf("expiry %d, want %d", s.Expires().Unix(), want.Expiry)
				}
				if want.AccountID != "" && s.AccountID != want.AccountID {
					t.Errorf("account %q, want %q", s.AccountID, want.AccountID)
				}
				return
			}
			if err == nil {
				t.Fatalf("want an error like %q, got credentials", tc.Result.ErrorContains)
			}
			want, ok := conformanceErrors[name]
			if !ok {
				t.Fatalf("a new error case: smithy-rs says %q; add what rolecall says to conformanceErrors (got %v)", tc.Result.ErrorContains, err)
			}
			if want.smithy != tc.Result.ErrorContains {
				t.Errorf("smithy-rs now says %q, not %q: check the class still fits", tc.Result.ErrorContains, want.smithy)
			}
			checkErrorClass(t, err, want)
		})
	}
}

// conformanceAssume loads the case's files and assumes the profile the
// AWS CLI would select.
func conformanceAssume(t *testing.T, vars env, root string, rt http.RoundTripper, now time.Time) (*Session, error) {
	files, err := profiles.Locate("", "", vars.get)
	if err != nil {
		return nil, err
	}
	set, err := profiles.Load(files)
	if err != nil {
		return nil, err
	}
	name := profiles.SelectedProfile(vars.get)
	if p := set.Get(name); p != nil && p.Chain != nil && p.Chain.Root.WebIdentityFile != "" && strings.HasPrefix(p.Chain.Root.WebIdentityFile, "/") {
		p.Chain.Root.WebIdentityFile = filepath.Join(root, p.Chain.Root.WebIdentityFile)
	}
	m := New(set, Options{Getenv: vars.get, CacheDir: t.TempDir(), Now: func() time.Time { return now }})
	m.httpOnce.Do(func() {})
	m.http = &http.Client{Transport: rt, Timeout: 10 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := m.Assume(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("%w", err)
	}
	return s, nil
}

// errorClass is what a user reads for a conformance case that fails: the
// kind of error (which decides the exit code and the TUI's advice) and the
// words that tell them what went wrong. smithy is the text the smithy-rs
// case expects from its own SDK, kept to document the mapping.
type errorClass struct {
	smithy string
	kind   ErrorKind
	words  []string // each must be in the message
}

// conformanceErrors maps every conformance case that ends in an error to
// the class of rolecall's message. smithy-rs uses one text ("the
// credential provider was not enabled") for several causes; rolecall tells
// them apart, so the map is by case.
var conformanceErrors = map[string]errorClass{
	"credential_process_failure": {smithy: "an error occurred while loading credentials: Error retrieving credentials: external process exited with code exit status: 1",
		kind: KindSource, words: []string{"credential_process", "exit 1", "config:3", "exit status 1"}},
	"credential_process_invalid": {smithy: "Error retrieving credentials from external process, could not parse response: invalid JSON in response",
		kind: KindSource, words: []string{"credential_process", "config:3", "not credential_process JSON"}},
	"empty_config": {smithy: "the credential provider was not enabled",
		kind: KindUnknownProfile, words: []string{"profile default not found", "rolecall list"}},
	"invalid_config": {smithy: "could not parse profile file",
		kind: KindProfile, words: []string{"config:2", "Property did not have a name"}},
	"invalid_sso_credentials_config": {smithy: "selected profile will resolve an access token instead of credentials",
		kind: KindProfile, words: []string{"sso_account_id", "sso_role_name"}},
	"sso_token": {smithy: "selected profile will resolve an access token instead of credentials",
		kind: KindProfile, words: []string{"sso_account_id", "sso_role_name"}},
	"imds_no_iam_role": {smithy: "the credential provider was not enabled",
		kind: KindMetadata, words: []string{"instance metadata", "gave no credentials"}},
	"imds_token_fail": {smithy: "request forbidden: IMDS is disabled",
		kind: KindMetadata, words: []string{"instance metadata", "gave no credentials"}},
	"profile_overrides_web_identity": {smithy: "provider was not enabled",
		kind: KindSource, words: []string{"credential_source = Environment", "AWS_ACCESS_KEY_ID"}},
	"sso_no_token_file": {smithy: "failed to read `/home/.aws/sso/cache/dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json`: No such file or directory (os error 2)",
		kind: KindNeedLogin, words: []string{"no SSO login yet", "dace00cba5f8355ec9d274ceb2bcebdfbeed0e12.json"}},
	"sso_server_error": {smithy: "an error occurred while loading credentials",
		kind: KindSource, words: []string{"SSO portal gave no credentials"}},
	"web_identity_source_profile_no_env": {smithy: "`web_identity_token_file` was specified but `role_arn` was missing",
		kind: KindProfile, words: []string{"config:6", "web_identity_token_file needs a role_arn"}},
	"web_identity_token_invalid_jwt": {smithy: "InvalidIdentityTokenException: No OpenIDConnect provider found in your account",
		kind: KindOther, words: []string{"web identity token", "InvalidIdentityToken", "No OpenIDConnect provider"}},
}

// checkErrorClass fails unless err is a session error of want's kind whose
// message has want's words, in one or two lines.
func checkErrorClass(t *testing.T, err error, want errorClass) {
	t.Helper()
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("error %q is %T, not a session error of kind %s", err, err, want.kind)
	}
	if se.Kind != want.kind {
		t.Errorf("kind %s, want %s: %q", se.Kind, want.kind, err)
	}
	msg := err.Error()
	for _, w := range want.words {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q does not say %q", msg, w)
		}
	}
	if strings.Count(msg, "\n") > 1 {
		t.Errorf("error longer than two lines: %q", msg)
	}
}
