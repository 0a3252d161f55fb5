package session

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ssofake"
	"github.com/rolecall/rolecall/internal/stsfake"
)

// consoleWorld is the world with a federation endpoint.
func consoleWorld(t *testing.T) (*world, *ssofake.Fake, env) {
	t.Helper()
	w := newWorld(t)
	fed := ssofake.Start(t)
	return w, fed, env{"ROLECALL_FEDERATION_ENDPOINT": fed.URL}
}

// loginQuery checks the sign-in URL's shape and returns its query.
func loginQuery(t *testing.T, fedURL string, c *Console) url.Values {
	t.Helper()
	u, err := url.Parse(c.URL)
	if err != nil {
		t.Fatalf("the sign-in URL does not parse: %v", err)
	}
	if got := u.Scheme + "://" + u.Host + u.Path; got != fedURL+"/federation" {
		t.Errorf("sign-in URL goes to %s, want %s/federation", got, fedURL)
	}
	q := u.Query()
	if q.Get("Action") != "login" || q.Get("Issuer") != "rolecall" || q.Get("SigninToken") == "" {
		t.Errorf("login query: Action=%q Issuer=%q token set=%v, want login, rolecall, a token",
			q.Get("Action"), q.Get("Issuer"), q.Get("SigninToken") != "")
	}
	if strings.Contains(c.String(), q.Get("SigninToken")) {
		t.Error("Console.String shows the sign-in token")
	}
	// The token is one the endpoint issued: the browser's login works.
	resp, err := http.Get(c.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("the federation endpoint refused the login URL: HTTP %d", resp.StatusCode)
	}
	return q
}

func TestConsoleDestinations(t *testing.T) {
	tests := []struct {
		region, dest, want, partition string
	}{
		{"eu-west-1", "", "https://eu-west-1.console.aws.amazon.com/console/home?region=eu-west-1", "aws"},
		{"", "", "https://console.aws.amazon.com/console/home", "aws"},
		{"cn-north-1", "", "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1", "aws-cn"},
		{"us-gov-west-1", "", "https://us-gov-west-1.console.amazonaws-us-gov.com/console/home?region=us-gov-west-1", "aws-us-gov"},
		{"eu-west-1", "ec2", "https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1", "aws"},
		{"eu-west-1", "S3", "https://eu-west-1.console.aws.amazon.com/s3/home?region=eu-west-1", "aws"},
		{"eu-west-1", "iam", "https://console.aws.amazon.com/iam/home", "aws"},
		{"cn-northwest-1", "iam", "https://console.amazonaws.cn/iam/home", "aws-cn"},
		{"us-gov-east-1", "lambda", "https://us-gov-east-1.console.amazonaws-us-gov.com/lambda/home?region=us-gov-east-1", "aws-us-gov"},
		{"eu-west-1", "logs", "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:", "aws"},
		{"eu-west-1", "athena", "https://eu-west-1.console.aws.amazon.com/athena/home?region=eu-west-1", "aws"},
		{"eu-west-1", "https://eu-west-1.console.aws.amazon.com/s3/buckets/x", "https://eu-west-1.console.aws.amazon.com/s3/buckets/x", "aws"},
	}
	for _, tc := range tests {
		t.Run(tc.region+" "+tc.dest, func(t *testing.T) {
			part := PartitionOf(tc.region)
			if part.ID != tc.partition {
				t.Errorf("partition of %q = %s, want %s", tc.region, part.ID, tc.partition)
			}
			got, err := consoleDestination("p", part, tc.region, tc.dest)
			if err != nil || got != tc.want {
				t.Errorf("destination = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	for _, bad := range []string{"http://eu-west-1.console.aws.amazon.com/", "https://evil.example/console.aws.amazon.com", "https://console.amazonaws.cn/", "s3; rm", "../x"} {
		if _, err := consoleDestination("p", PartitionOf("eu-west-1"), "eu-west-1", bad); !IsUsage(err) {
			t.Errorf("destination %q: got %v, want a usage error", bad, err)
		}
	}
}

func TestFederationEndpoints(t *testing.T) {
	m := New(nil, Options{Getenv: env{}.get})
	for region, want := range map[string]string{
		"eu-west-1":     "https://signin.aws.amazon.com/federation",
		"cn-north-1":    "https://signin.amazonaws.cn/federation",
		"us-gov-west-1": "https://signin.amazonaws-us-gov.com/federation",
	} {
		if got, err := m.federationBase(PartitionOf(region)); err != nil || got != want {
			t.Errorf("%s: federation endpoint %q, %v; want %q", region, got, err, want)
		}
	}
	for base, ok := range map[string]bool{
		"http://127.0.0.1:8080":       true,
		"https://signin.example.com/": true,
		"http://signin.example.com":   false, // keys in the clear
		"ftp://x":                     false,
		"https://x.example/?a=b":      false,
	} {
		m := New(nil, Options{Getenv: env{"ROLECALL_FEDERATION_ENDPOINT": base}.get})
		got, err := m.federationBase(PartitionOf(""))
		if ok != (err == nil) || (ok && got != strings.TrimRight(base, "/")+"/federation") {
			t.Errorf("ROLECALL_FEDERATION_ENDPOINT=%s: %q, %v", base, got, err)
		}
	}
}

func TestConsoleSignIn(t *testing.T) {
	ctx := context.Background()
	t.Run("chained role", func(t *testing.T) {
		w, fed, e := consoleWorld(t)
		c, err := w.manager(e, Options{}).Console(ctx, "chained", ConsoleOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := stsfake.Actions(w.sts.Calls()); strings.Join(got, ",") != "AssumeRole,AssumeRole" {
			t.Errorf("STS calls %v, want two AssumeRole and no federation token", got)
		}
		q := loginQuery(t, fed.URL, c)
		// chained has no region of its own: the console's home page.
		if q.Get("Destination") != "https://console.aws.amazon.com/console/home" {
			t.Errorf("Destination = %q", q.Get("Destination"))
		}
		signins := fed.Signins()
		if len(signins) != 1 || signins[0].AccessKeyID != c.Session.Creds.AccessKeyID || signins[0].SessionToken != c.Session.Creds.SessionToken {
			t.Error("the console did not sign in with the chained role's own session")
		}
		if c.Federated || !strings.Contains(c.Session.AssumedRoleARN, ":assumed-role/chained/") {
			t.Errorf("session %s, federated %v", c.Session.AssumedRoleARN, c.Federated)
		}
	})
	t.Run("role behind an MFA session, region and service", func(t *testing.T) {
		w, fed, e := consoleWorld(t)
		c, err := w.manager(e, Options{Region: "us-gov-west-1"}).Console(ctx, "a", ConsoleOptions{Destination: "ec2"}, WithMFACode("arn:aws:iam::999999999999:mfa/x", "123456"))
		if err != nil {
			t.Fatal(err)
		}
		if got := stsfake.Actions(w.sts.Calls()); strings.Join(got, ",") != "GetSessionToken,AssumeRole" {
			t.Errorf("STS calls %v", got)
		}
		q := loginQuery(t, fed.URL, c)
		if want := "https://us-gov-west-1.console.amazonaws-us-gov.com/ec2/home?region=us-gov-west-1"; q.Get("Destination") != want {
			t.Errorf("Destination = %q, want %q", q.Get("Destination"), want)
		}
		if s := fed.Signins(); len(s) != 1 || s[0].AccessKeyID != c.Session.Creds.AccessKeyID {
			t.Error("the console did not sign in with the role session (the MFA session must not go to the console)")
		}
	})
	t.Run("MFA needed is asked before any call", func(t *testing.T) {
		w, fed, e := consoleWorld(t)
		_, err := w.manager(e, Options{}).Console(ctx, "a", ConsoleOptions{})
		var se *Error
		if !errors.As(err, &se) || se.Kind != KindNeedMFA {
			t.Fatalf("got %v, want an MFA-needed error", err)
		}
		if n := len(w.sts.Calls()) + len(fed.Calls()); n != 0 {
			t.Errorf("%d calls before the code was given", n)
		}
	})
	for _, profile := range []string{"user", "mfauser"} {
		t.Run("IAM user root "+profile, func(t *testing.T) {
			w, fed, e := consoleWorld(t)
			c, err := w.manager(e, Options{}).Console(ctx, profile, ConsoleOptions{Region: "cn-north-1"})
			if err != nil {
				t.Fatal(err)
			}
			calls := w.sts.Calls()
			if len(calls) != 1 || calls[0].Action != "GetFederationToken" {
				t.Fatalf("STS calls %v, want one GetFederationToken (and no MFA session)", stsfake.Actions(calls))
			}
			f := calls[0].Form
			if f["Name"] != "rolecall-tester" || !strings.Contains(f["Policy"], `"Action":"*"`) || f["DurationSeconds"] != "3600" {
				t.Errorf("GetFederationToken form %v", f)
			}
			if !strings.HasPrefix(calls[0].KeyID, "AKIAWORLDUSER") {
				t.Errorf("GetFederationToken signed by %s, want the user's long-term key", calls[0].KeyID)
			}
			if !c.Federated || c.Session != nil {
				t.Errorf("federated %v, session %v", c.Federated, c.Session)
			}
			q := loginQuery(t, fed.URL, c)
			if want := "https://cn-north-1.console.amazonaws.cn/console/home?region=cn-north-1"; q.Get("Destination") != want {
				t.Errorf("Destination = %q, want %q", q.Get("Destination"), want)
			}
			if s := fed.Signins(); len(s) != 1 || !strings.HasPrefix(s[0].AccessKeyID, "ASIAFAKE") || s[0].SessionToken == "" {
				t.Error("the console did not sign in with the federation session")
			}
		})
	}
	t.Run("federation token not allowed", func(t *testing.T) {
		w, _, e := consoleWorld(t)
		w.sts.Fail = func(c stsfake.Call) *stsfake.Failure {
			if c.Action == "GetFederationToken" {
				return &stsfake.Failure{Status: 403, Code: "AccessDenied", Message: "not authorized to perform: sts:GetFederationToken"}
			}
			return nil
		}
		_, err := w.manager(e, Options{}).Console(ctx, "user", ConsoleOptions{})
		if err == nil || !strings.Contains(err.Error(), "may not call sts:GetFederationToken") || !strings.Contains(err.Error(), "source_profile = user") {
			t.Errorf("got %v, want a message that says what to allow or do", err)
		}
	})
}

// The sign-in token and the keys sent for it never reach an error: the
// request's URL (which holds the keys) is left out when the endpoint
// fails or cannot be reached.
func TestConsoleSecretsStayOutOfErrors(t *testing.T) {
	for name, base := range map[string]func(t *testing.T, fed *ssofake.Fake) string{
		"refused": func(t *testing.T, fed *ssofake.Fake) string {
			fed.RefuseSignin = func(string) bool { return true }
			return fed.URL
		},
		"unreachable": func(t *testing.T, _ *ssofake.Fake) string { return stsfake.Unreachable(t) },
	} {
		t.Run(name, func(t *testing.T) {
			w, fed, _ := consoleWorld(t)
			m := w.manager(env{"ROLECALL_FEDERATION_ENDPOINT": base(t, fed)}, Options{})
			// Each case has its own deadline; the held listener never
			// answers, so keep that one short.
			limit := 10 * time.Second
			if name == "unreachable" {
				limit = 300 * time.Millisecond
			}
			ctx, cancel := context.WithTimeout(context.Background(), limit)
			defer cancel()
			_, err := m.Console(ctx, "dev", ConsoleOptions{})
			if err == nil {
				t.Fatal("no error")
			}
			s, ok := m.Cached("dev")
			if !ok {
				t.Fatalf("the session for the sign-in was not assumed: %v", err)
			}
			for _, secret := range []string{s.Creds.SecretAccessKey, s.Creds.SessionToken, url.QueryEscape(s.Creds.SecretAccessKey), "Session="} {
				if secret != "" && strings.Contains(err.Error(), secret) {
					t.Errorf("the error shows a secret: %v", err)
				}
			}
			if !strings.Contains(err.Error(), "profile dev") {
				t.Errorf("the error does not name the profile: %v", err)
			}
		})
	}
}

// A cached session about to expire is renewed before it signs in: the
// console session would end with it.
func TestConsoleRenewsAShortSession(t *testing.T) {
	w, _, e := consoleWorld(t)
	m := w.manager(e, Options{})
	s, err := m.Assume(context.Background(), "dev")
	if err != nil {
		t.Fatal(err)
	}
	w.sts.Calls()
	w.clock.Add(s.Expires().Sub(w.clock.Now()) - 10*time.Minute) // 10 minutes left
	c, err := m.Console(context.Background(), "dev", ConsoleOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := stsfake.Actions(w.sts.Calls()); len(got) != 1 || got[0] != "AssumeRole" || c.Session.Creds.AccessKeyID == s.Creds.AccessKeyID {
		t.Errorf("STS calls %v: the session with 10 minutes left was not renewed", got)
	}
}
