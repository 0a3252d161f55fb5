package session

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestAutoRenewIsRemembered: the profiles with auto-renew on survive a
// restart (a new Manager and Renewer on the same cache directory), the
// file is private, and neither sessions nor forget --all treat it as a
// session.
func TestAutoRenewIsRemembered(t *testing.T) {
	set := loadSet(t, "unit")
	dir := filepath.Join(t.TempDir(), "cache")
	m := New(set, Options{CacheDir: dir, Getenv: env{}.get})
	if got, err := m.LoadAutoRenew(); err != nil || len(got) != 0 {
		t.Fatalf("before any save: %v, %v; want none and no error", got, err)
	}
	r := NewRenewer(m, RenewPolicy{}, nil)
	r.SetAuto("plain", true)
	r.SetAuto("chained", true)
	if err := r.Save(m); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, autoRenewFile)
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("%s: %v, mode %v; want 0600", path, err, fi.Mode().Perm())
	}

	restarted := New(set, Options{CacheDir: dir, Getenv: env{}.get})
	got, err := restarted.LoadAutoRenew()
	if err != nil || !slices.Equal(got, []string{"chained", "plain"}) {
		t.Fatalf("after a restart: %v, %v; want [chained plain]", got, err)
	}

	r.SetAuto("plain", false)
	if err := r.Save(m); err != nil {
		t.Fatal(err)
	}
	if got, _ := restarted.LoadAutoRenew(); !slices.Equal(got, []string{"chained"}) {
		t.Errorf("after turning plain off: %v, want [chained]", got)
	}

	if list, warns := m.Sessions(); len(list) != 0 || len(warns) != 0 {
		t.Errorf("Sessions sees the auto-renew list: %d sessions, warnings %v", len(list), warns)
	}
	if _, err := m.ForgetAll(); err != nil {
		t.Fatal(err)
	}
	if got, _ := m.LoadAutoRenew(); !slices.Equal(got, []string{"chained"}) {
		t.Errorf("forget --all dropped the auto-renew list: %v", got)
	}
}

func TestAutoRenewListIsChecked(t *testing.T) {
	set := loadSet(t, "unit")
	for name, body := range map[string]string{
		"not json":      "{",
		"other version": `{"rolecall_auto_renew":9,"profiles":["a"]}`,
		"no version":    `{"profiles":["a"]}`,
		"empty name":    `{"rolecall_auto_renew":1,"profiles":[""]}`,
		"too big":       `{"rolecall_auto_renew":1,"profiles":["` + strings.Repeat("a", maxAutoRenewBytes) + `"]}`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, autoRenewFile)
			if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
				t.Fatal(err)
			}
			m := New(set, Options{CacheDir: dir, Getenv: env{}.get})
			got, err := m.LoadAutoRenew()
			if len(got) != 0 || err == nil || !strings.Contains(err.Error(), path) {
				t.Errorf("got %v, %v; want nothing and an error naming %s", got, err, path)
			}
		})
	}
}

// slowStore is an AutoRenewStore whose first save is slow, as a busy disk
// would be.
type slowStore struct {
	mu     sync.Mutex
	saved  [][]string
	first  chan struct{}
	called int
}

func (s *slowStore) LoadAutoRenew() ([]string, error) { return nil, nil }

func (s *slowStore) SaveAutoRenew(p []string) error {
	s.mu.Lock()
	s.called++
	n := s.called
	s.mu.Unlock()
	if n == 1 {
		<-s.first
	}
	s.mu.Lock()
	s.saved = append(s.saved, p)
	s.mu.Unlock()
	return nil
}

// TestRenewerSaveKeepsTheLatestState: two saves under way at once (the
// user toggles twice quickly) end with the latest state, not with
// whichever goroutine finished last.
func TestRenewerSaveKeepsTheLatestState(t *testing.T) {
	r := NewRenewer(nopRenewer{}, RenewPolicy{}, nil)
	st := &slowStore{first: make(chan struct{})}
	r.SetAuto("a", true)
	done := make(chan error, 2)
	go func() { done <- r.Save(st) }()
	// Let the first save start, then change the state and save again.
	for {
		st.mu.Lock()
		n := st.called
		st.mu.Unlock()
		if n == 1 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	r.SetAuto("b", true)
	go func() { done <- r.Save(st) }()
	time.Sleep(10 * time.Millisecond)
	close(st.first)
	<-done
	<-done
	last := st.saved[len(st.saved)-1]
	if !slices.Equal(last, []string{"a", "b"}) {
		t.Errorf("the last save wrote %v, want [a b]", last)
	}
}

type nopRenewer struct{}

func (nopRenewer) RenewAndUse(context.Context, string, ...CallOption) (RenewResult, error) {
	return RenewResult{}, nil
}
