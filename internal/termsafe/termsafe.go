// Package termsafe makes text read from files, the environment or the
// network safe to print on a terminal: every control character (C0, DEL,
// C1, and the bidirectional overrides that reorder what is shown) is
// written as a visible escape instead of being sent to the terminal,
// where ESC [2J would clear the screen and OSC 52 write the clipboard.
// JSON output does not need it: its encoder escapes control characters.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Clean returns s with every unsafe character escaped (\x1b, \n, \u202e,
// and \ufffd-style escapes for invalid UTF-8 bytes written as \xff). A
// string that needs nothing is returned as it is, without allocating.
func Clean(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Lines is Clean for text that may span lines: newlines are kept, every
// other unsafe character escaped.
func Lines(s string) string {
	if firstUnsafe(s) < 0 {
		return s
	}
	parts := strings.Split(s, "\n")
	for i, p := range parts {
		parts[i] = Clean(p)
	}
	return strings.Join(parts, "\n")
}

// Safe reports whether s can be printed as it is.
func Safe(s string) bool { return firstUnsafe(s) < 0 }

// Width is the number of characters of Clean(s), worked out without
// building it: a column measures every cell before it writes one.
func Width(s string) int {
	if PlainASCII(s) {
		return len(s)
	}
	return utf8.RuneCountInString(Clean(s))
}

// PlainASCII reports whether every byte of s is printable ASCII (0x20 to
// 0x7e), which is what nearly every name, ARN and region is: such a string
// is safe as it is and one column per byte wide. It reads eight bytes at a
// time.
func PlainASCII(s string) bool {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// A byte with its high bit set, a byte below 0x20 (w - 0x20 borrows
		// into the high bit of a byte that was below it, and ^w keeps only
		// those that had it clear), and DEL (w ^ 0x7f has a zero byte).
		del := w ^ (0x7f * ones)
		if (w|((w-0x20*ones)&^w)|((del-ones)&^del))&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func firstUnsafe(s string) int {
	if PlainASCII(s) {
		return -1
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || unsafeRune(r) {
			return i
		}
		i += size
	}
	return -1
}

// unsafeRune is a non-ASCII character a terminal acts on rather than
// shows: C1 controls (0x9b is a CSI on some terminals) and the
// bidirectional embedding, override and isolate controls.
func unsafeRune(r rune) bool {
	return (r >= 0x80 && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x200e || r == 0x200f || r == 0x061c
}
