package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

func start(t *testing.T) *Sandbox {
	t.Helper()
	s, err := Start(nil)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// awsCLI runs the AWS CLI inside the sandbox, with nothing of the
// caller's own AWS set-up.
func awsCLI(t *testing.T, s *Sandbox, extra []string, args ...string) (string, error) {
	t.Helper()
	bin := testenv.RequireTool(t, "aws")
	cmd := exec.Command(bin, args...)
	cmd.Env = append(s.Environ([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}), extra...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func TestTheAWSCLISeesEveryKindOfChain(t *testing.T) {
	s := start(t)
	ci := []string{"AWS_ACCESS_KEY_ID=" + ciKeyID, "AWS_SECRET_ACCESS_KEY=" + ciSecret}
	for _, tc := range []struct {
		profile string
		env     []string
		arn     string
	}{
		{"alice", nil, "arn:aws:iam::111111111111:user/alice"},
		{"prod-admin", nil, "arn:aws:sts::222222222222:assumed-role/Admin/"},
		{"staging-read", nil, "arn:aws:sts::333333333333:assumed-role/ReadOnly/"},
		{"audit-chained", nil, "arn:aws:sts::444444444444:assumed-role/Audit/"},
		{"ec2-deploy", nil, "arn:aws:sts::666666666666:assumed-role/Deploy/"},
		{"ci-release", ci, "arn:aws:sts::777777777777:assumed-role/Release/"},
	} {
		t.Run(tc.profile, func(t *testing.T) {
			out, err := awsCLI(t, s, tc.env, "sts", "get-caller-identity", "--profile", tc.profile, "--output", "json")
			if err != nil {
				t.Fatalf("aws sts get-caller-identity --profile %s: %v\n%s", tc.profile, err, out)
			}
			var id struct{ Arn string }
			if err := json.Unmarshal([]byte(out), &id); err != nil || !strings.HasPrefix(id.Arn, tc.arn) {
				t.Fatalf("identity %q, want one starting %s (%v)", id.Arn, tc.arn, err)
			}
		})
	}
}

func TestTheEmulatorRefusesLikeSTS(t *testing.T) {
	s := start(t)
	post := func(key string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	assume := func(extra map[string]string) url.Values {
		v := url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleSessionName": {"t"}}
		for k, x := range extra {
			v.Set(k, x)
		}
		return v
	}
	for _, tc := range []struct {
		name, key string
		form      url.Values
		status    int
		want      string
	}{
		{"unknown keys", "AKIANOBODY0000000000", assume(map[string]string{"RoleArn": "arn:aws:iam::222222222222:role/Admin"}), 403, "InvalidClientTokenId"},
		{"missing external id", aliceKeyID, assume(map[string]string{"RoleArn": "arn:aws:iam::333333333333:role/ReadOnly"}), 403, "external id"},
		{"missing MFA code", aliceKeyID, assume(map[string]string{"RoleArn": "arn:aws:iam::999999999999:role/Billing"}), 403, "MultiFactorAuthentication"},
		{"MFA code", aliceKeyID, assume(map[string]string{"RoleArn": "arn:aws:iam::999999999999:role/Billing",
			"SerialNumber": "arn:aws:iam::111111111111:mfa/alice", "TokenCode": "123456"}), 200, "<AssumeRoleResult>"},
		{"MFA session", "", assume(map[string]string{"RoleArn": "arn:aws:iam::999999999999:role/Billing"}), 200, "<AssumeRoleResult>"},
		{"short lifetime", aliceKeyID, assume(map[string]string{"RoleArn": "arn:aws:iam::444444444444:role/Audit"}), 200, "<Expiration>"},
		{"unknown role", aliceKeyID, assume(map[string]string{"RoleArn": "arn:aws:iam::222222222222:role/Nope"}), 403, "AccessDenied"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key
			if key == "" {
				key = mfaSessionKey(t, post)
			}
			status, body := post(key, tc.form)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Errorf("status %d, body lacks %q (status want %d)", status, tc.want, tc.status)
			}
		})
	}
}

// mfaSessionKey gets alice an MFA session and returns its key id.
func mfaSessionKey(t *testing.T, post func(string, url.Values) (int, string)) string {
	t.Helper()
	status, body := post(aliceKeyID, url.Values{"Action": {"GetSessionToken"}, "Version": {"2011-06-15"},
		"SerialNumber": {"arn:aws:iam::111111111111:mfa/alice"}, "TokenCode": {"123456"}})
	m := regexp.MustCompile(`<AccessKeyId>([A-Z0-9]+)</AccessKeyId>`).FindStringSubmatch(body)
	if status != 200 || m == nil {
		t.Fatalf("GetSessionToken with a code: status %d", status)
	}
	return m[1]
}

func TestCloseRemovesEverything(t *testing.T) {
	s, err := Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{s.ConfigFile, s.CredentialsFile, s.CacheDir} {
		if _, err := os.Stat(f); err != nil {
			t.Fatalf("%s was not created: %v", f, err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(s.Dir); !os.IsNotExist(err) {
		t.Errorf("%s is still there after Close", s.Dir)
	}
	if _, err := http.Get(s.URL); err == nil {
		t.Error("the emulator still answers after Close")
	}
}

func TestGetenvKeepsTheRealAWSOut(t *testing.T) {
	s := start(t)
	real := map[string]string{"AWS_PROFILE": "work", "AWS_CONFIG_FILE": "/home/u/.aws/config", "AWS_ACCESS_KEY_ID": "AKIAREAL", "TERM": "xterm"}
	base := func(k string) string { return real[k] }
	app, ui := s.Getenv(base, true), s.Getenv(base, false)
	if app("AWS_PROFILE") != "" || app("AWS_CONFIG_FILE") != s.ConfigFile || app("TERM") != "xterm" {
		t.Error("the app's environment is not the sandbox overlaid on the real one")
	}
	if app("AWS_ACCESS_KEY_ID") != ciKeyID || ui("AWS_ACCESS_KEY_ID") != "" {
		t.Error("the Environment source's keys leak beyond the session manager, or are missing there")
	}
	env := strings.Join(s.Environ([]string{"AWS_PROFILE=work", "AWS_ACCESS_KEY_ID=AKIAREAL", "PATH=/bin"}), "\n")
	if strings.Contains(env, "AWS_PROFILE=") || strings.Contains(env, "AKIAREAL") || !strings.Contains(env, "PATH=/bin") ||
		!strings.Contains(env, "AWS_ENDPOINT_URL_STS="+s.URL) {
		t.Errorf("subshell environment is wrong:\n%s", env)
	}
}

// The demo's SSO profile logs in by itself, assumes through the portal,
// and its console URL is shown rather than opened.
func TestDemoSSOLoginAndConsole(t *testing.T) {
	s := start(t)
	files, err := profiles.Locate(s.ConfigFile, s.CredentialsFile, s.Getenv(os.Getenv, true))
	if err != nil {
		t.Fatal(err)
	}
	set, err := profiles.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	m := session.New(set, session.Options{Getenv: s.Getenv(func(string) string { return "" }, true)})
	if !m.NeedsLogin("sso-data") {
		t.Fatal("the demo's SSO profile does not start logged out")
	}
	ctx := context.Background()
	l, err := m.BeginLogin(ctx, session.SSOTarget{Profile: "sso-data"}, session.LoginOptions{})
	if err != nil {
		t.Fatal(err)
	}
	how, err := s.OpenURL(ctx, l.URL)
	if err != nil || !strings.Contains(how, "pretend") {
		t.Fatalf("the demo browser did not take the login page: %q %v", how, err)
	}
	if _, err := l.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.Path); err != nil || !strings.HasPrefix(l.Path, s.Dir) {
		t.Errorf("the demo's token is at %s, not in the sandbox", l.Path)
	}
	sess, err := m.Assume(ctx, "sso-data")
	if err != nil {
		t.Fatal(err)
	}
	id, err := m.WhoAmI(ctx, sess)
	if err != nil || !strings.Contains(id.ARN, "AWSReservedSSO_DataEngineer") {
		t.Errorf("whoami %+v %v", id, err)
	}
	c, err := m.Console(ctx, "sso-data", session.ConsoleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(c.URL, s.URL+"/federation?") {
		t.Errorf("console URL %s is not the sandbox's", c.URL)
	}
	if _, err := s.OpenURL(ctx, c.URL); !errors.Is(err, ErrNoBrowser) {
		t.Errorf("the demo opened a console URL: %v", err)
	}
}

func TestShortSessionsExpireWithExpiredToken(t *testing.T) {
	var mu sync.Mutex
	now := time.Now().Truncate(time.Second)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	s, err := Start(clock)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.SetSessionLifetime(40 * time.Second)
	post := func(key string, form url.Values) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential="+key+"/20260301/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=0")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := post(aliceKeyID, url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleSessionName": {"t"},
		"RoleArn": {"arn:aws:iam::222222222222:role/Admin"}, "DurationSeconds": {"7200"}})
	key := regexp.MustCompile(`<AccessKeyId>([A-Z0-9]+)</AccessKeyId>`).FindStringSubmatch(body)
	exp := regexp.MustCompile(`<Expiration>([^<]+)</Expiration>`).FindStringSubmatch(body)
	if status != 200 || key == nil || exp == nil {
		t.Fatalf("AssumeRole: status %d", status)
	}
	if want := now.Add(40 * time.Second).UTC().Format(time.RFC3339); exp[1] != want {
		t.Errorf("Expiration %s, want %s: 40 seconds, not the 2 hours asked", exp[1], want)
	}
	whoami := url.Values{"Action": {"GetCallerIdentity"}, "Version": {"2011-06-15"}}
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	advance(39 * time.Second)
	if status, body := post(key[1], whoami); status != 200 || !strings.Contains(body, "assumed-role/Admin/") {
		t.Fatalf("a second before expiry: status %d", status)
	}
	advance(time.Second)
	if status, body := post(key[1], whoami); status != 403 || !strings.Contains(body, "<Code>ExpiredToken</Code>") {
		t.Errorf("at expiry: status %d, want 403 ExpiredToken", status)
	}
	// Long-term keys never expire; lifting the cap gives full sessions.
	if status, _ := post(aliceKeyID, whoami); status != 200 {
		t.Errorf("alice's long-term keys: status %d", status)
	}
	s.SetSessionLifetime(0)
	_, body = post(aliceKeyID, url.Values{"Action": {"AssumeRole"}, "Version": {"2011-06-15"}, "RoleSessionName": {"t"},
		"RoleArn": {"arn:aws:iam::222222222222:role/Admin"}})
	if exp := regexp.MustCompile(`<Expiration>([^<]+)</Expiration>`).FindStringSubmatch(body); exp == nil || exp[1] != now.Add(2*time.Hour).UTC().Format(time.RFC3339) {
		t.Errorf("without the cap the Admin role lasts its two hours: %v", exp)
	}
}
