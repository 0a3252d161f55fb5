package profiles

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/gofrs/flock"
)

// The AWS CLI (`aws configure set`) rewrites the credentials file in place,
// without a lock: it reads the file, truncates it and writes it again. So
// rolecall trusts only a stable read, re-checks the file right before its
// rename, and watches the file it replaced for a write that came too late.
const (
	// lockTimeout bounds the wait for another rolecall writing the file.
	lockTimeout = 10 * time.Second
	// stableAge is how long a file must have been left alone before its
	// contents are trusted.
	stableAge = 50 * time.Millisecond
	// suspectAge is that time for a file that is empty, or has lost
	// sections since rolecall last saw it: a writer that truncated it may
	// not have written it yet.
	suspectAge = time.Second
	// changeWait bounds the wait for a file that keeps changing.
	changeWait = 5 * time.Second
	// lateQuiet is how long a file written after rolecall replaced it must
	// be left alone before rolecall builds on it: the writer may be stalled
	// half-way.
	lateQuiet = 200 * time.Millisecond
	// staleTemp is the age from which a temp file is a killed writer's.
	staleTemp = time.Minute
)

// editLocked runs edit on the file's contents under a lock on a sibling
// lock file and replaces the file atomically with the result. A missing
// file reads as empty and is created 0600 in a 0700 directory; an edit
// that changes nothing writes nothing.
func editLocked(path string, edit func(string) (string, error)) error {
	return editLockedHooks(path, edit, hooks{})
}

// editLockedDropping is editLocked for an edit that removes sections on
// purpose (generated profiles no longer reachable): dropped names them,
// filled in by the edit, and the writer's refusal of a result that lost
// sections spares those. Any other section lost still refuses the write.
func editLockedDropping(path string, dropped *[]string, edit func(string) (string, error)) error {
	return editLockedHooks(path, edit, hooks{dropped: dropped})
}

// hooks run at the worst moments of a write, where tests play another
// writer: after the temp file is written but before the re-check, and
// after the re-check but right before the rename.
type hooks struct {
	beforeCheck, beforeRename func()
	// dropped names the sections the edit removes on purpose.
	dropped *[]string
}

// editLockedHooks is editLocked with hooks.
func editLockedHooks(path string, edit func(string) (string, error), h hooks) error {
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
	w := &writer{path: t.path, seen: loadSeen(t.path), hooks: h}
	return w.run(edit)
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

// writer is one locked edit of the file at path.
type writer struct {
	path  string
	seen  *seenRecord // what rolecall saw of the file last time; nil if nothing
	hooks hooks       // for tests
}

// errChanged says the file changed between the read and the rename.
var errChanged = errors.New("the file changed")

// run edits the file until one attempt has published its result on an
// unchanged file, or the file keeps changing for too long.
func (w *writer) run(edit func(string) (string, error)) error {
	deadline := time.Now().Add(changeWait)
	delay := 10 * time.Millisecond
	// late is what another program wrote into the file rolecall had just
	// replaced, and ours is what rolecall had published: the next attempt
	// builds on late instead while the file still holds ours.
	var late, ours *string
	for {
		s, err := w.stableRead(deadline)
		if err != nil {
			return err
		}
		base, redo := s.data, false
		if late != nil && ours != nil && s.data == *ours {
			base, redo = *late, true
		}
		late, ours = nil, nil
		out, editErr := edit(base)
		if editErr != nil && !redo {
			s.close()
			return editErr
		}
		if editErr != nil {
			// The late write is not one rolecall may build on (it made
			// [default] someone else's): put it back as it was written.
			out = base
		}
		if out == s.data {
			s.close()
			w.saw(s.data)
			return editErr
		}
		var dropped []string
		if w.hooks.dropped != nil {
			dropped = *w.hooks.dropped
		}
		if err := keepsSections(w.path, s.data, out, dropped); err != nil {
			s.close()
			return err
		}
		lateData, err := w.publish(s, out)
		s.close()
		switch {
		case errors.Is(err, errChanged):
			if time.Now().After(deadline) {
				return w.keptChanging()
			}
			time.Sleep(delay)
			delay = min(2*delay, 200*time.Millisecond)
			continue
		case err != nil:
			return err
		}
		w.saw(out)
		if lateData != nil {
			late, ours = lateData, &out
			continue
		}
		return editErr
	}
}

func (w *writer) keptChanging() error {
	return fmt.Errorf("%s kept changing for %v while rolecall waited to write it (another program is writing it); rolecall left it alone. Try again in a moment", w.path, changeWait)
}

// snapshot is one consistent read of the file.
type snapshot struct {
	f      *os.File // open on the file read; nil when it does not exist
	fi     fs.FileInfo
	data   string
	exists bool
	whole  bool // the reads and the stats around them agree (readSnapshot)
}

func (s *snapshot) close() {
	if s != nil && s.f != nil {
		s.f.Close()
		s.f = nil
	}
}

// same reports whether two snapshots saw the same file in the same state.
func (s *snapshot) same(o *snapshot) bool {
	if s.exists != o.exists {
		return false
	}
	return !s.exists || (s.whole && o.whole && sameState(s.fi, o.fi) && s.data == o.data)
}

// sameState reports whether two stats are of the same file, unchanged.
func sameState(a, b fs.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime()) && a.Mode() == b.Mode()
}

// readSnapshot reads the file, twice when twice is set, with a stat
// before, between and after the reads; the snapshot is whole when all of
// them agree and the file at path is still the one read.
func readSnapshot(path string, twice bool) (*snapshot, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &snapshot{whole: true}, nil
	}
	if err != nil {
		return nil, err
	}
	fail := func(err error) (*snapshot, error) {
		f.Close()
		return nil, err
	}
	st0, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	if st0.Mode().IsRegular() && st0.Size() > MaxFileSize {
		return fail(errTooLarge)
	}
	data, err := readAll(f, st0.Size())
	if err != nil {
		return fail(err)
	}
	st1, err := f.Stat()
	if err != nil {
		return fail(err)
	}
	whole := sameState(st0, st1)
	if twice {
		again, err := readAll(f, st1.Size())
		if err != nil {
			return fail(err)
		}
		st2, err := f.Stat()
		if err != nil {
			return fail(err)
		}
		whole = whole && sameState(st1, st2) && bytes.Equal(data, again)
		st1 = st2
	}
	atPath, err := os.Stat(path)
	whole = whole && err == nil && sameState(st1, atPath) && int64(len(data)) == st1.Size()
	s := &snapshot{f: f, fi: st1, exists: true, whole: whole}
	if len(data) > 0 {
		// data is never written again: share it rather than copy a file
		// that can be megabytes long.
		s.data = unsafe.String(&data[0], len(data))
	}
	return s, nil
}

// readAll reads the whole file from its start, up to MaxFileSize; size is
// a hint. It reads through the limit rather than trusting the size the
// file reports: a FIFO or /dev/zero reports none.
func readAll(f *os.File, size int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(max(size, 0), MaxFileSize)+512))
	if _, err := buf.ReadFrom(io.NewSectionReader(f, 0, MaxFileSize+1)); err != nil {
		return nil, err
	}
	if buf.Len() > MaxFileSize {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// settle reads the file until a whole snapshot of it has been left alone
// for need(snapshot), by its mtime or by watching it, and returns that
// snapshot with settled true; at the deadline it returns the last snapshot
// with settled false. A file whose mtime lies in the future, or is in
// whole seconds, settles by watching.
func settle(path string, twice bool, deadline time.Time, need func(*snapshot) time.Duration) (s *snapshot, settled bool, err error) {
	var first *snapshot // the oldest snapshot of the file's current state
	var firstAt time.Time
	delay := 5 * time.Millisecond
	for {
		s, err := readSnapshot(path, twice)
		if err != nil {
			first.close()
			return nil, false, err
		}
		now := time.Now()
		if first == nil || !first.same(s) {
			first.close()
			first, firstAt = s, now
		} else {
			s.close()
		}
		quiet := now.Sub(firstAt)
		if first.exists && first.whole {
			quiet = max(quiet, now.Sub(quietSince(first.fi)))
		}
		if first.whole && quiet >= need(first) {
			return first, true, nil
		}
		if now.After(deadline) {
			return first, false, nil
		}
		time.Sleep(delay)
		delay = min(2*delay, 50*time.Millisecond)
	}
}

// readSettled reads a file that another program may be rewriting in place
// (the AWS CLI truncates the file, then writes it), as the reader of both
// files does: it waits until the file has been left alone for stableAge,
// or suspectAge when it is empty or has lost sections since a writer last
// saw it, for up to changeWait, and then takes what it has. A missing file
// is not waited for.
func readSettled(path string) (string, error) {
	seen := loadSeen(path)
	if real, err := filepath.EvalSymlinks(path); err == nil {
		seen = loadSeen(real)
	}
	s, _, err := settle(path, false, time.Now().Add(changeWait), func(s *snapshot) time.Duration {
		switch {
		case !s.exists:
			return 0
		case seen.suspect(s) != "":
			return suspectAge
		}
		return stableAge
	})
	if err != nil {
		return "", err
	}
	s.close()
	if !s.exists {
		return "", &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return s.data, nil
}

// quietSince is when the file last changed as far as its stat tells.
// Whole-second timestamps (HFS+, some network file systems) may hide a
// write up to a second later.
func quietSince(fi fs.FileInfo) time.Time {
	t := fi.ModTime()
	if t.Nanosecond() == 0 {
		t = t.Add(time.Second)
	}
	return t
}

// stableRead returns the file's contents once they can be trusted: the
// snapshot is whole (two reads and the stats around them agree), and the
// file has been left alone for stableAge, or for suspectAge when it looks
// torn compared with what rolecall last saw.
func (w *writer) stableRead(deadline time.Time) (*snapshot, error) {
	s, settled, err := settle(w.path, true, deadline, func(s *snapshot) time.Duration {
		if w.seen.suspect(s) != "" {
			return suspectAge
		}
		return stableAge
	})
	if err != nil {
		return nil, fmt.Errorf("read %s: %v; check its permissions", w.path, cause(err))
	}
	if !settled {
		s.close()
		return nil, w.keptChanging()
	}
	if s.exists {
		if err := checkFile(w.path, w.path, s.fi); err != nil {
			s.close()
			return nil, err
		}
		if strings.IndexByte(s.data, 0) >= 0 || !utf8.ValidString(s.data) {
			s.close()
			return nil, fmt.Errorf("%s is not a text file (binary or not UTF-8), so rolecall leaves it alone; point --credentials at the AWS credentials file", w.path)
		}
	}
	w.saw(s.data)
	return s, nil
}

// publish writes out to a temp file next to the file, with the file's
// owner, group and mode; syncs it; re-checks that the file still holds
// exactly what s read (else errChanged) and renames the temp file over it.
// It returns what another program wrote into the replaced file after the
// re-check, if anything did.
func (w *writer) publish(s *snapshot, out string) (late *string, err error) {
	dir := filepath.Dir(w.path)
	mode, uid, gid, own := fs.FileMode(0o600), 0, 0, false
	if s.exists {
		mode = s.fi.Mode().Perm()
		uid, gid, own = fileOwner(s.fi)
	} else if di, err := os.Stat(dir); err == nil && privileged() {
		// A file root creates in someone's directory (sudo) is theirs.
		uid, gid, own = fileOwner(di)
	}
	f, err := os.CreateTemp(dir, tempPrefix(w.path)+"*")
	if err != nil {
		return nil, fmt.Errorf("write %s: %v; check that %s is writable", w.path, cause(err), dir)
	}
	tmp := f.Name()
	fail := func(err error) (*string, error) {
		f.Close()
		os.Remove(tmp)
		return nil, err
	}
	if own {
		if err := keepOwner(f, uid, gid); err != nil {
			return fail(fmt.Errorf("%s belongs to uid %d, gid %d, and rolecall cannot give the new file that owner (%v), so it left the file alone; run rolecall as the file's owner", w.path, uid, gid, err))
		}
	}
	if err := f.Chmod(mode); err != nil && runtime.GOOS != "windows" {
		return fail(fmt.Errorf("write %s: %v; the file was left as it was", w.path, err))
	}
	if _, err := f.WriteString(out); err != nil {
		return fail(fmt.Errorf("write %s: %v; the file was left as it was", w.path, err))
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("write %s: %v; the file was left as it was", w.path, err))
	}
	if err := f.Close(); err != nil {
		return fail(fmt.Errorf("write %s: %v; the file was left as it was", w.path, err))
	}
	if w.hooks.beforeCheck != nil {
		w.hooks.beforeCheck()
	}
	if changedSince(w.path, s) {
		os.Remove(tmp)
		return nil, errChanged
	}
	if w.hooks.beforeRename != nil {
		w.hooks.beforeRename()
	}
	if !renameOverOpenFile {
		s.close()
	}
	if err := os.Rename(tmp, w.path); err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("write %s: %v; the file was left as it was", w.path, cause(err))
	}
	syncDir(dir)
	return lateWrite(s), nil
}

// changedSince reports whether the file is no longer exactly what s read.
func changedSince(path string, s *snapshot) bool {
	fi, err := os.Stat(path)
	if !s.exists {
		return !errors.Is(err, fs.ErrNotExist)
	}
	if err != nil || !sameState(fi, s.fi) {
		return true
	}
	if fi, err = s.f.Stat(); err != nil || !sameState(fi, s.fi) {
		return true
	}
	data, err := readAll(s.f, fi.Size())
	return err != nil || string(data) != s.data
}

// lateWrite returns what another program wrote into the file s read after
// rolecall's re-check: the AWS CLI opens the file (truncating it) before
// rolecall's rename and writes after it, into the file the rename replaced.
// It waits until that file has been left alone for lateQuiet, and returns
// nil when nothing was written, or when the write is not a whole file that
// keeps every section s held.
func lateWrite(s *snapshot) *string {
	if s.f == nil {
		return nil
	}
	fi, err := s.f.Stat()
	if err != nil || sameState(fi, s.fi) {
		return nil
	}
	deadline := time.Now().Add(2 * suspectAge)
	var prev []byte
	var since time.Time
	for time.Now().Before(deadline) {
		time.Sleep(stableAge / 2)
		fi0, err0 := s.f.Stat()
		data, err := readAll(s.f, fi0.Size())
		fi1, err1 := s.f.Stat()
		if err0 != nil || err != nil || err1 != nil {
			return nil
		}
		if !sameState(fi0, fi1) || int64(len(data)) != fi1.Size() || !bytes.Equal(data, prev) {
			prev, since = data, time.Now()
			continue
		}
		if time.Since(since) < lateQuiet || time.Since(quietSince(fi1)) < lateQuiet {
			continue
		}
		text := string(data)
		if len(text) == 0 || !utf8.ValidString(text) || len(missingSections(s.data, text)) > 0 {
			return nil
		}
		return &text
	}
	return nil
}

// keepsSections refuses an edit whose result lacks a section the file held
// (other than [default], which clearing may remove, and the sections the
// edit says it drops).
func keepsSections(path, in, out string, dropped []string) error {
	if miss := missing(missingSections(in, out), dropped); len(miss) > 0 {
		return fmt.Errorf("%s: rolecall's edit would drop [%s]; the file was left as it was", path, strings.Join(miss, "], ["))
	}
	return nil
}

// sectionNames lists the file's well-formed sections other than [default].
func sectionNames(data string) []string {
	var names []string
	for _, s := range scanSections(splitLines(data)) {
		if !s.broken && s.name != "default" {
			names = append(names, s.name)
		}
	}
	return names
}

// missingSections lists the sections of before that after lacks.
func missingSections(before, after string) []string {
	return missing(sectionNames(before), sectionNames(after))
}

func missing(want, have []string) []string {
	got := map[string]int{}
	for _, n := range have {
		got[n]++
	}
	var out []string
	for _, n := range want {
		if got[n] == 0 {
			out = append(out, n)
			continue
		}
		got[n]--
	}
	return out
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

// readCurrent reads the file without a lock, as it settles; a missing
// file reads as empty.
func readCurrent(path string) (string, error) {
	data, err := readSettled(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %v; check its permissions", path, cause(err))
	}
	return data, nil
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
