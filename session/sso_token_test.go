package session

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/ssofake"
	"github.com/rolecall/rolecall/internal/testenv"
)

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
		if need := m.NeedLogins([]string{"sso-dev", "sso-deploy"}); need["sso-dev"] || need["sso-deploy"] {
			t.Errorf("NeedLogins = %v: a valid AWS CLI token needs no login", need)
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
		if need := m.NeedLogins([]string{"sso-dev", "sso-deploy"}); !need["sso-dev"] || !need["sso-deploy"] {
			t.Errorf("NeedLogins = %v: the profiles of a session whose token expired need a login", need)
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
