package profiles

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/profilegen"
)

// dumpParsed writes out everything a parse produced, in a fixed order,
// so that two parses can be compared whole.
func dumpParsed(p *parsed) string {
	var b strings.Builder
	value := func(v Value) string { return strconv.Quote(v.Value) + "@" + v.Pos.String() }
	dumpSection := func(s *section) {
		fmt.Fprintf(&b, "  [%s] %d %s\n", s.Name, s.typ, s.Pos)
		for _, pr := range s.Props {
			fmt.Fprintf(&b, "    %s = %s\n", pr.Key, value(pr.Value))
		}
		for _, blk := range s.Sub {
			fmt.Fprintf(&b, "    block %s\n", blk.Key)
			for _, pr := range blk.Props {
				fmt.Fprintf(&b, "    %s.%s = %s\n", blk.Key, pr.Key, value(pr.Value))
			}
		}
		for _, k := range slices.Sorted(mapKeys(s.raw)) {
			fmt.Fprintf(&b, "    raw %s = %s\n", k, value(s.raw[k]))
		}
		if s.Err != nil {
			fmt.Fprintf(&b, "    error %s\n", s.Err)
		}
	}
	for _, m := range []struct {
		what string
		m    map[string]*section
	}{{"profiles", p.profiles}, {"sso-sessions", p.ssoSessions}, {"services", p.services}} {
		fmt.Fprintf(&b, "%s:\n", m.what)
		for _, name := range slices.Sorted(mapKeys(m.m)) {
			dumpSection(m.m[name])
		}
	}
	fmt.Fprintf(&b, "order: %q\n", p.order)
	for _, e := range p.problems {
		fmt.Fprintf(&b, "problem %s\n", e)
	}
	for _, e := range p.warnings {
		fmt.Fprintf(&b, "warning %s\n", e)
	}
	return b.String()
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// readInHalves is parse of text read in two halves cut at cut.
func readInHalves(text string, opt parseOptions, cut int) (*parsed, error) {
	p, err := parseSplitAt(text, "f", opt, cut)
	if err != nil {
		return nil, err
	}
	p.finish()
	p.index()
	return p, nil
}

// checkSplitReadsAsOne checks that reading text in two halves, cut at
// every header, gives what one pass gives, in every mode.
func checkSplitReadsAsOne(t *testing.T, name, text string) {
	t.Helper()
	for _, opt := range []parseOptions{{config: true}, {config: true, raw: true}, {}, {config: true, strict: true}, {strict: true}} {
		want, wantErr := parse(text, "f", opt)
		for cut := headerNear(text, 0); cut > 0; cut = headerNear(text, cut) {
			got, err := readInHalves(text, opt, cut)
			if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
				t.Fatalf("%s, %+v, cut at %d: error %v, want %v", name, opt, cut, err, wantErr)
			}
			if err != nil {
				continue
			}
			if g, w := dumpParsed(got), dumpParsed(want); g != w {
				t.Fatalf("%s, %+v, cut at %d: read in halves\n%s\nin one pass\n%s", name, opt, cut, g, w)
			}
		}
	}
}

// TestReadingInHalvesIsReadingOnce: a large file is read in two halves
// at once; cut at any header, every input of the SDKs' parser suites,
// the test files and the cases below read exactly as in one pass:
// sections, properties, sub-properties, positions, problems and their
// line numbers, and duplicates across the cut.
func TestReadingInHalvesIsReadingOnce(t *testing.T) {
	cases := map[string]string{
		"duplicate across the cut": "[profile a]\nregion = x\n[profile b]\nk = v\n[profile a]\nregion = y\nmore = z\n",
		"both defaults":            "[default]\na = 1\n[profile x]\nb = 2\n[profile default]\nc = 3\n",
		"default twice":            "[profile default]\na = 1\n[profile x]\nb = 2\n[profile default]\nc = 3\n",
		"sso and services twice":   "[sso-session s]\na = 1\n[services v]\nb = 2\n[sso-session s]\nc = 3\n[services v]\nd = 4\n",
		"sub-properties":           "[profile a]\ns3 =\n  x = 1\n  y = 2\n[profile b]\nregion =\n  z = 3\n[profile c]\nk = v\n  continued\n",
		"problems after the cut":   "[profile a]\nk = v\n[profile b\nk = v\n[profile c]\nno equals\n  = broken\n[bad name!]\nx = y\n",
		"crlf":                     "[profile a]\r\nk = v\r\n[profile b]\r\nk = w\r\n",
		"continuation into header": "[profile a]\nk = v\n  more\n[profile b]\nk = w\n",
		"comments":                 "# top\n[profile a] ; c\nk = v # c\n; between\n[profile b]\nk = w;x\n",
	}
	cfg, cred := profilegen.Generate(40)
	cases["generated config"], cases["generated credentials"] = string(cfg), string(cred)
	for _, f := range []string{"broken.config", "broken.credentials", "chains.config", "chains.credentials"} {
		b, err := os.ReadFile(filepath.Join("testdata", f))
		if err != nil {
			t.Fatal(err)
		}
		cases[f] = string(b)
	}
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "FuzzParse", "*"))
	if len(seeds) == 0 {
		t.Fatal("no seeds in testdata/fuzz/FuzzParse")
	}
	for _, path := range seeds {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if s, ok := strings.CutPrefix(line, "string("); ok {
				text, err := strconv.Unquote(strings.TrimSuffix(s, ")"))
				if err != nil {
					t.Fatalf("%s:%d: %v", path, i+1, err)
				}
				cases[filepath.Base(path)+":"+strconv.Itoa(i+1)] = text
			}
		}
	}
	for name, text := range cases {
		checkSplitReadsAsOne(t, name, text)
	}
}

// TestLargeFilesAreReadInHalves: the cut is where parseFile makes it, at
// a header near the middle, and a generated file of 10,000 profiles reads
// there as in one pass.
func TestLargeFilesAreReadInHalves(t *testing.T) {
	cfg, _ := profilegen.Generate(10000)
	text := string(cfg)
	if len(text) < splitMin {
		t.Fatalf("the file is %d bytes, under splitMin", len(text))
	}
	cut := headerNear(text, len(text)/2)
	if cut < len(text)/2 || cut > len(text)/2+1000 || text[cut] != '[' || text[cut-1] != '\n' {
		t.Fatalf("cut at %d of %d: %q", cut, len(text), text[max(cut-10, 0):min(cut+10, len(text))])
	}
	opt := parseOptions{config: true}
	got, err := parseFile(text, "f", opt)
	if err != nil {
		t.Fatal(err)
	}
	got.index()
	want, _ := parse(text, "f", opt)
	if dumpParsed(got) != dumpParsed(want) {
		t.Fatal("the file read in halves differs from one pass")
	}
}
