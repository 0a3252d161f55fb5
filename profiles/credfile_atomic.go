package profiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/gofrs/flock"
)

// lockTimeout bounds the wait for another rolecall writing the same file.
const lockTimeout = 10 * time.Second

// tempPattern names the temp files of an atomic write; a leftover one (the
// writer was killed) is removed by the next writer, under the lock.
const tempPattern = ".rolecall-tmp-*"

// editLocked runs edit on the file's contents under a lock on a sibling
// lock file and replaces the file atomically with the result. A missing
// file reads as empty and is created 0600 in a 0700 directory.
func editLocked(path string, edit func(string) (string, error)) error {
	if path == "" {
		return errors.New("no credentials file path (set AWS_SHARED_CREDENTIALS_FILE or --credentials)")
	}
	// Write through a symlink (dotfile managers link ~/.aws/credentials),
	// not over it.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %v; create the directory by hand", dir, errors.Unwrap(err))
	}
	lock := flock.New(path+".lock", flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
	defer cancel()
	ok, err := lock.TryLockContext(ctx, 20*time.Millisecond)
	if err != nil || !ok {
		return fmt.Errorf("%s is locked by another writer (lock file %s.lock); try again in a moment", path, path)
	}
	defer lock.Unlock()
	removeStaleTemps(dir)

	mode := fs.FileMode(0o600)
	old, err := os.ReadFile(path)
	switch {
	case err == nil:
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
	case errors.Is(err, fs.ErrNotExist):
		old = nil
	default:
		return fmt.Errorf("read %s: %v; check its permissions", path, errors.Unwrap(err))
	}
	out, err := edit(string(old))
	if err != nil {
		return err
	}
	if out == string(old) && old != nil {
		return nil
	}
	return replaceFile(path, []byte(out), mode)
}

// replaceFile writes data to a temp file next to path, syncs it, renames it
// over path and syncs the directory, so a crash leaves either the old or
// the new file, never a mix.
func replaceFile(path string, data []byte, mode fs.FileMode) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return fmt.Errorf("write %s: %v; check that %s is writable", path, errors.Unwrap(err), dir)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %v; the file was left as it was", path, err)
	}
	if err := f.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %v; the file was left as it was", path, errors.Unwrap(err))
	}
	syncDir(dir)
	return nil
}

// syncDir makes the rename durable. Windows cannot open a directory for
// syncing, and the rename is already durable there.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// removeStaleTemps removes temp files a killed writer left. It runs under
// the lock, so no live writer owns one.
func removeStaleTemps(dir string) {
	matches, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	for _, m := range matches {
		os.Remove(m)
	}
}

// readCurrent reads the file without a lock; a missing file reads as
// empty.
func readCurrent(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %v; check its permissions", path, errors.Unwrap(err))
	}
	return string(data), nil
}
