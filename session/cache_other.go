//go:build !unix

package session

import (
	"io/fs"
	"os"
)

// openNoFollow opens path for reading, refusing a symbolic link.
func openNoFollow(path string) (*os.File, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return nil, errSymlink
	}
	return os.Open(path)
}

// foreignOwner is "" where file ownership is not a uid: the cache lives
// under the user's own profile directory there.
func foreignOwner(fs.FileInfo) string { return "" }
