package profiles

import (
	"errors"
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

// TestRestoreUndoesForce: use --force moved long-term keys to a backup;
// restoring (straight away, or after use --clear) puts them back in
// [default]. The backup section stays: the writer never drops a section.
func TestRestoreUndoesForce(t *testing.T) {
	for _, name := range []string{"longterm", "foreign-token"} {
		for _, clear := range []bool{false, true} {
			label := name
			if clear {
				label += "-after-clear"
			}
			t.Run(label, func(t *testing.T) {
				in, err := os.ReadFile(filepath.Join("testdata", "credfile", name+".in"))
				if err != nil {
					t.Fatal(err)
				}
				written, wr, err := writeDefault("f", string(in), testWrite(), DefaultOptions{Force: true}, testNow)
				backup := wr.BackupProfile
				if err != nil || backup == "" {
					t.Fatalf("force write: backup %q, %v", backup, err)
				}
				if clear {
					if written, _, err = clearDefault("f", written, DefaultOptions{}); err != nil {
						t.Fatal(err)
					}
				}
				out, res, err := restoreDefault("f", written)
				if err != nil {
					t.Fatalf("restore: %v", err)
				}
				if res.Backup != backup {
					t.Errorf("restored from %q, want %q", res.Backup, backup)
				}
				if want := map[bool]string{false: "prod", true: ""}[clear]; res.Replaced != want {
					t.Errorf("Replaced = %q, want %q", res.Replaced, want)
				}
				if !clear && !strings.HasPrefix(out, string(in)) {
					t.Errorf("the file is not as it was before use --force, the backup section after it:\n%q\nwant it to start with\n%q", out, in)
				}
				// Whichever way, the reader sees the original keys in
				// [default], rolecall's record gone, and the backup kept.
				orig, now := loadText(t, string(in)).Get("default"), loadText(t, out)
				d := now.Get("default")
				for _, k := range []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token"} {
					if d == nil || d.Get(k) != orig.Get(k) {
						t.Errorf("[default] %s after restore differs from the original", k)
					}
				}
				if d.Get(KeyRolecallProfile) != "" || d.Get(KeyRolecallAccessKeyID) != "" || now.Default.Ours() {
					t.Errorf("rolecall's record is still in [default]")
				}
				if b := now.Get(backup); b == nil || b.Get("aws_access_key_id") != orig.Get("aws_access_key_id") {
					t.Errorf("the backup section %s lost its keys", backup)
				}
			})
		}
	}
}

func TestRestorePicksTheNewestBackup(t *testing.T) {
	in := "[default-backup-20260101-090000]\naws_access_key_id = AKIAOLDEST\naws_secret_access_key = a\n" +
		"[default-backup-20260301-090000]\naws_access_key_id = AKIANEWEST\naws_secret_access_key = c\n" +
		"[default-backup-20260301-090000-2]\naws_access_key_id = AKIANEWEST2\naws_secret_access_key = d\n" +
		"[default-backup-notadate]\naws_access_key_id = AKIAMINE\naws_secret_access_key = e\n" +
		"[default-backup-20260201-090000]\naws_access_key_id = AKIAMIDDLE\naws_secret_access_key = b\n"
	secs := scanSections(splitLines(in))
	if got := secs[newestBackup(secs)].name; got != "default-backup-20260301-090000-2" {
		t.Fatalf("newest backup %q, want default-backup-20260301-090000-2", got)
	}
	out, _, err := restoreDefault("f", in)
	if err != nil {
		t.Fatal(err)
	}
	set := loadText(t, out)
	if got := set.Get("default").Get("aws_access_key_id"); got != "AKIANEWEST2" {
		t.Errorf("[default] holds %s, want the newest backup's AKIANEWEST2", got)
	}
	for _, kept := range []string{"default-backup-20260101-090000", "default-backup-20260301-090000", "default-backup-20260301-090000-2", "default-backup-notadate", "default-backup-20260201-090000"} {
		if set.Get(kept) == nil {
			t.Errorf("%s was removed", kept)
		}
	}
}

func TestRestoreRefusals(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{name: "no backup", in: "[default]\nregion = eu-west-1\n", wantErr: ErrNoBackup},
		{name: "keys rolecall did not write", in: "[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = s\n[default-backup-20260101-090000]\naws_access_key_id = AKIAOLD\naws_secret_access_key = o\n",
			wantErr: ErrNotWrittenByRolecall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "credentials")
			if err := os.WriteFile(path, []byte(tt.in), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := RestoreDefault(path)
			if !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want one wrapping %q that names %s", err, tt.wantErr, path)
			}
			if strings.Contains(err.Error(), "= s") || strings.Contains(err.Error(), "= o") {
				t.Error("the error shows a secret")
			}
			if got, _ := os.ReadFile(path); string(got) != tt.in {
				t.Errorf("a refused restore changed the file")
			}
		})
	}
}

func TestRestoreKeepsTheRest(t *testing.T) {
	// CRLF, a comment the user wrote into the backup section, and other
	// sections around it all survive.
	in := "[a]\r\nx = 1\r\n[default]\r\nregion = eu-west-1\r\naws_access_key_id = ASIAROLECALL\r\naws_secret_access_key = s\r\naws_session_token = t\r\nrolecall_profile = prod\r\nrolecall_access_key_id = ASIAROLECALL\r\n\r\n" +
		"[default-backup-20260101-090000]\r\n# old laptop keys\r\naws_access_key_id = AKIAOLD\r\naws_secret_access_key = o\r\n[z]\r\ny = 2"
	out, res, err := restoreDefault("f", in)
	if err != nil {
		t.Fatal(err)
	}
	want := "[a]\r\nx = 1\r\n[default]\r\nregion = eu-west-1\r\naws_access_key_id = AKIAOLD\r\naws_secret_access_key = o\r\n\r\n" +
		"[default-backup-20260101-090000]\r\n# old laptop keys\r\naws_access_key_id = AKIAOLD\r\naws_secret_access_key = o\r\n[z]\r\ny = 2"
	if out != want || res.Replaced != "prod" {
		t.Errorf("got\n%q (replaced %q)\nwant\n%q", out, res.Replaced, want)
	}
}

func TestRestoreDefaultOnDisk(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	orig := "[default]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = longsecret\n"
	if err := os.WriteFile(path, []byte(orig), 0o640); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o640)
	res, err := WriteDefault(path, testWrite(), DefaultOptions{Force: true})
	if err != nil {
		t.Fatal(err)
	}
	if name, err := NewestBackup(path); err != nil || name != res.BackupProfile {
		t.Fatalf("NewestBackup = %q, %v; want %q", name, err, res.BackupProfile)
	}
	if _, err := RestoreDefault(path); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if !strings.HasPrefix(string(got), orig) {
		t.Errorf("after restore:\n%s\nwant it to start with\n%s", got, orig)
	}
	if st, _ := os.Stat(path); runtime.GOOS != "windows" && st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the file's own 0640", st.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, tempPrefix(path)+"*")); len(left) > 0 {
		t.Errorf("temp files left behind: %v", left)
	}
	if name, _ := NewestBackup(path); name != res.BackupProfile {
		t.Errorf("the backup is no longer there after restore: %q", name)
	}
	if name, err := NewestBackup(filepath.Join(dir, "missing")); name != "" || err != nil {
		t.Errorf("a missing file: %q, %v", name, err)
	}
}

// TestRestoredDefaultReadByAWSCLI: what the AWS CLI reads from [default]
// after use --force, use --clear and use --restore is the user's own key.
func TestRestoredDefaultReadByAWSCLI(t *testing.T) {
	awsBin := testenv.RequireTool(t, "aws")
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	if err := os.WriteFile(path, []byte("# keys\n[default]\naws_access_key_id = AKIALONGTERM\naws_secret_access_key = longsecret\n\n[x]\na = b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteDefault(path, testWrite(), DefaultOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := ClearDefault(path, DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := RestoreDefault(path); err != nil {
		t.Fatal(err)
	}
	c := exec.Command(awsBin, "configure", "get", "aws_access_key_id", "--profile", "default")
	c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PYENV_ROOT=" + os.Getenv("PYENV_ROOT"),
		"AWS_SHARED_CREDENTIALS_FILE=" + path, "AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none")}
	c.WaitDelay = 10 * time.Second
	out, err := c.Output()
	if err != nil {
		t.Fatalf("aws configure get: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != "AKIALONGTERM" {
		t.Errorf("the AWS CLI reads [default] key %q, want AKIALONGTERM", got)
	}
}

// TestRestorePutsKeysWhereTheyWere: the restored keys take the place of
// the session keys rolecall wrote in [default], or go right after its
// last property when it holds none; its other lines stay where they were.
func TestRestorePutsKeysWhereTheyWere(t *testing.T) {
	const backup = "[default-backup-20260101-090000]\naws_access_key_id = AKIAOLDEXAMPLE000001\naws_secret_access_key = o\n"
	written, _, err := writeDefault("credentials", "[default]\n"+backup, sessionFor("dev"), DefaultOptions{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	withKeys := strings.Replace(written, "\n[default-backup", "\nregion = eu-west-1\n[default-backup", 1)
	for name, in := range map[string]string{
		"over rolecall's keys": withKeys,
		"no keys":              "[default]\nregion = eu-west-1\n\n# about the backup\n" + backup,
	} {
		got, _, err := restoreDefault("credentials", in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		keys, region := strings.Index(got, "aws_access_key_id = AKIAOLDEXAMPLE000001"), strings.Index(got, "region = eu-west-1")
		if keys < 0 || region < 0 || !strings.HasPrefix(got, "[default]\n") || (name == "no keys") != (keys > region) || strings.Contains(got[:keys], "# about") {
			t.Errorf("%s: restored keys in the wrong place:\n%s", name, got)
		}
	}
}

// TestRestoreRefusalNamesDefaultsLine: a refused restore points at the
// [default] header.
func TestRestoreRefusalNamesDefaultsLine(t *testing.T) {
	in := "[a]\nk = v\n[default]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = s\n[default-backup-20260101-090000]\naws_access_key_id = AKIAOLD\naws_secret_access_key = o\n"
	if _, _, err := restoreDefault("credentials", in); err == nil || !strings.HasPrefix(err.Error(), "credentials:3: ") {
		t.Errorf("restore over keys rolecall did not write: %v, want an error at credentials:3", err)
	}
}

// TestPathText: a loop's path is shown whole up to eleven names, and
// longer ones as the first and last five and how many were left out.
func TestPathText(t *testing.T) {
	names := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("c%d", i)
		}
		return out
	}
	if got := pathText(names(11)); got != strings.Join(names(11), " -> ") {
		t.Errorf("11 names: %q, want them all", got)
	}
	if got, want := pathText(names(13)), "c0 -> c1 -> c2 -> c3 -> c4 -> … (3 more) -> c8 -> c9 -> c10 -> c11 -> c12"; got != want {
		t.Errorf("13 names: %q, want %q", got, want)
	}
}

// TestNewestBackupAtTheTop: a backup that is the file's first section is
// found like any other.
func TestNewestBackupAtTheTop(t *testing.T) {
	path := credFile(t, "[default-backup-20260101-090000]\naws_access_key_id = AKIAOLD\naws_secret_access_key = o\n[default]\nregion = eu-west-1\n")
	if got, err := NewestBackup(path); err != nil || got != "default-backup-20260101-090000" {
		t.Errorf("NewestBackup = %q, %v; want the backup at the top of the file", got, err)
	}
}

// TestNewestBackupIsByTimeThenNumber: the newest backup is the one with
// the latest time, then the highest number, wherever it is in the file.
func TestNewestBackupIsByTimeThenNumber(t *testing.T) {
	for want, text := range map[string]string{
		"default-backup-20260102-090000":   "[default-backup-20260102-090000]\n[default-backup-20260101-090000]\n",
		"default-backup-20260101-090000-2": "[default-backup-20260101-090000-2]\n[default-backup-20260101-090000]\n",
	} {
		if got, err := NewestBackup(credFile(t, text)); err != nil || got != want {
			t.Errorf("NewestBackup of\n%s= %q, %v; want %q", text, got, err, want)
		}
	}
}
