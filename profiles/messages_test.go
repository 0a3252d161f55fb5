package profiles

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
)

// TestWriteRefusalsNameTheLine: every refusal to write [default] names
// the file and the line to look at, counted the way an editor counts
// (the first line is 1), wherever the section stands.
func TestWriteRefusalsNameTheLine(t *testing.T) {
	const top = "# keys\n[base]\naws_access_key_id = AKIABASE0000000001\naws_secret_access_key = s\n\n" // 5 lines
	tests := []struct {
		name  string
		file  string
		opts  func(path string) DefaultOptions
		clear bool
		want  string // after "PATH"
	}{
		{"long-term keys", top + longDef, nil, false, ":6: [default] holds long-term keys"},
		{"another tool's session", top + foreignDef, nil, false, ":6: [default] holds"},
		{"clearing long-term keys", top + longDef, nil, true, ":6: [default] was not written by rolecall"},
		{"two [default]s", top + plainDef + "[x]\na = b\n" + plainDef, nil, false, ": [default] appears 2 times (lines 6, 11)"},
		{"a header the AWS CLI reads otherwise", top + "[ default ]\nregion = eu-west-1\n", nil, false, ":6: the AWS CLI and the AWS SDKs disagree"},
		{"a [default] that changed", top + plainDef, func(string) DefaultOptions {
			return DefaultOptions{Expect: &DefaultState{Holder: DefaultRolecall, Profile: "prod", AccessKeyID: "ASIAWASHERE00000001"}}
		}, false, ":6: [default] no longer holds"},
		{"a [default] that is gone", top, func(string) DefaultOptions {
			return DefaultOptions{Expect: &DefaultState{Holder: DefaultRolecall, Profile: "prod", AccessKeyID: "ASIAWASHERE00000001"}}
		}, false, ": [default] no longer holds"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := oldFile(t, tc.file)
			opts := DefaultOptions{}
			if tc.opts != nil {
				opts = tc.opts(path)
			}
			var err error
			if tc.clear {
				_, err = ClearDefault(path, opts)
			} else {
				_, err = WriteDefault(path, sessionFor("prod"), opts)
			}
			if err == nil || !strings.HasPrefix(err.Error(), path+tc.want) {
				t.Errorf("got %v, want %q", err, path+tc.want)
			}
			if got := readString(t, path); got != tc.file {
				t.Errorf("a refused write changed the file")
			}
		})
	}
}

// TestDefaultChangedSaysWhoHoldsIt: the refusal of a [default] that
// changed since rolecall looked names who held it and who holds it now,
// by profile and masked key, and errors.Is tells it apart.
func TestDefaultChangedSaysWhoHoldsIt(t *testing.T) {
	path := oldFile(t, keptBase)
	if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	want := DefaultState{Holder: DefaultRolecall, Profile: "two", AccessKeyID: sessionFor("two").AccessKeyID}
	_, err := WriteDefault(path, sessionFor("three"), DefaultOptions{Expect: &want})
	var ce *DefaultChangedError
	if !errors.As(err, &ce) || !errors.Is(err, ErrDefaultChanged) || errors.Is(err, ErrForeignDefault) {
		t.Fatalf("err %v, want a DefaultChangedError", err)
	}
	line := strings.Count(keptBase, "\n") + 1
	if ce.Line != line || ce.Now.Profile != "one" || ce.Want.Profile != "two" {
		t.Errorf("Line %d, now %s, want %s; want line %d, one, two", ce.Line, ce.Now, ce.Want, line)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, fmt.Sprintf("%s:%d: ", path, line)) || strings.Contains(msg, "secret-of-") {
		t.Errorf("message %q", msg)
	}
}

// TestClearWithNothingToClearTakesNoLock: a [default] with no keys is
// left as it is without a lock file, so `use --clear` works where the
// lock file could not be made.
func TestClearWithNothingToClearTakesNoLock(t *testing.T) {
	for name, data := range map[string]string{"no [default]": keptBase, "settings only": keptBase + plainDef, "empty file": ""} {
		t.Run(name, func(t *testing.T) {
			path := oldFile(t, data)
			st, err := ClearDefault(path, DefaultOptions{})
			if err != nil || st.Holder != DefaultEmpty {
				t.Fatalf("ClearDefault: %v, %v; want nothing held", st, err)
			}
			if _, err := os.Stat(path + ".lock"); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a lock file was made for nothing: %v", err)
			}
			if got := readString(t, path); got != data {
				t.Errorf("the file changed")
			}
		})
	}
	// With something to clear, the lock is taken.
	path := oldFile(t, keptBase)
	if _, err := WriteDefault(path, sessionFor("one"), DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	if st, err := ClearDefault(path, DefaultOptions{}); err != nil || st.Profile != "one" {
		t.Fatalf("ClearDefault: %v, %v", st, err)
	}
	if readString(t, path) != keptBase {
		t.Errorf("clearing did not give back the file")
	}
}

// TestPrintableLabels: a value quoted in a message keeps its first 40
// characters, and a longer one says it was cut.
func TestPrintableLabels(t *testing.T) {
	forty := strings.Repeat("é", 40)
	for in, want := range map[string]string{
		forty:                   forty,
		forty + "x":             forty + "…",
		"a\x1b[31mb\x07c":       "a[31mbc",
		strings.Repeat("x", 39): strings.Repeat("x", 39),
	} {
		if got := printable(in, 40); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestShadowWarningsOfAWSDefaultProfile: AWS_DEFAULT_PROFILE makes the
// AWS CLI read another profile unless AWS_PROFILE is set, which wins.
func TestShadowWarningsOfAWSDefaultProfile(t *testing.T) {
	set := &Set{}
	for _, tc := range []struct {
		env  map[string]string
		want string // "" for no warning
	}{
		{map[string]string{"AWS_DEFAULT_PROFILE": "dev"}, "AWS_DEFAULT_PROFILE=dev is set"},
		{map[string]string{"AWS_DEFAULT_PROFILE": "default"}, ""},
		{map[string]string{"AWS_DEFAULT_PROFILE": "dev", "AWS_PROFILE": "default"}, ""},
		{map[string]string{"AWS_DEFAULT_PROFILE": "dev", "AWS_PROFILE": "ops"}, "AWS_PROFILE=ops is set"},
	} {
		got := ShadowWarnings(set, func(k string) string { return tc.env[k] })
		switch {
		case tc.want == "" && len(got) != 0:
			t.Errorf("%v: warnings %q, want none", tc.env, got)
		case tc.want != "" && (len(got) != 1 || !strings.HasPrefix(got[0], tc.want)):
			t.Errorf("%v: warnings %q, want one saying %q", tc.env, got, tc.want)
		}
	}
}

// TestBackupNamesNeverClash: a third --force in the same second gets a
// name of its own, after the ones already taken.
func TestBackupNamesNeverClash(t *testing.T) {
	data := longDef + "[default-backup-20261123-150405]\na = b\n[default-backup-20261123-150405-2]\na = b\n"
	_, res, err := writeDefault("f", data, sessionFor("prod"), DefaultOptions{Force: true}, testNow)
	if err != nil || res.BackupProfile != "default-backup-20261123-150405-3" {
		t.Errorf("backup %q, %v; want default-backup-20261123-150405-3", res.BackupProfile, err)
	}
}

// TestWriteAroundALineTheReaderSkips: an indented line the reader skips
// (it follows a key written with ':', which ends no value) would continue
// the last key rolecall writes if the session went where the old key
// was; it goes to the end of [default] instead, and every key reads back
// as written.
func TestWriteAroundALineTheReaderSkips(t *testing.T) {
	in := keptBase + "[default]\naws_access_key_id: AKIAOLDCOLONKEY0001\n  skipped by the reader\nregion = eu-west-1\n\n" + keptOther
	path := oldFile(t, in)
	w := sessionFor("prod")
	if _, err := WriteDefault(path, w, DefaultOptions{Force: true}); err != nil {
		t.Fatalf("WriteDefault: %v", err)
	}
	set, err := Load(Files{Credentials: path})
	if err != nil {
		t.Fatal(err)
	}
	d := set.Get("default")
	if d == nil || d.Get("aws_access_key_id") != w.AccessKeyID || d.Get("aws_session_token") != w.SessionToken || d.Get("region") != "eu-west-1" {
		t.Errorf("[default] does not read back as written")
	}
	if got := readString(t, path); !strings.Contains(got, "  skipped by the reader\nregion = eu-west-1\n") {
		t.Errorf("the lines around the old key moved:\n%s", got)
	}
}

// TestPosString: a position reads "file:line", just the file when the
// line is not known, and nothing when neither is.
func TestPosString(t *testing.T) {
	for pos, want := range map[Pos]string{
		{File: "/home/u/.aws/config", Line: 12}: "/home/u/.aws/config:12",
		{File: "/home/u/.aws/config"}:           "/home/u/.aws/config",
		{}:                                      "",
	} {
		if got := pos.String(); got != want {
			t.Errorf("%#v.String() = %q, want %q", pos, got, want)
		}
	}
}

// TestMaskKeyIDEdges: a key id of letters and digits, eight characters or
// more, shows its first and last four; anything else is all stars. The
// letters and digits at both ends of each range count, the characters
// just outside them do not.
func TestMaskKeyIDEdges(t *testing.T) {
	for id, want := range map[string]string{
		"AKIA1234":         "AKIA…1234",
		"AZaz09AZ":         "AZaz…09AZ",
		"ASIAEXAMPLE00001": "ASIA…0001",
		"AKIA123":          "****",
		"AKIA@123":         "****", // '@' is just before 'A'
		"AKIA[123":         "****", // '[' just after 'Z'
		"AKIA`123":         "****", // '`' just before 'a'
		"AKIA{123":         "****", // '{' just after 'z'
		"AKIA/123":         "****", // '/' just before '0'
		"AKIA:123":         "****", // ':' just after '9'
	} {
		if got := MaskKeyID(id); got != want {
			t.Errorf("MaskKeyID(%q) = %q, want %q", id, got, want)
		}
	}
}
