package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/profiles"
)

// TestJSONFieldNames: in every --json output role_arn is the profile's
// IAM role and assumed_role_arn the session's ARN; from_cache is true
// exactly for what was read from the cache.
func TestJSONFieldNames(t *testing.T) {
	w := newCmdWorld(t)
	ctx := context.Background()
	const iamRole = "arn:aws:iam::123456789012:role/dev"
	object := func(what string) map[string]any {
		t.Helper()
		var j map[string]any
		if err := json.Unmarshal(w.out.Bytes(), &j); err != nil {
			t.Fatalf("%s: not one JSON object: %v", what, err)
		}
		return j
	}
	check := func(what string, j map[string]any, fromCache bool) {
		t.Helper()
		if j["role_arn"] != iamRole {
			t.Errorf("%s: role_arn %v, want the IAM role %s", what, j["role_arn"], iamRole)
		}
		if arn, _ := j["assumed_role_arn"].(string); !strings.HasPrefix(arn, "arn:aws:sts::123456789012:assumed-role/dev/") {
			t.Errorf("%s: assumed_role_arn %v, want the session's", what, j["assumed_role_arn"])
		}
		if j["from_cache"] != fromCache {
			t.Errorf("%s: from_cache %v, want %v", what, j["from_cache"], fromCache)
		}
	}

	if err := runAssume(ctx, &AssumeOptions{sessionDeps: w.deps(w.global), Profile: "dev", JSON: true}); err != nil {
		t.Fatal(err)
	}
	check("assume --json (new)", object("assume"), false)
	if err := runAssume(ctx, &AssumeOptions{sessionDeps: w.deps(w.global), Profile: "dev", JSON: true}); err != nil {
		t.Fatal(err)
	}
	check("assume --json (again)", object("assume"), true)
	if err := runRenew(ctx, &RenewOptions{sessionDeps: w.deps(w.global), Profile: "dev", JSON: true}); err != nil {
		t.Fatal(err)
	}
	check("renew --json", object("renew"), false)

	if err := runSessions(&SessionsOptions{sessionDeps: w.deps(w.global), JSON: true}); err != nil {
		t.Fatal(err)
	}
	var list []map[string]any
	if err := json.Unmarshal(w.out.Bytes(), &list); err != nil || len(list) != 1 {
		t.Fatalf("sessions --json: %v, %d entries", err, len(list))
	}
	check("sessions --json", list[0], true)

	var out bytes.Buffer
	if err := runList(&ListOptions{Stdout: &out, Stderr: &out, JSON: true, Load: w.global.load}); err != nil {
		t.Fatal(err)
	}
	var entries []map[string]any
	if err := json.Unmarshal(out.Bytes(), &entries); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, ok := e["assumed_role_arn"]; ok {
			t.Errorf("list --json has assumed_role_arn: it lists profiles, not sessions")
		}
		if e["name"] == "dev" && e["role_arn"] != iamRole {
			t.Errorf("list --json role_arn of dev: %v", e["role_arn"])
		}
	}
}

// TestListCountsInWords: "1 profile", "1 with a problem".
func TestListCountsInWords(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	os.WriteFile(cfg, []byte("[profile only]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = missing\n"), 0o600)
	creds := filepath.Join(dir, "credentials")
	os.WriteFile(creds, nil, 0o600)
	code, out, _ := runCmd(t, "list", "--config", cfg, "--credentials", creds)
	if code != exitOK || !strings.Contains(out, "\n1 profile, 1 with a problem (") {
		t.Errorf("exit %d, footer %q", code, out)
	}
}

// TestAssumeSaysWhereTheSessionCameFrom: a credential_process profile's
// session comes from the process, not from STS; the second time from the
// cache.
func TestAssumeSaysWhereTheSessionCameFrom(t *testing.T) {
	w := newCmdWorld(t)
	cfg, _ := os.ReadFile(w.files.Config)
	cfg = append(cfg, `
[profile from-process]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAPROCESS000000001","SecretAccessKey":"process-secret-not-real","SessionToken":"t","Expiration":"2099-01-01T00:00:00Z"}'
`...)
	os.WriteFile(w.files.Config, cfg, 0o600)
	ctx := context.Background()
	for _, want := range []string{"source   new session from credential_process", "source   cached session"} {
		if err := runAssume(ctx, &AssumeOptions{sessionDeps: w.deps(w.global), Profile: "from-process"}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(w.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, w.out.String())
		}
	}
	if len(w.sts.Calls()) != 0 {
		t.Errorf("a credential_process profile called STS")
	}
	if err := runAssume(ctx, &AssumeOptions{sessionDeps: w.deps(w.global), Profile: "base"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.out.String(), "source   long-term keys, not a session") {
		t.Errorf("static keys are called a session:\n%s", w.out.String())
	}
}

// TestUseClearOffersTheBackup: after use --force and use --clear, the
// user's own keys are in a backup profile; --clear names it and --restore
// copies them back, in place of a session when there is one. The backup
// stays until the user deletes it.
func TestUseClearOffersTheBackup(t *testing.T) {
	w := newCmdWorld(t)
	ctx := context.Background()
	creds, _ := os.ReadFile(w.files.Credentials)
	orig := append([]byte("[default]\naws_access_key_id = AKIAMYOWNKEYS0000001\naws_secret_access_key = my-own-secret-not-real\n\n"), creds...)
	os.WriteFile(w.files.Credentials, orig, 0o600)
	path := func() (string, error) { return w.files.Credentials, nil }

	if err := runUse(ctx, &UseOptions{sessionDeps: w.deps(w.global), Profile: "dev", Force: true}); err != nil {
		t.Fatal(err)
	}
	backup, _ := profiles.NewestBackup(w.files.Credentials)
	if backup == "" {
		t.Fatal("use --force kept no backup")
	}
	if err := runUseClear(&UseOptions{sessionDeps: w.deps(w.global), Clear: true, CredentialsPath: path}); err != nil {
		t.Fatal(err)
	}
	if out := w.out.String(); !strings.Contains(out, "kept in ["+backup+"]") || !strings.Contains(out, "rolecall use --restore") {
		t.Errorf("use --clear does not name the backup:\n%s", out)
	}
	if err := runUseRestore(&UseOptions{sessionDeps: w.deps(w.global), Restore: true, CredentialsPath: path}); err != nil {
		t.Fatal(err)
	}
	if def, _ := profiles.ReadDefault(w.files.Credentials); def.AccessKeyID != "AKIAMYOWNKEYS0000001" || def.Ours() {
		t.Errorf("after --restore [default] holds %s", def)
	}
	if got, _ := os.ReadFile(w.files.Credentials); !strings.Contains(string(got), "["+backup+"]") || !strings.Contains(w.out.String(), "keeps a copy") {
		t.Errorf("after --restore the backup is gone, or not named:\n%s", got)
	}
	// Straight from a session: --restore replaces it, says so, and gives
	// back the file as it was before use --force, with the new backup
	// after it.
	before, _ := os.ReadFile(w.files.Credentials)
	if err := runUse(ctx, &UseOptions{sessionDeps: w.deps(w.global), Profile: "dev", Force: true}); err != nil {
		t.Fatal(err)
	}
	if err := runUseRestore(&UseOptions{sessionDeps: w.deps(w.global), Restore: true, CredentialsPath: path}); err != nil {
		t.Fatal(err)
	}
	if out := w.out.String(); !strings.Contains(out, "in place of dev's session") {
		t.Errorf("--restore over a session: %q", out)
	}
	if got, _ := os.ReadFile(w.files.Credentials); !strings.HasPrefix(string(got), string(before)) {
		t.Errorf("use --force then --restore did not give back the file:\n%s", got)
	}
	// Nothing to restore is an error that says where backups come from.
	bare := filepath.Join(t.TempDir(), "credentials")
	os.WriteFile(bare, creds, 0o600)
	err := runUseRestore(&UseOptions{sessionDeps: w.deps(w.global), Restore: true, CredentialsPath: func() (string, error) { return bare, nil }})
	if err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("--restore with no backup: %v", err)
	}
	// Through the command line: --restore takes no PROFILE, nor --force.
	for _, args := range [][]string{{"use", "--restore", "dev"}, {"use", "--restore", "--force"}} {
		if code, _, _ := runIn(w.env, "", false, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want a usage error", args, code)
		}
	}
}

// TestEveryCommandTakesItsOptions: the flags of shell, use and demo reach
// their run functions through their Options.
func TestEveryCommandTakesItsOptions(t *testing.T) {
	g := &globalOptions{Getenv: func(string) string { return "" }, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	var so *ExecOptions
	cmd := newShellCmd(g, func(_ context.Context, o *ExecOptions) error { so = o; return nil })
	cmd.SetArgs([]string{"dev", "--shell", "fish"})
	if err := cmd.Execute(); err != nil || so == nil || so.Profile != "dev" || so.Shell != "fish" {
		t.Errorf("shell dev --shell fish: %+v, %v", so, err)
	}
	var uo *UseOptions
	cmd = newUseCmd(g, func(_ context.Context, o *UseOptions) error { uo = o; return nil })
	cmd.SetArgs([]string{"--restore"})
	if err := cmd.Execute(); err != nil || uo == nil || !uo.Restore || uo.Profile != "" {
		t.Errorf("use --restore: %+v, %v", uo, err)
	}
	var to *TUIOptions
	cmd = newDemoCmd(g, func(_ context.Context, o *TUIOptions) error { to = o; return nil })
	cmd.SetArgs(nil)
	if err := cmd.Execute(); err != nil || to == nil || !to.Demo || to.Global != g {
		t.Errorf("demo: %+v, %v", to, err)
	}
}
