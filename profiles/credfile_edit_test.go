package profiles

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestCheckEditRefusesALostLine: the check every [default] edit passes
// before it is written refuses an edit that loses a line outside
// [default], and its message points at [default]'s header, or at line 1
// when the file has none.
func TestCheckEditRefusesALostLine(t *testing.T) {
	for name, tc := range map[string]struct {
		in, out string
		line    int
	}{
		"[default] in the middle": {"[a]\nk = v\n[default]\nregion = eu-west-1\n[z]\nk = v\n", "[a]\nk = v\n[default]\nregion = eu-west-1\n[z]\n", 3},
		"[default] at the top":    {"[default]\nregion = eu-west-1\n[z]\nk = v\n", "[default]\nregion = eu-west-1\n", 1},
		"no [default]":            {"[a]\nk = v\n[z]\nk = v\n", "[a]\nk = v\n", 1},
	} {
		t.Run(name, func(t *testing.T) {
			in, _, _ := normalizeLines(tc.in)
			out, _, _ := normalizeLines(tc.out)
			err := checkEdit("credentials", in, out, nil, nil, nil)
			want := fmt.Sprintf("credentials:%d: rewriting [default] would change how the lines around it read", tc.line)
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Errorf("an edit that drops a line outside [default]: %v, want an error starting %q", err, want)
			}
		})
	}
}

// TestWriteDefaultPutsKeysAfterTheLastProperty: in a [default] without
// credential keys, the keys go right after its last property (or its
// header), so the blank lines and comments that end the section stay
// with the section that follows them.
func TestWriteDefaultPutsKeysAfterTheLastProperty(t *testing.T) {
	for name, tc := range map[string]struct{ in, before, after string }{
		"no properties":         {"[default]\n\n# about dev\n[dev]\nk = v\n", "[default]\n", "\n# about dev\n[dev]\nk = v\n"},
		"no properties, second": {"[a]\nk = v\n[default]\n\n# about z\n[z]\n", "[a]\nk = v\n[default]\n", "\n# about z\n[z]\n"},
		"a sub-property block last": {"[default]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 2\n\n# about dev\n[dev]\nk = v\n",
			"[default]\nregion = eu-west-1\ns3 =\n  max_concurrent_requests = 2\n", "\n# about dev\n[dev]\nk = v\n"},
	} {
		t.Run(name, func(t *testing.T) {
			got, _, err := writeDefault("credentials", tc.in, sessionFor("dev"), DefaultOptions{}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			keys := strings.Index(got, "aws_access_key_id = ")
			if keys < 0 || got[:keys] != tc.before || !strings.HasSuffix(got, tc.after) || strings.Contains(got[keys:len(got)-len(tc.after)], "about") {
				t.Errorf("the keys are not right after [default]'s last property:\n%s", got)
			}
		})
	}
}

// TestClearDefaultOfAWholeFile: clearing the [default] rolecall wrote,
// when it is all the file holds and the file has no final newline,
// leaves an empty file.
func TestClearDefaultOfAWholeFile(t *testing.T) {
	// The edits themselves: on disk, an empty file is watched for a
	// second before it is trusted.
	written, _, err := writeDefault("credentials", "", sessionFor("dev"), DefaultOptions{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := clearDefault("credentials", strings.TrimSuffix(written, "\n"), DefaultOptions{})
	if err != nil || got != "" {
		t.Errorf("clearing the only section: %q, %v; want an empty file", got, err)
	}
}

// TestRestoreRefusesABackupWithoutAPlainKeyID: a backup whose
// aws_access_key_id is a sub-property block (which the AWS CLI reads as
// no key id) is not restored.
func TestRestoreRefusesABackupWithoutAPlainKeyID(t *testing.T) {
	const in = "[default]\n[default-backup-20260101-090000]\naws_access_key_id =\n  nested = AKIAOLDEXAMPLE000001\naws_secret_access_key = o\n"
	path := credFile(t, in)
	_, err := RestoreDefault(path)
	if err == nil || !strings.Contains(err.Error(), "holds no aws_access_key_id") {
		t.Errorf("restore from a backup without a plain key id: %v, want it refused", err)
	}
	if got := readString(t, path); got != in {
		t.Errorf("a refused restore changed the file:\n%s", got)
	}
}
