package session

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/internal/testenv"
)

func TestServePolicy(t *testing.T) {
	p := ServePolicy()
	issued := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		life    time.Duration
		wantAt  time.Duration // after issue
		comment string
	}{
		{"an hour: 15 minutes before the end, where the AWS CLI starts refreshing", time.Hour, 45 * time.Minute, ""},
		{"12 hours", 12 * time.Hour, 12*time.Hour - 15*time.Minute, ""},
		{"15 minutes (the STS minimum): at half", 15 * time.Minute, 450 * time.Second, ""},
		{"40 seconds (an emulator's): at half", 40 * time.Second, 20 * time.Second, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &Session{IssuedAt: issued, Creds: Credentials{Expires: issued.Add(tc.life)}}
			if got := p.RenewAt(s).Sub(issued); got != tc.wantAt {
				t.Errorf("due %s after issue, want %s", got, tc.wantAt)
			}
		})
	}
	if !p.DueAt(issued, time.Time{}).IsZero() {
		t.Errorf("credentials that never expire became due")
	}
	if got := p.DueAt(time.Time{}, issued.Add(time.Hour)); got != issued.Add(45*time.Minute) {
		t.Errorf("without an issue time: due at %s, want the window before expiry", got)
	}
	// A renewal that waits for the user is tried again soon, however many
	// times it failed; others back off to a minute.
	need := &Error{Kind: KindNeedMFA, Err: ErrMFARequired}
	if got := p.RetryAfter(6, need); got != 5*time.Second {
		t.Errorf("RetryAfter(6, need MFA) = %s, want 5s", got)
	}
	if got := p.RetryAfter(6, errors.New("STS down")); got != time.Minute {
		t.Errorf("RetryAfter(6, STS down) = %s, want 1m", got)
	}
}

func TestProviderServesShortSessions(t *testing.T) {
	w := newWorld(t)
	w.sts.Lifetime = 40 * time.Second
	m := w.manager(nil, Options{MinLife: 5 * time.Second})
	p := m.Provider("dev")
	rules := p.(interface {
		RenewAt(aws.Credentials) time.Time
		Servable(aws.Credentials, time.Time) bool
	})
	c1, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatalf("a 40-second session with MinLife 5s: %v", err)
	}
	w.sts.Calls()
	if at := rules.RenewAt(c1); at != c1.Expires.Add(-20*time.Second) {
		t.Errorf("RenewAt = %s, want half-way, 20s before %s", at, c1.Expires)
	}
	w.clock.Add(15 * time.Second)
	if c, _ := p.Retrieve(ctx); c.AccessKeyID != c1.AccessKeyID || len(w.sts.Calls()) != 0 {
		t.Errorf("renewed before the session was due")
	}
	if !rules.Servable(c1, w.clock.Now()) || rules.Servable(c1, c1.Expires.Add(-4*time.Second)) {
		t.Errorf("Servable does not follow MinLife: 5s")
	}
	w.clock.Add(6 * time.Second) // 19 seconds left: due
	c2, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c2.AccessKeyID == c1.AccessKeyID {
		t.Errorf("the provider kept the session after it was due")
	}
	if got := stsfake.Actions(w.sts.Calls()); !slices.Equal(got, []string{"AssumeRole"}) {
		t.Errorf("calls %v, want one AssumeRole", got)
	}
}

func TestProviderRenewalReusesTheMFASession(t *testing.T) {
	w := newWorld(t)
	asked := 0
	prompt := func(_ context.Context, profile, serial string) (string, error) {
		asked++
		return "123456", nil
	}
	m := w.manager(nil, Options{Prompt: prompt})
	p := m.Provider("a")
	c1, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if asked != 1 {
		t.Fatalf("asked %d times for the first session, want once", asked)
	}
	w.sts.Calls()
	// Two renewals later (each due 15 minutes before its hour ends), the
	// 12-hour MFA session still stands: no code, no GetSessionToken.
	last := c1
	for i := 0; i < 2; i++ {
		w.clock.Add(46 * time.Minute)
		c, err := p.Retrieve(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if c.AccessKeyID == last.AccessKeyID {
			t.Fatalf("renewal %d handed out the old session", i+1)
		}
		last = c
	}
	if asked != 1 {
		t.Errorf("asked %d times in all, want once: the MFA session is reused", asked)
	}
	if got := stsfake.Actions(w.sts.Calls()); !slices.Equal(got, []string{"AssumeRole", "AssumeRole"}) {
		t.Errorf("calls %v, want two AssumeRole and no GetSessionToken", got)
	}
}

func TestProviderPicksUpASessionRenewedElsewhere(t *testing.T) {
	w := newWorld(t)
	p := w.manager(nil, Options{}).Provider("dev")
	c1, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Add(46 * time.Minute)
	// Another rolecall (the TUI, rolecall renew) renews the profile.
	other, err := w.manager(nil, Options{}).Renew(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	w.sts.Calls()
	c2, err := p.Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if c2.AccessKeyID != other.Creds.AccessKeyID || c2.AccessKeyID == c1.AccessKeyID {
		t.Errorf("the provider did not take the session renewed elsewhere")
	}
	if n := len(w.sts.Calls()); n != 0 {
		t.Errorf("%d STS calls, want none", n)
	}
}

func TestEndpointHandoff(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	s, err := m.Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	e := m.Handoff(s).Endpoint("http://127.0.0.1:4567/", "tok-not-real")
	base := []string{"PATH=/bin", "AWS_ACCESS_KEY_ID=AKIASTALE", "AWS_SECRET_ACCESS_KEY=stale", "AWS_SESSION_TOKEN=stale",
		"AWS_PROFILE=prod", "AWS_CREDENTIAL_EXPIRATION=2020-01-01T00:00:00Z", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI=/v2/creds",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/tmp/t", "AWS_WEB_IDENTITY_TOKEN_FILE=/tmp/w", "AWS_ROLE_ARN=arn:aws:iam::1:role/x",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI=http://127.0.0.1:1/old", "AWS_REGION=us-west-2"}
	got := map[string]string{}
	for _, kv := range e.Environ(base) {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := got[k]; dup {
			t.Errorf("%s set twice", k)
		}
		got[k] = v
	}
	want := map[string]string{"PATH": "/bin", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://127.0.0.1:4567/",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN": "tok-not-real", "AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1",
		"ROLECALL_PROFILE": "dev"}
	if len(got) != len(want) {
		t.Errorf("environment has %d variables, want %d: %v", len(got), len(want), keysOf(got))
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	// Without a region of its own, the user's stays.
	if env := (EndpointHandoff{Profile: "x", URL: "u", Token: "t"}).Environ([]string{"AWS_REGION=ap-south-1"}); !slices.Contains(env, "AWS_REGION=ap-south-1") {
		t.Errorf("the user's AWS_REGION was dropped: %v", env)
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestEndpointExportLinesInEachShell evaluates the lines in each shell
// that is installed, over a stale environment, and reads back what is
// left.
func TestEndpointExportLinesInEachShell(t *testing.T) {
	e := EndpointHandoff{Profile: "dev", Region: "eu-west-1", URL: "http://127.0.0.1:4567/", Token: "tok'en$not\"real"}
	stale := []string{"AWS_ACCESS_KEY_ID=AKIASTALE", "AWS_SECRET_ACCESS_KEY=stale", "AWS_SESSION_TOKEN=stale", "AWS_PROFILE=prod"}
	probe := `AWS_CONTAINER_CREDENTIALS_FULL_URI AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_REGION ROLECALL_PROFILE AWS_ACCESS_KEY_ID AWS_SESSION_TOKEN AWS_PROFILE`
	want := "http://127.0.0.1:4567/|tok'en$not\"real|eu-west-1|dev||||"
	for _, tc := range []struct{ shell, bin, script string }{
		{"bash", "bash", `eval "$(cat @F@)"; for v in ` + probe + `; do printf '%s|' "${!v}"; done`},
		{"zsh", "zsh", `eval "$(cat @F@)"; for v in ` + probe + `; do printf '%s|' "${(P)v}"; done`},
		{"fish", "fish", `source @F@; for v in ` + probe + `; printf '%s|' "$$v"; end`},
	} {
		t.Run(tc.shell, func(t *testing.T) {
			bin := testenv.RequireTool(t, tc.bin)
			lines, err := e.ExportLines(tc.shell)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(t.TempDir(), "lines")
			os.WriteFile(f, []byte(lines), 0o600)
			c := exec.Command(bin, "-c", strings.ReplaceAll(tc.script, "@F@", f))
			c.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, stale...)
			out, err := c.CombinedOutput()
			if err != nil || string(out) != want {
				t.Errorf("%s: %v, got %q, want %q", tc.shell, err, out, want)
			}
		})
	}
	for _, shell := range []string{"powershell", "cmd"} {
		lines, err := (EndpointHandoff{Profile: "dev", URL: "http://127.0.0.1:4567/", Token: "abc123"}).ExportLines(shell)
		if err != nil || !strings.Contains(lines, "AWS_CONTAINER_AUTHORIZATION_TOKEN") || !strings.Contains(lines, "AWS_ACCESS_KEY_ID") {
			t.Errorf("%s lines: %v\n%s", shell, err, lines)
		}
	}
}

func TestEndpointShadows(t *testing.T) {
	w := newWorld(t)
	if got := w.manager(nil, Options{}).EndpointShadows(); len(got) != 0 {
		t.Errorf("no [default]: %v", got)
	}
	w.write("[default]\nregion = eu-west-1\n"+worldConfig, worldCreds)
	if got := w.manager(nil, Options{}).EndpointShadows(); len(got) != 0 {
		t.Errorf("[default] with a region only: %v", got)
	}
	w.write("[default]\nregion = eu-west-1\n"+worldConfig, worldCreds+"\n[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = x\n")
	got := w.manager(nil, Options{}).EndpointShadows()
	if len(got) != 1 || !strings.Contains(got[0], w.files.Credentials+":") || !strings.Contains(got[0], "static") {
		t.Errorf("[default] with keys: %v, want one warning naming %s", got, w.files.Credentials)
	}
}

func TestProviderStartsWithTheSessionAtHand(t *testing.T) {
	w := newWorld(t)
	first, err := w.manager(nil, Options{}).Assume(ctx, "a", WithMFACode("arn:aws:iam::999999999999:mfa/x", "123456"))
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Add(50 * time.Minute) // 10 minutes left: due, still usable
	w.sts.Calls()
	// No prompt and no code: the first answer must not need one.
	p := w.manager(nil, Options{}).Provider("a")
	c, err := p.Retrieve(ctx)
	if err != nil || c.AccessKeyID != first.Creds.AccessKeyID {
		t.Fatalf("first answer: %v, key %v; want the cached session", err, c.AccessKeyID == first.Creds.AccessKeyID)
	}
	if n := len(w.sts.Calls()); n != 0 {
		t.Errorf("%d STS calls for the first answer", n)
	}
	// The next one renews, with the MFA session: still no code.
	c2, err := p.Retrieve(ctx)
	if err != nil || c2.AccessKeyID == first.Creds.AccessKeyID {
		t.Errorf("second answer: %v; want a renewed session", err)
	}
}
