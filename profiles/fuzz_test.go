package profiles

import (
	"testing"
)

// FuzzParse feeds the reader arbitrary text as a config and as a
// credentials file. It must never panic; lenient mode must never fail;
// and when strict mode accepts the text, lenient mode must agree and
// report no problem; read in two halves, cut at a header near its middle,
// a text reads as in one pass. Its seeds in testdata/fuzz/FuzzParse are the inputs
// of the AWS SDKs' two parser conformance suites (config-file-parser-tests
// and profile-parser-tests), one file per distinct pair.
func FuzzParse(f *testing.F) {
	f.Fuzz(func(t *testing.T, cfg, cred string) {
		strict, serr := parseBoth(cfg, "config", cred, "credentials", parseOptions{strict: true, raw: true})
		lenient, lerr := parseBoth(cfg, "config", cred, "credentials", parseOptions{raw: true})
		if lerr != nil {
			t.Fatalf("lenient parse failed: %v", lerr)
		}
		for _, text := range []string{cfg, cred} {
			if cut := headerNear(text, len(text)/2); cut > 0 {
				whole, _ := parse(text, "f", parseOptions{config: true, raw: true})
				halves, err := readInHalves(text, parseOptions{config: true, raw: true}, cut)
				if err != nil || dumpParsed(halves) != dumpParsed(whole) {
					t.Fatalf("read in halves cut at %d, the text reads otherwise than in one pass (%v)", cut, err)
				}
			}
		}
		set := build(lenient)
		for _, p := range set.Profiles {
			if p.Chain != nil {
				_ = p.Chain.Names()
			}
			seen := map[string]bool{}
			for _, pr := range p.Props {
				if seen[pr.Key] {
					t.Fatalf("profile %q holds %s twice", p.Name, pr.Key)
				}
				seen[pr.Key] = true
				if _, ok := p.Sub.Lookup(pr.Key); ok {
					t.Fatalf("profile %q holds %s both as a property and as a sub-property block", p.Name, pr.Key)
				}
			}
		}
		if serr != nil {
			if len(lenient.problems) == 0 {
				t.Fatalf("strict mode failed (%v) but lenient mode saw no problem", serr)
			}
			return
		}
		if len(lenient.problems) != 0 {
			t.Fatalf("lenient mode reported %v where strict mode passed", lenient.problems[0])
		}
		if len(strict.byName) != len(lenient.byName) {
			t.Fatalf("strict read %d profiles, lenient %d", len(strict.byName), len(lenient.byName))
		}
	})
}
