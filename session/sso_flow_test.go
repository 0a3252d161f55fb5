package session

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ssofake"
)

// TestDeviceFlowPollsAtTheServersPace: the device flow waits the
// interval the server asks for between polls (RFC 8628 §3.5), and five
// seconds more after each slow_down. Each gap is at least the interval,
// so over a login that takes elapsed the polls are at most
// elapsed/interval + 1, however slow the machine is. (One poll unit is
// 10 ms here, a second in use.)
func TestDeviceFlowPollsAtTheServersPace(t *testing.T) {
	const unit = 10 * time.Millisecond
	for _, tc := range []struct {
		name     string
		interval int32 // what the server asks for, in units (< 0: nothing)
		slowDown bool  // the first poll is told to slow down
		gap      time.Duration
	}{
		{"the server's interval", 10, false, 10 * unit},
		{"after slow_down", 1, true, (1 + 5) * unit},
		{"no interval: RFC 8628's five seconds", -1, false, 5 * unit},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel() // each waits about 250 ms for its user
			w := newSSOWorld(t)
			w.sso.Interval, w.sso.SlowDown = tc.interval, tc.slowDown
			m := w.mgr()
			start := time.Now()
			l, err := m.BeginLogin(context.Background(), SSOTarget{Profile: "sso-dev"}, LoginOptions{DeviceCode: true})
			if err != nil {
				t.Fatal(err)
			}
			go func() { time.Sleep(250 * time.Millisecond); _ = ssofake.Visit(l.URL) }()
			// Far more than the login takes; polls in real seconds would
			// not finish in time.
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if _, err := l.Wait(ctx); err != nil {
				t.Fatal(err)
			}
			elapsed := time.Since(start)
			polls := 0
			for _, c := range w.sso.Calls() {
				if c.Op == "CreateToken" && strings.HasSuffix(c.Fields["grantType"], "device_code") {
					polls++
				}
			}
			limit := int(elapsed/tc.gap) + 1
			if tc.slowDown {
				limit++ // the poll that was told to slow down
			}
			if polls > limit {
				t.Errorf("%d polls in %s, want at most %d: polled faster than every %s", polls, elapsed.Round(time.Millisecond), limit, tc.gap)
			}
		})
	}
}

// TestAuthCodeCallbackPage: the page the browser lands on after the
// portal says whether the login worked, and a refusal there ends the
// login at once with the portal's reason.
func TestAuthCodeCallbackPage(t *testing.T) {
	for _, deny := range []bool{false, true} {
		w := newSSOWorld(t)
		w.sso.Deny = deny
		l, err := w.mgr().BeginLogin(context.Background(), SSOTarget{Profile: "sso-dev"}, LoginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// The browser: the portal's page redirects to rolecall's callback.
		resp, err := http.Get(l.URL)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = l.Wait(ctx)
		cancel()
		want := "rolecall is signed in"
		if deny {
			want = "The login was not completed"
			if err == nil || !strings.Contains(err.Error(), "the browser ended the login") {
				t.Errorf("a login denied in the browser: %v, want it ended with the portal's reason", err)
			}
		} else if err != nil {
			t.Errorf("login: %v", err)
		}
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(page), want) {
			t.Errorf("denied %v: the browser shows %d %q, want %q", deny, resp.StatusCode, page, want)
		}
		for _, c := range w.sso.Calls() {
			if c.Op == "Authorize" && c.Fields["scopes"] != defaultSSOScope {
				t.Errorf("Authorize asked for scopes %q, want %q when the sso-session names none", c.Fields["scopes"], defaultSSOScope)
			}
		}
	}
}

// TestVerificationPageMustBeHTTP: only an http(s) page with a host is
// opened in the browser.
func TestVerificationPageMustBeHTTP(t *testing.T) {
	for _, ok := range []string{"https://device.sso.eu-west-1.amazonaws.com/?user_code=ABCD-EFGH", "http://127.0.0.1:8080/device"} {
		if err := checkPageURL(ok); err != nil {
			t.Errorf("checkPageURL(%q): %v", ok, err)
		}
	}
	for _, bad := range []string{"javascript:alert(1)", "file:///etc/passwd", "https:///no-host", "ftp://example.com/x", "::"} {
		if err := checkPageURL(bad); err == nil {
			t.Errorf("checkPageURL(%q) accepted it", bad)
		}
	}
}

// TestPKCEVerifier: the code verifier is n characters of RFC 7636's
// unreserved set, and every one of the 66 turns up (over 12,800
// characters each is expected about 190 times).
func TestPKCEVerifier(t *testing.T) {
	const unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~"
	seen := map[rune]int{}
	for range 200 {
		v := randomString(64)
		if len(v) != 64 {
			t.Fatalf("a verifier of %d characters, want 64", len(v))
		}
		for _, c := range v {
			if !strings.ContainsRune(unreserved, c) {
				t.Fatalf("verifier character %q is not unreserved", c)
			}
			seen[c]++
		}
	}
	for _, c := range unreserved {
		if seen[c] == 0 {
			t.Errorf("%q never appears in 200 verifiers: the characters are not drawn evenly", c)
		}
	}
}
