package profiles

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestSymlinkLoopIsRefused: a credentials path whose links go round in
// a circle is refused at once, naming the path, not followed for ever.
func TestSymlinkLoopIsRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	a, b := filepath.Join(dir, "credentials"), filepath.Join(dir, "other")
	if err := os.Symlink(b, a); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, b); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := WriteDefault(a, sessionFor("prod"), DefaultOptions{}); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), a+": too many levels of symlinks") {
			t.Errorf("got %v, want a refusal naming %s", err, a)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WriteDefault follows the loop for ever")
	}
}

// TestWritesCloseTheirFiles: a long-running rolecall (the TUI renewing
// [default] every hour for days) does not leak a file descriptor per
// write or read.
func TestWritesCloseTheirFiles(t *testing.T) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		t.Skip("no /proc/self/fd to count open files")
	}
	path := oldFile(t, keptBase)
	open := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	// One round first: the lock file and the like open once.
	if _, err := WriteDefault(path, sessionFor("warm"), DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	before := open()
	for i := range 6 {
		if _, err := WriteDefault(path, sessionFor([]string{"one", "two"}[i%2]), DefaultOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := Load(Files{Credentials: path}); err != nil {
			t.Fatal(err)
		}
	}
	if after := open(); after > before+2 {
		t.Errorf("%d files open after 6 writes and reads, %d before", after, before)
	}
}

// TestFileOfExactlyTheLimitIsRead: the size limit refuses what is larger
// than MaxFileSize, not a file of exactly that size.
func TestFileOfExactlyTheLimitIsRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	head := "[profile a]\nregion = eu-west-1\n"
	fill := strings.Repeat("#", MaxFileSize-len(head)-1) + "\n"
	if err := os.WriteFile(path, []byte(head+fill), 0o600); err != nil {
		t.Fatal(err)
	}
	age(t, path)
	set, err := Load(Files{Config: path})
	if err != nil {
		t.Fatalf("Load of a %d-byte file: %v", MaxFileSize, err)
	}
	if p := set.Get("a"); p == nil || p.Region() != "eu-west-1" {
		t.Errorf("profile a was not read")
	}
}

// TestFutureModTimeDoesNotStall: a file whose modification time lies
// ahead of the clock (a network file system's clock, a copy from
// another machine) is read and written at once: rolecall watches it
// for a moment rather than wait for a time that has not come.
func TestFutureModTimeDoesNotStall(t *testing.T) {
	path := credFile(t, keptBase)
	ahead := time.Now().Add(time.Hour)
	if err := os.Chtimes(path, ahead, ahead); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := WriteDefault(path, sessionFor("prod"), DefaultOptions{}); err != nil {
		t.Fatalf("WriteDefault: %v", err)
	}
	if ahead := time.Now().Add(time.Hour); os.Chtimes(path, ahead, ahead) != nil {
		t.Fatal("chtimes")
	}
	set, err := Load(Files{Credentials: path})
	if err != nil || !set.Default.Holds("prod", sessionFor("prod").AccessKeyID) {
		t.Fatalf("Load: %v; [default] %s", err, set.Default)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("a write and a read took %s", took)
	}
}

// TestReaderWaitsOnATornFileBehindALink: a credentials file reached
// through a symlink, which another program has cut short and is still
// writing, is waited for as the file itself would be: rolecall's record
// of the file is found through the link.
func TestReaderWaitsOnATornFileBehindALink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	full := keptBase + keptOther + keptLast
	real := oldFile(t, full)
	link := filepath.Join(t.TempDir(), "credentials")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if _, err := WriteDefault(link, sessionFor("one"), DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	whole := readString(t, real)
	f, err := os.OpenFile(real, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	first := whole[:strings.Index(whole, "[other]")] // [other] and [last] not yet written
	f.WriteString(first)
	done := make(chan struct{})
	go func() {
		defer close(done)
		time.Sleep(300 * time.Millisecond)
		f.WriteString(whole[len(first):])
		f.Close()
	}()
	set, err := Load(Files{Credentials: link})
	<-done
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"base", "other", "last"} {
		if set.Get(name) == nil {
			t.Errorf("[%s] missing: the reader took the file half written", name)
		}
	}
}

// TestWholeSecondTimesAreTrustedLater: a file system that keeps whole
// seconds (HFS+, some network ones) may hide a write up to a second
// after the time it shows, so such a file counts as quiet only from the
// end of that second; a precise time counts as it is.
func TestWholeSecondTimesAreTrustedLater(t *testing.T) {
	path := oldFile(t, keptBase)
	for _, tc := range []struct {
		mtime time.Time
		want  time.Duration // quietSince − mtime
	}{
		{time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), time.Second},
		{time.Date(2026, 3, 1, 12, 0, 0, 250_000_000, time.UTC), 0},
	} {
		if err := os.Chtimes(path, tc.mtime, tc.mtime); err != nil {
			t.Fatal(err)
		}
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := quietSince(fi).Sub(fi.ModTime()); got != tc.want {
			t.Errorf("mtime %s: quiet from %s later, want %s", tc.mtime.Format(time.RFC3339Nano), got, tc.want)
		}
	}
}

// TestBinaryFileIsLeftAlone: a file with a NUL byte anywhere, the first
// included, is no credentials file: rolecall refuses to write it.
func TestBinaryFileIsLeftAlone(t *testing.T) {
	for name, data := range map[string]string{"first byte": "\x00" + keptBase, "inside": keptBase + "\x00\n"} {
		t.Run(name, func(t *testing.T) {
			path := oldFile(t, data)
			if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err == nil || !strings.Contains(err.Error(), "not a text file") {
				t.Errorf("got %v, want a refusal of a binary file", err)
			}
			if readString(t, path) != data {
				t.Error("the file was changed")
			}
		})
	}
}

// TestEditThatLosesADuplicateSectionIsRefused: the writer's last check
// counts sections: a file with [x] twice must still have it twice.
func TestEditThatLosesADuplicateSectionIsRefused(t *testing.T) {
	in := "[x]\na = 1\n[x]\nb = 2\n[y]\nc = 3\n"
	if err := keepsSections("f", in, "[x]\na = 1\n[y]\nc = 3\n", nil); err == nil || !strings.Contains(err.Error(), "would drop [x]") {
		t.Errorf("got %v, want the lost [x] named", err)
	}
	if err := keepsSections("f", in, in+"[default]\n", nil); err != nil {
		t.Errorf("an edit keeping every section: %v", err)
	}
}
