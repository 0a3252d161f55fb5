package cli

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/testenv"
)

// TestSessionCoreEndToEnd runs the built binary against moto: the region
// is decided at hand-off whatever the cache holds, --duration changes get
// a fresh session, renew changes the keys and forget drops them.
func TestSessionCoreEndToEnd(t *testing.T) {
	moto := testenv.StartMoto(t)
	w := newHandoffWorld(t, moto, "credentials")
	// No region in the environment unless a step sets one.
	w.env = slices.DeleteFunc(w.env, func(kv string) bool { return strings.HasPrefix(kv, "AWS_DEFAULT_REGION=") })

	region := func(extraEnv []string, args ...string) string {
		t.Helper()
		all := append(args, "--", "sh", "-c", "echo ${AWS_REGION-unset} ${AWS_DEFAULT_REGION-unset}")
		code, out, errOut := w.run("", extraEnv, w.bin, all...)
		if code != 0 {
			t.Fatalf("rolecall %v: exit %d: %s", args, code, errOut)
		}
		return strings.TrimSpace(out)
	}
	t.Run("region precedence across a cache hit", func(t *testing.T) {
		if got := region(nil, "exec", "--region", "us-east-1", "dev"); got != "us-east-1 us-east-1" {
			t.Errorf("--region us-east-1: child sees %q", got)
		}
		if got := region(nil, "exec", "dev"); got != "eu-west-1 eu-west-1" {
			t.Errorf("after a --region run, the profile's region: child sees %q, want eu-west-1", got)
		}
		if got := region([]string{"AWS_REGION=eu-central-1"}, "exec", "dev"); got != "eu-central-1 eu-central-1" {
			t.Errorf("AWS_REGION=eu-central-1: child sees %q", got)
		}
		if got := region([]string{"AWS_DEFAULT_REGION=eu-north-1"}, "exec", "dev"); got != "eu-north-1 eu-north-1" {
			t.Errorf("AWS_DEFAULT_REGION=eu-north-1: child sees %q", got)
		}
		// roleB sets no region, and neither does the environment.
		region(nil, "exec", "--region", "us-east-1", "roleB")
		if got := region(nil, "exec", "roleB"); got != "unset unset" {
			t.Errorf("no region anywhere: child sees %q, want none exported", got)
		}
	})

	keyOf := func(args ...string) string {
		t.Helper()
		code, out, errOut := w.rolecall(append(args, "credential-process", "dev")...)
		if code != 0 {
			t.Fatalf("credential-process: exit %d: %s", code, errOut)
		}
		var j struct{ AccessKeyId, Expiration string }
		if err := json.Unmarshal([]byte(out), &j); err != nil {
			t.Fatalf("credential-process output is not JSON: %v", err)
		}
		return j.AccessKeyId
	}
	t.Run("a --duration change re-assumes", func(t *testing.T) {
		one := keyOf()
		if again := keyOf("--duration", "1h"); again != one {
			t.Errorf("--duration 1h (the default) did not reuse the cached 1h session")
		}
		two := keyOf("--duration", "2h")
		if two == one {
			t.Fatalf("--duration 2h returned the cached 1h session")
		}
		if again := keyOf(); again != two {
			t.Errorf("without --duration, the cached 2h session should be reused")
		}
		code, _, errOut := w.rolecall("--duration", "13h", "assume", "dev")
		if code != exitUsage || !strings.Contains(errOut, "out of range") {
			t.Errorf("--duration 13h: exit %d, %q; want 2 and a range message", code, errOut)
		}
	})
	t.Run("renew changes the keys, forget drops them", func(t *testing.T) {
		before := keyOf()
		if code, out, errOut := w.rolecall("renew", "dev"); code != 0 || !strings.Contains(out, "new session from STS") {
			t.Fatalf("renew: exit %d, %q %q", code, out, errOut)
		}
		after := keyOf()
		if after == before {
			t.Fatal("renew kept the access key id")
		}
		if code, out, errOut := w.rolecall("forget", "dev"); code != 0 || !strings.Contains(out, "Forgot the cached session of dev") {
			t.Fatalf("forget: exit %d, %q %q", code, out, errOut)
		}
		_, out, _ := w.rolecall("sessions", "--json")
		if strings.Contains(out, `"profile": "dev"`) {
			t.Errorf("sessions still lists dev after forget:\n%s", out)
		}
		if keyOf() == after {
			t.Error("after forget, credential-process handed out the forgotten keys")
		}
	})
}
