package profiles

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// handSection is one section of a credentials file as a reviewer reads it:
// its name and its text, from its header line up to the next header.
type handSection struct{ name, text string }

// byHand splits a credentials file into what comes before the first
// section and its sections, the plain way: a line whose trimmed text
// starts with '[' and ends with ']' is a header. It shares no code with
// the writer it checks.
func byHand(data string) (preamble string, secs []handSection) {
	for _, l := range strings.SplitAfter(data, "\n") {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]") {
			secs = append(secs, handSection{name: strings.TrimSpace(t[1 : len(t)-1])})
		}
		if len(secs) == 0 {
			preamble += l
		} else {
			secs[len(secs)-1].text += l
		}
	}
	return preamble, secs
}

// outside is the file's text without the named sections.
func outside(data string, skip ...string) string {
	pre, secs := byHand(data)
	var b strings.Builder
	b.WriteString(pre)
	for _, s := range secs {
		if !containsName(skip, s.name) {
			b.WriteString(s.text)
		}
	}
	return b.String()
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// keysOf reads key = value lines of one section's text.
func keysOf(text string) map[string]string {
	out := map[string]string{}
	for _, l := range strings.Split(text, "\n")[1:] {
		if k, v, ok := strings.Cut(l, "="); ok {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

func sectionText(data, name string) (string, bool) {
	_, secs := byHand(data)
	for _, s := range secs {
		if s.name == name {
			return s.text, true
		}
	}
	return "", false
}

// oldFile writes data into a fresh credentials file last changed an hour
// ago, as people's files are.
func oldFile(t *testing.T, data string) string {
	t.Helper()
	path := credFile(t, data)
	age(t, path)
	return path
}

// age makes files look written an hour ago: the reader trusts a young
// file only once it has been left alone a moment (a second, when it is
// empty), and a test need not wait for that.
func age(t *testing.T, paths ...string) {
	t.Helper()
	old := time.Now().Add(-time.Hour)
	for _, p := range paths {
		if err := os.Chtimes(p, old, old); err != nil {
			t.Fatal(err)
		}
	}
}

const (
	keptTop    = "# my keys: not a byte of this may change\n\n"
	keptBase   = "[base]\naws_access_key_id = AKIABASE0000000001\naws_secret_access_key = base-secret\n\n"
	keptOther  = "; odd spacing, an unknown key and a sub-property\n[other]\naws_access_key_id=AKIAOTHER000000001\naws_secret_access_key  =  other-secret\nunknown_key = kept\ns3 =\n  max_concurrent_requests = 20\n\n"
	keptLast   = "[last]\nregion = eu-west-1\n"
	plainDef   = "[default]\nregion = us-east-1\n\n"
	longDef    = "[default]\n# the team's keys\naws_access_key_id = AKIALONGTERM000001\naws_secret_access_key = long-term-secret\nregion = us-east-1\n\n"
	foreignDef = "[default]\naws_access_key_id = ASIAOTHERTOOL00001\naws_secret_access_key = other-tool-secret\naws_session_token = other-tool-token\n\n"
)

// TestUseKeepsEveryOtherByte writes a session into [default] wherever it
// stands in the file (first, between sections, last, missing) and whoever
// held it (nobody, or keys rolecall did not write, moved aside with
// --force): every section but [default], and the backup --force adds, is
// kept byte for byte and in order; the backup holds the old keys; and
// clearing the session gives back the file as it was when [default]
// held none.
func TestUseKeepsEveryOtherByte(t *testing.T) {
	for _, tc := range []struct {
		name  string
		def   string // [default] as the file has it
		force bool
	}{
		{"nothing held", plainDef, false},
		{"long-term keys, forced", longDef, true},
		{"another tool's session, forced", foreignDef, true},
	} {
		for _, at := range []struct {
			name string
			file func(def string) string
		}{
			{"at the start", func(d string) string { return d + keptBase + keptOther + keptLast }},
			{"in the middle", func(d string) string { return keptTop + keptBase + d + keptOther + keptLast }},
			{"at the end", func(d string) string { return keptTop + keptBase + keptOther + keptLast + "\n" + d }},
			{"missing", func(string) string { return keptTop + keptBase + keptOther + keptLast }},
		} {
			if at.name == "missing" && tc.force {
				continue
			}
			t.Run(tc.name+" "+at.name, func(t *testing.T) {
				in := at.file(tc.def)
				path := oldFile(t, in)
				w := sessionFor("prod")
				res, err := WriteDefault(path, w, DefaultOptions{Force: tc.force})
				if err != nil {
					t.Fatal(err)
				}
				out := readString(t, path)
				skip := []string{"default"}
				if tc.force {
					if res.BackupProfile == "" {
						t.Fatal("--force named no backup profile")
					}
					skip = append(skip, res.BackupProfile)
					backup, ok := sectionText(out, res.BackupProfile)
					old, _ := sectionText(in, "default")
					if !ok {
						t.Fatalf("no [%s] in the file", res.BackupProfile)
					}
					for _, k := range []string{"aws_access_key_id", "aws_secret_access_key", "aws_session_token"} {
						if keysOf(backup)[k] != keysOf(old)[k] {
							t.Errorf("[%s] %s is not the old [default]'s", res.BackupProfile, k)
						}
					}
				}
				if got, want := outside(out, skip...), outside(in, "default"); got != want {
					t.Errorf("bytes outside [default] changed:\n--- before\n%s--- after\n%s", want, got)
				}
				def, ok := sectionText(out, "default")
				if !ok {
					t.Fatal("no [default] written")
				}
				had, _ := sectionText(in, "default")
				if got := keysOf(def); got["aws_access_key_id"] != w.AccessKeyID || got["aws_secret_access_key"] != w.SecretAccessKey ||
					got["aws_session_token"] != w.SessionToken || got["region"] != keysOf(had)["region"] {
					t.Errorf("[default] does not hold the session and its own region")
				}
				if tc.force {
					return
				}
				if _, err := ClearDefault(path, DefaultOptions{}); err != nil {
					t.Fatal(err)
				}
				if got := readString(t, path); got != in {
					t.Errorf("clearing the session did not give back the file:\n--- want\n%s--- got\n%s", in, got)
				}
			})
		}
	}
}

// TestClearLeavesKeysRolecallDidNotWrite: keys in [default] that are not
// rolecall's are refused, naming the line, and the file keeps every byte.
func TestClearLeavesKeysRolecallDidNotWrite(t *testing.T) {
	for name, def := range map[string]string{"long-term keys": longDef, "another tool's session": foreignDef} {
		t.Run(name, func(t *testing.T) {
			in := keptTop + keptBase + def + keptOther
			path := oldFile(t, in)
			_, err := ClearDefault(path, DefaultOptions{})
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("%s:%d:", path, strings.Count(keptTop+keptBase, "\n")+1)) {
				t.Errorf("got %v, want a refusal naming [default]'s line", err)
			}
			if got := readString(t, path); got != in {
				t.Errorf("a refused clear changed the file")
			}
		})
	}
}

// TestWriteReplacesTheFileWhole: the new file takes the old one's place
// in one step. A reader that opened the file before the write still reads
// the old contents whole, and the file at the path is a new one: it was
// never rewritten in place, where a crash or a reader could catch it half
// written.
func TestWriteReplacesTheFileWhole(t *testing.T) {
	in := keptTop + keptBase + keptOther
	path := oldFile(t, in)
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	before, _ := reader.Stat()
	if _, err := WriteDefault(path, sessionFor("prod"), DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, len(in)+100)
	n, _ := reader.ReadAt(buf, 0)
	if got := string(buf[:n]); got != in {
		t.Errorf("a reader of the old file saw it change under it: the file was rewritten in place")
	}
	after, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if os.SameFile(before, after) {
		t.Errorf("the path holds the same file as before: it was rewritten in place, not replaced")
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestSecondWriterWaitsForTheLock: while one rolecall is between its last
// check of the file and its rename, another one's write waits for it and
// then builds on its result, so neither write is lost.
func TestSecondWriterWaitsForTheLock(t *testing.T) {
	in := keptTop + keptBase + keptOther
	path := oldFile(t, in)
	var wg sync.WaitGroup
	var secondErr error
	secondDone := make(chan struct{})
	hold := func() {
		wg.Go(func() {
			_, secondErr = WriteDefault(path, sessionFor("two"), DefaultOptions{})
			close(secondDone)
		})
		// Give the second writer time to finish if nothing stops it.
		select {
		case <-secondDone:
		case <-time.After(500 * time.Millisecond):
		}
	}
	calls := 0
	editWithHooks(t, path, "one", hooks{beforeRename: func() {
		calls++
		if calls == 1 {
			hold()
		}
	}})
	wg.Wait()
	if secondErr != nil {
		t.Fatalf("the second writer failed: %v", secondErr)
	}
	out := readString(t, path)
	def, _ := sectionText(out, "default")
	if got := keysOf(def)["rolecall_profile"]; got != "two" {
		t.Errorf("[default] holds %q after both writes, want the second writer's session: the first renamed its file over the second's", got)
	}
	if outside(out, "default") != in {
		t.Errorf("bytes outside [default] changed")
	}
}
