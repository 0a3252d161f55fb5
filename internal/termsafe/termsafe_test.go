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
