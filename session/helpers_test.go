package session

import (
	"bytes"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/profiles"
)

// loadSet reads testdata/<dir>/config and credentials.
func loadSet(t testing.TB, dir string) *profiles.Set {
	t.Helper()
	set, err := profiles.Load(profiles.Files{
		Config:      filepath.Join("testdata", dir, "config"),
		Credentials: filepath.Join("testdata", dir, "credentials"),
	})
	if err != nil {
		t.Fatalf("load testdata/%s: %v", dir, err)
	}
	return set
}

// env is a fake environment for Options.Getenv.
type env map[string]string

func (e env) get(k string) string { return e[k] }

// stsCall is one request an STS client sent, with its form parameters.
// The forms of AssumeRole and GetSessionToken hold no secret.
type stsCall struct {
	Action string
	Form   url.Values
	KeyID  string // the access key id that signed the call
}

// recorder is an STS proxy in front of moto that remembers every call, so
// tests can tell whether a call happened and what it carried.
type recorder struct {
	URL   string
	mu    sync.Mutex
	calls []stsCall
}

func newRecorder(t testing.TB, upstream string) *recorder {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(u)
	proxy.ErrorLog = log.New(io.Discard, "", 0) // tests stop moto on purpose
	r := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		form, _ := url.ParseQuery(string(body))
		r.mu.Lock()
		r.calls = append(r.calls, stsCall{Action: form.Get("Action"), Form: form, KeyID: signer(req.Header.Get("Authorization"))})
		r.mu.Unlock()
		req.Body = io.NopCloser(bytes.NewReader(body))
		proxy.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

// signer is the access key id in a SigV4 Authorization header.
func signer(auth string) string {
	_, rest, ok := strings.Cut(auth, "Credential=")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

func (r *recorder) take() []stsCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

func actions(calls []stsCall) []string {
	out := make([]string, len(calls))
	for i, c := range calls {
		out[i] = c.Action
	}
	return out
}

// sameCreds compares credentials without ever printing them.
func sameCreds(a, b Credentials) bool {
	return a.AccessKeyID == b.AccessKeyID && a.SecretAccessKey == b.SecretAccessKey && a.SessionToken == b.SessionToken
}

func within(t testing.TB, got, want time.Time, slack time.Duration) {
	t.Helper()
	if d := got.Sub(want); d > slack || d < -slack {
		t.Errorf("time %s, want %s (±%s)", got.Format(time.RFC3339), want.Format(time.RFC3339), slack)
	}
}
