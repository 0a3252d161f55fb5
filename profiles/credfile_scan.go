package profiles

import (
	"strings"
)

// The credentials-file writer works on raw lines so that every byte outside
// [default] survives exactly. The reader's model keeps values, not bytes, so
// the writer keeps its own line index, but it classifies each line with the
// reader's functions (kindOf, parseHeader, splitProperty): both always agree
// on where [default] is and what it holds.

// rawLine is one line of a file, with its line ending ("\n", "\r\n" or ""
// for a last line without one).
type rawLine struct {
	text string
	eol  string
	// last marks the file's last line when it had no line ending of its
	// own (normalizeLines gives it one); added marks a line an edit wrote.
	last, added bool
}

// newLine is a line an edit adds.
func newLine(text, eol string) rawLine { return rawLine{text: text, eol: eol, added: true} }

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
// and takes that ending away again, keeping a missing final newline
// missing: from the line that lacked it, or from a line the edit added
// after it, but never from a line of the file that had its own.
func normalizeLines(data string) (lines []rawLine, eol string, finish func([]rawLine) string) {
	lines = splitLines(data)
	eol = fileEOL(lines)
	if n := len(lines); n > 0 && lines[n-1].eol == "" {
		lines[n-1].eol, lines[n-1].last = eol, true
	}
	noFinal := len(lines) > 0 && lines[len(lines)-1].last
	return lines, eol, func(out []rawLine) string {
		if n := len(out); noFinal && n > 0 && (out[n-1].last || out[n-1].added) {
			out[n-1].eol = ""
		}
		return joinLines(out)
	}
}

// entry is one property of a section: its own line and the continuation
// lines that belong to it, which comments and blank lines may separate.
type entry struct {
	line  int    // the property's line
	cont  []int  // its continuation lines
	key   string // lower-cased property name
	value string // the value as the reader reads it
	valid bool   // the name is one the reader keeps
	sub   bool   // "key =" with indented lines: a sub-property block, no plain value
	colon bool   // "key: value", which botocore reads and the SEP rejects
}

// rawSection is one section of the file: its header line and properties.
type rawSection struct {
	name    string
	broken  bool // the reader rejects the header and drops the lines under it
	header  int  // index of the header line
	end     int  // index just past the section's last line
	last    int  // index just past its last property or continuation line
	entries []entry
}

// scanSections finds every section and its properties by the reader's own
// rules (kindOf, parseHeader, splitProperty). Lines before the first header
// belong to no section and are never touched.
func scanSections(lines []rawLine) []rawSection {
	var secs []rawSection
	cur := -1
	open := false // a property is open for continuation lines
	for i, l := range lines {
		switch kindOf(l.text, open) {
		case lineHeader:
			if cur >= 0 {
				secs[cur].end = i
			}
			name, ok := parseHeader(l.text)
			secs = append(secs, rawSection{name: name, broken: !ok, header: i, end: len(lines), last: i + 1})
			cur = len(secs) - 1
			open = false
		case lineContinuation:
			if cur < 0 || !open {
				continue // the reader reports it and skips it
			}
			s := &secs[cur]
			e := &s.entries[len(s.entries)-1]
			if len(e.cont) == 0 && e.value == "" {
				e.sub = true
			}
			if !e.sub {
				e.value += "\n" + trimSpace(l.text)
			}
			e.cont = append(e.cont, i)
			s.last = i + 1
		case lineProperty:
			key, value, msg := splitProperty(l.text)
			open = msg == "" && cur >= 0
			if cur < 0 {
				continue
			}
			colon := false
			if msg != "" {
				// botocore takes ':' as well as '=' between a key and
				// its value: such a line holds keys for the AWS CLI.
				k, v, ok := strings.Cut(l.text, ":")
				if !ok || trimSpace(k) == "" {
					continue
				}
				key, value, colon = trimSpace(k), trimSpace(v), true
			}
			s := &secs[cur]
			s.entries = append(s.entries, entry{line: i, key: strings.ToLower(key), value: value, valid: validName(key), colon: colon})
			s.last = i + 1
		}
	}
	return secs
}

// findSections returns the well-formed sections named name, in file order.
func findSections(secs []rawSection, name string) []rawSection {
	var out []rawSection
	for _, s := range secs {
		if s.name == name && !s.broken {
			out = append(out, s)
		}
	}
	return out
}

// get returns the value of key in the section as the reader has it: the
// last setting wins and a sub-property block has no plain value. Unlike the
// reader it also sees "key: value" lines, which the AWS CLI reads.
func (s rawSection) get(key string) (string, bool) {
	v, ok := "", false
	for _, e := range s.entries {
		if e.key != key || !e.valid {
			continue
		}
		v, ok = e.value, !e.sub
		if e.sub {
			v = ""
		}
	}
	return v, ok
}

// lines returns the property's line and its continuation lines.
func (e entry) lines() []int { return append([]int{e.line}, e.cont...) }
