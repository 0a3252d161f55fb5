package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/stsfake"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// cmdWorld runs commands' run functions directly, with buffers for the
// streams, the files in a temp dir and a local STS fake: no external tool.
type cmdWorld struct {
	t           *testing.T
	files       profiles.Files
	cache       string
	sts         *stsfake.Fake
	env         map[string]string
	out, errOut bytes.Buffer
	global      globalOptions
}

const cmdConfig = `[profile base]
region = us-east-1

[profile dev]
role_arn = arn:aws:iam::123456789012:role/dev
source_profile = base
region = eu-west-1

[profile bare]
role_arn = arn:aws:iam::123456789012:role/bare
source_profile = base
`

const cmdCreds = `[base]
aws_access_key_id = AKIACMDTESTBASE00001
aws_secret_access_key = cmd-test-secret-not-real
`

func newCmdWorld(t *testing.T) *cmdWorld {
	t.Helper()
	dir := t.TempDir()
	w := &cmdWorld{t: t, cache: filepath.Join(dir, "cache"), sts: stsfake.Start(t),
		files: profiles.Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}}
	w.sts.AddUser("AKIACMDTESTBASE00001", "999999999999", "base")
	os.WriteFile(w.files.Config, []byte(cmdConfig), 0o600)
	os.WriteFile(w.files.Credentials, []byte(cmdCreds), 0o600)
	w.env = map[string]string{"AWS_ENDPOINT_URL_STS": w.sts.URL, "ROLECALL_CACHE_DIR": w.cache, "USER": "tester",
		"AWS_CONFIG_FILE": w.files.Config, "AWS_SHARED_CREDENTIALS_FILE": w.files.Credentials}
	w.global = globalOptions{Stdin: strings.NewReader(""), Stdout: &w.out, Stderr: &w.errOut,
		Getenv: func(k string) string { return w.env[k] }, Environ: []string{"PATH=" + os.Getenv("PATH")}}
	return w
}

// deps are the session dependencies of a command, with flags set on g.
func (w *cmdWorld) deps(g globalOptions) sessionDeps {
	w.out.Reset()
	w.errOut.Reset()
	return g.sessionDeps(false)
}

func (w *cmdWorld) key(profile string) string {
	w.t.Helper()
	set, _ := profiles.Load(w.files)
	s, ok := session.New(set, session.Options{CacheDir: w.cache, Getenv: func(k string) string { return w.env[k] }}).Cached(profile)
	if !ok {
		w.t.Fatalf("no cached session of %s", profile)
	}
	return s.Creds.AccessKeyID
}

func TestAssumeCommandJSON(t *testing.T) {
	w := newCmdWorld(t)
	opts := &AssumeOptions{sessionDeps: w.deps(w.global), Profile: "dev", JSON: true}
	if err := runAssume(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	var j map[string]any
	if err := json.Unmarshal(w.out.Bytes(), &j); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	// role_arn is the IAM role; assumed_role_arn the session's ARN.
	if j["role_arn"] != "arn:aws:iam::123456789012:role/dev" || !strings.Contains(j["assumed_role_arn"].(string), "assumed-role/dev/rolecall-tester-") {
		t.Errorf("role_arn %v, assumed_role_arn %v", j["role_arn"], j["assumed_role_arn"])
	}
	if j["region"] != "eu-west-1" || j["source"] != "STS" || j["from_cache"] != false || j["account"] != "123456789012" {
		t.Errorf("region %v source %v from_cache %v account %v", j["region"], j["source"], j["from_cache"], j["account"])
	}
	for _, k := range []string{"secret_access_key", "session_token", "credentials"} {
		if _, ok := j[k]; ok {
			t.Errorf("--json has %q", k)
		}
	}
	// The second run reads the cache, and says so.
	opts.sessionDeps = w.deps(w.global)
	if err := runAssume(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.out.String(), `"from_cache": true`) {
		t.Errorf("second assume not from the cache:\n%s", w.out.String())
	}
}

func TestAssumeCommandText(t *testing.T) {
	w := newCmdWorld(t)
	g := w.global
	g.Region = "ap-south-1"
	if err := runAssume(context.Background(), &AssumeOptions{sessionDeps: w.deps(g), Profile: "dev"}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"profile  dev", "region   ap-south-1", "source   new session from STS"} {
		if !strings.Contains(w.out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, w.out.String())
		}
	}
	if err := runAssume(context.Background(), &AssumeOptions{sessionDeps: w.deps(w.global), Profile: "bare"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.out.String(), "region   -") {
		t.Errorf("a profile with no region set should show none:\n%s", w.out.String())
	}
}

func TestExecCommandRegionAndExitCode(t *testing.T) {
	w := newCmdWorld(t)
	run := func(g globalOptions, profile, script string) (string, error) {
		t.Helper()
		var opts ExecOptions
		opts.fill(&g, profile)
		opts.sessionDeps = w.deps(g)
		opts.Argv = []string{"sh", "-c", script}
		err := runExec(context.Background(), &opts)
		return strings.TrimSpace(w.out.String()), err
	}
	g := w.global
	g.Region = "us-east-1"
	if out, err := run(g, "dev", "echo $AWS_REGION"); err != nil || out != "us-east-1" {
		t.Fatalf("--region: %q %v", out, err)
	}
	if out, _ := run(w.global, "dev", "echo $AWS_REGION"); out != "eu-west-1" {
		t.Errorf("after --region, the profile's region: %q", out)
	}
	if out, _ := run(w.global, "bare", "echo ${AWS_REGION-unset}"); out != "unset" {
		t.Errorf("no region set: child sees %q", out)
	}
	_, err := run(w.global, "dev", "exit 7")
	if code, ok := err.(exitCodeError); !ok || code.code != 7 {
		t.Errorf("child exit 7 became %v", err)
	}
}

func TestRenewCommandRewritesOnlyItsDefault(t *testing.T) {
	w := newCmdWorld(t)
	ctx := context.Background()
	if err := runUse(ctx, &UseOptions{sessionDeps: w.deps(w.global), Profile: "dev"}); err != nil {
		t.Fatal(err)
	}
	before := w.key("dev")
	if err := runRenew(ctx, &RenewOptions{sessionDeps: w.deps(w.global), Profile: "dev"}); err != nil {
		t.Fatal(err)
	}
	after := w.key("dev")
	def, _ := profiles.ReadDefault(w.files.Credentials)
	if after == before || !def.Holds("dev", after) || !strings.Contains(w.out.String(), "now holds the new session") {
		t.Fatalf("renew: key changed %v, [default] holds the new one %v; output %q", after != before, def.Holds("dev", after), w.out.String())
	}
	// bare is not in [default]: renewing it leaves [default] alone.
	if err := runRenew(ctx, &RenewOptions{sessionDeps: w.deps(w.global), Profile: "bare"}); err != nil {
		t.Fatal(err)
	}
	if now, _ := profiles.ReadDefault(w.files.Credentials); now != def || strings.Contains(w.out.String(), "[default]") {
		t.Errorf("renewing bare touched [default] or said so: %q", w.out.String())
	}
}

func TestForgetCommand(t *testing.T) {
	w := newCmdWorld(t)
	ctx := context.Background()
	for _, p := range []string{"dev", "bare"} {
		if err := runAssume(ctx, &AssumeOptions{sessionDeps: w.deps(w.global), Profile: p}); err != nil {
			t.Fatal(err)
		}
	}
	if err := runForget(&ForgetOptions{sessionDeps: w.deps(w.global), Profile: "dev"}); err != nil || !strings.Contains(w.out.String(), "Forgot the cached session of dev") {
		t.Fatalf("forget dev: %v %q", err, w.out.String())
	}
	if err := runForget(&ForgetOptions{sessionDeps: w.deps(w.global), Profile: "dev"}); err != nil || !strings.Contains(w.out.String(), "Nothing cached for dev") {
		t.Errorf("forget dev again: %v %q", err, w.out.String())
	}
	if err := runForget(&ForgetOptions{sessionDeps: w.deps(w.global), All: true}); err != nil || !strings.Contains(w.out.String(), "Forgot 1 cached session.") {
		t.Errorf("forget --all: %v %q", err, w.out.String())
	}
	err := runForget(&ForgetOptions{sessionDeps: w.deps(w.global), Profile: "nope"})
	if !session.IsUsage(err) {
		t.Errorf("forget of an unknown profile: %v, want a usage error", err)
	}
	// Through the command line: PROFILE and --all exclude each other.
	if code, _, stderr := runIn(w.env, "", false, "forget", "dev", "--all"); code != exitUsage || !strings.Contains(stderr, "not both") {
		t.Errorf("forget dev --all: exit %d, %q", code, stderr)
	}
}

func TestDurationFlagIsAUsageError(t *testing.T) {
	w := newCmdWorld(t)
	for _, d := range []string{"300s", "13h", "600000h", "1ns", "-1h"} {
		code, _, stderr := runIn(w.env, "", false, "--duration", d, "assume", "dev")
		if code != exitUsage || !strings.Contains(stderr, "--duration") || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("--duration %s: exit %d, %q; want 2 and one line", d, code, stderr)
		}
	}
	if calls := w.sts.Calls(); len(calls) != 0 {
		t.Errorf("STS was called %d times for durations it would refuse", len(calls))
	}
}

func TestCommandsTakeTheirOptions(t *testing.T) {
	// Each command hands its run function every flag in its Options.
	g := &globalOptions{Getenv: func(string) string { return "" }, Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	var got *RenewOptions
	cmd := newRenewCmd(g, func(_ context.Context, o *RenewOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"dev", "--json"})
	if err := cmd.Execute(); err != nil || got == nil || got.Profile != "dev" || !got.JSON {
		t.Errorf("renew dev --json: %+v, %v", got, err)
	}
	var fo *ForgetOptions
	cmd = newForgetCmd(g, func(_ context.Context, o *ForgetOptions) error { fo = o; return nil })
	cmd.SetArgs([]string{"--all"})
	if err := cmd.Execute(); err != nil || fo == nil || !fo.All || fo.Profile != "" {
		t.Errorf("forget --all: %+v, %v", fo, err)
	}
	var eo *ExecOptions
	cmd = newExecCmd(g, func(_ context.Context, o *ExecOptions) error { eo = o; return nil })
	cmd.SetArgs([]string{"dev", "--", "aws", "s3", "ls", "--recursive"})
	if err := cmd.Execute(); err != nil || eo == nil || eo.Profile != "dev" || strings.Join(eo.Argv, " ") != "aws s3 ls --recursive" {
		t.Errorf("exec dev -- aws s3 ls --recursive: %+v, %v", eo, err)
	}
}
