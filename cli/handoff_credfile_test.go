package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// `use --clear` decides under the lock whose keys [default] holds: long-term
// keys typed in with `aws configure set` over rolecall's lines stay.
func TestHandoffUseClearKeepsForeignKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials")
	before := "[default]\naws_access_key_id = AKIATYPEDINLATER001\naws_secret_access_key = typed-not-a-real-secret\n" +
		"aws_session_token = rolecalls-old-token\nrolecall_profile = roleA\nrolecall_access_key_id = ASIAWRITTENBYROLECALL\n"
	if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runIn(nil, "", false, "--config", filepath.Join(t.TempDir(), "config"), "--credentials", path, "use", "--clear")
	if code != exitFailed || !strings.Contains(errOut, "was not written by rolecall") || !strings.Contains(errOut, "long-term keys (AKIA…R001)") {
		t.Errorf("exit %d, stdout %q, stderr %q; want a refusal naming the long-term keys", code, out, errOut)
	}
	if strings.Contains(errOut, "typed-not-a-real-secret") || strings.Contains(errOut, "rolecalls-old-token") {
		t.Errorf("the refusal reveals a secret")
	}
	if got, _ := os.ReadFile(path); string(got) != before {
		t.Errorf("use --clear changed the file")
	}
}
