package profiles

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
)

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
