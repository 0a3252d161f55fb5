package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadLenient(t *testing.T) {
	set, err := Load(Files{Config: filepath.Join("testdata", "broken.config"), Credentials: filepath.Join("testdata", "broken.credentials")})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	tests := []struct {
		name    string
		kind    Kind
		errSub  string // "" when the profile must be usable
		chain   string
		account string
	}{
		{name: "good", kind: KindStatic, chain: "good"},
		{name: "bad", kind: KindRole, errSub: "broken.config:5: profile \"bad\": Expected an '=' sign"},
		{name: "team", kind: KindOther},
		{name: "team.dev", kind: KindRole, chain: "team.dev", account: "210987654321"},
		{name: "after", kind: KindStatic, errSub: "broken.config:22: profile \"after\": aws_secret_access_key is missing"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := set.Get(tc.name)
			if p == nil {
				t.Fatal("profile not loaded")
			}
			if p.Kind != tc.kind {
				t.Errorf("kind = %q, want %q", p.Kind, tc.kind)
			}
			switch {
			case tc.errSub == "" && p.Err != nil:
				t.Errorf("unexpected error: %v", p.Err)
			case tc.errSub != "" && (p.Err == nil || !strings.Contains(p.Err.Error(), tc.errSub)):
				t.Errorf("error = %v, want it to contain %q", p.Err, tc.errSub)
			}
			var pe *Error
			if p.Err != nil && !errors.As(p.Err, &pe) {
				t.Errorf("error is %T, want *profiles.Error", p.Err)
			}
			if tc.chain != "" && (p.Chain == nil || strings.Join(p.Chain.Names(), ",") != tc.chain) {
				t.Errorf("chain = %v, want %s", p.Chain, tc.chain)
			}
			if tc.account != "" && p.AccountID() != tc.account {
				t.Errorf("account = %q, want %q", p.AccountID(), tc.account)
			}
		})
	}
	if p := set.Get("unclosed"); p != nil {
		t.Error("a profile with a broken header was loaded")
	}
	// Sub-properties never leak into top-level keys, and dotted names do
	// not inherit from their prefix.
	if team := set.Get("team"); team.Sub.Get("s3").Get("addressing_style").Value != "path" || team.Get("addressing_style") != "" {
		t.Errorf("s3 sub-properties wrong: %v / %v", team.Sub, team.Props)
	}
	if set.Get("team.dev").Region() != "" {
		t.Error("team.dev inherited team's region")
	}
	var problems []string
	for _, p := range set.Problems {
		problems = append(problems, p.Error())
	}
	wantProblems := []string{
		"broken.config:5: profile \"bad\": Expected an '=' sign",
		"broken.config:18: Section definition must end with ']'",
		"broken.config:24: [orphaned] is ignored: in the config file a profile is [profile orphaned]",
		"broken.credentials:8: [profile misplaced] is ignored: in the credentials file a profile is [misplaced]",
	}
	if len(problems) != len(wantProblems) {
		t.Errorf("problems = %q, want %d", problems, len(wantProblems))
	}
	for i := range min(len(problems), len(wantProblems)) {
		if !strings.Contains(problems[i], wantProblems[i]) {
			t.Errorf("problem %d = %q, want %q", i, problems[i], wantProblems[i])
		}
	}
	names := make([]string, len(set.Profiles))
	for i, p := range set.Profiles {
		names[i] = p.Name
	}
	if strings.Join(names, ",") != "after,bad,good,team,team.dev" {
		t.Errorf("profiles = %v, want sorted", names)
	}
	if !set.Files.ConfigExists || !set.Files.CredentialsExists {
		t.Error("Exists flags not set")
	}
}

func TestLoadFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	tests := []struct {
		name   string
		files  Files
		errSub string
		count  int
	}{
		{"both missing", Files{Config: filepath.Join(dir, "none"), Credentials: filepath.Join(dir, "none2")}, "", 0},
		{"NUL bytes", Files{Config: write("nul", "[profile a]\nx = \x00\n")}, "nul is not a text file", 0},
		{"a NUL byte first", Files{Config: write("nul0", "\x00[profile a]\nx = 1\n")}, "nul0 is not a text file", 0},
		{"invalid UTF-8", Files{Credentials: write("latin1", "[a]\nx = caf\xe9\n")}, "latin1 is not a text file", 0},
		{"a directory", Files{Config: dir}, "cannot read the config file " + dir, 0},
		{"BOM and CRLF", Files{Config: write("bom", "\xef\xbb\xbf[profile a]\r\nregion = eu-west-1\r\n")}, "", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := Load(tc.files)
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("error = %v, want one line containing %q", err, tc.errSub)
				}
				return
			}
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if len(set.Profiles) != tc.count {
				t.Errorf("%d profiles, want %d", len(set.Profiles), tc.count)
			}
			if tc.count == 1 && set.Profiles[0].Region() != "eu-west-1" {
				t.Errorf("region = %q", set.Profiles[0].Region())
			}
		})
	}
}

func TestLoadDefaultState(t *testing.T) {
	tests := []struct {
		name  string
		creds string
		want  DefaultState
	}{
		{"written by rolecall", "default.credentials", DefaultState{Holder: DefaultRolecall, Profile: "prod", AccessKeyID: "ASIASESSION"}},
		{"long-term keys", "longterm.credentials", DefaultState{Holder: DefaultLongTerm, AccessKeyID: "AKIALONGTERM"}},
		{"no default", "broken.credentials", DefaultState{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			set, err := Load(Files{Credentials: filepath.Join("testdata", tc.creds)})
			if err != nil {
				t.Fatal(err)
			}
			if set.Default != tc.want {
				t.Errorf("Default = %+v, want %+v", set.Default, tc.want)
			}
		})
	}
	// Holds matches the recorded profile and the very keys.
	set, err := Load(Files{Credentials: filepath.Join("testdata", "default.credentials")})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		profile, key string
		want         bool
	}{
		{"prod", "ASIASESSION", true},
		{"prod", "ASIAOTHERSESSION", false}, // a later session of prod
		{"dev", "ASIASESSION", false},
		{"", "", false},
	} {
		if got := set.Default.Holds(tc.profile, tc.key); got != tc.want {
			t.Errorf("Holds(%q, %q) = %v, want %v", tc.profile, tc.key, got, tc.want)
		}
	}
}

func TestLocate(t *testing.T) {
	env := map[string]string{"HOME": "/home/u", "AWS_CONFIG_FILE": "~/cfg/aws"}
	getenv := func(k string) string { return env[k] }
	noHome := func() (string, error) { return "", errors.New("none") }
	tests := []struct {
		name             string
		platform         string
		cfgFlag, crdFlag string
		env              map[string]string
		wantCfg, wantCrd string
		errSub           string
	}{
		{"flags win", "linux", "/x/config", "/x/creds", env, "/x/config", "/x/creds", ""},
		{"env with ~/ expands", "linux", "", "", env, "/home/u/cfg/aws", "/home/u/.aws/credentials", ""},
		{"flag with ~/ expands", "linux", "~/c", "", map[string]string{"HOME": "/h/"}, "/h/c", "/h/.aws/credentials", ""},
		{"windows ~\\ expands", "windows", `~\c`, "", map[string]string{"USERPROFILE": `C:\Users\u`}, `C:\Users\u\c`, `C:\Users\u\.aws\credentials`, ""},
		{"no home at all", "linux", "", "", map[string]string{}, "", "", "set HOME or pass --config"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env = tc.env
			f, err := locate(tc.platform, tc.cfgFlag, tc.crdFlag, getenv, noHome)
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("error = %v, want %q", err, tc.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Config != tc.wantCfg || f.Credentials != tc.wantCrd {
				t.Errorf("got %q %q, want %q %q", f.Config, f.Credentials, tc.wantCfg, tc.wantCrd)
			}
		})
	}
}

func TestSetGetWithoutIndex(t *testing.T) {
	// Sets built by hand (UI tests, the demo) have no index.
	set := &Set{Profiles: []*Profile{{Name: "a"}, {Name: "b"}}}
	if p := set.Get("b"); p == nil || p.Name != "b" {
		t.Errorf("Get(b) = %v", p)
	}
	if set.Get("c") != nil {
		t.Error("Get(c) found a profile")
	}
}

// TestPropsOfInterleavedSections reads sections that are reopened after
// others, with properties replaced and turned into sub-property blocks,
// and checks that every profile keeps exactly its own properties, and
// that growing one profile's Props never overwrites another's.
func TestPropsOfInterleavedSections(t *testing.T) {
	cfg := "[profile a]\nregion = eu-west-1\nrole_arn = arn:aws:iam::111111111111:role/A\n" +
		"[profile b]\nregion = us-east-1\ns3 = x\n" +
		"[profile a]\nregion = eu-north-1\nexternal_id = ext\n" +
		"[profile b]\ns3 =\n  addressing_style = path\noutput = json\n" +
		"[profile c]\nregion = ap-south-1\n"
	m, err := parseBoth(cfg, "config", "", "credentials", parseOptions{strict: true})
	if err != nil {
		t.Fatal(err)
	}
	set := build(m)
	want := map[string]map[string]string{
		"a": {"region": "eu-north-1", "role_arn": "arn:aws:iam::111111111111:role/A", "external_id": "ext"},
		"b": {"region": "us-east-1", "output": "json"},
		"c": {"region": "ap-south-1"},
	}
	for name, props := range want {
		p := set.Get(name)
		got := map[string]string{}
		for _, pr := range p.Props {
			got[pr.Key] = pr.Value.Value
		}
		if len(got) != len(props) {
			t.Errorf("profile %s has %v, want %v", name, got, props)
		}
		for k, v := range props {
			if got[k] != v {
				t.Errorf("profile %s: %s = %q, want %q", name, k, got[k], v)
			}
		}
	}
	if got := set.Get("b").Sub.Get("s3").Get("addressing_style").Value; got != "path" {
		t.Errorf("b's s3 block lost its addressing_style: %q", got)
	}
	a := set.Get("a")
	_ = append(a.Props, Prop{Key: "x", Value: Value{Value: "y"}})
	for _, name := range []string{"b", "c"} {
		if _, ok := set.Get(name).Props.Lookup("x"); ok {
			t.Fatalf("appending to a's Props changed profile %s", name)
		}
	}
}

// TestCredentialsValueReplacesConfigSubProperties: a plain value in the
// credentials file replaces a sub-property block of the same key in the
// config file, as every other credentials value wins over the config's.
func TestCredentialsValueReplacesConfigSubProperties(t *testing.T) {
	dir := t.TempDir()
	cfg, cred := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	os.WriteFile(cfg, []byte("[profile x]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 2\n"), 0o600)
	os.WriteFile(cred, []byte("[x]\ns3 = plain\n"), 0o600)
	set, err := Load(Files{Config: cfg, Credentials: cred})
	if err != nil {
		t.Fatal(err)
	}
	p := set.Get("x")
	if p == nil || p.Props.Get("s3").Value != "plain" || len(p.Sub.Get("s3")) != 0 {
		t.Errorf("profile x: s3 = %q with sub-properties %v; want the credentials file's plain value alone", p.Props.Get("s3").Value, p.Sub.Get("s3"))
	}
}
