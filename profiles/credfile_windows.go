//go:build windows

package profiles

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// renameOverOpenFile says whether a file may be renamed over while rolecall
// holds it open: not on Windows, where the rename would fail.
const renameOverOpenFile = false

// fileOwner reports no owner: Windows files have ACLs, which the rename
// keeps with the directory's inheritance.
func fileOwner(fs.FileInfo) (uid, gid int, ok bool) { return 0, 0, false }

// linkCount returns the number of hard links to the file.
func linkCount(path string, _ fs.FileInfo) (uint64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var d syscall.ByHandleFileInformation
	if err := syscall.GetFileInformationByHandle(syscall.Handle(f.Fd()), &d); err != nil {
		return 0, err
	}
	return uint64(d.NumberOfLinks), nil
}

// privileged is false: rolecall never changes a file's owner on Windows.
func privileged() bool { return false }

// errorWriteProtect is ERROR_WRITE_PROTECT: the medium is write-protected.
const errorWriteProtect syscall.Errno = 19

func isReadOnlyFS(err error) bool { return errors.Is(err, errorWriteProtect) }
