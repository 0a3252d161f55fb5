package profiles

import (
	"maps"
	"strings"
	"testing"
)

// plainSection is one section as plainSplit cuts a file: its name ("" for
// the lines before the first header), whether its header is well-formed,
// and its raw text, header line and line endings included.
type plainSection struct {
	name   string
	header bool
	ok     bool
	text   string
}

// plainSplit cuts a file into sections by the format's rules, written out
// plainly and on their own so that the fuzz target does not check the
// scanner against itself:
//   - lines end at "\n"; a "\r" before it is part of the line ending;
//   - an empty line, a line of blanks, or one starting with # or ; is a
//     comment;
//   - a line starting with a space or tab continues the property above it
//     when one is open; otherwise it is a header if its first non-blank
//     character is [, and a stray line if not;
//   - any other line starting with [ is a header; it is well-formed when,
//     cut at its first # or ;, it ends with ]; its name is what lies
//     between the brackets, trimmed;
//   - any other line opens a property when, cut at a # or ; that follows a
//     space or tab, it has an = with something before it; a header, or a
//     line that does not open a property, closes it.
func plainSplit(text string) []plainSection {
	blank := func(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f' }
	trim := func(s string) string {
		for len(s) > 0 && blank(s[0]) {
			s = s[1:]
		}
		for len(s) > 0 && blank(s[len(s)-1]) {
			s = s[:len(s)-1]
		}
		return s
	}
	secs := []plainSection{{}}
	open := false
	for _, raw := range strings.SplitAfter(text, "\n") {
		if raw == "" {
			continue
		}
		line := strings.TrimSuffix(raw, "\n")
		line = strings.TrimSuffix(line, "\r")
		header := false
		switch {
		case trim(line) == "" || line[0] == '#' || line[0] == ';':
		case line[0] == ' ' || line[0] == '\t':
			header = !open && trim(line)[0] == '['
		case line[0] == '[':
			header = true
		default:
			l := line
			for i := 1; i < len(l); i++ {
				if (l[i] == '#' || l[i] == ';') && (l[i-1] == ' ' || l[i-1] == '\t') {
					l = l[:i]
					break
				}
			}
			k, _, found := strings.Cut(l, "=")
			open = found && trim(k) != "" && len(secs) > 1
		}
		if header {
			open = false
			h := trim(line)
			if i := strings.IndexAny(h, "#;"); i >= 0 {
				h = trim(h[:i])
			}
			s := plainSection{header: true}
			if len(h) >= 2 && h[0] == '[' && h[len(h)-1] == ']' {
				s.ok, s.name = true, trim(h[1:len(h)-1])
			}
			secs = append(secs, s)
		}
		secs[len(secs)-1].text += raw
	}
	return secs
}

// others is every section but the well-formed [default]s.
func others(text string) []plainSection {
	var out []plainSection
	for _, s := range plainSplit(text) {
		if s.header && s.ok && s.name == "default" {
			continue
		}
		out = append(out, s)
	}
	return out
}

func countDefaults(text string) int {
	n := 0
	for _, s := range plainSplit(text) {
		if s.header && s.ok && s.name == "default" {
			n++
		}
	}
	return n
}

// readerView is what the reader sees in a credentials file: each profile's
// properties and sub-property blocks by value.
func readerView(t *testing.T, text string) map[string]map[string]string {
	t.Helper()
	p, err := parse(text, "credentials", parseOptions{})
	if err != nil {
		t.Fatalf("lenient parse failed: %v", err)
	}
	out := map[string]map[string]string{}
	for name, s := range p.profiles {
		m := map[string]string{}
		for _, pr := range s.Props {
			m[pr.Key] = pr.Value.Value
		}
		for _, b := range s.Sub {
			for _, v := range b.Props {
				m[b.Key+"."+v.Key] = v.Value.Value
			}
		}
		out[name] = m
	}
	return out
}

// FuzzCredfileWrite writes a session into arbitrary files, then clears it.
// After a write the reader must see exactly the session in [default] and
// every other property of [default] unchanged; every other section must
// be byte-identical (by plainSplit, not the production scanner) and read
// the same. The writer must never overwrite keys the reader says are
// someone else's without force. Clearing must give back every section.
func FuzzCredfileWrite(f *testing.F) {
	f.Fuzz(func(t *testing.T, data string, force bool) {
		w := sessionFor("fuzz")
		out, res, err := writeDefault("f", data, w, DefaultOptions{Force: force}, testNow)
		if err != nil {
			noSecret(t, err.Error(), w.SecretAccessKey, w.SessionToken)
			return
		}
		before, after := readerView(t, data), readerView(t, out)
		held := defaultState(func() *section { p, _ := parse(data, "f", parseOptions{}); return p.profiles["default"] }())
		if !force && held.Holder != DefaultEmpty && held.Holder != DefaultRolecall {
			t.Fatalf("the writer overwrote %s without force", held)
		}
		// The written [default], exactly, and nothing else of it changed.
		if countDefaults(out) != 1 {
			t.Fatalf("%d well-formed [default] sections after the write", countDefaults(out))
		}
		def := after["default"]
		for k, v := range w.wants() {
			if def[k] != v {
				t.Fatalf("the reader sees [default] %s = %q after the write, want %q", k, def[k], v)
			}
		}
		for k, v := range before["default"] {
			if credentialKeys[k] || (res.BackupProfile != "" && isExpiryKey(k)) || strings.Contains(k, ".") && credentialKeys[strings.SplitN(k, ".", 2)[0]] {
				continue
			}
			if def[k] != v {
				t.Fatalf("[default] %s changed from %q to %q", k, v, def[k])
			}
		}
		// Every other section: byte-identical, and read the same.
		want := others(data)
		if res.BackupProfile != "" {
			want = append(want, plainSection{header: true, ok: true, name: res.BackupProfile})
		}
		got := others(out)
		if len(got) != len(want) {
			t.Fatalf("%d sections besides [default] after the write, want %d", len(got), len(want))
		}
		for i := range want {
			if want[i].name == res.BackupProfile && res.BackupProfile != "" {
				continue
			}
			if last := len(others(data)) - 1; i == last && !strings.HasSuffix(want[i].text, "\n") {
				// A writer that appends after a last line without a line
				// ending must give it one.
				if t := got[i].text; t == want[i].text+"\n" || t == want[i].text+"\r\n" {
					continue
				}
			}
			if got[i] != want[i] {
				t.Fatalf("section %d ([%s]) changed:\n%q\nwant\n%q", i, want[i].name, got[i].text, want[i].text)
			}
		}
		for name, props := range before {
			if name != "default" && !maps.Equal(props, after[name]) {
				t.Fatalf("the reader sees [%s] differently after the write", name)
			}
		}
		if res.BackupProfile != "" && len(after[res.BackupProfile]) == 0 && held.Holder != DefaultEmpty {
			t.Fatalf("the backup profile holds nothing")
		}

		cleared, was, err := clearDefault("f", out, DefaultOptions{})
		if err != nil || !was.Ours() || was.Profile != "fuzz" {
			t.Fatalf("clear after the write: %v (%s)", err, was)
		}
		if got := others(cleared); len(got) != len(others(out)) {
			t.Fatalf("clear changed the sections around [default]")
		}
		for i, s := range others(cleared) {
			if s != others(out)[i] {
				t.Fatalf("clear changed section [%s]", s.name)
			}
		}
		afterClear := readerView(t, cleared)
		for k := range credentialKeys {
			if v, ok := afterClear["default"][k]; ok {
				t.Fatalf("[default] still holds %s = %q after clear", k, v)
			}
		}
		for k, v := range def {
			if !credentialKeys[k] && afterClear["default"][k] != v {
				t.Fatalf("clear changed [default] %s", k)
			}
		}
	})
}

func isExpiryKey(k string) bool {
	for _, e := range expiryKeys {
		if k == e {
			return true
		}
	}
	return false
}
