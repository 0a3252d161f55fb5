package session

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/rolecall/rolecall/internal/ssofake"
)

const ssoConfigText = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile sso-dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Dev
region = eu-west-1

[profile sso-deploy]
role_arn = arn:aws:iam::222222222222:role/deploy
source_profile = sso-dev

[profile sso-legacy]
sso_start_url = https://legacy.awsapps.com/start
sso_region = us-east-1
sso_account_id = 111111111111
sso_role_name = Dev

[profile plain]
aws_access_key_id = AKIAPLAIN00000000001
aws_secret_access_key = plain-secret-not-real
`

// ssoWorld is a home directory, the SSO fakes and STS.
type ssoWorld struct {
	*world
	sso  *ssofake.Fake
	home string
}

func newSSOWorld(t *testing.T) *ssoWorld {
	t.Helper()
	w := &ssoWorld{world: newWorld(t), sso: ssofake.Start(t)}
	w.sts.Lenient = true // the portal's keys are STS's in AWS
	w.sso.Now = w.clock.Now
	w.sso.Accounts = []ssofake.Account{
		{ID: "111111111111", Name: "dev", Email: "dev@example.com", Roles: []string{"Dev", "ReadOnly", "Admin"}},
		{ID: "222222222222", Name: "prod", Email: "prod@example.com", Roles: []string{"ReadOnly"}},
		{ID: "333333333333", Name: "audit", Email: "audit@example.com", Roles: []string{"Auditor", "ReadOnly"}},
	}
	w.home = filepath.Join(w.dir, "home")
	w.write(ssoConfigText, "")
	return w
}

func (w *ssoWorld) mgr() *Manager {
	m := w.manager(env{"HOME": w.home, "AWS_ENDPOINT_URL_SSO": w.sso.URL, "AWS_ENDPOINT_URL_SSO_OIDC": w.sso.URL,
		"ROLECALL_FEDERATION_ENDPOINT": w.sso.URL}, Options{})
	m.pollUnit = 10 * time.Millisecond
	return m
}

func (w *ssoWorld) tokenPath(key string) string {
	sum := sha1.Sum([]byte(key))
	return filepath.Join(w.home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
}

func (w *ssoWorld) readJSON(path string) map[string]any {
	w.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		w.t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		w.t.Fatal(err)
	}
	return m
}

// login runs a whole login with the test's browser.
func (w *ssoWorld) login(m *Manager, who SSOTarget, lo LoginOptions) *Login {
	w.t.Helper()
	l, err := m.BeginLogin(context.Background(), who, lo)
	if err != nil {
		w.t.Fatal(err)
	}
	if l.NeedsUser() {
		if err := ssofake.Visit(l.URL); err != nil {
			w.t.Fatal(err)
		}
		if _, err := l.Wait(context.Background()); err != nil {
			w.t.Fatal(err)
		}
	}
	return l
}

func needsLogin(err error) bool {
	var se *Error
	return errors.As(err, &se) && se.Kind == KindNeedLogin && errors.Is(err, ErrSSOLogin)
}

func TestSSOLoginFlows(t *testing.T) {
	ctx := context.Background()
	t.Run("authorization code with PKCE, then assume", func(t *testing.T) {
		w := newSSOWorld(t)
		m := w.mgr()
		if !m.NeedsLogin("sso-dev") || !m.NeedsLogin("sso-deploy") || m.NeedsLogin("plain") {
			t.Error("NeedsLogin: want true for the SSO profile and the role behind it, false for static keys")
		}
		if need := m.NeedLogins([]string{"sso-dev", "sso-deploy", "plain"}); !need["sso-dev"] || !need["sso-deploy"] || need["plain"] || len(need) != 3 {
			t.Errorf("NeedLogins = %v: want what NeedsLogin says of each", need)
		}
		_, err := m.Assume(ctx, "sso-dev")
		if !needsLogin(err) || !strings.Contains(err.Error(), "rolecall login sso-dev") {
			t.Fatalf("assume before login: %v, want a login-needed error saying what to run", err)
		}
		if calls := w.sso.Calls(); len(calls) != 0 {
			t.Errorf("calls before the login: %v", ssofake.Ops(calls))
		}
		l := w.login(m, SSOTarget{Profile: "sso-dev"}, LoginOptions{})
		if l.Flow != FlowAuthCode || l.UserCode != "" || !strings.HasPrefix(l.URL, w.sso.URL+"/authorize?") {
			t.Errorf("flow %s, code %q, URL %s", l.Flow, l.UserCode, l.URL)
		}
		calls := w.sso.Calls()
		if got := strings.Join(ssofake.Ops(calls), ","); got != "RegisterClient,Authorize,CreateToken" {
			t.Errorf("calls %s", got)
		}
		if f := calls[0].Fields; f["grantTypes"] != "authorization_code,refresh_token" || f["redirectUris"] != "http://127.0.0.1/oauth/callback" ||
			f["issuerUrl"] != "https://corp.awsapps.com/start" || f["scopes"] != "sso:account:access" {
			t.Errorf("RegisterClient %v", f)
		}
		if f := calls[2].Fields; f["grantType"] != "authorization_code" || !strings.HasPrefix(f["redirectUri"], "http://127.0.0.1:") {
			t.Errorf("CreateToken %v", f)
		}
		if m.NeedsLogin("sso-dev") {
			t.Error("still needs a login after one")
		}
		if need := m.NeedLogins([]string{"sso-dev", "sso-deploy"}); need["sso-dev"] || need["sso-deploy"] {
			t.Errorf("NeedLogins after a login = %v: want no login for the profiles of that session", need)
		}
		s, err := m.Assume(ctx, "sso-dev")
		if err != nil {
			t.Fatal(err)
		}
		if s.AccountID != "111111111111" || s.Source != "SSO" {
			t.Errorf("session account %s source %s", s.AccountID, s.Source)
		}
		if calls := w.sso.Calls(); len(calls) != 1 || calls[0].Op != "GetRoleCredentials" || calls[0].Fields["roleName"] != "Dev" {
			t.Errorf("assume called %v", ssofake.Ops(calls))
		}
		// A role behind the SSO profile uses the same login.
		if _, err := m.Assume(ctx, "sso-deploy"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("device code for a legacy profile, with slow_down", func(t *testing.T) {
		w := newSSOWorld(t)
		w.sso.SlowDown = true
		m := w.mgr()
		l, err := m.BeginLogin(ctx, SSOTarget{Profile: "sso-legacy"}, LoginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if l.Flow != FlowDevice || l.UserCode == "" || !strings.Contains(l.URL, "user_code=") {
			t.Fatalf("flow %s code %q URL %s", l.Flow, l.UserCode, l.URL)
		}
		go func() { time.Sleep(30 * time.Millisecond); _ = ssofake.Visit(l.URL) }()
		if _, err := l.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		ops := ssofake.Ops(w.sso.Calls())
		if ops[0] != "RegisterClient" || ops[1] != "StartDeviceAuthorization" || ops[len(ops)-1] != "CreateToken" {
			t.Errorf("calls %v", ops)
		}
		if _, err := os.Stat(w.tokenPath("https://legacy.awsapps.com/start")); err != nil {
			t.Errorf("a legacy profile's token is not under the sha1 of its start URL: %v", err)
		}
		if _, err := m.Assume(ctx, "sso-legacy"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("denied and cancelled", func(t *testing.T) {
		w := newSSOWorld(t)
		w.sso.Deny = true
		m := w.mgr()
		l, err := m.BeginLogin(ctx, SSOTarget{Profile: "sso-dev"}, LoginOptions{DeviceCode: true})
		if err != nil {
			t.Fatal(err)
		}
		_ = ssofake.Visit(l.URL)
		if _, err := l.Wait(ctx); err == nil || !strings.Contains(err.Error(), "denied") {
			t.Errorf("denied login: %v", err)
		}
		l, err = m.BeginLogin(ctx, SSOTarget{Profile: "sso-dev"}, LoginOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := l.Wait(cctx); err == nil || !strings.Contains(err.Error(), "cancelled") {
			t.Errorf("cancelled login: %v", err)
		}
		if _, err := os.Stat(w.tokenPath("corp")); !os.IsNotExist(err) {
			t.Error("a failed login left a token file")
		}
	})
	t.Run("sso-session by name, then console", func(t *testing.T) {
		w := newSSOWorld(t)
		m := w.mgr()
		w.login(m, SSOTarget{SSOSession: "corp"}, LoginOptions{})
		c, err := m.Console(ctx, "sso-dev", ConsoleOptions{Destination: "s3"})
		if err != nil {
			t.Fatal(err)
		}
		if c.Federated || len(w.sts.Calls()) != 0 {
			t.Error("an SSO role session went through STS for the console")
		}
		s := w.sso.Signins()
		if len(s) != 1 || s[0].AccessKeyID != c.Session.Creds.AccessKeyID {
			t.Error("the console did not sign in with the SSO role session")
		}
	})
	t.Run("not an SSO profile", func(t *testing.T) {
		w := newSSOWorld(t)
		_, err := w.mgr().BeginLogin(ctx, SSOTarget{Profile: "plain"}, LoginOptions{})
		if !IsUsage(err) || !strings.Contains(err.Error(), "does not sign in through IAM Identity Center") {
			t.Errorf("got %v", err)
		}
		_, err = w.mgr().BeginLogin(ctx, SSOTarget{SSOSession: "nope"}, LoginOptions{})
		if !IsUsage(err) {
			t.Errorf("unknown sso-session: %v", err)
		}
	})
}

// TestSSOLoginNeededSaysForWhat: the login-needed message starts with
// the profile and what it signs in through (the sso-session, or a legacy
// profile's start URL), so the user knows which login is missing.
func TestSSOLoginNeededSaysForWhat(t *testing.T) {
	w := newSSOWorld(t)
	m := w.mgr()
	for profile, want := range map[string]string{
		"sso-dev":    "profile sso-dev: sso-session corp: no SSO login yet",
		"sso-legacy": "profile sso-legacy: SSO start URL https://legacy.awsapps.com/start: no SSO login yet",
	} {
		_, err := m.Assume(context.Background(), profile)
		if !needsLogin(err) || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("assume %s before any login: %v, want a login-needed error starting %q", profile, err, want)
		}
	}
}

// TestSSOLoginThroughAProfileUsesTheSessionsScopes: logging in through a
// profile registers the client with its sso-session's
// sso_registration_scopes, as logging in to the sso-session does.
func TestSSOLoginThroughAProfileUsesTheSessionsScopes(t *testing.T) {
	w := newSSOWorld(t)
	w.write(strings.Replace(ssoConfigText, "sso_region = eu-west-1\n", "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access, codecatalyst:read_write\n", 1), "")
	w.login(w.mgr(), SSOTarget{Profile: "sso-dev"}, LoginOptions{})
	calls := w.sso.Calls()
	if len(calls) == 0 || calls[0].Op != "RegisterClient" {
		t.Fatalf("calls %v, want RegisterClient first", ssofake.Ops(calls))
	}
	if got := calls[0].Fields["scopes"]; got != "sso:account:access,codecatalyst:read_write" {
		t.Errorf("RegisterClient scopes %q, want the sso-session's sso_registration_scopes", got)
	}
	for _, c := range calls {
		if c.Op == "Authorize" && c.Fields["scopes"] != "sso:account:access codecatalyst:read_write" {
			t.Errorf("Authorize asked for scopes %q, want the sso-session's sso_registration_scopes", c.Fields["scopes"])
		}
	}
}

// TestSSOTokenWithoutLifetimeIsRefused: a CreateToken answer whose token
// expires at once is refused, not stored as a login that is already over.
func TestSSOTokenWithoutLifetimeIsRefused(t *testing.T) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, in := range []int32{0, -1} {
		var tok ssoToken
		err := tok.take(&ssooidc.CreateTokenOutput{AccessToken: aws.String("token-not-real"), ExpiresIn: in}, now)
		if err == nil || tok.AccessToken != "" {
			t.Errorf("CreateToken with expiresIn %d: stored %v, error %v; want it refused", in, tok.AccessToken != "", err)
		}
	}
	var tok ssoToken
	if err := tok.take(&ssooidc.CreateTokenOutput{AccessToken: aws.String("token-not-real"), ExpiresIn: 1}, now); err != nil || !tok.ExpiresAt.Equal(now.Add(time.Second)) {
		t.Errorf("CreateToken with expiresIn 1: expires %v, error %v", tok.ExpiresAt, err)
	}
	// The token must fit in the cache file it is stored in: up to a
	// quarter of its size limit is taken, a byte more is refused.
	limit := maxSSOCacheFile / 4
	for size, ok := range map[int]bool{limit: true, limit + 1: false} {
		var tok ssoToken
		err := tok.take(&ssooidc.CreateTokenOutput{AccessToken: aws.String(strings.Repeat("t", size)), ExpiresIn: 3600}, now)
		if (err == nil) != ok {
			t.Errorf("an access token of %d bytes (limit %d): error %v, want taken %v", size, limit, err, ok)
		}
	}
}

// TestSSOLoginReusesOnlyItsOwnToken: a login registers as rolecall's
// client for the sso-session and reports when the token expires; a later
// login finds that token and needs no browser; a token another start URL
// left under the same name is not taken for it.
func TestSSOLoginReusesOnlyItsOwnToken(t *testing.T) {
	ctx := context.Background()
	w := newSSOWorld(t)
	m := w.mgr()
	l := w.login(m, SSOTarget{Profile: "sso-dev"}, LoginOptions{})
	if calls := w.sso.Calls(); len(calls) == 0 || calls[0].Op != "RegisterClient" || calls[0].Fields["clientName"] != "rolecall-client-corp" {
		t.Errorf("calls %v, want RegisterClient as rolecall-client-corp first", ssofake.Ops(calls))
	}
	within(t, l.Expires, w.clock.Now().Add(8*time.Hour), 2*time.Second)

	again, err := m.BeginLogin(ctx, SSOTarget{Profile: "sso-dev"}, LoginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Flow != FlowCached || again.NeedsUser() || !again.Expires.Equal(l.Expires) {
		t.Errorf("a second login: flow %s, expires %v; want the cached token's %v", again.Flow, again.Expires, l.Expires)
	}

	tok := w.readJSON(w.tokenPath("corp"))
	tok["startUrl"] = "https://other.awsapps.com/start"
	b, _ := json.Marshal(tok)
	if err := os.WriteFile(w.tokenPath("corp"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	other, err := m.BeginLogin(ctx, SSOTarget{Profile: "sso-dev"}, LoginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if other.Flow == FlowCached {
		t.Error("a token of another start URL was taken as this sso-session's login")
	}
}
