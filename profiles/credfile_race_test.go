package profiles

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// inPlaceSet changes key in [section] the way the AWS CLI does, slowly: it
// reads the file, truncates it and writes it again in place, in chunks
// with pauses between them, so a reader can catch it half-written.
func inPlaceSet(path, section, key, value string, pause time.Duration) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	out := setKey(string(data), section, key, value)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	for len(out) > 0 {
		time.Sleep(pause)
		n := min(len(out), 1+len(out)/3)
		if _, err := f.WriteString(out[:n]); err != nil {
			return err
		}
		out = out[n:]
	}
	return nil
}

// sectionKeys reads a well-formed file's sections and keys plainly.
func sectionKeys(text string) map[string]map[string]string {
	out := map[string]map[string]string{}
	var cur map[string]string
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		switch {
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]"):
			cur = map[string]string{}
			out[t[1:len(t)-1]] = cur
		case cur != nil && strings.Contains(t, "="):
			k, v, _ := strings.Cut(t, "=")
			cur[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// WriteDefault in a loop against a writer that rewrites the file in place
// without a lock, as `aws configure set` does: no section and no edit of
// the other writer may be lost, and every write must succeed.
func TestCredfileRacesInPlaceWriter(t *testing.T) {
	orig := teamsFile(20) + "\n[user]\naws_access_key_id = AKIAUSER0000000000\naws_secret_access_key = user-secret\n"
	path := credFile(t, orig)
	want := sectionKeys(orig)
	rounds := 100
	switch {
	case os.Getenv("ROLECALL_LONG_TESTS") == "1":
		rounds = 1000
	case testing.Short():
		rounds = 10
	}
	var done atomic.Bool
	var writes, failed atomic.Int32
	var firstErr atomic.Value
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; !done.Load(); i++ {
			writes.Add(1)
			if _, err := WriteDefault(path, sessionFor([]string{"one", "two"}[i%2]), DefaultOptions{}); err != nil {
				failed.Add(1)
				firstErr.CompareAndSwap(nil, err.Error())
			}
		}
	})
	// look reads the file while no rolecall writes it, so that a write in
	// flight is never mistaken for a loss.
	lock := flock.New(path + ".lock")
	look := func() map[string]map[string]string {
		lock.Lock()
		defer lock.Unlock()
		return sectionKeys(readString(t, path))
	}
	lost, missing := 0, 0
	last := want["user"]["aws_access_key_id"]
	for i := range rounds {
		got := look()
		if got["user"]["aws_access_key_id"] != last {
			lost++
		}
		for name := range want {
			if got[name] == nil {
				missing++
			}
		}
		last = fmt.Sprintf("AKIAEDIT%010d", i)
		if err := inPlaceSet(path, "user", "aws_access_key_id", last, time.Millisecond); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(10+rand.IntN(40)) * time.Millisecond)
	}
	done.Store(true)
	wg.Wait()
	final := look()
	if final["user"]["aws_access_key_id"] != last {
		lost++
	}
	t.Logf("%d in-place edits against %d writes: %d edits lost, %d sections missing, %d writes failed", rounds, writes.Load(), lost, missing, failed.Load())
	if lost > 0 || missing > 0 {
		t.Errorf("%d of %d in-place edits lost, %d sections missing along the way", lost, rounds, missing)
	}
	for name, keys := range want {
		for k, v := range keys {
			if name != "user" && final[name][k] != v {
				t.Errorf("[%s] %s changed", name, k)
			}
		}
	}
	if n := failed.Load(); n > 0 {
		t.Errorf("%d of %d writes failed; first: %v", n, writes.Load(), firstErr.Load())
	}
	if final["default"]["rolecall_profile"] == "" {
		t.Errorf("[default] holds no session at the end")
	}
}

// editWithHooks writes sessionFor(profile) with hooks.
func editWithHooks(t *testing.T, path, profile string, h hooks) {
	t.Helper()
	err := editLockedHooks(path, func(data string) (string, error) {
		out, _, err := writeDefault(path, data, sessionFor(profile), DefaultOptions{}, time.Now())
		return out, err
	}, h)
	if err != nil {
		t.Fatal(err)
	}
}

// checkBoth fails unless the file holds profile's session in [default],
// [user]'s edit and every section of orig.
func checkBoth(t *testing.T, path, orig, profile, edit string) {
	t.Helper()
	got := sectionKeys(readString(t, path))
	if got["user"]["aws_access_key_id"] != edit {
		t.Errorf("the other writer's edit of [user] was lost")
	}
	if got["default"]["rolecall_profile"] != profile {
		t.Errorf("[default] holds %q, want %s's session", got["default"]["rolecall_profile"], profile)
	}
	for name := range sectionKeys(orig) {
		if got[name] == nil {
			t.Errorf("[%s] was lost", name)
		}
	}
}

// Another writer rewrites the file after rolecall read it but before its
// rename, in place or by renaming a new file over it (as editors do): the
// re-check sees it and rolecall builds on the new contents.
func TestCredfileRechecksBeforeRename(t *testing.T) {
	byRename := func(path, section, key, value string) error {
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		tmp := path + ".editor-swap"
		if err := os.WriteFile(tmp, []byte(setKey(string(data), section, key, value)), 0o600); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	}
	inPlace := func(path, section, key, value string) error { return inPlaceSet(path, section, key, value, 0) }
	for name, other := range map[string]func(path, section, key, value string) error{"in place": inPlace, "by rename": byRename} {
		t.Run(name, func(t *testing.T) {
			orig := teamsFile(3) + "[user]\naws_access_key_id = AKIAUSER0000000000\n"
			path := credFile(t, orig)
			calls := 0
			editWithHooks(t, path, "one", hooks{beforeCheck: func() {
				calls++
				if calls == 1 {
					if err := other(path, "user", "aws_access_key_id", "AKIAEDITEDMEANWHILE"); err != nil {
						t.Fatal(err)
					}
				}
			}})
			checkBoth(t, path, orig, "one", "AKIAEDITEDMEANWHILE")
		})
	}
}

// The other writer truncates the file after rolecall's re-check and writes
// it after rolecall's rename, into the file the rename replaced: rolecall
// sees the late write and writes again on top of it.
func TestCredfileCatchesLateWrite(t *testing.T) {
	orig := teamsFile(3) + "[user]\naws_access_key_id = AKIAUSER0000000000\n"
	path := credFile(t, orig)
	var wg sync.WaitGroup
	calls := 0
	editWithHooks(t, path, "one", hooks{beforeRename: func() {
		calls++
		if calls > 1 {
			return
		}
		data := readString(t, path)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			defer f.Close()
			time.Sleep(20 * time.Millisecond)
			f.WriteString(setKey(data, "user", "aws_access_key_id", "AKIAWRITTENLATE001"))
		})
	}})
	wg.Wait()
	checkBoth(t, path, orig, "one", "AKIAWRITTENLATE001")
}

// A file that is empty, or lost sections since rolecall last saw it, may
// be one another writer has truncated and not finished writing: rolecall
// waits for it rather than write [default] into what is left.
func TestCredfileWaitsOnTornFile(t *testing.T) {
	for _, head := range []struct {
		name string
		cut  func(string) string // what the stalled writer wrote first
	}{
		{"truncated", func(string) string { return "" }},
		{"half written", func(s string) string { return s[:strings.Index(s, "[team1]")] }},
	} {
		t.Run(head.name, func(t *testing.T) {
			orig := teamsFile(3) + "[user]\naws_access_key_id = AKIAUSER0000000000\n"
			path := credFile(t, orig)
			if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err != nil {
				t.Fatal(err)
			}
			full := setKey(readString(t, path), "user", "aws_access_key_id", "AKIAAFTERASTALL001")
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Fatal(err)
			}
			first := head.cut(full)
			f.WriteString(first)
			var wg sync.WaitGroup
			wg.Go(func() {
				defer f.Close()
				time.Sleep(300 * time.Millisecond)
				f.WriteString(full[len(first):])
			})
			start := time.Now()
			if _, err := WriteDefault(path, sessionFor("two"), DefaultOptions{}); err != nil {
				t.Fatal(err)
			}
			took := time.Since(start)
			wg.Wait()
			checkBoth(t, path, orig, "two", "AKIAAFTERASTALL001")
			if took < 300*time.Millisecond {
				t.Errorf("the write took %v: it did not wait for the stalled writer", took)
			}
		})
	}
}

// The reader waits for a file being rewritten in place rather than load a
// torn one.
func TestLoadWaitsForInPlaceWrite(t *testing.T) {
	orig := teamsFile(3)
	path := credFile(t, "")
	os.WriteFile(path, []byte(orig), 0o600)
	old := time.Now().Add(-time.Minute)
	os.Chtimes(path, old, old)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		defer f.Close()
		time.Sleep(20 * time.Millisecond)
		f.WriteString(orig[:len(orig)/2])
		time.Sleep(20 * time.Millisecond)
		f.WriteString(orig[len(orig)/2:])
	})
	set, err := Load(Files{Credentials: path})
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if p := set.Get("team2"); p == nil || !p.HasKeys() {
		t.Errorf("Load read the file half-written: [team2] missing or without keys")
	}
}
