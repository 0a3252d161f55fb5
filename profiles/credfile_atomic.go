package profiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/gofrs/flock"
)

const (
	// lockTimeout bounds the wait for another rolecall writing the file.
	lockTimeout = 10 * time.Second
	// staleTemp is the age from which a temp file is a killed writer's.
	staleTemp = time.Minute
)

// editLocked runs edit on the file's contents under a lock on a sibling
// lock file and replaces the file atomically with the result. A missing
// file reads as empty and is created 0600 in a 0700 directory; an edit
// that changes nothing writes nothing.
func editLocked(path string, edit func(string) (string, error)) error {
	t, err := inspect(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(t.path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create %s: %v; create the directory by hand", dir, cause(err))
	}
	lk, err := lock(t.path)
	if err != nil {
		return err
	}
	defer lk.Unlock()
	adopt(t.path, t.path+".lock")
	removeStaleTemps(t.path)

	var fi fs.FileInfo
	old, err := os.ReadFile(t.path)
	switch {
	case err == nil:
		if fi, err = os.Stat(t.path); err != nil {
			return fmt.Errorf("read %s: %v; check its permissions", t.path, cause(err))
		}
		if err := checkFile(t.path, t.path, fi); err != nil {
			return err
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return fmt.Errorf("read %s: %v; check its permissions", t.path, cause(err))
	}
	out, err := edit(string(old))
	if err != nil {
		return err
	}
	if out == string(old) {
		return nil
	}
	return publish(t.path, fi, out)
}

// target is the file a write goes to.
type target struct {
	path string      // the file itself, symlinks followed
	fi   fs.FileInfo // nil when it does not exist yet
}

// inspect follows path's symlinks (also a dangling one: the write then
// creates its target) and refuses a file a write must not replace.
func inspect(path string) (target, error) {
	if path == "" {
		return target{}, errors.New("no credentials file path (set AWS_SHARED_CREDENTIALS_FILE or --credentials)")
	}
	p := path
	for hops := 0; ; hops++ {
		fi, err := os.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			if p != path {
				if _, err := os.Stat(filepath.Dir(p)); err != nil {
					return target{}, fmt.Errorf("%s is a symlink to %s, whose directory does not exist; create %s or fix the link, then retry", path, p, filepath.Dir(p))
				}
			}
			return target{path: p}, nil
		}
		if err != nil {
			return target{}, fmt.Errorf("cannot read %s: %v; check its permissions", p, cause(err))
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			t := target{path: p, fi: fi}
			return t, checkFile(path, t.path, fi)
		}
		if hops == 40 {
			return target{}, fmt.Errorf("%s: too many levels of symlinks; fix the link, then retry", path)
		}
		to, err := os.Readlink(p)
		if err != nil {
			return target{}, fmt.Errorf("cannot read the symlink %s: %v", p, cause(err))
		}
		if !filepath.IsAbs(to) {
			to = filepath.Join(filepath.Dir(p), to)
		}
		p = to
	}
}

// checkFile refuses an existing file that a write would damage: not a
// regular file, made read-only by its owner, hard-linked (a rename would
// split the links), or owned by someone rolecall cannot give a new file to.
func checkFile(given, path string, fi fs.FileInfo) error {
	name := given
	if path != given {
		name = fmt.Sprintf("%s (the link's target %s)", given, path)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("%s is not a regular file; point --credentials (or AWS_SHARED_CREDENTIALS_FILE) at the credentials file", name)
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o), so rolecall leaves it alone; make it writable (chmod u+w) to let rolecall write [default]", name, fi.Mode().Perm())
	}
	n, err := linkCount(path, fi)
	if err != nil {
		return fmt.Errorf("cannot read %s: %v", name, err)
	}
	if n > 1 {
		return fmt.Errorf("%s has %d hard links; rolecall replaces the file to write it safely, which would split them. Keep one name and make the others symlinks, then retry", name, n)
	}
	if uid, _, ok := fileOwner(fi); ok && !privileged() && uid != os.Geteuid() {
		return fmt.Errorf("%s belongs to uid %d; rolecall (uid %d) cannot keep that owner when it replaces the file, so it leaves it alone. Run rolecall as the file's owner", name, uid, os.Geteuid())
	}
	return nil
}

// lock takes the lock on path's sibling lock file, waiting up to
// lockTimeout for another rolecall.
func lock(path string) (*flock.Flock, error) {
	lp := path + ".lock"
	lk := flock.New(lp, flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), lockTimeout)
	defer cancel()
	ok, err := lk.TryLockContext(ctx, 20*time.Millisecond)
	switch {
	case err != nil && !errors.Is(err, context.DeadlineExceeded):
		return nil, lockFileError(lp, err)
	case err != nil || !ok:
		return nil, fmt.Errorf("%s is locked by another writer (lock file %s); try again in a moment", path, lp)
	}
	return lk, nil
}

// lockFileError says why the lock file could not be opened.
func lockFileError(lp string, err error) error {
	err = cause(err)
	hint := "fix it, then retry"
	switch {
	case errors.Is(err, fs.ErrPermission):
		hint = "make " + filepath.Dir(lp) + " writable for your user, or run rolecall as the file's owner"
	case isReadOnlyFS(err):
		hint = "point --credentials (or AWS_SHARED_CREDENTIALS_FILE) at a file on a writable file system"
	}
	return fmt.Errorf("cannot create the lock file %s: %v; rolecall locks the credentials file through it, so %s", lp, err, hint)
}

// publish writes out to a temp file next to the file, with the file's
// owner, group and mode (fi is nil for a new file), syncs it and renames
// it over the file, so a crash leaves either the old or the new file,
// never a mix.
func publish(path string, fi fs.FileInfo, out string) error {
	dir := filepath.Dir(path)
	mode, uid, gid, own := fs.FileMode(0o600), 0, 0, false
	if fi != nil {
		mode = fi.Mode().Perm()
		uid, gid, own = fileOwner(fi)
	} else if di, err := os.Stat(dir); err == nil && privileged() {
		// A file root creates in someone's directory (sudo) is theirs.
		uid, gid, own = fileOwner(di)
	}
	f, err := os.CreateTemp(dir, tempPrefix(path)+"*")
	if err != nil {
		return fmt.Errorf("write %s: %v; check that %s is writable", path, cause(err), dir)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if own {
		if err := keepOwner(f, uid, gid); err != nil {
			return fail(fmt.Errorf("%s belongs to uid %d, gid %d, and rolecall cannot give the new file that owner (%v), so it left the file alone; run rolecall as the file's owner", path, uid, gid, err))
		}
	}
	if err := f.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		return fail(fmt.Errorf("write %s: %v; the file was left as it was", path, err))
	}
	if _, err := f.WriteString(out); err != nil {
		return fail(fmt.Errorf("write %s: %v; the file was left as it was", path, err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("write %s: %v; the file was left as it was", path, err))
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("write %s: %v; the file was left as it was", path, err))
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %v; the file was left as it was", path, cause(err))
	}
	syncDir(dir)
	return nil
}

// tempPrefix names the temp files of writes to path: unique per target
// file, so that a writer only ever removes its own file's leftovers.
func tempPrefix(path string) string {
	return "." + filepath.Base(path) + ".rolecall-tmp-"
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

// removeStaleTemps removes the temp files a killed writer of this file
// left. It runs under the lock and only takes old ones, so no live writer
// owns one.
func removeStaleTemps(path string) {
	dir := filepath.Dir(path)
	prefix := tempPrefix(path)
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if !ok || rest == "" || strings.Trim(rest, "0123456789") != "" {
			continue
		}
		if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() && time.Since(fi.ModTime()) > staleTemp {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// cause is the operating system's reason inside a file error.
func cause(err error) error {
	var pe *fs.PathError
	var le *os.LinkError
	switch {
	case errors.As(err, &pe):
		return pe.Err
	case errors.As(err, &le):
		return le.Err
	}
	return err
}

// readCurrent reads the file without a lock; a missing file reads as
// empty.
func readCurrent(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %v; check its permissions", path, cause(err))
	}
	return string(data), nil
}

// adopt gives a file rolecall created next to the credentials file at
// credPath the credentials file's owner when rolecall runs as root, so
// that the owner's own rolecall can still open it.
func adopt(credPath, path string) {
	if !privileged() {
		return
	}
	ref, err := os.Stat(credPath)
	if err != nil {
		if ref, err = os.Stat(filepath.Dir(credPath)); err != nil {
			return
		}
	}
	uid, gid, ok := fileOwner(ref)
	if !ok {
		return
	}
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
		if u, g, ok := fileOwner(fi); ok && (u != uid || g != gid) {
			os.Lchown(path, uid, gid)
		}
	}
}

// keepOwner gives the open file the owner and group uid and gid.
func keepOwner(f *os.File, uid, gid int) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if u, g, ok := fileOwner(fi); !ok || (u == uid && g == gid) {
		return nil
	}
	return f.Chown(uid, gid)
}
