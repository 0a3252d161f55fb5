package sandbox

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/ssofake"
)

// The sandbox's IAM Identity Center and console federation endpoint, on
// the emulator's port: the SDK reaches them through
// AWS_ENDPOINT_URL_SSO_OIDC and AWS_ENDPOINT_URL_SSO, the console through
// ROLECALL_FEDERATION_ENDPOINT.

// SSOSession is the demo's sso-session.
const SSOSession = "demo-corp"

// demoApproveAfter is how long the demo's pretend user takes to allow a
// login: long enough to see the modal, short enough not to wait.
const demoApproveAfter = 2 * time.Second

// ssoAccounts are the accounts the demo's portal gives the user.
var ssoAccounts = []ssofake.Account{
	{ID: "121212121212", Name: "data-platform", Email: "data@demo.example", Roles: []string{"DataEngineer", "ReadOnly"}},
	{ID: "131313131313", Name: "marketing-web", Email: "web@demo.example", Roles: []string{"Developer"}},
	{ID: "141414141414", Name: "security-audit", Email: "sec@demo.example", Roles: []string{"SecurityAudit"}},
}

// newSSO is the demo's IAM Identity Center, whose role keys the STS
// emulator knows.
func newSSO(e *emulator) *ssofake.Fake {
	f := ssofake.New()
	f.Now = e.now
	f.Accounts = ssoAccounts
	f.AutoApprove = demoApproveAfter
	f.RoleTTL = 20 * time.Minute
	f.Issue = func(account, role string, ttl time.Duration) ssofake.Creds {
		arn := "arn:aws:sts::" + account + ":assumed-role/AWSReservedSSO_" + role + "_demo/demo-user"
		c := e.issue(identity{arn: arn, account: account, userID: "AROADEMOSSO" + strings.ToUpper(role) + ":demo-user"}, ttl)
		exp, _ := time.Parse(time.RFC3339, c.Expiration)
		return ssofake.Creds{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expires: exp}
	}
	return f
}

// handler serves the SSO and federation paths from the SSO fake and the
// rest (STS, instance metadata) from the emulator.
func handler(e *emulator, sso *ssofake.Fake) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ssofake.Handles(r.URL.Path) {
			sso.ServeHTTP(w, r)
			return
		}
		e.ServeHTTP(w, r)
	})
}

// ErrNoBrowser is what the demo's browser says of a console URL: the
// demo opens none, and shows the URL it would have opened.
var ErrNoBrowser = errors.New("demo sandbox: no browser is opened; this is the URL rolecall would open")

// OpenURL is the demo's browser. A login page of the sandbox is "opened"
// by a pretend user who allows access after a moment, so a demo login
// completes by itself; anything else (a console sign-in URL) is not
// opened, and ErrNoBrowser makes the caller show it.
func (s *Sandbox) OpenURL(ctx context.Context, u string) (string, error) {
	p, err := url.Parse(u)
	if err != nil || !strings.HasPrefix(u, s.URL+"/") || (p.Path != "/authorize" && p.Path != "/device") {
		return "", ErrNoBrowser
	}
	go func() {
		select {
		case <-time.After(demoApproveAfter):
			_ = ssofake.Visit(u)
		case <-ctx.Done():
		}
	}()
	return "the demo's pretend browser (it allows access in 2s)", nil
}
