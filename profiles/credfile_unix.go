//go:build !windows

package profiles

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// renameOverOpenFile says whether a file may be renamed over while rolecall
// holds it open, so that a late write into it can still be read.
const renameOverOpenFile = true

// fileOwner returns the file's owner and group.
func fileOwner(fi fs.FileInfo) (uid, gid int, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}

// linkCount returns the number of hard links to the file.
func linkCount(_ string, fi fs.FileInfo) (uint64, error) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 1, nil
	}
	return uint64(st.Nlink), nil
}

// privileged reports whether rolecall may give files to other users.
func privileged() bool { return os.Geteuid() == 0 }

func isReadOnlyFS(err error) bool { return errors.Is(err, syscall.EROFS) }
