package profiles

// The lexical rules of the shared config format, and the SEP error
// messages the conformance suite matches on.

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
