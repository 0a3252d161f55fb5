package profiles

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/profilegen"
)

var assignments = []SSOAssignment{
	{AccountID: "111111111111", AccountName: "Dev Account", RoleName: "Admin"},
	{AccountID: "111111111111", AccountName: "Dev Account", RoleName: "ReadOnly"},
	{AccountID: "222222222222", AccountName: "prod", RoleName: "ReadOnly"},
	{AccountID: "333333333333", AccountName: "prod", RoleName: "ReadOnly"}, // same name, other account
}

func TestSSOProfileNames(t *testing.T) {
	tests := []struct {
		prefix, tmpl string
		want         []string
	}{
		{"", "", []string{"Dev-Account-Admin", "Dev-Account-ReadOnly", "prod-ReadOnly", "prod-ReadOnly-333333333333"}},
		{"corp/", "{{.AccountID}}.{{.RoleName}}", []string{"corp/111111111111.Admin", "corp/111111111111.ReadOnly", "corp/222222222222.ReadOnly", "corp/333333333333.ReadOnly"}},
		{"", "{{.AccountName}} [{{.RoleName}}]", []string{"Dev-Account-Admin", "Dev-Account-ReadOnly", "prod-ReadOnly", "prod-ReadOnly-333333333333"}},
	}
	for _, tc := range tests {
		gens, err := SSOProfiles("corp", "eu-west-1", assignments, tc.prefix, tc.tmpl)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, g := range gens {
			names = append(names, g.Name)
		}
		if !reflect.DeepEqual(names, tc.want) {
			t.Errorf("prefix %q template %q: %q, want %q", tc.prefix, tc.tmpl, names, tc.want)
		}
	}
	for _, bad := range []string{"{{.Nope}}", "{{"} {
		if _, err := SSOProfiles("corp", "", assignments, "", bad); err == nil {
			t.Errorf("template %q: no error", bad)
		}
	}
	if _, err := SSOProfiles("corp", "eu-west-1\n[x]", assignments, "", ""); err == nil {
		t.Error("a region with a line break was accepted")
	}
}

// TestSSOProfileNamesNeverCollide: an account whose name already ends in
// another account's id takes the name the other one would get from the
// id suffix; both still get a profile of their own, and both are written.
func TestSSOProfileNamesNeverCollide(t *testing.T) {
	as := []SSOAssignment{
		{AccountID: "333333333333", AccountName: "prod-222222222222", RoleName: "Admin"},
		{AccountID: "111111111111", AccountName: "prod", RoleName: "Admin"},
		{AccountID: "222222222222", AccountName: "prod", RoleName: "Admin"},
	}
	gens, err := SSOProfiles("corp", "", as, "", "{{.AccountName}}")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]string{}
	for _, g := range gens {
		if other, dup := byName[g.Name]; dup {
			t.Errorf("accounts %s and %s both get the profile name %q: one of them is never written", other, g.Assignment.AccountID, g.Name)
		}
		byName[g.Name] = g.Assignment.AccountID
	}
	path := filepath.Join(t.TempDir(), "config")
	res, err := WriteSSOProfiles(path, "corp", gens)
	if err != nil {
		t.Fatal(err)
	}
	text := readString(t, path)
	for _, a := range as {
		if !strings.Contains(text, "sso_account_id = "+a.AccountID+"\n") {
			t.Errorf("account %s (%s) has no profile in the written file:\n%s", a.AccountID, a.AccountName, text)
		}
	}
	if len(res.Added) != len(as) {
		t.Errorf("added %q, want %d profiles", res.Added, len(as))
	}
}

func TestWriteSSOProfiles(t *testing.T) {
	const userText = "# my config\r\n[default]\r\nregion = eu-west-1\r\n\r\n[sso-session corp]\r\nsso_start_url = https://corp.awsapps.com/start\r\nsso_region = eu-west-1\r\n\r\n[profile prod-ReadOnly]\r\n# mine, hand-tuned\r\nsso_session = corp\r\nsso_account_id = 222222222222\r\nsso_role_name = ReadOnly\r\nregion = us-east-1"
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(userText), 0o640); err != nil {
		t.Fatal(err)
	}
	gens, err := SSOProfiles("corp", "", assignments, "", "")
	if err != nil {
		t.Fatal(err)
	}
	res, err := WriteSSOProfiles(path, "corp", gens)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Dev-Account-Admin", "Dev-Account-ReadOnly", "prod-ReadOnly-333333333333"}; !reflect.DeepEqual(res.Added, want) || !reflect.DeepEqual(res.Skipped, []string{"prod-ReadOnly"}) {
		t.Errorf("added %q skipped %q", res.Added, res.Skipped)
	}
	b, _ := os.ReadFile(path)
	got := string(b)
	// Every byte of the user's file is still there, first; the line ending
	// missing at its end is added before the block, in its own CRLF.
	if !strings.HasPrefix(got, userText+"\r\n\r\n"+beginMarker("corp")+"\r\n") || strings.Contains(strings.ReplaceAll(got, "\r\n", ""), "\n") {
		t.Errorf("the file does not start with the user's bytes, or mixes line endings:\n%q", got)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the file's own 0640", st.Mode().Perm())
	}
	set, err := Load(Files{Config: path})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range res.Added {
		p := set.Get(name)
		if p == nil || p.Err != nil || p.Kind != KindSSO || p.Chain.Root.SSOStartURL != "https://corp.awsapps.com/start" {
			t.Errorf("profile %s does not read back as an SSO profile: %+v", name, p)
		}
	}
	if set.Get("prod-ReadOnly").Region() != "us-east-1" {
		t.Error("the user's own profile was changed")
	}

	// The user adds a profile after the block; the next run, with one
	// role fewer, rewrites the block only.
	after := got + "\r\n[profile later]\r\nregion = us-west-2\r\n"
	if err := os.WriteFile(path, []byte(after), 0o640); err != nil {
		t.Fatal(err)
	}
	res, err = WriteSSOProfiles(path, "corp", gens[:2])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Kept, []string{"Dev-Account-Admin", "Dev-Account-ReadOnly"}) || !reflect.DeepEqual(res.Removed, []string{"prod-ReadOnly-333333333333"}) || len(res.Added) != 0 {
		t.Errorf("second run: %+v", res)
	}
	b, _ = os.ReadFile(path)
	got2 := string(b)
	if !strings.HasPrefix(got2, userText) || !strings.HasSuffix(got2, endMarker("corp")+"\r\n\r\n[profile later]\r\nregion = us-west-2\r\n") || strings.Contains(got2, "333333333333]") {
		t.Errorf("second run changed more than the block:\n%q", got2)
	}
	// The same run again changes nothing.
	before, _ := os.ReadFile(path)
	if res, err := WriteSSOProfiles(path, "corp", gens[:2]); err != nil || res.Changed {
		t.Errorf("an identical run: %+v %v", res, err)
	}
	if again, _ := os.ReadFile(path); string(again) != string(before) {
		t.Error("an identical run rewrote the file")
	}
}

func TestWriteSSOProfilesRefusesDamagedBlocks(t *testing.T) {
	gens, _ := SSOProfiles("corp", "", assignments[:1], "", "")
	begin, end := beginMarker("corp")+"\n", endMarker("corp")+"\n"
	for name, tc := range map[string]struct{ text, want string }{
		"no end":                 {"[default]\n" + begin + "[profile x]\n", ":2: the block of profiles generated for sso-session corp has no end line"},
		"no end, at the top":     {begin + "[profile x]\n", ":1: the block of profiles generated for sso-session corp has no end line"},
		"two begins":             {"[default]\n" + begin + end + begin + end, ":4: a second block of profiles generated for sso-session corp (the first is at line 2)"},
		"two begins, at the top": {begin + end + begin + end, ":3: a second block of profiles generated for sso-session corp (the first is at line 1)"},
		"end only":               {"[default]\n" + end, ":2: the end of a generated block without its beginning"},
		"two ends":               {begin + end + end, ":3: the end of a generated block without its beginning"},
	} {
		t.Run(name, func(t *testing.T) {
			text := tc.text
			path := filepath.Join(t.TempDir(), "config")
			if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := WriteSSOProfiles(path, "corp", gens)
			if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
				t.Errorf("got %v, want %q", err, path+tc.want)
			}
			if b, _ := os.ReadFile(path); string(b) != text {
				t.Error("the file was changed")
			}
		})
	}
}

func TestWriteSSOProfilesNewFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "aws", "config")
	gens, _ := SSOProfiles("corp", "eu-west-1", assignments[:1], "", "")
	if _, err := WriteSSOProfiles(path, "corp", gens); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := beginMarker("corp") + "\n"
	if !strings.HasPrefix(string(b), want) || !strings.Contains(string(b), "\n[profile Dev-Account-Admin]\nsso_session = corp\nsso_account_id = 111111111111\nsso_role_name = Admin\nregion = eu-west-1\n") {
		t.Errorf("new file:\n%s", b)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
}

// BenchmarkWriteSSOProfiles2000 rewrites the block of 2,000 generated
// profiles at the end of a 10,000-profile config file: the locked
// atomic write, the replace, and the check that the result parses.
func BenchmarkWriteSSOProfiles2000(b *testing.B) {
	cfg, _ := profilegen.Generate(10000)
	path := filepath.Join(b.TempDir(), "config")
	if err := os.WriteFile(path, append(cfg, "\n[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n"...), 0o600); err != nil {
		b.Fatal(err)
	}
	var as []SSOAssignment
	for i := range 500 {
		for _, r := range []string{"Admin", "Developer", "ReadOnly", "Billing"} {
			as = append(as, SSOAssignment{AccountID: fmt.Sprintf("%012d", 100000000000+i), AccountName: fmt.Sprintf("acct-%03d", i), RoleName: r})
		}
	}
	gens, err := SSOProfiles("corp", "eu-west-1", as, "", "")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		// Every other run changes the block, so each write replaces it.
		g := gens
		if i%2 == 1 {
			g = gens[1:]
		}
		if _, err := WriteSSOProfiles(path, "corp", g); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWriteSSOProfilesBlockAtTheTop: a block on the file's first line is
// found and rewritten like any other: its profiles are the block's, not
// the user's, and the file never gets a second block.
func TestWriteSSOProfilesBlockAtTheTop(t *testing.T) {
	gens, _ := SSOProfiles("corp", "eu-west-1", assignments[:2], "", "")
	path := filepath.Join(t.TempDir(), "config")
	if _, err := WriteSSOProfiles(path, "corp", gens); err != nil {
		t.Fatal(err)
	}
	first := readString(t, path)
	if !strings.HasPrefix(first, beginMarker("corp")) {
		t.Fatalf("the block is not at the top:\n%s", first)
	}
	os.WriteFile(path, []byte(first+"\n[profile mine]\nregion = us-east-1\n"), 0o600)
	res, err := WriteSSOProfiles(path, "corp", gens[:1])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Kept, []string{gens[0].Name}) || !reflect.DeepEqual(res.Removed, []string{gens[1].Name}) || len(res.Skipped) != 0 {
		t.Errorf("second run: %+v, want %s kept and %s removed", res, gens[0].Name, gens[1].Name)
	}
	got := readString(t, path)
	if strings.Count(got, beginMarker("corp")) != 1 || strings.Contains(got, gens[1].Name) || !strings.HasSuffix(got, "\n[profile mine]\nregion = us-east-1\n") {
		t.Errorf("the block was not rewritten in place:\n%s", got)
	}
}

// TestWriteSSOProfilesWithNothingToWrite: no roles and no block leave the
// file as it is, byte for byte; no roles and a block remove the block and
// only it, the user's last line (without a line ending) included.
func TestWriteSSOProfilesWithNothingToWrite(t *testing.T) {
	for name, text := range map[string]string{"ending in a newline": "[default]\nregion = eu-west-1\n", "without one": "[default]\nregion = eu-west-1"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config")
			os.WriteFile(path, []byte(text), 0o600)
			res, err := WriteSSOProfiles(path, "corp", nil)
			if err != nil || res.Changed || readString(t, path) != text {
				t.Errorf("no roles: %+v, %v; the file must stay as it was", res, err)
			}
		})
	}
	gens, _ := SSOProfiles("corp", "", assignments[:1], "", "")
	path := filepath.Join(t.TempDir(), "config")
	const head, tail = "[default]\nregion = eu-west-1\n", "\n[profile later]\nregion = us-west-2"
	os.WriteFile(path, []byte(head), 0o600)
	if _, err := WriteSSOProfiles(path, "corp", gens); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, []byte(readString(t, path)+tail), 0o600)
	res, err := WriteSSOProfiles(path, "corp", nil)
	if err != nil || !reflect.DeepEqual(res.Removed, []string{gens[0].Name}) {
		t.Fatalf("no roles over a block: %+v, %v", res, err)
	}
	if got := readString(t, path); got != head+"\n"+tail {
		t.Errorf("removing the block left %q, want %q", got, head+"\n"+tail)
	}
}

// TestWriteSSOProfilesRefusesWhatWouldNotReadBack: a profile that would
// not read back as written (here a name with a space) is refused, and the
// file keeps every byte.
func TestWriteSSOProfilesRefusesWhatWouldNotReadBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	const text = "[default]\nregion = eu-west-1\n"
	os.WriteFile(path, []byte(text), 0o600)
	gens := []GeneratedProfile{{Name: "a b", Props: [][2]string{{"sso_session", "corp"}, {"sso_account_id", "111111111111"}, {"sso_role_name", "Admin"}}}}
	if _, err := WriteSSOProfiles(path, "corp", gens); err == nil || !strings.Contains(err.Error(), "would not read back") {
		t.Errorf("got %v, want a refusal", err)
	}
	if readString(t, path) != text {
		t.Error("the file was changed")
	}
}
