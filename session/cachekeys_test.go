package session

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCacheKeyFollowsTheSourceKeys: a session is cached for the keys it
// was made from. Rotated keys in the credentials file, or other keys in
// the environment for credential_source = Environment, get a session of
// their own, never the one the old keys made.
func TestCacheKeyFollowsTheSourceKeys(t *testing.T) {
	w := newWorld(t)
	first, err := w.manager(nil, Options{}).Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	w.sts.AddUser("AKIAWORLDROTATED0001", "999999999999", "user")
	w.write(worldConfig, strings.Replace(worldCreds, "AKIAWORLDUSER0000001", "AKIAWORLDROTATED0001", 1))
	w.sts.Calls()
	rotated, err := w.manager(nil, Options{}).Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	if rotated.FromCache || rotated.Creds.AccessKeyID == first.Creds.AccessKeyID {
		t.Errorf("after the keys were rotated, the old keys' session was handed out")
	}
	if calls := w.sts.Calls(); len(calls) != 1 || calls[0].KeyID != "AKIAWORLDROTATED0001" {
		t.Errorf("the new session was not made with the new keys")
	}

	w.write("[profile envrole]\nrole_arn = arn:aws:iam::111111111111:role/e\ncredential_source = Environment\n", "")
	for _, id := range []string{"AKIAFROMENVONE000001", "AKIAFROMENVTWO000002"} {
		w.sts.AddUser(id, "999999999999", "env")
	}
	keys := func(id string) env { return env{"AWS_ACCESS_KEY_ID": id, "AWS_SECRET_ACCESS_KEY": "x"} }
	one, err := w.manager(keys("AKIAFROMENVONE000001"), Options{}).Assume(ctx, "envrole")
	if err != nil {
		t.Fatal(err)
	}
	two, err := w.manager(keys("AKIAFROMENVTWO000002"), Options{}).Assume(ctx, "envrole")
	if err != nil {
		t.Fatal(err)
	}
	if two.FromCache || two.Creds.AccessKeyID == one.Creds.AccessKeyID {
		t.Errorf("another environment's keys got the first one's session")
	}
	again, err := w.manager(keys("AKIAFROMENVONE000001"), Options{}).Assume(ctx, "envrole")
	if err != nil || !again.FromCache || again.Creds.AccessKeyID != one.Creds.AccessKeyID {
		t.Errorf("the first keys again did not find their own cached session (%v)", err)
	}
}

// TestForgetRemovesEveryFileOfTheProfile: a profile whose role changed
// twice has three cached sessions, one per chain; Forget removes them
// all, and Sessions lists by profile, then by expiry.
func TestForgetRemovesEveryFileOfTheProfile(t *testing.T) {
	w := newWorld(t)
	for i, role := range []string{"dev", "dev2", "dev3"} {
		w.write(strings.Replace(worldConfig, "role/dev\n", "role/"+role+"\n", 1), worldCreds)
		w.clock.Add(time.Duration(i) * time.Minute) // later issued, later expiring
		if _, err := w.manager(nil, Options{}).Assume(ctx, "dev"); err != nil {
			t.Fatal(err)
		}
	}
	// chained sorts before dev by name, though it expires last.
	w.clock.Add(time.Minute)
	m := w.manager(nil, Options{})
	if _, err := m.Assume(ctx, "chained"); err != nil {
		t.Fatal(err)
	}
	list, _ := m.Sessions()
	var got []string
	for _, s := range list {
		got = append(got, s.Profile+" "+strings.Split(s.AssumedRoleARN, "/")[1])
	}
	if want := []string{"chained chained", "dev dev", "dev dev2", "dev dev3"}; !slices.Equal(got, want) {
		t.Errorf("Sessions in the order %q, want %q", got, want)
	}
	if n, err := m.Forget("dev"); err != nil || n != 3 {
		t.Errorf("Forget(dev) = %d, %v; want its 3 files removed", n, err)
	}
	if list, _ := m.Sessions(); len(list) != 1 || list[0].Profile != "chained" {
		t.Errorf("after Forget(dev) the cache holds %d sessions, want chained's alone", len(list))
	}
}

// TestSessionsChecksWhatItLists: Sessions lists only what it would hand
// out: a cached entry that claims more than STS can give is named in a
// warning, not listed.
func TestSessionsChecksWhatItLists(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	s, err := m.Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	planted := *s
	planted.Key = "planted"
	planted.Creds.Expires = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := m.writeSession(&planted); err != nil {
		t.Fatal(err)
	}
	list, warns := m.Sessions()
	if len(list) != 1 || list[0].Key != s.Key {
		t.Errorf("Sessions listed %d sessions, want the sound one alone", len(list))
	}
	if len(warns) != 1 || !strings.Contains(warns[0].Error(), "planted.json") || !strings.Contains(warns[0].Error(), "2099") {
		t.Errorf("warnings %v, want one naming planted.json", warns)
	}
}

// TestCacheFileOfExactlyTheLimit: the limit refuses cache files larger
// than maxCacheFile; one of exactly that size is still read.
func TestCacheFileOfExactlyTheLimit(t *testing.T) {
	w := newWorld(t)
	m := w.manager(nil, Options{})
	s, err := m.Assume(ctx, "dev")
	if err != nil {
		t.Fatal(err)
	}
	path, _ := m.sessionPath(s.Key)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// The padding goes inside: a read cut short would lose the end.
	padded := []byte("{" + strings.Repeat(" ", maxCacheFile-len(b)) + string(b[1:]))
	if err := os.WriteFile(path, padded, 0o600); err != nil {
		t.Fatal(err)
	}
	if c, ok := w.manager(nil, Options{}).Cached("dev"); !ok || !sameCreds(c.Creds, s.Creds) {
		t.Errorf("a cache file of exactly %d bytes was not read", maxCacheFile)
	}
}

// TestAutoRenewListAtItsLimits: the list's limits refuse what is past
// them, not what is exactly at them.
func TestAutoRenewListAtItsLimits(t *testing.T) {
	set := loadSet(t, "unit")
	names := func(n, size int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("%0*d", size, i)
		}
		return out
	}
	padTo := func(b []byte, size int) []byte { return append(b, []byte(strings.Repeat(" ", size-len(b)))...) }
	doc := func(profiles []string) []byte {
		b, _ := json.Marshal(autoRenewDoc{Version: autoRenewVersion, Profiles: profiles})
		return b
	}
	for _, tc := range []struct {
		name string
		body []byte
		want int // names read; -1 for a refusal
	}{
		{"as many names as allowed", doc(names(maxAutoRenewNames, 5)), maxAutoRenewNames},
		{"one name too many", doc(names(maxAutoRenewNames+1, 5)), -1},
		{"names as long as allowed", doc(names(3, maxProfileName)), 3},
		{"a name too long", doc(names(3, maxProfileName+1)), -1},
		{"a file as large as allowed", padTo(doc([]string{"a"}), maxAutoRenewBytes), 1},
		{"a file too large", padTo(doc([]string{"a"}), maxAutoRenewBytes+1), -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, autoRenewFile), tc.body, 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := New(set, Options{CacheDir: dir, Getenv: env{}.get}).LoadAutoRenew()
			switch {
			case tc.want < 0 && (err == nil || len(got) != 0):
				t.Errorf("read %d names (%v), want a refusal", len(got), err)
			case tc.want >= 0 && (err != nil || len(got) != tc.want):
				t.Errorf("read %d names (%v), want %d", len(got), err, tc.want)
			}
		})
	}
}
