package profiles

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// loadConfig loads a config file with the given text and the credentials
// file creds.
func loadConfig(t *testing.T, config, creds string) *Set {
	t.Helper()
	dir := t.TempDir()
	files := Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
	if err := os.WriteFile(files.Config, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files.Credentials, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	age(t, files.Config, files.Credentials)
	set, err := Load(files)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestChainCapped(t *testing.T) {
	const config = `[profile user]
[profile one]
role_arn = arn:aws:iam::111111111111:role/One
source_profile = user
[profile two]
role_arn = arn:aws:iam::222222222222:role/Two
source_profile = one
[profile on-instance]
role_arn = arn:aws:iam::333333333333:role/FromIMDS
credential_source = Ec2InstanceMetadata
[profile in-container]
role_arn = arn:aws:iam::333333333333:role/FromECS
credential_source = EcsContainer
[profile from-env]
role_arn = arn:aws:iam::333333333333:role/FromEnv
credential_source = Environment
[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1
[profile sso]
sso_session = corp
sso_account_id = 444444444444
sso_role_name = Dev
[profile from-sso]
role_arn = arn:aws:iam::555555555555:role/FromSSO
source_profile = sso
[profile proc]
credential_process = /bin/true
[profile from-proc]
role_arn = arn:aws:iam::555555555555:role/FromProc
source_profile = proc
`
	const creds = "[user]\naws_access_key_id = AKIDUSER\naws_secret_access_key = s\n"
	set := loadConfig(t, config, creds)
	tests := []struct {
		profile string
		capped  bool
	}{
		{"one", false},         // an IAM user's keys: up to 12 h
		{"two", true},          // a role assumed with a role's session
		{"on-instance", true},  // the instance role is a role session
		{"in-container", true}, // so is the task role
		{"from-sso", true},     // and SSO role credentials
		{"from-env", false},    // unknown: STS says so if it is one
		{"from-proc", false},   // unknown too
		{"sso", false},         // no role of its own
		{"user", false},
	}
	for _, tc := range tests {
		p := set.Get(tc.profile)
		if p == nil || p.Chain == nil {
			t.Fatalf("%s: no chain (%v)", tc.profile, p.Err)
		}
		if got := p.Chain.Capped(); got != tc.capped {
			t.Errorf("%s: Capped() = %v, want %v", tc.profile, got, tc.capped)
		}
	}
	// Every hop after the first is chained.
	c := set.Get("two").Chain
	if c.Chained(0) || !c.Chained(1) {
		t.Errorf("user → one → two: Chained(0), Chained(1) = %v, %v; want false, true", c.Chained(0), c.Chained(1))
	}
}

func TestDurationSecondsRange(t *testing.T) {
	tests := []struct {
		value   string
		want    int    // DurationSeconds when fine
		problem string // part of the error when not
	}{
		{"900", 900, ""},
		{"43200", 43200, ""},
		{"3600", 3600, ""},
		{"300", 0, "out of range"},
		{"43201", 0, "out of range"},
		{"9999999999999", 0, "out of range"},
		{"99999999999999999999999", 0, "out of range"}, // beyond int64
		{"10000000000000000000000", 0, "out of range"}, // zeros are digits too
		{"-5", 0, "out of range"},
		{"0", 0, "out of range"},
		{"1h", 0, "not a number of seconds"},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			set := loadConfig(t, "[profile r]\nrole_arn = arn:aws:iam::111111111111:role/R\nsource_profile = u\nduration_seconds = "+tc.value+"\n",
				"[u]\naws_access_key_id = AKIDU\naws_secret_access_key = s\n")
			p := set.Get("r")
			if tc.problem == "" {
				if p.Err != nil || p.DurationSeconds != tc.want {
					t.Fatalf("duration_seconds = %s: DurationSeconds %d, err %v; want %d, no error", tc.value, p.DurationSeconds, p.Err, tc.want)
				}
				return
			}
			if p.Err == nil || !strings.Contains(p.Err.Error(), tc.problem) {
				t.Fatalf("duration_seconds = %s: err %v, want one that says %q", tc.value, p.Err, tc.problem)
			}
			// The message names the file and line of the value.
			if !strings.Contains(p.Err.Error(), "config:4:") {
				t.Errorf("error %q does not name config:4", p.Err)
			}
			if p.DurationSeconds != 0 {
				t.Errorf("DurationSeconds = %d kept from a bad value", p.DurationSeconds)
			}
		})
	}
}

func TestAccountFromARN(t *testing.T) {
	for arn, want := range map[string]string{
		"arn:aws:iam::111111111111:role/Admin":                        "111111111111",
		"arn:aws:sts::222222222222:assumed-role/Admin/rolecall-alice": "222222222222",
		"arn:aws-cn:iam::333333333333:user/bob":                       "333333333333",
		"arn:aws:s3:::bucket":                                         "",
		"not-an-arn":                                                  "",
		"arn:aws:iam":                                                 "",
	} {
		if got := AccountFromARN(arn); got != want {
			t.Errorf("AccountFromARN(%q) = %q, want %q", arn, got, want)
		}
	}
}
