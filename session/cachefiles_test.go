package session

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCacheDirIsTheUserCacheDir: with neither ROLECALL_CACHE_DIR nor a
// cache directory given, sessions go under the user's cache directory,
// 0700 and 0600, and a new process finds them there.
func TestCacheDirIsTheUserCacheDir(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("XDG_CACHE_HOME is the user cache directory on Linux only")
	}
	base := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", base)
	w := newWorld(t)
	set := w.manager(nil, Options{}).set
	m := New(set, Options{Getenv: env{"AWS_ENDPOINT_URL_STS": w.sts.URL, "USER": "tester"}.get, Now: w.clock.Now})
	s, err := m.Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(base, "rolecall")
	path := filepath.Join(dir, s.Key+".json")
	for p, want := range map[string]os.FileMode{dir: 0o700, path: 0o600} {
		if fi, err := os.Stat(p); err != nil || fi.Mode().Perm() != want {
			t.Errorf("%s: %v, want mode %04o", p, err, want)
		}
	}
	again := New(set, Options{Getenv: env{"AWS_ENDPOINT_URL_STS": w.sts.URL}.get, Now: w.clock.Now})
	if c, ok := again.Cached("dev"); !ok || !sameCreds(c.Creds, s.Creds) {
		t.Errorf("a new process does not find the session under %s", dir)
	}
}

// TestCacheDirThatCannotBeUsed: a cache path that is a file, or under
// one, is named with what to do; the session is still handed out (the
// cache only saves a call), and nothing is written where it should not.
func TestCacheDirThatCannotBeUsed(t *testing.T) {
	w := newWorld(t)
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, tc := range map[string]struct {
		dir  string
		want string
	}{
		"a file":         {file, "is not a directory; remove it or set ROLECALL_CACHE_DIR"},
		"under a file":   {filepath.Join(file, "cache"), "set ROLECALL_CACHE_DIR to a directory of your own"},
		"over the limit": {strings.Repeat("x", 5000), "set ROLECALL_CACHE_DIR"},
	} {
		t.Run(name, func(t *testing.T) {
			m := w.manager(nil, Options{CacheDir: tc.dir})
			s, err := m.Assume(ctx, "dev")
			if err != nil {
				t.Fatalf("Assume without a usable cache: %v", err)
			}
			if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, tc.want) }) {
				t.Errorf("notes %q do not say %q", s.Notes, tc.want)
			}
			if _, warns := m.Sessions(); len(warns) != 1 || !strings.Contains(warns[0].Error(), tc.want) {
				t.Errorf("Sessions warns %v, want %q", warns, tc.want)
			}
			if _, err := m.Forget("dev"); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Forget: %v, want %q", err, tc.want)
			}
			if _, err := m.ForgetAll(); err == nil {
				t.Errorf("ForgetAll: no error")
			}
			if err := m.SaveAutoRenew([]string{"dev"}); err == nil {
				t.Errorf("SaveAutoRenew: no error")
			}
			if b, _ := os.ReadFile(file); string(b) != "x" {
				t.Errorf("the file in the way was changed")
			}
		})
	}
}

// TestCacheFilesOfOddShapes: what sits where a session file should be,
// but is not a small regular file, is ignored with a warning that names
// it, and Assume replaces it with a session file.
func TestCacheFilesOfOddShapes(t *testing.T) {
	w := newWorld(t)
	for name, plant := range map[string]func(path string) error{
		"a directory":  func(p string) error { return os.Mkdir(p, 0o700) },
		"a large file": func(p string) error { return os.WriteFile(p, make([]byte, maxCacheFile+1), 0o600) },
		"a FIFO":       mkfifo,
	} {
		t.Run(name, func(t *testing.T) {
			m := w.manager(nil, Options{CacheDir: t.TempDir()})
			path, _ := m.sessionPath(m.chainKey(m.set.Get("dev")))
			if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := plant(path); errors.Is(err, errors.ErrUnsupported) {
				t.Skip(err)
			} else if err != nil {
				t.Fatal(err)
			}
			// A FIFO nobody writes to would hold an open for ever.
			cached := make(chan bool, 1)
			go func() { _, ok := m.Cached("dev"); cached <- ok }()
			select {
			case ok := <-cached:
				if ok {
					t.Fatal("Cached handed out what is not a session file")
				}
			case <-time.After(5 * time.Second):
				t.Fatal("reading the cache hangs on it")
			}
			_, warns := m.Sessions()
			if name != "a directory" && (len(warns) != 1 || !strings.Contains(warns[0].Error(), path)) {
				t.Errorf("Sessions warns %v, want one naming %s", warns, path)
			}
			s, err := m.Assume(ctx, "dev")
			if name == "a directory" {
				// A directory cannot be replaced by a rename: the session
				// is handed out, and the notes say it was not cached.
				if err != nil {
					t.Fatalf("Assume: %v", err)
				}
				if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.HasPrefix(n, "not cached: ") && strings.Contains(n, path) }) {
					t.Errorf("notes %q do not say the session was not cached", s.Notes)
				}
				return
			}
			if err != nil {
				t.Fatalf("Assume: %v", err)
			}
			if !slices.ContainsFunc(s.Notes, func(n string) bool { return strings.Contains(n, path) && strings.Contains(n, "ignored") }) {
				t.Errorf("notes %q do not name the file it ignored", s.Notes)
			}
			if c, ok := m.Cached("dev"); !ok || !sameCreds(c.Creds, s.Creds) {
				t.Errorf("the new session did not replace it")
			}
		})
	}
}

// TestForgetByName: a profile removed from the files can still be
// forgotten by the name its cached session carries; forgetting leaves the
// auto-renew list, and Sessions lists the rest by profile, then expiry.
func TestForgetByName(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	for _, p := range []string{"dev", "nodefault", "long"} {
		if _, err := m.Assume(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.SaveAutoRenew([]string{"dev", "long"}); err != nil {
		t.Fatal(err)
	}
	// long goes from the config: a new process no longer knows it.
	w.write(strings.Replace(worldConfig, "[profile long]", "[profile long-gone]", 1), worldCreds)
	m = w.manager(nil, Options{})
	if n, err := m.Forget("long"); err != nil || n != 1 {
		t.Errorf("Forget(long), no longer in the files: %d, %v; want its one file removed", n, err)
	}
	if _, err := m.Forget("long"); !IsUsage(err) {
		t.Errorf("Forget(long) again: %v, want an unknown-profile error", err)
	}
	list, warns := m.Sessions()
	var names []string
	for _, s := range list {
		names = append(names, s.Profile)
	}
	if !slices.Equal(names, []string{"dev", "nodefault"}) || len(warns) != 0 {
		t.Errorf("Sessions = %v (warnings %v), want dev, nodefault", names, warns)
	}
	if n, err := m.ForgetAll(); err != nil || n != 2 {
		t.Errorf("ForgetAll = %d, %v; want the 2 sessions", n, err)
	}
	if auto, err := m.LoadAutoRenew(); err != nil || !slices.Equal(auto, []string{"dev", "long"}) {
		t.Errorf("auto-renew list after ForgetAll: %v, %v; want it kept", auto, err)
	}
}
