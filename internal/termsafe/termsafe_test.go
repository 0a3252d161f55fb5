package termsafe

import "testing"

func TestClean(t *testing.T) {
	for in, want := range map[string]string{
		"eu-west-1":             "eu-west-1",
		"prod-äöü-日本":           "prod-äöü-日本",
		"x\x1b[2Jy":             `x\x1b[2Jy`,
		"\x1b]52;c;aGk=\x07":    `\x1b]52;c;aGk=\x07`,
		"a\nb\rc\td":            `a\nb\rc\td`,
		"del\x7f":               `del\x7f`,
		"c1\u009b31m":           `c1\u009b31m`,
		"bidi\u202eevil":        `bidi\u202eevil`,
		"isolate\u2066x\u2069":  `isolate\u2066x\u2069`,
		"bad utf8 \xff\xfe end": `bad utf8 \xff\xfe end`,
	} {
		if got := Clean(in); got != want {
			t.Errorf("Clean(%q) = %q, want %q", in, got, want)
		}
		if Safe(want) != true {
			t.Errorf("Clean's output %q is not Safe", want)
		}
	}
	if got := Lines("one\x1b[Ktwo\nthree"); got != "one\\x1b[Ktwo\nthree" {
		t.Errorf("Lines kept or lost the wrong things: %q", got)
	}
}

func BenchmarkCleanSafe(b *testing.B) {
	s := "arn:aws:iam::123456789012:role/SomeLongRoleNameForBenchmarks"
	b.ReportAllocs()
	for b.Loop() {
		_ = Clean(s)
	}
}

// TestPlainASCIIByteByByte checks the eight-bytes-at-a-time test against
// the plain rule for every byte value at every place of a word, next to
// bytes on both sides of each boundary (0x1f/0x20, 0x7e/0x7f/0x80).
func TestPlainASCIIByteByByte(t *testing.T) {
	plain := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] >= 0x7f {
				return false
			}
		}
		return true
	}
	for _, fill := range []byte{0x20, 0x21, 0x7e, 'a'} {
		for n := 1; n <= 17; n++ {
			for at := 0; at < n; at++ {
				for c := 0; c < 256; c++ {
					b := make([]byte, n)
					for i := range b {
						b[i] = fill
					}
					b[at] = byte(c)
					if got, want := PlainASCII(string(b)), plain(string(b)); got != want {
						t.Fatalf("PlainASCII(%q) = %v, want %v", b, got, want)
					}
				}
			}
		}
	}
}

func TestWidthIsTheCleanedLength(t *testing.T) {
	for _, s := range []string{"", "eu-west-1", "prod-äöü-日本", "x\x1b[2Jy", "bad \xff", "bidi\u202eevil", "tab\there"} {
		if got, want := Width(s), len([]rune(Clean(s))); got != want {
			t.Errorf("Width(%q) = %d, want %d", s, got, want)
		}
	}
}
