package profiles

import "strings"

// The lexical rules of the shared config format, and the SEP error
// messages the conformance suite matches on.

// utf8BOM is the byte order mark some Windows editors put at the start of a
// file. The AWS CLI cannot parse a file that starts with one.
const utf8BOM = "\xef\xbb\xbf"

// lineKind is what one line of a config or credentials file is. The reader
// (parse.go) and the credentials-file writer (credfile_scan.go) both ask
// kindOf, so they always agree on where a section starts and which lines
// belong to which property.
type lineKind uint8

const (
	lineBlank        lineKind = iota // empty, blank, or a comment in column one
	lineHeader                       // [name], well-formed or not (parseHeader)
	lineProperty                     // key = value (splitProperty)
	lineContinuation                 // indented: continues the open property
)

// kindOf classifies the line l, given without its line ending. open says
// whether a property is open for continuation lines: a well-formed property
// line came after the last header. An indented "[" line is a header unless
// it continues a property. That is how botocore (the AWS CLI) reads it, and
// the SEP has no case for it.
func kindOf(l string, open bool) lineKind {
	if l == "" || l[0] == '#' || l[0] == ';' {
		return lineBlank
	}
	if isSpace(l[0]) {
		t := trimSpace(l)
		switch {
		case t == "":
			return lineBlank
		case t[0] == '[' && !open:
			return lineHeader
		}
		return lineContinuation
	}
	if trimSpace(l) == "" {
		return lineBlank
	}
	if l[0] == '[' {
		return lineHeader
	}
	return lineProperty
}

// parseHeader returns the trimmed name between the brackets of a header
// line, and false when the line is not a well-formed header: after the
// closing bracket only a comment may follow.
func parseHeader(l string) (name string, ok bool) {
	if i := strings.IndexByte(l, '#'); i >= 0 {
		l = l[:i]
	}
	if i := strings.IndexByte(l, ';'); i >= 0 {
		l = l[:i]
	}
	l = trimSpace(l)
	if len(l) < 2 || l[0] != '[' || l[len(l)-1] != ']' {
		return "", false
	}
	return trimSpace(l[1 : len(l)-1]), true
}

// splitProperty splits a property line into its key and its value, a
// comment after the value cut off. msg is the SEP error when the line is
// not a property; a property line that fails closes the open property.
func splitProperty(l string) (key, value, msg string) {
	// '#' or ';' starts a comment only after whitespace: value;x stays.
	l = cutComment(l)
	eq := strings.IndexByte(l, '=')
	if eq < 0 {
		return "", "", msgNoEquals
	}
	key = trimSpace(l[:eq])
	if key == "" {
		return "", "", msgNoName
	}
	return key, trimSpace(l[eq+1:]), ""
}

// cutComment cuts l before the first '#' or ';' that follows whitespace.
// Most lines hold neither, which two byte searches tell at once.
func cutComment(l string) string {
	hash, semi := strings.IndexByte(l, '#'), strings.IndexByte(l, ';')
	if hash < 0 && semi < 0 {
		return l
	}
	start := len(l)
	if hash >= 0 {
		start = hash
	}
	if semi >= 0 && semi < start {
		start = semi
	}
	for i := max(start, 1); i < len(l); i++ {
		if (l[i] == '#' || l[i] == ';') && isSpace(l[i-1]) {
			return l[:i]
		}
	}
	return l
}

// nameChars are the characters allowed in section and property names.
var nameChars = func() (t [256]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "_-/.%@:+" {
		t[c] = true
	}
	return t
}()

func validName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !nameChars[s[i]] {
			return false
		}
	}
	return true
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func trimSpace(s string) string {
	i, j := 0, len(s)
	for i < j && (isSpace(s[i]) || s[i] == '\r' || s[i] == '\v' || s[i] == '\f') {
		i++
	}
	for j > i && (isSpace(s[j-1]) || s[j-1] == '\r' || s[j-1] == '\v' || s[j-1] == '\f') {
		j--
	}
	return s[i:j]
}

// cutPrefixWord reports whether s is word followed by whitespace, and
// returns the trimmed rest.
func cutPrefixWord(s, word string) (string, bool) {
	if len(s) <= len(word) || s[:len(word)] != word || !isSpace(s[len(word)]) {
		return "", false
	}
	return trimSpace(s[len(word):]), true
}

// The SEP error messages: the conformance suite matches on them, and each
// gets a hint on how to fix the line.
const (
	msgSectionEnd     = "Section definition must end with ']'"
	msgNoSection      = "Expected a section definition"
	msgNoName         = "Property did not have a name"
	msgNoEquals       = "Expected an '=' sign defining a property"
	msgContinuation   = "Expected a property definition, found continuation"
	msgSubNoEquals    = "Expected an '=' sign defining a property in sub-property"
	msgSubNoName      = "Property did not have a name in sub-property"
	hintSectionEnd    = " (close the header, e.g. [profile name])"
	hintNoSection     = " (add a [profile name] header above it)"
	hintProperty      = " (write key = value)"
	hintContinuation  = " (an indented line continues the property above it; remove the indent)"
	hintSubProperties = " (indented lines under 'key =' must be 'name = value')"
)

const badNameHint = "a name may only hold letters, digits and _-/.%@:+"
