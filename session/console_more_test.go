package session

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// tokenEndpoint is a federation endpoint that answers getSigninToken with
// body, whatever it is sent.
func tokenEndpoint(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestSigninTokensAreChecked: a sign-in token goes into a URL a browser
// and a terminal see, so what the endpoint sends must be a plain token:
// no space, control or non-ASCII byte; and at most maxSigninToken bytes
// of answer, that size included.
func TestSigninTokensAreChecked(t *testing.T) {
	answer := func(token string) string {
		b, _ := json.Marshal(map[string]string{"SigninToken": token})
		return string(b)
	}
	overhead := len(answer(""))
	for _, tc := range []struct {
		name  string
		body  string
		works bool
	}{
		{"a plain token", answer("plain-token_0123~!"), true},
		{"an answer of exactly the limit", answer(strings.Repeat("t", maxSigninToken-overhead)), true},
		{"an answer past the limit", answer(strings.Repeat("t", maxSigninToken-overhead+1)), false},
		{"a space", answer("two words"), false},
		{"DEL", answer("a\x7fb"), false},
		{"a control byte", answer("a\x1bb"), false},
		{"no token", answer(""), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w, _, _ := consoleWorld(t)
			c, err := w.manager(env{"ROLECALL_FEDERATION_ENDPOINT": tokenEndpoint(t, tc.body)}, Options{}).Console(ctx, "dev", ConsoleOptions{})
			if tc.works != (err == nil) {
				t.Fatalf("Console: %v, want it to work: %v", err, tc.works)
			}
			if err != nil && !strings.Contains(err.Error(), "profile dev: the console sign-in endpoint") {
				t.Errorf("message %q", err)
			}
			if err == nil && !strings.Contains(c.URL, "SigninToken=") {
				t.Errorf("no token in the sign-in URL")
			}
		})
	}
}

// TestFederationDurationBounds: an IAM user signs in to the console
// through a federation token of 15 minutes to 36 hours, both included.
func TestFederationDurationBounds(t *testing.T) {
	for _, tc := range []struct {
		d     time.Duration
		works bool
	}{
		{15 * time.Minute, true}, {36 * time.Hour, true},
		{15*time.Minute - time.Second, false}, {36*time.Hour + time.Second, false},
	} {
		w, _, e := consoleWorld(t)
		_, err := w.manager(e, Options{Duration: tc.d}).Console(ctx, "user", ConsoleOptions{})
		if tc.works != (err == nil) {
			t.Errorf("--duration %s: %v, want it to work: %v", tc.d, err, tc.works)
		}
		if !tc.works && (!IsUsage(err) || !strings.Contains(err.Error(), "use 15m to 36h")) {
			t.Errorf("--duration %s: %v, want a usage error giving the range", tc.d, err)
		}
	}
}
