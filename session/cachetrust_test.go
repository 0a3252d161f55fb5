package session

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
)

// plant writes a well-formed cache entry for profile with the attacker's
// keys, as someone who can write the cache directory could, and returns
// its path.
func plant(t *testing.T, m *Manager, profile string, expires time.Time, mode os.FileMode) string {
	t.Helper()
	p, err := m.profile(profile)
	if err != nil {
		t.Fatal(err)
	}
	key := m.chainKey(p)
	path, err := m.sessionPath(key)
	if err != nil {
		t.Fatal(err)
	}
	s := &Session{Profile: profile, Key: key, IssuedAt: time.Now(),
		Creds: Credentials{AccessKeyID: "ASIAPLANTEDKEY000001", SecretAccessKey: "planted-secret", SessionToken: "planted-token", Expires: expires}}
	b, _ := json.Marshal(cacheFile{Version: cacheVersion, Session: s})
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
	return path
}

// assumeFresh assumes profile and checks the planted keys were not handed
// out, that STS was asked instead, and that a note says why (want).
func assumeFresh(t *testing.T, w *world, m *Manager, profile, want string) {
	t.Helper()
	s, err := m.Assume(ctx, profile)
	if err != nil {
		t.Fatal(err)
	}
	if s.Creds.AccessKeyID == "ASIAPLANTEDKEY000001" || s.FromCache {
		t.Fatalf("the planted session was handed out")
	}
	if got := stsfake.Actions(w.sts.Calls()); !slices.Equal(got, []string{"AssumeRole"}) {
		t.Errorf("calls %v, want STS asked for a real session", got)
	}
	if want != "" && !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("notes %q do not say %q", s.Notes, want)
	}
}

func TestCacheEntriesAreCheckedBeforeUse(t *testing.T) {
	now := time.Now()
	tests := []struct {
		name    string
		expires time.Time
		mode    os.FileMode
		want    string
	}{
		{"an expiry of 2099", time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), 0o600, "longer than its source can issue (12h)"},
		{"an expiry 13 hours ahead for a role", now.Add(13 * time.Hour), 0o600, "longer than its source can issue"},
		{"no expiry at all", time.Time{}, 0o600, "without an expiry"},
		{"a file others could write", now.Add(time.Hour), 0o644, "mode 0644"},
	}
	if runtime.GOOS == "windows" {
		tests = tests[:3]
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			m := w.manager(nil, Options{})
			plant(t, m, "dev", tc.expires, tc.mode)
			assumeFresh(t, w, m, "dev", tc.want)
		})
	}
	t.Run("a sound entry is used", func(t *testing.T) {
		w := newWorld(t)
		m := w.manager(nil, Options{})
		plant(t, m, "dev", w.clock.Now().Add(time.Hour), 0o600)
		s, err := m.Assume(ctx, "dev")
		if err != nil || !s.FromCache || s.Creds.AccessKeyID != "ASIAPLANTEDKEY000001" {
			t.Errorf("a well-formed 0600 entry of one hour was not reused (err %v)", err)
		}
	})
	t.Run("an empty secret", func(t *testing.T) {
		w := newWorld(t)
		m := w.manager(nil, Options{})
		path := plant(t, m, "dev", w.clock.Now().Add(time.Hour), 0o600)
		b, _ := os.ReadFile(path)
		os.WriteFile(path, []byte(strings.Replace(string(b), "planted-secret", "", 1)), 0o600)
		assumeFresh(t, w, m, "dev", "without its keys")
	})
}

func TestCacheLinksAreNotFollowed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symbolic links need privileges on Windows")
	}
	w := newWorld(t)
	m := w.manager(nil, Options{})
	path := plant(t, m, "dev", w.clock.Now().Add(time.Hour), 0o600)
	elsewhere := filepath.Join(t.TempDir(), "planted.json")
	if err := os.Rename(path, elsewhere); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, path); err != nil {
		t.Fatal(err)
	}
	assumeFresh(t, w, m, "dev", "symbolic link")
}

func TestCacheDirectoryIsClosed(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix modes on Windows")
	}
	w := newWorld(t)
	dir := filepath.Join(w.dir, "cache")
	if err := os.Mkdir(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(dir, 0o777) // past the umask
	m := w.manager(nil, Options{})
	if _, err := m.Assume(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(dir)
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("a world-writable cache directory was left %04o, want 0700", fi.Mode().Perm())
	}
	// A new directory is made 0700, its files 0600.
	w2 := newWorld(t)
	m2 := w2.manager(nil, Options{})
	if _, err := m2.Assume(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	dir2 := filepath.Join(w2.dir, "cache")
	entries, _ := os.ReadDir(dir2)
	if fi, _ := os.Stat(dir2); fi.Mode().Perm() != 0o700 || len(entries) != 1 {
		t.Fatalf("new cache: mode %04o, %d files", fi.Mode().Perm(), len(entries))
	}
	if fi, _ := os.Stat(filepath.Join(dir2, entries[0].Name())); fi.Mode().Perm() != 0o600 {
		t.Errorf("cache file mode %04o, want 0600", fi.Mode().Perm())
	}
}

// TestCacheOfAnotherUserIsNotTrusted needs root: it makes the cache
// directory, or a file in it, another user's.
func TestCacheOfAnotherUserIsNotTrusted(t *testing.T) {
	if runtime.GOOS == "windows" || os.Getuid() != 0 {
		t.Skip("needs root to give files to another user")
	}
	t.Run("a planted file", func(t *testing.T) {
		w := newWorld(t)
		m := w.manager(nil, Options{})
		path := plant(t, m, "dev", w.clock.Now().Add(time.Hour), 0o600)
		if err := os.Chown(path, 12345, 12345); err != nil {
			t.Fatal(err)
		}
		assumeFresh(t, w, m, "dev", "belongs to uid 12345")
	})
	t.Run("the directory", func(t *testing.T) {
		w := newWorld(t)
		m := w.manager(nil, Options{})
		plant(t, m, "dev", w.clock.Now().Add(time.Hour), 0o600)
		dir := filepath.Join(w.dir, "cache")
		if err := os.Chown(dir, 12345, 12345); err != nil {
			t.Fatal(err)
		}
		m = w.manager(nil, Options{})
		s, err := m.Assume(ctx, "dev")
		if err != nil {
			t.Fatalf("a foreign cache directory must not stop the call: %v", err)
		}
		if s.FromCache || s.Creds.AccessKeyID == "ASIAPLANTEDKEY000001" {
			t.Fatal("a session from another user's cache directory was used")
		}
		if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, "belongs to uid 12345") }) {
			t.Errorf("notes %q do not say why the cache was not used", s.Notes)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("rolecall wrote into another user's directory (%d files)", len(entries))
		}
	})
}

func TestMFACacheIsCheckedBeforeUse(t *testing.T) {
	const x = "arn:aws:iam::999999999999:mfa/x"
	w := newWorld(t)
	m := w.manager(nil, Options{})
	path, _ := m.mfaPath("AKIAWORLDUSER0000001", x)
	b, _ := json.Marshal(mfaFile{Version: cacheVersion, Serial: x, Creds: Credentials{AccessKeyID: "ASIAPLANTEDMFA000001",
		SecretAccessKey: "s", SessionToken: "t", Expires: time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)}})
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, b, 0o600)
	if got := m.NeedsMFA("a"); got != x {
		t.Errorf("NeedsMFA = %q with a planted MFA session of 2099, want the device asked for", got)
	}
}

func TestLongClaimsAreReusedForTwelveHoursAtMost(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the process is a POSIX shell command")
	}
	w := newWorld(t)
	w.write(worldConfig+`
[profile forever]
credential_process = printf '{"Version":1,"AccessKeyId":"ASIAFOREVER000000001","SecretAccessKey":"s","SessionToken":"t","Expiration":"2099-01-01T00:00:00Z"}'
`, worldCreds)
	m := w.manager(nil, Options{})
	s, err := m.Assume(ctx, "forever")
	if err != nil {
		t.Fatal(err)
	}
	if want := w.clock.Now().Add(12 * time.Hour); !s.Expires().Equal(want) {
		t.Errorf("expiry %s, want it capped at %s", s.Expires(), want)
	}
	if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, "reuses them for 12h at most") }) {
		t.Errorf("notes %q do not say the reuse is capped", s.Notes)
	}
	again, err := w.manager(nil, Options{}).Assume(ctx, "forever")
	if err != nil || !again.FromCache {
		t.Errorf("the capped session was not reused from the cache (err %v)", err)
	}
	w.clock.Add(12 * time.Hour)
	if _, ok := w.manager(nil, Options{}).Cached("forever"); ok {
		t.Errorf("still reused after 12 hours")
	}
}
