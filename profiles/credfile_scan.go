package profiles

import (
	"strings"
)

// The credentials-file writer works on raw lines so that every byte outside
// [default] survives exactly; it does its own scan rather than reusing the
// reader, whose model keeps values, not bytes.

// rawLine is one line of a file, with its line ending ("\n", "\r\n" or ""
// for a last line without one).
type rawLine struct {
	text string
	eol  string
}

func (l rawLine) String() string { return l.text + l.eol }

// splitLines splits data into lines, keeping each line's own ending.
func splitLines(data string) []rawLine {
	var out []rawLine
	for len(data) > 0 {
		i := strings.IndexByte(data, '\n')
		if i < 0 {
			out = append(out, rawLine{text: data})
			break
		}
		text, eol := data[:i], "\n"
		if strings.HasSuffix(text, "\r") {
			text, eol = text[:len(text)-1], "\r\n"
		}
		out = append(out, rawLine{text: text, eol: eol})
		data = data[i+1:]
	}
	return out
}

func joinLines(lines []rawLine) string {
	n := 0
	for _, l := range lines {
		n += len(l.text) + len(l.eol)
	}
	var b strings.Builder
	b.Grow(n)
	for _, l := range lines {
		b.WriteString(l.text)
		b.WriteString(l.eol)
	}
	return b.String()
}

// fileEOL is the line ending new lines get: CRLF when the file already uses
// it, else LF.
func fileEOL(lines []rawLine) string {
	for _, l := range lines {
		if l.eol != "" {
			return l.eol
		}
	}
	return "\n"
}

// normalizeLines splits data into lines and gives the last one an ending,
// so that lines can be moved and inserted freely; finish joins edited lines
// and takes that ending away again, keeping a missing final newline missing.
func normalizeLines(data string) (lines []rawLine, eol string, finish func([]rawLine) string) {
	lines = splitLines(data)
	eol = fileEOL(lines)
	noFinal := len(lines) > 0 && lines[len(lines)-1].eol == ""
	if noFinal {
		lines[len(lines)-1].eol = eol
	}
	return lines, eol, func(out []rawLine) string {
		if noFinal && len(out) > 0 {
			out[len(out)-1].eol = ""
		}
		return joinLines(out)
	}
}

// headerName returns the section name of a "[name]" line (with an optional
// trailing comment), and whether the line is a header at all.
func headerName(text string) (string, bool) {
	t := strings.TrimLeft(text, " \t")
	if !strings.HasPrefix(t, "[") {
		return "", false
	}
	end := strings.IndexByte(t, ']')
	if end < 0 {
		return "", false
	}
	return strings.TrimSpace(t[1:end]), true
}

// entry is a run of lines inside a section: one property with its
// continuation lines, or a single comment or blank line.
type entry struct {
	start, end int    // lines[start:end]
	key        string // lower-cased property name; "" for comments/blanks
	value      string // the property's value on its own line
}

// section is one section of the file: its header line and its entries.
type rawSection struct {
	name    string
	header  int // index of the header line
	end     int // index just past the section's last line
	entries []entry
}

// scanSections finds every section and its entries. Lines before the first
// header belong to no section and are never touched.
func scanSections(lines []rawLine) []rawSection {
	var secs []rawSection
	cur := -1
	for i, l := range lines {
		if name, ok := headerName(l.text); ok {
			if cur >= 0 {
				secs[cur].end = i
			}
			secs = append(secs, rawSection{name: name, header: i, end: len(lines)})
			cur = len(secs) - 1
			continue
		}
		if cur < 0 {
			continue
		}
		s := &secs[cur]
		t := strings.TrimSpace(l.text)
		indented := len(l.text) > 0 && (l.text[0] == ' ' || l.text[0] == '\t')
		last := len(s.entries) - 1
		switch {
		case t == "" || t[0] == '#' || t[0] == ';':
			s.entries = append(s.entries, entry{start: i, end: i + 1})
		case indented && last >= 0 && s.entries[last].key != "" && s.entries[last].end == i:
			// A continuation or sub-property line of the property above.
			s.entries[last].end = i + 1
		default:
			// botocore's parser takes ':' as well as '=' between a key
			// and its value.
			key, val := t, ""
			if i := strings.IndexAny(t, "=:"); i >= 0 {
				key, val = t[:i], t[i+1:]
			}
			s.entries = append(s.entries, entry{
				start: i, end: i + 1,
				key:   strings.ToLower(strings.TrimSpace(key)),
				value: strings.TrimSpace(val),
			})
		}
	}
	return secs
}

// findSections returns the sections named name, in file order.
func findSections(secs []rawSection, name string) []rawSection {
	var out []rawSection
	for _, s := range secs {
		if s.name == name {
			out = append(out, s)
		}
	}
	return out
}

// get returns the value of key in the section, and whether it is set.
func (s rawSection) get(key string) (string, bool) {
	for _, e := range s.entries {
		if e.key == key {
			return e.value, true
		}
	}
	return "", false
}
