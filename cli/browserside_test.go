package cli

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ssofake"
	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/profiles"
)

const ssoCmdConfig = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
`

// ssoCmdWorld is cmdWorld with IAM Identity Center and a federation
// endpoint, and a home directory for the SSO token cache.
type ssoCmdWorld struct {
	*cmdWorld
	sso  *ssofake.Fake
	home string
}

func newSSOCmdWorld(t *testing.T) *ssoCmdWorld {
	t.Helper()
	w := &ssoCmdWorld{cmdWorld: newCmdWorld(t), sso: ssofake.Start(t)}
	w.home = filepath.Join(filepath.Dir(w.files.Config), "home")
	w.sso.Accounts = []ssofake.Account{
		{ID: "111111111111", Name: "dev", Roles: []string{"Admin", "ReadOnly"}},
		{ID: "222222222222", Name: "prod", Roles: []string{"ReadOnly"}},
		{ID: "333333333333", Name: "sandbox", Roles: []string{"Admin"}},
	}
	// The portal's keys are STS's own in AWS: the STS fake knows them.
	w.sso.Issue = func(account, role string, ttl time.Duration) ssofake.Creds {
		id := "ASIASSO" + account[:4] + strings.ToUpper(role)
		id = (id + "00000000000000000000")[:20]
		w.sts.AddUser(id, account, "sso-"+role)
		return ssofake.Creds{AccessKeyID: id, SecretAccessKey: "sso-secret-" + role, SessionToken: "sso-token-" + role, Expires: time.Now().Add(ttl).Truncate(time.Second)}
	}
	cfg, _ := os.ReadFile(w.files.Config)
	os.WriteFile(w.files.Config, append(cfg, "\n"+ssoCmdConfig...), 0o600)
	for k, v := range map[string]string{"HOME": w.home, "AWS_ENDPOINT_URL_SSO": w.sso.URL, "AWS_ENDPOINT_URL_SSO_OIDC": w.sso.URL,
		"ROLECALL_FEDERATION_ENDPOINT": w.sso.URL} {
		w.env[k] = v
	}
	return w
}

// visit is the tests' browser: it opens the page like a user who clicks
// allow.
func visit(_ context.Context, u string) (string, error) { return "testbrowser", ssofake.Visit(u) }

func TestConsoleCommand(t *testing.T) {
	w := newSSOCmdWorld(t)
	ctx := context.Background()

	// --print: the URL on stdout, nothing of it on stderr.
	err := runConsole(ctx, &ConsoleOptions{sessionDeps: w.deps(w.global), Profile: "dev", Print: true, Destination: "s3"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(strings.TrimSpace(w.out.String()))
	if err != nil || u.Query().Get("Action") != "login" || u.Query().Get("SigninToken") == "" ||
		u.Query().Get("Destination") != "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1" {
		t.Fatalf("printed %q", w.out.String())
	}
	token := u.Query().Get("SigninToken")
	if strings.Contains(w.errOut.String(), token) {
		t.Error("the sign-in token reached stderr")
	}

	// Opened in a container: the browser gets the ext+container URL.
	var opened string
	open := func(_ context.Context, u string) (string, error) { opened = u; return "firefox", nil }
	err = runConsole(ctx, &ConsoleOptions{sessionDeps: w.deps(w.global), Profile: "dev", Container: "prod admin", Open: open})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(opened, "ext+container:name=prod+admin&url="+url.QueryEscape(w.sso.URL+"/federation?Action=login&")) || w.out.Len() != 0 {
		t.Errorf("opened %q, stdout %q", opened, w.out.String())
	}
	if !strings.Contains(w.errOut.String(), "in firefox") {
		t.Errorf("stderr %q does not say which browser", w.errOut.String())
	}

	// No browser: the URL goes to stdout with a note on stderr.
	fail := func(context.Context, string) (string, error) {
		return "", errors.New("no browser opened: tried xdg-open (not installed)")
	}
	if err := runConsole(ctx, &ConsoleOptions{sessionDeps: w.deps(w.global), Profile: "base", Open: fail}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.errOut.String(), "open this URL yourself") || !strings.Contains(w.out.String(), "SigninToken=") {
		t.Errorf("stdout %q stderr %q", w.out.String(), w.errOut.String())
	}
	if strings.Contains(w.errOut.String(), "SigninToken") {
		t.Error("the sign-in URL reached stderr")
	}
	// base is long-term keys: a federation session was made for it.
	if calls := w.sts.Calls(); calls[len(calls)-1].Action != "GetFederationToken" {
		t.Errorf("STS calls %v", stsfake.Actions(calls))
	}
}

func TestConsoleErrorsKeepTheTokenOffStderr(t *testing.T) {
	w := newSSOCmdWorld(t)
	w.sso.RefuseSignin = func(string) bool { return true }
	code, out, errOut := runIn(w.env, "", false, "console", "dev", "--print")
	if code != exitFailed || out != "" {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	s := w.sso.Signins()
	if len(s) != 1 || strings.Contains(errOut, s[0].SecretAccessKey) || strings.Contains(errOut, s[0].SessionToken) || !strings.Contains(errOut, "refused the session") {
		t.Errorf("stderr %q", errOut)
	}
	if code, _, _ := runIn(w.env, "", false, "console", "dev", "--destination", "ftp://x"); code != exitUsage {
		t.Errorf("a bad --destination exits %d, want 2", code)
	}
}

// From only an SSO start URL to a generated profile list, a login, an
// assumed role and a console URL, all through rolecall's commands.
func TestSSOStartURLToConsole(t *testing.T) {
	w := newSSOCmdWorld(t)
	ctx := context.Background()

	// Before a login, listing says what to run.
	code, _, errOut := runIn(w.env, "", false, "sso", "profiles", "--sso-session", "corp")
	if code != exitFailed || !strings.Contains(errOut, "rolecall login --sso-session corp") {
		t.Fatalf("sso profiles before login: exit %d, %q", code, errOut)
	}
	err := runLogin(ctx, &LoginOptions{sessionDeps: w.deps(w.global), SSOSession: "corp", Open: visit})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.errOut.String(), w.sso.URL+"/authorize?") || !strings.Contains(w.errOut.String(), "logged in, until") {
		t.Errorf("login said %q", w.errOut.String())
	}
	err = runSSOProfiles(ctx, &SSOProfilesOptions{sessionDeps: w.deps(w.global), SSOSession: "corp", Write: true, Prefix: "corp-",
		Template: profiles.DefaultSSOTemplate, Region: "eu-west-1", JSON: true})
	if err != nil {
		t.Fatal(err)
	}
	var listed []ssoProfileJSON
	if err := json.Unmarshal(w.out.Bytes(), &listed); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range listed {
		names = append(names, p.Profile+":"+p.Status)
	}
	if want := "corp-dev-Admin:new,corp-dev-ReadOnly:new,corp-prod-ReadOnly:new,corp-sandbox-Admin:new"; strings.Join(names, ",") != want {
		t.Errorf("listed %v, want %s", names, want)
	}
	// The generated profile assumes and opens the console.
	code, out, errOut := runIn(w.env, "", false, "assume", "corp-prod-ReadOnly", "--json")
	if code != exitOK || !strings.Contains(out, `"account": "222222222222"`) {
		t.Fatalf("assume: exit %d %s %s", code, out, errOut)
	}
	code, out, _ = runIn(w.env, "", false, "console", "corp-prod-ReadOnly", "--print")
	if code != exitOK || !strings.HasPrefix(out, w.sso.URL+"/federation?Action=login&") {
		t.Errorf("console: exit %d %q", code, out)
	}
	// A second login keeps the good token; a second write changes nothing.
	if err := runLogin(ctx, &LoginOptions{sessionDeps: w.deps(w.global), SSOSession: "corp", Open: visit}); err != nil || !strings.Contains(w.errOut.String(), "still good") {
		t.Errorf("second login: %v %q", err, w.errOut.String())
	}
	before, _ := os.ReadFile(w.files.Config)
	code, _, errOut = runIn(w.env, "", false, "sso", "profiles", "--sso-session", "corp", "--write", "--prefix", "corp-", "--region", "eu-west-1")
	after, _ := os.ReadFile(w.files.Config)
	if code != exitOK || string(before) != string(after) || !strings.Contains(errOut, "nothing written") {
		t.Errorf("second write: exit %d %q", code, errOut)
	}
}

func TestLoginAndSSOUsage(t *testing.T) {
	w := newSSOCmdWorld(t)
	for _, args := range [][]string{
		{"login"},
		{"login", "dev", "--sso-session", "corp"},
		{"login", "dev"}, // not an SSO profile
		{"login", "--sso-session", "nope"},
		{"sso", "profiles"},
		{"sso", "profiles", "--sso-session", "corp", "extra"},
	} {
		if code, _, errOut := runIn(w.env, "", false, args...); code != exitUsage {
			t.Errorf("%v: exit %d (%s), want 2", args, code, errOut)
		}
	}
}
