//go:build !windows

package profiles

import (
	"os"
	"path/filepath"
	"testing"
)

// TestOwnerKeptWhenOnlyUserOrGroupDiffers: run as root (sudo) on a file
// whose user alone, or group alone, differs from root's, a write keeps
// both, on the file, its lock file and rolecall's record of it.
func TestOwnerKeptWhenOnlyUserOrGroupDiffers(t *testing.T) {
	requireRoot(t)
	for name, own := range map[string][2]int{"user": {otherUID, 0}, "group": {0, otherGID}} {
		t.Run(name, func(t *testing.T) {
			path := oldFile(t, keptBase)
			if err := os.Chown(path, own[0], own[1]); err != nil {
				t.Fatal(err)
			}
			if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err != nil {
				t.Fatal(err)
			}
			for _, p := range []string{path, path + ".lock", seenPath(path)} {
				if uid, gid, _ := owner(t, p); uid != own[0] || gid != own[1] {
					t.Errorf("%s belongs to %d:%d, want %d:%d", filepath.Base(p), uid, gid, own[0], own[1])
				}
			}
		})
	}
}

// TestNewFileInSomeonesDirectory: root writing a credentials file that
// does not exist yet, in a user's directory, gives the file, its lock
// file and rolecall's record that user, so that their own rolecall can
// write it next time.
func TestNewFileInSomeonesDirectory(t *testing.T) {
	requireRoot(t)
	dir := filepath.Join(t.TempDir(), ".aws")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, otherUID, otherGID); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "credentials")
	if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + ".lock", seenPath(path)} {
		if uid, gid, _ := owner(t, p); uid != otherUID || gid != otherGID {
			t.Errorf("%s belongs to %d:%d, want the directory's %d:%d", filepath.Base(p), uid, gid, otherUID, otherGID)
		}
	}
}
