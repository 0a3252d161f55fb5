package profiles

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
)

// seenRecord is what rolecall saw of the credentials file the last time it
// read or wrote it: its size and its sections. A file that has since become
// empty or lost sections may be one another program has truncated and not
// yet written again, so rolecall waits longer before it trusts it. The
// record lives next to the lock file, written under the lock: it belongs
// to that file, whichever program or directory setting writes it.
type seenRecord struct {
	Size     int      `json:"size"`
	Sections []string `json:"sections"`
}

// seenPath is where the record of the file at path is kept.
func seenPath(path string) string { return path + ".rolecall-seen" }

// loadSeen reads the record; nil when there is none or it cannot be read,
// which only makes rolecall less suspicious.
func loadSeen(path string) *seenRecord {
	data, err := os.ReadFile(seenPath(path))
	if err != nil {
		return nil
	}
	var r seenRecord
	if json.Unmarshal(data, &r) != nil || r.Size < 0 {
		return nil
	}
	return &r
}

// suspect says why the snapshot looks torn compared with the record, or ""
// when it does not.
func (r *seenRecord) suspect(s *snapshot) string {
	switch {
	case !s.exists:
		if r != nil && (r.Size > 0 || len(r.Sections) > 0) {
			return "it has disappeared"
		}
	case s.data == "":
		if r == nil || r.Size > 0 {
			return "it is empty"
		}
	case r != nil:
		if miss := missing(r.Sections, sectionNames(s.data)); len(miss) > 0 {
			return "it has lost sections"
		}
	}
	return ""
}

// saw records data as what rolecall last saw of the file. The record is
// advisory: failing to write it is not an error.
func (w *writer) saw(data string) {
	r := &seenRecord{Size: len(data), Sections: sectionNames(data)}
	if r.Sections == nil {
		r.Sections = []string{}
	}
	if w.seen != nil && w.seen.Size == r.Size && slices.Equal(w.seen.Sections, r.Sections) {
		return
	}
	b, err := json.Marshal(r)
	if err != nil {
		return
	}
	f, err := os.CreateTemp(filepath.Dir(w.path), tempPrefix(w.path)+"*")
	if err != nil {
		return
	}
	_, err = f.Write(append(b, '\n'))
	if cerr := f.Close(); err != nil || cerr != nil || os.Rename(f.Name(), seenPath(w.path)) != nil {
		os.Remove(f.Name())
		return
	}
	adopt(w.path, seenPath(w.path))
	w.seen = r
}
