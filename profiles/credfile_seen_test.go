package profiles

import (
	"os"
	"path/filepath"
	"testing"
)

// TestTornFileRule: a credentials file looks torn (and is watched for
// suspectAge, not stableAge, before it is trusted) when it is missing,
// empty or short of sections that it held when rolecall last saw it, and
// only then: a file that was already empty or missing is read at once.
func TestTornFileRule(t *testing.T) {
	none := &snapshot{}
	empty := &snapshot{exists: true}
	dev := &snapshot{exists: true, data: "[dev]\nregion = eu-west-1\n"}
	for _, tc := range []struct {
		name   string
		record *seenRecord
		now    *snapshot
		want   string
	}{
		{"missing, never seen", nil, none, ""},
		{"missing, seen empty", &seenRecord{Size: 0, Sections: []string{}}, none, ""},
		{"missing, seen with comments only", &seenRecord{Size: 12, Sections: []string{}}, none, "it has disappeared"},
		{"missing, seen with sections", &seenRecord{Size: 40, Sections: []string{"dev"}}, none, "it has disappeared"},
		{"empty, never seen", nil, empty, "it is empty"},
		{"empty, seen empty", &seenRecord{Size: 0, Sections: []string{}}, empty, ""},
		{"empty, seen with data", &seenRecord{Size: 12, Sections: []string{}}, empty, "it is empty"},
		{"lost a section", &seenRecord{Size: 80, Sections: []string{"dev", "prod"}}, dev, "it has lost sections"},
		{"kept its sections", &seenRecord{Size: 40, Sections: []string{"dev"}}, dev, ""},
	} {
		if got := tc.record.suspect(tc.now); got != tc.want {
			t.Errorf("%s: suspect = %q, want %q", tc.name, got, tc.want)
		}
	}
}

// TestSeenRecordFollowsTheFile: the record rolecall keeps of the file is
// rewritten whenever what it saw changes, its size alone included, and a
// record of an empty file reads back as one (not as no record, which
// would make the empty file look torn).
func TestSeenRecordFollowsTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials")
	w := &writer{path: path}
	for _, data := range []string{"", "# mine\n", "# mine, longer\n", "[dev]\n# mine, longer\n"} {
		w.saw(data)
		r := loadSeen(path)
		if r == nil || r.Size != len(data) {
			t.Fatalf("after seeing %q the record is %+v, want size %d", data, r, len(data))
		}
		if r.suspect(&snapshot{exists: true, data: data}) != "" {
			t.Errorf("the file as last seen (%q) looks torn", data)
		}
	}
	if err := os.WriteFile(seenPath(path), []byte(`{"size":-1,"sections":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if r := loadSeen(path); r != nil {
		t.Errorf("a record with a negative size was taken: %+v", r)
	}
}
