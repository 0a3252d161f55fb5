//go:build !windows

package profiles

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// otherUID is a user that owns nothing on the test machine.
const otherUID, otherGID = 12345, 12345

func owner(t *testing.T, path string) (uid, gid int, mode os.FileMode) {
	t.Helper()
	fi, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return int(st.Uid), int(st.Gid), fi.Mode().Perm()
}

func requireRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files to another user (run the tests as root to cover it)")
	}
}

// Run as root on another user's file (sudo -E rolecall use), a write keeps
// the file, its lock file and rolecall's record that user's.
func TestCredfileKeepsOwnerGroupMode(t *testing.T) {
	requireRoot(t)
	t.Run("existing file", func(t *testing.T) {
		path := credFile(t, "[x]\na = b\n")
		os.Chmod(path, 0o640)
		if err := os.Chown(path, otherUID, otherGID); err != nil {
			t.Fatal(err)
		}
		if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err != nil {
			t.Fatal(err)
		}
		if uid, gid, mode := owner(t, path); uid != otherUID || gid != otherGID || mode != 0o640 {
			t.Errorf("after the write: uid %d gid %d mode %04o, want %d %d 0640", uid, gid, mode, otherUID, otherGID)
		}
		for _, p := range []string{path + ".lock", seenPath(path)} {
			if uid, gid, _ := owner(t, p); uid != otherUID || gid != otherGID {
				t.Errorf("%s belongs to %d:%d; its user could no longer lock the file", filepath.Base(p), uid, gid)
			}
		}
		if _, err := ClearDefault(path, DefaultOptions{}); err != nil {
			t.Fatal(err)
		}
		if uid, gid, mode := owner(t, path); uid != otherUID || gid != otherGID || mode != 0o640 {
			t.Errorf("after clear: uid %d gid %d mode %04o", uid, gid, mode)
		}
	})
	t.Run("new file in the user's directory", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), ".aws")
		os.Mkdir(dir, 0o700)
		os.Chown(dir, otherUID, otherGID)
		path := filepath.Join(dir, "credentials")
		if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err != nil {
			t.Fatal(err)
		}
		if uid, gid, mode := owner(t, path); uid != otherUID || gid != otherGID || mode != 0o600 {
			t.Errorf("new file: uid %d gid %d mode %04o, want %d %d 0600", uid, gid, mode, otherUID, otherGID)
		}
	})
}

func TestCredfileLinks(t *testing.T) {
	t.Run("a symlink is written through and kept", func(t *testing.T) {
		real := credFile(t, "[x]\na = b\n")
		link := filepath.Join(t.TempDir(), "credentials")
		os.Symlink(real, link)
		if _, err := WriteDefault(link, sessionFor("one"), DefaultOptions{}); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the link was replaced by a file")
		}
		if !strings.Contains(readString(t, real), "rolecall_profile = one") {
			t.Errorf("the link's target was not written")
		}
	})
	t.Run("a dangling symlink gets its target created", func(t *testing.T) {
		dir := t.TempDir()
		real := filepath.Join(dir, "dotfiles", "aws-credentials")
		os.Mkdir(filepath.Dir(real), 0o700)
		link := filepath.Join(dir, "credentials")
		os.Symlink("dotfiles/aws-credentials", link)
		if _, err := WriteDefault(link, sessionFor("one"), DefaultOptions{}); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("the dangling link was replaced by a file")
		}
		if _, _, mode := owner(t, real); mode != 0o600 || !strings.Contains(readString(t, real), "rolecall_profile = one") {
			t.Errorf("the target was not created 0600 with [default] (mode %04o)", mode)
		}
	})
	t.Run("a dangling symlink into a missing directory is refused", func(t *testing.T) {
		dir := t.TempDir()
		link := filepath.Join(dir, "credentials")
		os.Symlink(filepath.Join(dir, "unmounted", "credentials"), link)
		_, err := WriteDefault(link, sessionFor("one"), DefaultOptions{})
		if err == nil || !strings.Contains(err.Error(), "is a symlink to") || !strings.Contains(err.Error(), filepath.Join(dir, "unmounted")) {
			t.Fatalf("error %v; want one naming the link and the missing directory", err)
		}
		if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("the link was replaced")
		}
		if _, err := os.Stat(filepath.Join(dir, "unmounted")); err == nil {
			t.Errorf("the missing directory was created")
		}
	})
	t.Run("a hard-linked file is refused, not split", func(t *testing.T) {
		path := credFile(t, "[x]\na = b\n")
		other := filepath.Join(t.TempDir(), "backup-of-credentials")
		if err := os.Link(path, other); err != nil {
			t.Skipf("no hard links here: %v", err)
		}
		for name, call := range map[string]func() error{
			"write": func() error { _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); return err },
			"check": func() error { return CheckDefault(path, DefaultOptions{}) },
		} {
			if err := call(); err == nil || !strings.Contains(err.Error(), "has 2 hard links") {
				t.Errorf("%s: error %v; want one naming the 2 hard links", name, err)
			}
		}
		a, _ := os.Stat(path)
		b, _ := os.Stat(other)
		if !os.SameFile(a, b) || readString(t, path) != "[x]\na = b\n" {
			t.Errorf("the links were split or the file changed")
		}
	})
}

// Root could write a read-only file anyway: rolecall checks the mode bits.
func TestCredfileReadOnlyIsRefused(t *testing.T) {
	for _, mode := range []os.FileMode{0o400, 0o444} {
		t.Run(mode.String(), func(t *testing.T) {
			path := credFile(t, "[x]\na = b\n")
			os.Chmod(path, mode)
			calls := map[string]func() error{
				"write": func() error { _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); return err },
				"clear": func() error { _, err := ClearDefault(path, DefaultOptions{}); return err },
				"check": func() error { return CheckDefault(path, DefaultOptions{}) },
			}
			for name, call := range calls {
				if err := call(); err == nil || !strings.Contains(err.Error(), path+" is read-only") || !strings.Contains(err.Error(), "chmod u+w") {
					t.Errorf("%s: error %v; want one saying %s is read-only", name, err, path)
				}
			}
			if _, _, got := owner(t, path); got != mode || readString(t, path) != "[x]\na = b\n" {
				t.Errorf("the file changed (mode %04o)", got)
			}
		})
	}
}

func TestCredfileLockFileOnReadOnlyFS(t *testing.T) {
	err := lockFileError("/ro/.aws/credentials.lock", &os.PathError{Op: "open", Path: "/ro/.aws/credentials.lock", Err: syscall.EROFS})
	if !strings.Contains(err.Error(), "/ro/.aws/credentials.lock: read-only file system") || !strings.Contains(err.Error(), "writable file system") {
		t.Errorf("error %q", err)
	}
}

// asOtherUser runs the test binary's helper as otherUID (root only).
func asOtherUser(t *testing.T, env ...string) (string, error) {
	t.Helper()
	requireRoot(t)
	// The user needs a copy of the test binary it can reach and run.
	dir, err := os.MkdirTemp("", "rolecall-helper-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	bin := filepath.Join(dir, "profiles.test")
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := os.OpenFile(bin, os.O_CREATE|os.O_WRONLY, 0o755)
	io.Copy(dst, src)
	src.Close()
	dst.Close()
	c := exec.Command(bin)
	c.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	c.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: otherUID, Gid: otherGID}}
	out, err := c.CombinedOutput()
	return string(out), err
}

// reachable makes a temp directory traversable by other users.
func reachable(t *testing.T, dir string) {
	for d := dir; d != "/" && d != "." && strings.HasPrefix(d, os.TempDir()); d = filepath.Dir(d) {
		if fi, err := os.Stat(d); err == nil && fi.Mode().Perm()&0o005 != 0o005 {
			os.Chmod(d, fi.Mode().Perm()|0o005)
		}
	}
}

func TestCredfileLockDirNotWritable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "credentials")
	os.WriteFile(path, []byte("[x]\na = b\n"), 0o600)
	var msg string
	if os.Geteuid() != 0 {
		os.Chmod(dir, 0o500)
		defer os.Chmod(dir, 0o700)
		_, err := WriteDefault(path, sessionFor("one"), DefaultOptions{})
		if err == nil {
			t.Fatal("no error")
		}
		msg = err.Error()
	} else {
		// Root may write anywhere: let another user try a directory it
		// cannot write, on a file of its own.
		os.Chown(path, otherUID, otherGID)
		reachable(t, dir)
		out, err := asOtherUser(t, helperEnv+"=write", "ROLECALL_HELPER_PATH="+path, "ROLECALL_HELPER_PROFILES=one")
		if err == nil {
			t.Fatalf("the other user's write succeeded: %s", out)
		}
		msg = out
	}
	if !strings.Contains(msg, "cannot create the lock file "+path+".lock: permission denied") || strings.Contains(msg, "locked by another writer") {
		t.Errorf("error %q; want permission denied on %s.lock", msg, path)
	}
	if readString(t, path) != "[x]\na = b\n" {
		t.Errorf("the file changed")
	}
}

// A user who can write another user's file (group- or world-writable) but
// not give rolecall's new file that owner is refused up front.
func TestCredfileOwnerCannotBeKept(t *testing.T) {
	dir := t.TempDir()
	os.Chmod(dir, 0o777)
	reachable(t, dir)
	path := filepath.Join(dir, "credentials")
	os.WriteFile(path, []byte("[x]\na = b\n"), 0o666)
	os.Chmod(path, 0o666)
	out, err := asOtherUser(t, helperEnv+"=write", "ROLECALL_HELPER_PATH="+path, "ROLECALL_HELPER_PROFILES=one")
	if err == nil || !strings.Contains(out, path+" belongs to uid 0") {
		t.Errorf("exit %v, output %q; want a refusal naming the owner", err, out)
	}
	if uid, _, _ := owner(t, path); uid != 0 || readString(t, path) != "[x]\na = b\n" {
		t.Errorf("the file changed hands or content")
	}
}
