package profiles

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

func TestCredfileHeaders(t *testing.T) {
	for _, tt := range headerCases {
		t.Run(tt.name, func(t *testing.T) {
			path := credFile(t, tt.in)
			_, err := WriteDefault(path, sessionFor("new"), DefaultOptions{})
			if tt.refused != "" {
				if err == nil || !strings.Contains(err.Error(), tt.refused) || !strings.Contains(err.Error(), path) {
					t.Fatalf("error %v, want one naming %s and %q", err, path, tt.refused)
				}
				if readString(t, path) != tt.in {
					t.Errorf("a refused write changed the file")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := readString(t, path); got != tt.want {
				t.Errorf("wrote\n%q\nwant\n%q", got, tt.want)
			}
			set, err := Load(Files{Credentials: path})
			if err != nil {
				t.Fatal(err)
			}
			if !set.Default.Ours() || set.Default.Profile != "new" {
				t.Errorf("the reader sees [default] holding %q", set.Default)
			}
			for _, k := range tt.keep {
				if p := set.Get(k[0]); p == nil || p.Get(k[1]) != k[2] {
					t.Errorf("the reader lost [%s] %s", k[0], k[1])
				}
			}
		})
	}
	t.Run("the reader reads a file with a byte order mark but says the AWS CLI cannot", func(t *testing.T) {
		path := credFile(t, utf8BOM+"[default]\naws_access_key_id = AKIALONGTERMKEY0001\naws_secret_access_key = s\n")
		set, err := Load(Files{Credentials: path})
		if err != nil {
			t.Fatal(err)
		}
		if set.Default.Holder != DefaultLongTerm {
			t.Errorf("the reader does not see [default]'s long-term keys: %q", set.Default)
		}
		if len(set.Problems) != 1 || !strings.Contains(set.Problems[0].Error(), path+":1: the file starts with a UTF-8 byte order mark") {
			t.Errorf("problems %v, want one about the byte order mark", set.Problems)
		}
	})
}

// botocore is the referee: after each write the AWS CLI reads the written
// key from [default] and every other key as before.
func TestCredfileHeadersAWSCLI(t *testing.T) {
	awsBin := testenv.RequireTool(t, "aws")
	get := func(t *testing.T, path, profile, key string) string {
		t.Helper()
		c := exec.Command(awsBin, "configure", "get", key, "--profile", profile)
		c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "PYENV_ROOT=" + os.Getenv("PYENV_ROOT"),
			"AWS_SHARED_CREDENTIALS_FILE=" + path, "AWS_CONFIG_FILE=" + filepath.Join(t.TempDir(), "none")}
		out, _ := c.Output()
		return strings.TrimSpace(string(out))
	}
	for _, tt := range headerCases {
		if tt.refused != "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := credFile(t, tt.in)
			if _, err := WriteDefault(path, sessionFor("new"), DefaultOptions{}); err != nil {
				t.Fatal(err)
			}
			if got := get(t, path, "default", "aws_access_key_id"); got != sessionFor("new").AccessKeyID {
				t.Errorf("the AWS CLI reads [default]'s key id as %q", got)
			}
			for _, k := range tt.keep {
				if got := get(t, path, k[0], k[1]); got != k[2] {
					t.Errorf("the AWS CLI reads [%s] %s as %q, want %q", k[0], k[1], got, k[2])
				}
			}
		})
	}
}

func TestCredfileSiblingFiles(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "credentials"), filepath.Join(dir, "credentials2")
	for _, p := range []string{a, b} {
		os.WriteFile(p, []byte("[x]\na = b\n"), 0o600)
	}
	t.Run("a writer removes only its own file's old temp files", func(t *testing.T) {
		old := time.Now().Add(-time.Hour)
		plant := func(name string, mtime time.Time) string {
			p := filepath.Join(dir, name)
			os.WriteFile(p, []byte("half"), 0o600)
			os.Chtimes(p, mtime, mtime)
			return p
		}
		staleA := plant(".credentials.rolecall-tmp-111", old)
		freshA := plant(".credentials.rolecall-tmp-222", time.Now())
		staleB := plant(".credentials2.rolecall-tmp-333", old)
		notOurs := plant(".credentials.rolecall-tmp-old.bak", old)
		if _, err := WriteDefault(a, sessionFor("one"), DefaultOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(staleA); err == nil {
			t.Errorf("the killed writer's old temp file of credentials is still there")
		}
		for _, p := range []string{freshA, staleB, notOurs} {
			if _, err := os.Stat(p); err != nil {
				t.Errorf("%s was removed", filepath.Base(p))
			}
			os.Remove(p)
		}
	})
	t.Run("concurrent writers of two files in one directory", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for i := range 6 {
			path := []string{a, b}[i%2]
			wg.Go(func() {
				for j := range 4 {
					if _, err := WriteDefault(path, sessionFor(fmt.Sprintf("p%d%d", i, j)), DefaultOptions{}); err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("a write failed: %v", err)
		}
		for _, p := range []string{a, b} {
			set, err := Load(Files{Credentials: p})
			if err != nil || !set.Default.Ours() || set.Get("x") == nil {
				t.Errorf("%s: [default] %q, err %v", p, set.Default, err)
			}
		}
	})
}

func TestCredfileLockFileErrors(t *testing.T) {
	t.Run("the lock file's name is taken by a directory", func(t *testing.T) {
		path := credFile(t, "[x]\na = b\n")
		os.Mkdir(path+".lock", 0o700)
		_, err := WriteDefault(path, sessionFor("one"), DefaultOptions{})
		if err == nil || !strings.Contains(err.Error(), "cannot create the lock file "+path+".lock") || !strings.Contains(err.Error(), "is a directory") {
			t.Fatalf("error %v; want one saying the lock file %s.lock is a directory", err, path)
		}
		if strings.Contains(err.Error(), "locked by another writer") {
			t.Errorf("error blames another writer")
		}
	})
}
