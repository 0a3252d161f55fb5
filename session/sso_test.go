package session

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssooidc"
	"github.com/rolecall/rolecall/internal/ssofake"
	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/internal/testenv"
	"github.com/rolecall/rolecall/profiles"
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

// The token file is the AWS CLI's: its name, its fields and their
// formats, 0600; the client registration sits where the AWS CLI looks.
func TestSSOTokenFileFormat(t *testing.T) {
	w := newSSOWorld(t)
	m := w.mgr()
	w.login(m, SSOTarget{Profile: "sso-dev"}, LoginOptions{})
	path := w.tokenPath("corp")
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("token file mode %v, want 0600", st.Mode().Perm())
	}
	tok := w.readJSON(path)
	for _, k := range []string{"accessToken", "refreshToken", "clientId", "clientSecret"} {
		if s, _ := tok[k].(string); s == "" {
			t.Errorf("token file has no %s", k)
		}
	}
	if tok["startUrl"] != "https://corp.awsapps.com/start" || tok["region"] != "eu-west-1" {
		t.Errorf("startUrl %v region %v", tok["startUrl"], tok["region"])
	}
	for _, k := range []string{"expiresAt", "registrationExpiresAt"} {
		s, _ := tok[k].(string)
		if _, err := time.Parse("2006-01-02T15:04:05Z", s); err != nil {
			t.Errorf("%s = %q, not the AWS CLI's format", k, s)
		}
	}
	exp, _ := time.Parse(time.RFC3339, tok["expiresAt"].(string))
	within(t, exp, w.clock.Now().Add(8*time.Hour), 2*time.Second)

	// The registration: json.dumps({...}, sort_keys=True) of the AWS CLI's
	// key, computed here by Python itself when it is installed.
	key := `{"region": "eu-west-1", "scopes": null, "session_name": "corp", "startUrl": "https://corp.awsapps.com/start", "tool": "botocore"}`
	if py, err := exec.LookPath("python3"); err == nil {
		out, err := exec.Command(py, "-c", `import json; print(json.dumps({"tool": "botocore", "startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "scopes": None, "session_name": "corp"}, sort_keys=True))`).Output()
		if err != nil {
			t.Fatal(err)
		}
		key = strings.TrimSpace(string(out))
	}
	sum := sha1.Sum([]byte(key))
	reg := w.readJSON(filepath.Join(w.home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json"))
	if reg["clientId"] != tok["clientId"] || reg["clientSecret"] != tok["clientSecret"] {
		t.Error("the registration file does not hold the token's client")
	}
	if gt, _ := reg["grantTypes"].([]any); len(gt) != 2 || gt[0] != "authorization_code" {
		t.Errorf("registration grantTypes %v", reg["grantTypes"])
	}
	// A second login reuses the registration, as the AWS CLI does.
	w.sso.Calls()
	w.login(m, SSOTarget{Profile: "sso-dev"}, LoginOptions{Force: true})
	if ops := ssofake.Ops(w.sso.Calls()); ops[0] == "RegisterClient" {
		t.Errorf("registered again: %v", ops)
	}
}

func TestPythonJSONKey(t *testing.T) {
	py := testenv.RequireTool(t, "python3")
	in := []string{"plain", `quo"te\back`, "tab\tnew\nline", "é ünï 日本", "emoji 😀", "\x01\x7f"}
	args := append([]string{"-c", "import json,sys\nfor a in sys.argv[1:]: print(json.dumps(a))"}, in...)
	out, err := exec.Command(py, args...).Output()
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(in) {
		t.Fatalf("python printed %d lines for %d strings", len(lines), len(in))
	}
	for i, s := range in {
		if got := pyString(s); got != lines[i] {
			t.Errorf("pyString(%q) = %s, Python writes %s", s, got, lines[i])
		}
	}
}

// rolecall reads a token the AWS CLI wrote, refreshes it when it is about
// to expire (keeping the fields it does not know), and asks for a login
// only when it cannot.
func TestSSOTokenFromTheAWSCLI(t *testing.T) {
	ctx := context.Background()
	write := func(w *ssoWorld, fields map[string]any) {
		b, _ := json.Marshal(fields)
		if err := os.MkdirAll(filepath.Dir(w.tokenPath("corp")), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(w.tokenPath("corp"), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("valid", func(t *testing.T) {
		w := newSSOWorld(t)
		w.sso.AddToken("cli-access-token", w.clock.Now().Add(2*time.Hour))
		write(w, map[string]any{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "cli-access-token",
			"expiresAt": w.clock.Now().Add(2 * time.Hour).UTC().Format("2006-01-02T15:04:05Z")})
		m := w.mgr()
		if m.NeedsLogin("sso-dev") {
			t.Error("a valid AWS CLI token needs a login")
		}
		if _, err := m.Assume(ctx, "sso-dev"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("expiring, refreshed", func(t *testing.T) {
		w := newSSOWorld(t)
		m := w.mgr()
		w.login(m, SSOTarget{Profile: "sso-dev"}, LoginOptions{})
		tok := w.readJSON(w.tokenPath("corp"))
		tok["expiresAt"] = w.clock.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
		tok["someFutureField"] = "kept"
		write(w, tok)
		w.sso.Calls()
		if _, err := m.Assume(ctx, "sso-dev"); err != nil {
			t.Fatal(err)
		}
		calls := w.sso.Calls()
		if len(calls) != 2 || calls[0].Op != "CreateToken" || calls[0].Fields["grantType"] != "refresh_token" {
			t.Errorf("calls %v, want a refresh then GetRoleCredentials", ssofake.Ops(calls))
		}
		after := w.readJSON(w.tokenPath("corp"))
		if after["accessToken"] == tok["accessToken"] || after["refreshToken"] == tok["refreshToken"] || after["someFutureField"] != "kept" ||
			after["clientId"] != tok["clientId"] || after["startUrl"] != tok["startUrl"] {
			t.Error("the refreshed token file lost or kept the wrong fields")
		}
	})
	t.Run("expired, not refreshable", func(t *testing.T) {
		w := newSSOWorld(t)
		write(w, map[string]any{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1", "accessToken": "old",
			"expiresAt": w.clock.Now().Add(-time.Hour).UTC().Format(time.RFC3339)})
		m := w.mgr()
		if !m.NeedsLogin("sso-dev") {
			t.Error("an expired token without a refresh token needs no login")
		}
		_, err := m.Assume(ctx, "sso-dev")
		if !needsLogin(err) || !strings.Contains(err.Error(), "expired 1h ago") {
			t.Errorf("got %v", err)
		}
		if len(w.sso.Calls()) != 0 {
			t.Error("called the portal with an expired token")
		}
	})
	t.Run("revoked token", func(t *testing.T) {
		w := newSSOWorld(t)
		m := w.mgr()
		w.login(m, SSOTarget{Profile: "sso-dev"}, LoginOptions{})
		w.sso.ExpireTokens()
		if _, err := m.Assume(ctx, "sso-dev"); !needsLogin(err) {
			t.Errorf("got %v, want a login-needed error", err)
		}
	})
	t.Run("damaged file", func(t *testing.T) {
		w := newSSOWorld(t)
		write(w, map[string]any{"accessToken": 42})
		_, err := w.mgr().Assume(ctx, "sso-dev")
		if !needsLogin(err) || !strings.Contains(err.Error(), w.tokenPath("corp")) {
			t.Errorf("got %v, want a login-needed error naming the file", err)
		}
	})
}

func TestSSOAssignmentsPaginated(t *testing.T) {
	w := newSSOWorld(t)
	m := w.mgr()
	_, _, err := m.SSOAssignments(context.Background(), "corp")
	if !needsLogin(err) {
		t.Fatalf("before login: %v", err)
	}
	w.login(m, SSOTarget{SSOSession: "corp"}, LoginOptions{})
	w.sso.Accounts = append(w.sso.Accounts, ssofake.Account{ID: "not-an-id", Name: "odd", Roles: []string{"X"}})
	w.sso.Calls()
	got, warns, err := m.SSOAssignments(context.Background(), "corp")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range got {
		names = append(names, a.AccountName+"/"+a.RoleName)
	}
	if want := "audit/Auditor,audit/ReadOnly,dev/Admin,dev/Dev,dev/ReadOnly,prod/ReadOnly"; strings.Join(names, ",") != want {
		t.Errorf("assignments %v, want %s", names, want)
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "not-an-id") {
		t.Errorf("warnings %v", warns)
	}
	n := map[string]int{}
	for _, c := range w.sso.Calls() {
		n[c.Op]++
	}
	// 4 accounts at 2 a page; 3, 1 and 2 roles at 2 a page.
	if n["ListAccounts"] != 2 || n["ListAccountRoles"] != 4 {
		t.Errorf("calls %v, want every page read", n)
	}
}

// BenchmarkSSOAssignments lists an organisation of 500 accounts with 4
// roles each from the portal fake on loopback, 100 accounts and 20 roles
// a page (the portal's own page sizes), with the worker limit in place.
func BenchmarkSSOAssignments(b *testing.B) {
	dir := b.TempDir()
	fake := ssofake.Start(b)
	fake.PageSize = 100
	for i := range 500 {
		fake.Accounts = append(fake.Accounts, ssofake.Account{ID: fmt.Sprintf("%012d", 100000000000+i), Name: fmt.Sprintf("acct-%03d", i),
			Roles: []string{"Admin", "Developer", "ReadOnly", "Billing"}})
	}
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte(ssoConfigText), 0o600); err != nil {
		b.Fatal(err)
	}
	set, err := profiles.Load(profiles.Files{Config: cfg})
	if err != nil {
		b.Fatal(err)
	}
	e := env{"HOME": dir, "AWS_ENDPOINT_URL_SSO": fake.URL, "AWS_ENDPOINT_URL_SSO_OIDC": fake.URL}
	m := New(set, Options{Getenv: e.get, CacheDir: filepath.Join(dir, "cache")})
	ctx := context.Background()
	l, err := m.BeginLogin(ctx, SSOTarget{SSOSession: "corp"}, LoginOptions{DeviceCode: true})
	if err != nil {
		b.Fatal(err)
	}
	if err := ssofake.Visit(l.URL); err != nil {
		b.Fatal(err)
	}
	if _, err := l.Wait(ctx); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		as, _, err := m.SSOAssignments(ctx, "corp")
		if err != nil || len(as) != 2000 {
			b.Fatalf("%d assignments, %v", len(as), err)
		}
	}
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

// TestSSOPortalUnreachableNamesItsEndpoint: when the portal set by
// AWS_ENDPOINT_URL_SSO cannot be reached, the message names that
// endpoint, not the region's default one.
func TestSSOPortalUnreachableNamesItsEndpoint(t *testing.T) {
	w := newSSOWorld(t)
	w.login(w.mgr(), SSOTarget{Profile: "sso-dev"}, LoginOptions{})
	refusing := stsfake.Refusing(t)
	m := w.manager(env{"HOME": w.home, "AWS_ENDPOINT_URL_SSO": refusing, "AWS_ENDPOINT_URL_SSO_OIDC": w.sso.URL}, Options{})
	_, err := m.Assume(context.Background(), "sso-dev")
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUnreachable || !strings.Contains(e.Msg, "the SSO portal at "+refusing+" is not reachable") {
		t.Errorf("assume through a portal that refuses: %v, want it named as not reachable", err)
	}
}

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
