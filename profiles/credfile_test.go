package profiles

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

var updateCredfile = flag.Bool("update-credfile", false, "rewrite testdata/credfile/*.want")

var testNow = time.Date(2026, 11, 23, 15, 4, 5, 0, time.UTC)

func testWrite() DefaultWrite {
	return DefaultWrite{
		AccessKeyID:     "ASIANEWNEWNEW",
		SecretAccessKey: "newsecret",
		SessionToken:    "newtoken",
		Expiration:      time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC),
		Profile:         "prod",
	}
}

// withoutDefault returns the file's bytes with [default]'s lines (header
// included) taken out, so two versions can be compared outside it.
func withoutDefault(data string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.SplitAfter(data, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			in = strings.TrimSpace(t[1:len(t)-1]) == "default"
		}
		if !in {
			b.WriteString(l)
		}
	}
	return b.String()
}

func TestCredfileWriteFixtures(t *testing.T) {
	tests := []struct {
		name    string
		force   bool
		wantErr error // nil: compare with NAME.want
		backup  bool
	}{
		{name: "start"},
		{name: "middle"},
		{name: "end-no-newline"},
		{name: "crlf"},
		{name: "comments-inside"},
		{name: "no-keys"},
		{name: "no-keys-no-newline"},
		{name: "colon-separator"},
		{name: "empty"},
		{name: "no-default"},
		{name: "duplicate", wantErr: errDuplicate},
		{name: "duplicate", force: true, wantErr: errDuplicate},
		{name: "longterm", wantErr: ErrLongTermDefault},
		{name: "foreign-token", wantErr: ErrForeignDefault},
		{name: "longterm", force: true, backup: true},
		{name: "foreign-token", force: true, backup: true},
	}
	for _, tt := range tests {
		label := tt.name
		if tt.force {
			label += "-force"
		}
		t.Run(label, func(t *testing.T) {
			in, err := os.ReadFile(filepath.Join("testdata", "credfile", tt.name+".in"))
			if err != nil {
				t.Fatal(err)
			}
			path := "/home/u/.aws/credentials"
			out, res, err := writeDefault(path, string(in), testWrite(), DefaultOptions{Force: tt.force}, testNow)
			backup := res.BackupProfile
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("no error; want one wrapping %q", tt.wantErr)
				}
				if tt.wantErr != errDuplicate && !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %q does not wrap %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
				if strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "token =") {
					t.Errorf("error reveals a secret")
				}
				return
			}
			if err != nil {
				t.Fatalf("writeDefault: %v", err)
			}
			if (backup != "") != tt.backup {
				t.Fatalf("backup profile %q, want one: %v", backup, tt.backup)
			}
			if tt.backup && backup != "default-backup-20261123-150405" {
				t.Errorf("backup profile %q, want default-backup-20261123-150405", backup)
			}
			wantPath := filepath.Join("testdata", "credfile", label+".want")
			if *updateCredfile {
				if err := os.WriteFile(wantPath, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s (run with -update-credfile and review the diff)", wantPath)
			}
			// Every byte outside [default] is kept; a last line without an
			// ending gets one only when [default] is appended after it.
			if !tt.backup {
				before, after := withoutDefault(string(in)), withoutDefault(out)
				if before != after && before+"\n" != after {
					t.Errorf("bytes outside [default] changed")
				}
			}
			// The reader sees what was written.
			set := loadText(t, out)
			d := set.Get("default")
			w := testWrite()
			if d == nil || d.Get("aws_access_key_id") != w.AccessKeyID || d.Get("aws_secret_access_key") != w.SecretAccessKey || d.Get("aws_session_token") != w.SessionToken {
				t.Fatalf("[default] read back: credentials mismatch")
			}
			if want := (DefaultState{Holder: DefaultRolecall, Profile: "prod", AccessKeyID: w.AccessKeyID}); set.Default != want || res.Default != want || !set.Default.Holds("prod", w.AccessKeyID) {
				t.Errorf("Set.Default = %+v, result %+v, want %+v", set.Default, res.Default, want)
			}
			if tt.backup {
				b := set.Get(backup)
				if b == nil || !b.HasKeys() || b.Get("aws_secret_access_key") == w.SecretAccessKey {
					t.Errorf("backup profile %s does not hold the old keys", backup)
				}
			}
		})
	}
}

// errDuplicate stands for the duplicate-[default] refusal, which has no
// sentinel of its own.
var errDuplicate = errors.New("duplicate [default]")

func loadText(t *testing.T, creds string) *Set {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte(creds), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := Load(Files{Config: filepath.Join(dir, "config"), Credentials: path})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return set
}

func TestCredfileClear(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{name: "appended section disappears", in: "[x]\na = b\n", want: "[x]\na = b\n"},
		{name: "empty file stays empty", in: "", want: ""},
		{name: "user keys in default stay", in: "[default]\nregion = eu-west-1\n# mine\n[x]\na = b\n", want: "[default]\nregion = eu-west-1\n# mine\n[x]\na = b\n"},
		{name: "crlf", in: "[x]\r\na = b\r\n", want: "[x]\r\na = b\r\n"},
		{name: "no final newline: the one the write added stays", in: "[x]\na = b", want: "[x]\na = b\n"},
		{name: "long-term keys are not ours", in: "[default]\naws_access_key_id = AKIA\naws_secret_access_key = s\n", wantErr: ErrNotWrittenByRolecall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			written := tt.in
			if tt.wantErr == nil {
				var err error
				written, _, err = writeDefault("f", tt.in, testWrite(), DefaultOptions{}, testNow)
				if err != nil {
					t.Fatal(err)
				}
			}
			got, was, err := clearDefault("f", written, DefaultOptions{})
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("after write and clear:\n%q\nwant\n%q", got, tt.want)
			}
			if was.Profile != testWrite().Profile || !was.Ours() {
				t.Errorf("clear reports %+v, want the session it removed", was)
			}
		})
	}
}

func TestCredfileWriteDefaultOnDisk(t *testing.T) {
	tests := []struct {
		name     string
		existing *os.FileMode // nil: no file yet
		wantMode os.FileMode
	}{
		{name: "missing file is created 0600", wantMode: 0o600},
		{name: "existing mode is kept", existing: ptr(os.FileMode(0o640)), wantMode: 0o640},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), ".aws")
			path := filepath.Join(dir, "credentials")
			if tt.existing != nil {
				os.MkdirAll(dir, 0o700)
				if err := os.WriteFile(path, []byte("[x]\na = b\n"), *tt.existing); err != nil {
					t.Fatal(err)
				}
				os.Chmod(path, *tt.existing)
			}
			if _, err := WriteDefault(path, testWrite(), DefaultOptions{}); err != nil {
				t.Fatal(err)
			}
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" && st.Mode().Perm() != tt.wantMode {
				t.Errorf("mode %v, want %v", st.Mode().Perm(), tt.wantMode)
			}
			if dst, _ := os.Stat(dir); runtime.GOOS != "windows" && tt.existing == nil && dst.Mode().Perm() != 0o700 {
				t.Errorf("dir mode %v, want 0700", dst.Mode().Perm())
			}
			left, _ := filepath.Glob(filepath.Join(dir, tempPrefix(path)+"*"))
			if len(left) > 0 {
				t.Errorf("temp files left behind: %v", left)
			}
			if _, err := ClearDefault(path, DefaultOptions{}); err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(path)
			if tt.existing != nil && string(got) != "[x]\na = b\n" {
				t.Errorf("after clear: %q", got)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestCredfileShadowWarnings(t *testing.T) {
	tests := []struct {
		name   string
		config string
		env    map[string]string
		want   []string // substrings, one per warning
	}{
		{name: "nothing shadows", config: "[default]\nregion = eu-west-1\n"},
		{name: "role default", config: "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\n", want: []string{"config:2: [default] sets role_arn"}},
		{name: "sso default", config: "[default]\nsso_session = s\n", want: []string{"sets sso_session"}},
		{name: "process default", config: "[profile default]\ncredential_process = /bin/true\n", want: []string{"sets credential_process"}},
		{name: "AWS_PROFILE", env: map[string]string{"AWS_PROFILE": "dev"}, want: []string{"AWS_PROFILE=dev"}},
		{name: "AWS_PROFILE=default is fine", env: map[string]string{"AWS_PROFILE": "default"}},
		{name: "env keys", env: map[string]string{"AWS_ACCESS_KEY_ID": "AKIA"}, want: []string{"AWS_ACCESS_KEY_ID is set"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := filepath.Join(dir, "config")
			os.WriteFile(cfg, []byte(tt.config), 0o600)
			set, err := Load(Files{Config: cfg, Credentials: filepath.Join(dir, "credentials")})
			if err != nil {
				t.Fatal(err)
			}
			got := ShadowWarnings(set, func(k string) string { return tt.env[k] })
			if len(got) != len(tt.want) {
				t.Fatalf("warnings %q, want %d", got, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("warning %q does not contain %q", got[i], w)
				}
			}
		})
	}
}

// BenchmarkCredfileEdit is the in-memory edit of a 200-profile file.
func BenchmarkCredfileEdit(b *testing.B) {
	var sb strings.Builder
	for i := range 200 {
		fmt.Fprintf(&sb, "# profile %d\n[p%d]\naws_access_key_id = AKIA%016d\naws_secret_access_key = s%d\n\n", i, i, i, i)
		if i == 100 {
			sb.WriteString("[default]\naws_access_key_id = ASIAOLD\naws_secret_access_key = old\naws_session_token = t\nrolecall_profile = x\nrolecall_access_key_id = ASIAOLD\n\n")
		}
	}
	data := sb.String()
	for b.Loop() {
		if _, _, err := writeDefault("f", data, testWrite(), DefaultOptions{}, testNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCredfileWriteDefault is the whole locked, synced write on disk.
func BenchmarkCredfileWriteDefault(b *testing.B) {
	path := filepath.Join(b.TempDir(), "credentials")
	os.WriteFile(path, []byte("[x]\na = b\n"), 0o600)
	for b.Loop() {
		if _, err := WriteDefault(path, testWrite(), DefaultOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// The AWS CLI (botocore) reads the written [default] from files with CRLF,
// no final newline, comments inside [default] and ':' separators.
func TestCredfileReadByAWSCLI(t *testing.T) {
	awsBin := testenv.RequireTool(t, "aws")
	for _, name := range []string{"crlf", "end-no-newline", "comments-inside", "colon-separator", "longterm-force"} {
		t.Run(name, func(t *testing.T) {
			path, _ := filepath.Abs(filepath.Join("testdata", "credfile", name+".want"))
			c := exec.Command(awsBin, "configure", "get", "aws_session_token", "--profile", "default")
			c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PYENV_ROOT=" + os.Getenv("PYENV_ROOT"),
				"AWS_SHARED_CREDENTIALS_FILE=" + path, "AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none")}
			out, err := c.Output()
			if err != nil {
				t.Fatalf("aws configure get failed: %v", err)
			}
			if strings.TrimSpace(string(out)) != testWrite().SessionToken {
				t.Errorf("the AWS CLI read a different session token (mismatch)")
			}
		})
	}
}
