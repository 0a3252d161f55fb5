package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
	"unicode/utf8"
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
