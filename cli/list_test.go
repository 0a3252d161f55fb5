package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/profiles"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/rolecall/rolecall/internal/profilegen"
)

// runCmd runs a command line against buffers, in an empty environment,
// and returns the exit code and both outputs.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	return runIn(nil, "", false, args...)
}

// runIn runs a command line in-process with the environment env, stdin
// (a terminal when terminal is set) and buffers for the outputs; it
// returns the exit code and both outputs.
func runIn(env map[string]string, stdin string, terminal bool, args ...string) (int, string, string) {
	var out, errOut bytes.Buffer
	g := &globalOptions{
		Stdin:           strings.NewReader(stdin),
		Stdout:          &out,
		Stderr:          &errOut,
		Getenv:          func(k string) string { return env[k] },
		StdinIsTerminal: terminal,
	}
	code := run(context.Background(), g, args)
	return code, out.String(), errOut.String()
}

var (
	listConfig      = filepath.Join("testdata", "list", "config")
	listCredentials = filepath.Join("testdata", "list", "credentials")
	// The secrets of testdata/list/credentials: no output may hold them.
	listSecrets = []string{"wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}
)

func assertNoSecrets(t *testing.T, what, out string) {
	t.Helper()
	for i, s := range listSecrets {
		if strings.Contains(out, s) {
			t.Errorf("%s holds secret #%d of the fixture", what, i)
		}
	}
}

func TestListJSON(t *testing.T) {
	code, out, stderr := runCmd(t, "list", "--json", "--config", listConfig, "--credentials", listCredentials)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	assertNoSecrets(t, "list --json", out+stderr)
	var entries []listEntry
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("output is not a JSON array: %v", err)
	}
	byName := map[string]listEntry{}
	var names []string
	for _, e := range entries {
		byName[e.Name] = e
		names = append(names, e.Name)
	}
	if !slices.IsSorted(names) {
		t.Errorf("profiles not sorted: %v", names)
	}
	tests := []struct {
		name     string
		kind     string
		chain    []string
		root     string
		account  string
		multiHop bool
		errSub   string
		check    func(e listEntry) string
	}{
		{name: "alice", kind: "static", chain: []string{"alice"}, root: "static"},
		{name: "default", kind: "other", chain: []string{}, check: func(e listEntry) string {
			return want(e.Region == "us-east-1", "region %q", e.Region)
		}},
		{name: "dev", kind: "role", chain: []string{"alice", "dev"}, root: "static", account: "111111111111", check: func(e listEntry) string {
			return want(e.ExternalID == "ext-dev-42" && e.SourceProfile == "alice" && e.Region == "eu-west-1",
				"external_id %q source_profile %q region %q", e.ExternalID, e.SourceProfile, e.Region)
		}},
		{name: "prod", kind: "role", chain: []string{"alice", "dev", "prod"}, root: "static", account: "222222222222", multiHop: true,
			check: func(e listEntry) string {
				return want(e.RoleSessionName == "alice-prod" && e.DurationSeconds == 3600,
					"role_session_name %q duration %d", e.RoleSessionName, e.DurationSeconds)
			}},
		{name: "billing-mfa", kind: "role", chain: []string{"alice", "billing-mfa"}, root: "static", account: "333333333333",
			check: func(e listEntry) string {
				return want(e.MFASerial == "arn:aws:iam::999999999999:mfa/alice", "mfa_serial %q", e.MFASerial)
			}},
		{name: "ec2-deploy", kind: "role", chain: []string{"ec2-deploy"}, root: "Ec2InstanceMetadata", account: "444444444444",
			check: func(e listEntry) string {
				return want(e.CredentialSource == "Ec2InstanceMetadata", "credential_source %q", e.CredentialSource)
			}},
		{name: "env-ci", kind: "role", chain: []string{"env-ci"}, root: "Environment", account: "555555555555"},
		{name: "ecs-task", kind: "role", chain: []string{"ecs-task"}, root: "EcsContainer", account: "666666666666"},
		{name: "loop-a", kind: "role", chain: []string{}, account: "777777777777", errSub: "loop-a -> loop-b -> loop-a"},
		{name: "loop-b", kind: "role", chain: []string{}, account: "777777777777", errSub: "loop-b -> loop-a -> loop-b"},
		{name: "orphan", kind: "role", chain: []string{}, account: "888888888888",
			errSub: `config:45: profile "orphan": source_profile "nobody" of profile "orphan" does not exist`},
	}
	if len(entries) != len(tests) {
		t.Errorf("got %d profiles %v, want %d", len(entries), names, len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, ok := byName[tc.name]
			if !ok {
				t.Fatal("profile missing from the output")
			}
			if e.Kind != tc.kind {
				t.Errorf("kind = %q, want %q", e.Kind, tc.kind)
			}
			if !slices.Equal(e.Chain, tc.chain) {
				t.Errorf("chain = %v, want %v", e.Chain, tc.chain)
			}
			if e.Root != tc.root || e.AccountID != tc.account || e.MultiHop != tc.multiHop {
				t.Errorf("root %q account %q multi_hop %v, want %q %q %v", e.Root, e.AccountID, e.MultiHop, tc.root, tc.account, tc.multiHop)
			}
			if tc.errSub == "" && e.Error != "" {
				t.Errorf("unexpected error %q", e.Error)
			}
			if tc.errSub != "" && !strings.Contains(e.Error, tc.errSub) {
				t.Errorf("error = %q, want it to contain %q", e.Error, tc.errSub)
			}
			if e.File == "" || e.Line == 0 {
				t.Errorf("file:line missing: %q:%d", e.File, e.Line)
			}
			if tc.check != nil {
				if msg := tc.check(e); msg != "" {
					t.Error(msg)
				}
			}
		})
	}
}

// want returns the formatted message when ok is false.
func want(ok bool, format string, args ...any) string {
	if ok {
		return ""
	}
	return "unexpected " + fmt.Sprintf(format, args...)
}

func TestListTable(t *testing.T) {
	code, out, stderr := runCmd(t, "list", "--config", listConfig, "--credentials", listCredentials)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	assertNoSecrets(t, "list", out+stderr)
	lines := strings.Split(out, "\n")
	if !strings.HasPrefix(lines[0], "NAME") || !strings.Contains(lines[0], "PROBLEM") {
		t.Fatalf("no header line: %q", lines[0])
	}
	col := strings.Index(lines[0], "KIND")
	row := func(name string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, name+" ") {
				return l
			}
		}
		t.Fatalf("no row for %s", name)
		return ""
	}
	tests := []struct{ name, contains string }{
		{"prod", "alice → dev → prod (1h cap)"},
		{"dev", "alice → dev "},
		{"ec2-deploy", "Ec2InstanceMetadata → ec2-deploy"},
		{"ecs-task", "EcsContainer → ecs-task"},
		{"loop-a", "loop-a -> loop-b -> loop-a"},
		{"orphan", "does not exist"},
		{"billing-mfa", "333333333333"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := row(tc.name)
			if !strings.Contains(r, tc.contains) {
				t.Errorf("row %q lacks %q", r, tc.contains)
			}
			if len(r) <= col || r[col-1] != ' ' || r[col] == ' ' {
				t.Errorf("row %q is not aligned on the KIND column", r)
			}
		})
	}
	if !strings.Contains(out, "11 profiles, 3 with problems") {
		t.Errorf("footer missing: %q", lines[len(lines)-2])
	}
}

// TestListMissingFilesFromTheEnvironment: files the environment (or the
// default path) names may not exist yet, as the AWS CLI has it; only a
// flag that names a missing file is a mistake.
func TestListMissingFilesFromTheEnvironment(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	env := map[string]string{"AWS_CONFIG_FILE": missing, "AWS_SHARED_CREDENTIALS_FILE": missing + "2"}
	if code, out, stderr := runIn(env, "", false, "list"); code != exitOK || !strings.Contains(out, "No AWS config found") {
		t.Errorf("list: exit %d, %q %q", code, out, stderr)
	}
	if code, out, _ := runIn(env, "", false, "list", "--json"); code != exitOK || out != "[]\n" {
		t.Errorf("list --json: exit %d, %q", code, out)
	}
}

func TestListBadInput(t *testing.T) {
	dir := t.TempDir()
	binary := filepath.Join(dir, "config.bin")
	if err := os.WriteFile(binary, []byte("[profile x]\x00\x01\x02"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "nope")
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"a missing --config is a usage error", []string{"list", "--config", missing}, exitUsage,
			"", "--config " + missing + ": no such file"},
		{"a missing --credentials is a usage error", []string{"list", "--json", "--config", listConfig, "--credentials", missing}, exitUsage,
			"", "--credentials " + missing + ": no such file"},
		{"binary file is named", []string{"list", "--config", binary, "--credentials", listCredentials}, exitFailed,
			"", binary + " is not a text file"},
		{"directory is named", []string{"list", "--config", dir, "--credentials", listCredentials}, exitFailed,
			"", "cannot read the config file " + dir},
		{"stray argument", []string{"list", "extra"}, exitUsage, "", "unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, stderr := runCmd(t, tc.args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tc.code, stderr)
			}
			if !strings.Contains(out, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("stdout %q stderr %q, want them to contain %q and %q", out, stderr, tc.stdout, tc.stderr)
			}
			if tc.code == exitFailed && strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("error is more than two lines: %q", stderr)
			}
		})
	}
}

// BenchmarkList is `rolecall list` and `rolecall list --json` on 10,000
// and 100,000 generated profiles, minus process start-up. The two forms
// should cost within 10% of each other.
func BenchmarkList(b *testing.B) {
	for _, n := range []int{10000, 100000} {
		dir := b.TempDir()
		cfg, cred := profilegen.Generate(n)
		config, credentials := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
		if err := os.WriteFile(config, cfg, 0o600); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(credentials, cred, 0o600); err != nil {
			b.Fatal(err)
		}
		for _, form := range []string{"text", "json"} {
			b.Run(fmt.Sprintf("%s/%d", form, n), func(b *testing.B) {
				args := []string{"list", "--config", config, "--credentials", credentials}
				if form == "json" {
					args = append(args, "--json")
				}
				g := &globalOptions{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(string) string { return "" }}
				b.ReportAllocs()
				for b.Loop() {
					if code := run(context.Background(), g, args); code != 0 {
						b.Fatalf("exit %d", code)
					}
				}
			})
		}
	}
}

// TestListJSONEncoding checks the hand-written JSON against encoding/json.
func TestListJSONEncoding(t *testing.T) {
	tests := []listEntry{
		{Name: "plain", Kind: "role", Chain: []string{"a", "b"}, DurationSeconds: 3600, MultiHop: true, Line: 7},
		{Name: `quo"te\back`, Error: "line\nbreak\ttab\rcr\x01\x1f\b\f", Chain: []string{}},
		{Name: "ünïcødé 😂", ExternalID: "<&>", Region: "a\u2028b\u2029c", Chain: []string{"é"}},
		{Name: "", Chain: nil},
	}
	for _, e := range tests {
		t.Run(e.Name, func(t *testing.T) {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(e); err != nil {
				t.Fatal(err)
			}
			want := strings.TrimSuffix(buf.String(), "\n")
			if e.Chain == nil {
				want = strings.Replace(want, `"chain":null`, `"chain":[]`, 1)
			}
			if got := string(appendListEntry(nil, e)); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestListTableLaysOutAsTabwriter: the streamed table is laid out as
// text/tabwriter lays out the same cells, for generated profiles, broken
// ones and names wider than ASCII.
func TestListTableLaysOutAsTabwriter(t *testing.T) {
	dir := t.TempDir()
	// More rows than one chunk, so that the rows are formatted on every
	// worker and written in order.
	cfg, cred := profilegen.Generate(8*listChunk + 17)
	cfg = append(cfg, "\n[profile ünïcødé-名前]\nrole_arn = arn:aws:iam::111111111111:role/x\nsource_profile = nope\nregion = eu-west-1\x1b[2J\n"+
		"\n[profile self]\nrole_arn = arn:aws:iam::111111111111:role/self\nsource_profile = self\n"+
		"\n[profile on-self]\nrole_arn = arn:aws:iam::111111111111:role/on\nsource_profile = self\n"...)
	cred = append(cred, "\n[self]\naws_access_key_id = AKIASELF\naws_secret_access_key = s\n"...)
	_, _, set := writeProfiles(t, dir, cfg, cred)
	var got bytes.Buffer
	bw := bufio.NewWriter(&got)
	writeListTable(bw, set)
	bw.Flush()

	var want bytes.Buffer
	tw := tabwriter.NewWriter(&want, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tKIND\tCHAIN\tACCOUNT\tREGION\tPROBLEM")
	// The cells as the table promises them, built here from the model.
	orDash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, p := range set.Profiles {
		chain, problem := "-", "-"
		if p.Chain != nil {
			names := p.Chain.Names()
			switch k := p.Chain.Root.Kind; k {
			case profiles.RootEnvironment, profiles.RootIMDS, profiles.RootECS:
				names = append([]string{string(k)}, names...)
			}
			chain = strings.Join(names, " → ")
			if p.Chain.Capped() {
				chain += " (1h cap)"
			}
		}
		if p.Err != nil {
			problem = p.Err.Error()
		}
		cells := []string{p.Name, string(p.Kind), chain, orDash(p.AccountID()), orDash(p.Region()), problem}
		for i, c := range cells {
			cells[i] = termsafe.Clean(c)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
		if got, want := chainWidth(p), utf8.RuneCountInString(termsafe.Clean(chain)); got != want {
			t.Errorf("%s: chainWidth %d, want %d (%q)", p.Name, got, want, chain)
		}
	}
	tw.Flush()
	table, _, _ := strings.Cut(got.String(), "\n\n")
	if table+"\n" != want.String() {
		t.Errorf("the streamed table differs from text/tabwriter's layout:\n%s\nwant\n%s", table, want.String())
	}
	if strings.Contains(got.String(), "\x1b") {
		t.Error("a control character reached the table")
	}
}

// TestListJSONOfManyProfiles: more profiles than one chunk, formatted on
// every worker, come out as one JSON array in the order of their names,
// each entry what encoding/json writes for it.
func TestListJSONOfManyProfiles(t *testing.T) {
	dir := t.TempDir()
	cfg, cred := profilegen.Generate(8*listChunk + 17)
	config, credentials, set := writeProfiles(t, dir, cfg, cred)
	code, out, stderr := runCmd(t, "list", "--json", "--config", config, "--credentials", credentials)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	var entries []json.RawMessage
	if err := json.Unmarshal([]byte(out), &entries); err != nil {
		t.Fatalf("output is not a JSON array: %v", err)
	}
	if len(entries) != len(set.Profiles) {
		t.Fatalf("%d entries, want %d", len(entries), len(set.Profiles))
	}
	for i, p := range set.Profiles {
		want, err := json.Marshal(newListEntry(p, nil))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(entries[i], want) {
			t.Fatalf("entry %d is\n%s\nwant\n%s", i, entries[i], want)
		}
	}
}

// writeProfiles writes a config and a credentials file into dir and loads
// them.
func writeProfiles(t *testing.T, dir string, cfg, cred []byte) (config, credentials string, set *profiles.Set) {
	t.Helper()
	config, credentials, err := profilegen.WriteFiles(dir, cfg, cred)
	if err != nil {
		t.Fatal(err)
	}
	set, err = profiles.Load(profiles.Files{Config: config, Credentials: credentials})
	if err != nil {
		t.Fatal(err)
	}
	return config, credentials, set
}
