package cli

import (
	"bytes"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ssofake"
	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/internal/testenv"
)

const ssoE2EConfig = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile sso-dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Admin
region = eu-west-1
`

// The AWS CLI uses the token rolecall login wrote, refreshes it when it
// runs low, and rolecall then uses the file the AWS CLI rewrote.
func TestSSOTokenSharedWithTheAWSCLI(t *testing.T) {
	awsBin := testenv.RequireTool(t, "aws")
	curl := testenv.RequireTool(t, "curl")
	bin := rolecallBinary(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "home")
	sts := stsfake.Start(t)
	sso := ssofake.Start(t)
	sso.Accounts = []ssofake.Account{{ID: "111111111111", Name: "dev", Roles: []string{"Admin"}}}
	sso.Issue = func(account, role string, ttl time.Duration) ssofake.Creds {
		id := "ASIASSOE2E" + strings.ToUpper(randomID())
		sts.AddUser(id, account, "sso-"+role)
		return ssofake.Creds{AccessKeyID: id, SecretAccessKey: "e2e-secret", SessionToken: "e2e-token", Expires: time.Now().Add(ttl).Truncate(time.Second)}
	}
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte(ssoE2EConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	// The "browser" follows the page's redirect back to rolecall, as a
	// user who clicks allow.
	browserScript := filepath.Join(dir, "browser.sh")
	if err := os.WriteFile(browserScript, []byte("#!/bin/sh\nexec "+curl+" -fsSL -o /dev/null \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"), "ROLECALL_CACHE_DIR=" + filepath.Join(dir, "cache"),
		"AWS_ENDPOINT_URL_SSO=" + sso.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + sso.URL, "AWS_ENDPOINT_URL_STS=" + sts.URL,
		"BROWSER=" + browserScript, "AWS_EC2_METADATA_DISABLED=true"}
	run := func(name string, args ...string) (int, string, string) {
		t.Helper()
		c := exec.Command(name, args...)
		c.Env, c.Dir = env, dir
		var out, errOut bytes.Buffer
		c.Stdout, c.Stderr = &out, &errOut
		err := c.Run()
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			t.Fatalf("run %s: %v", name, err)
		}
		return c.ProcessState.ExitCode(), out.String(), errOut.String()
	}
	caller := func() string {
		t.Helper()
		code, out, errOut := run(awsBin, "sts", "get-caller-identity", "--profile", "sso-dev", "--output", "json")
		if code != 0 {
			t.Fatalf("aws sts get-caller-identity --profile sso-dev: exit %d: %s", code, firstLine(errOut))
		}
		var id struct{ Account, Arn string }
		if err := json.Unmarshal([]byte(out), &id); err != nil {
			t.Fatal(err)
		}
		return id.Arn
	}

	if code, _, errOut := run(bin, "login", "sso-dev"); code != 0 || !strings.Contains(errOut, "logged in, until") {
		t.Fatalf("rolecall login: exit %d: %s", code, errOut)
	}
	if arn := caller(); arn != "arn:aws:iam::111111111111:user/sso-Admin" {
		t.Errorf("the AWS CLI is %s, want the SSO role of sso-dev", arn)
	}

	// The token runs low: the service no longer takes it, and the file
	// says it has minutes left, so the AWS CLI refreshes it.
	sum := sha1.Sum([]byte("corp"))
	tokenFile := filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	var tok map[string]any
	b, _ := os.ReadFile(tokenFile)
	if err := json.Unmarshal(b, &tok); err != nil {
		t.Fatal(err)
	}
	tok["expiresAt"] = time.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05Z")
	b, _ = json.Marshal(tok)
	if err := os.WriteFile(tokenFile, b, 0o600); err != nil {
		t.Fatal(err)
	}
	sso.ExpireTokens()
	sso.Calls()
	caller()
	if ops := ssofake.Ops(sso.Calls()); len(ops) == 0 || ops[0] != "CreateToken" {
		t.Fatalf("the AWS CLI did not refresh the token rolecall wrote: %v", ops)
	}
	var refreshed map[string]any
	b, _ = os.ReadFile(tokenFile)
	if err := json.Unmarshal(b, &refreshed); err != nil || refreshed["accessToken"] == tok["accessToken"] {
		t.Fatalf("the AWS CLI did not rewrite the token file: %v", err)
	}
	// rolecall uses the file as the AWS CLI left it: the old token is
	// dead at the service.
	if code, _, errOut := run(bin, "forget", "sso-dev"); code != 0 {
		t.Fatalf("forget: %s", errOut)
	}
	code, out, errOut := run(bin, "whoami", "sso-dev", "--json")
	if code != 0 || !strings.Contains(out, "user/sso-Admin") {
		t.Errorf("rolecall after the AWS CLI's refresh: exit %d %s %s", code, out, errOut)
	}
}

func randomID() string {
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// The closing path, with the binary: from a config that holds only an
// SSO start URL to a generated profile list, a login, an assumed role and
// a console URL. Run with -v to read the transcript.
func TestFromAStartURLToTheConsole(t *testing.T) {
	curl := testenv.RequireTool(t, "curl")
	bin := rolecallBinary(t)
	dir := t.TempDir()
	sts := stsfake.Start(t)
	sso := ssofake.Start(t)
	sso.Accounts = []ssofake.Account{
		{ID: "111111111111", Name: "dev", Roles: []string{"Admin", "ReadOnly"}},
		{ID: "222222222222", Name: "prod", Roles: []string{"ReadOnly"}},
		{ID: "333333333333", Name: "security", Roles: []string{"Auditor"}},
	}
	sso.Issue = func(account, role string, ttl time.Duration) ssofake.Creds {
		id := "ASIASSOPATH" + strings.ToUpper(randomID())[:9]
		sts.AddUser(id, account, "sso-"+role)
		return ssofake.Creds{AccessKeyID: id, SecretAccessKey: "path-secret", SessionToken: "path-token", Expires: time.Now().Add(ttl).Truncate(time.Second)}
	}
	config := filepath.Join(dir, "config")
	if err := os.WriteFile(config, []byte("[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	browserScript := filepath.Join(dir, "browser.sh")
	if err := os.WriteFile(browserScript, []byte("#!/bin/sh\nexec "+curl+" -fsSL -o /dev/null \"$1\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"HOME=" + filepath.Join(dir, "home"), "PATH=" + os.Getenv("PATH"), "AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "credentials"), "ROLECALL_CACHE_DIR=" + filepath.Join(dir, "cache"),
		"AWS_ENDPOINT_URL_SSO=" + sso.URL, "AWS_ENDPOINT_URL_SSO_OIDC=" + sso.URL, "AWS_ENDPOINT_URL_STS=" + sts.URL,
		"ROLECALL_FEDERATION_ENDPOINT=" + sso.URL, "BROWSER=" + browserScript, "USER=demo"}
	step := func(args ...string) string {
		t.Helper()
		c := exec.Command(bin, args...)
		c.Env, c.Dir = env, dir
		var out, errOut bytes.Buffer
		c.Stdout, c.Stderr = &out, &errOut
		err := c.Run()
		t.Logf("$ rolecall %s\n%s%s", strings.Join(args, " "), errOut.String(), out.String())
		if err != nil {
			t.Fatalf("rolecall %s: %v", strings.Join(args, " "), err)
		}
		return out.String()
	}
	step("login", "--sso-session", "corp")
	step("sso", "profiles", "--sso-session", "corp", "--write", "--region", "eu-west-1")
	if list := step("list"); !strings.Contains(list, "prod-ReadOnly") || !strings.Contains(list, "security-Auditor") {
		t.Fatalf("the generated profiles are not listed")
	}
	if out := step("assume", "prod-ReadOnly"); !strings.Contains(out, "222222222222") {
		t.Errorf("assume did not reach the prod account")
	}
	if out := step("whoami", "prod-ReadOnly"); !strings.Contains(out, "arn:aws:iam::222222222222:user/sso-ReadOnly") {
		t.Errorf("whoami is not the SSO role")
	}
	u := strings.TrimSpace(step("console", "prod-ReadOnly", "--print", "--destination", "ec2"))
	p, err := url.Parse(u)
	if err != nil || p.Query().Get("Destination") != "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1" {
		t.Fatalf("console URL %q", u)
	}
	if err := ssofake.Visit(u); err != nil {
		t.Errorf("the federation endpoint refused the login URL: %v", err)
	}
	if s := sso.Signins(); len(s) != 1 || !strings.HasPrefix(s[0].AccessKeyID, "ASIASSOPATH") {
		t.Errorf("the console did not sign in with the SSO role session")
	}
}
