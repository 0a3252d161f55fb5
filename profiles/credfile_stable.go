package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"
)

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
