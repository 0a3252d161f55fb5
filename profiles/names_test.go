package profiles

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/profilegen"
)

// mergeByTable merges the two files as a table of names would: each
// file's duplicates merged through a map (parse), then the credentials
// file's sections over copies of the config's, with the names in the
// order first read. It is what mergeFiles must agree with.
func mergeByTable(t *testing.T, cfgText, credText string) (byName map[string]*section, order []string, credDefault *section) {
	t.Helper()
	cfg, err := parse(cfgText, "config", parseOptions{config: true, raw: true})
	if err != nil {
		t.Fatal(err)
	}
	cred, err := parse(credText, "credentials", parseOptions{raw: true})
	if err != nil {
		t.Fatal(err)
	}
	byName = map[string]*section{}
	for _, name := range cfg.order {
		byName[name] = cfg.profiles[name]
		order = append(order, name)
	}
	for _, name := range cred.order {
		c := cred.profiles[name]
		base := byName[name]
		if base == nil {
			byName[name] = c
			order = append(order, name)
			continue
		}
		s := newSection(secProfile, name, base.Pos)
		s.Props = slices.Clone(base.Props)
		s.Sub = slices.Clone(base.Sub)
		s.raw = map[string]Value{}
		for k, v := range base.raw {
			s.raw[k] = v
		}
		for _, pr := range c.Props {
			s.setProp(pr.Key, pr.Value)
		}
		for _, b := range c.Sub {
			s.setSub(b.Key, b.Props)
		}
		for k, v := range c.raw {
			s.raw[k] = v
		}
		if len(s.raw) == 0 {
			s.raw = nil
		}
		s.Err = base.Err
		if s.Err == nil {
			s.Err = c.Err
		}
		byName[name] = s
	}
	return byName, order, cred.profiles["default"]
}

// checkMergedAsByTable checks that mergeFiles merges the two texts as
// mergeByTable does: the same profiles, each as merged, listed by name
// (as strings sort) and in the order first read.
func checkMergedAsByTable(t *testing.T, name, cfgText, credText string) {
	t.Helper()
	m, err := parseBoth(cfgText, "config", credText, "credentials", parseOptions{raw: true})
	if err != nil {
		t.Fatal(err)
	}
	want, wantOrder, wantDefault := mergeByTable(t, cfgText, credText)
	dump := func(sections map[string]*section) string {
		return dumpParsed(&parsed{profiles: sections})
	}
	if g, w := dump(m.profileMap()), dump(want); g != w {
		t.Fatalf("%s: merged by sorting\n%s\nmerged by a table\n%s", name, g, w)
	}
	var names, order []string
	for _, s := range m.byName {
		names = append(names, s.Name)
	}
	for _, s := range m.order {
		order = append(order, s.Name)
	}
	if !slices.IsSorted(names) || len(slices.Compact(slices.Clone(names))) != len(names) {
		t.Fatalf("%s: not one of each name in order: %q", name, names)
	}
	if !slices.Equal(order, wantOrder) {
		t.Fatalf("%s: first read in the order %q, want %q", name, order, wantOrder)
	}
	if (m.credDefault == nil) != (wantDefault == nil) ||
		(wantDefault != nil && dump(map[string]*section{"default": m.credDefault}) != dump(map[string]*section{"default": wantDefault})) {
		t.Fatalf("%s: the credentials file's own [default] differs", name)
	}
	for _, s := range m.byName {
		if got := m.lookup(s.Name); got != s {
			t.Fatalf("%s: lookup(%q) = %v", name, s.Name, got)
		}
	}
	if m.lookup("no such profile") != nil {
		t.Fatalf("%s: lookup found a profile that is not there", name)
	}
}

// TestMergeFilesMergesByName: merging both files' sections by sorting them
// gives what a table of names gives, for duplicates in one file and
// across both, names that share long prefixes or are prefixes of each
// other, and sets large enough to sort in two halves at once.
func TestMergeFilesMergesByName(t *testing.T) {
	section := func(header, name string, props ...string) string {
		return "[" + header + name + "]\n" + strings.Join(props, "\n") + "\n"
	}
	var prefixes, prefixesCred strings.Builder
	for n := range 30 {
		// Names of every length up to 30 that are prefixes of each other,
		// in both files, each twice in the config.
		name := strings.Repeat("ab", 15)[:n+1]
		prefixes.WriteString(section("profile ", name, "k = "+name))
		if n%3 == 0 {
			prefixesCred.WriteString(section("", name, "c = "+name))
		}
	}
	prefixes.WriteString(prefixes.String())
	// Names of every length up to 40 that differ in their last byte only,
	// where one key ends and the next begins.
	var lastByte strings.Builder
	for n := range 40 {
		for _, last := range "cab" {
			lastByte.WriteString(section("profile ", strings.Repeat("x", n)+string(last), "k = v"))
		}
	}
	// Names that share 300 bytes and more, some ending where others go on.
	var longPrefix strings.Builder
	for i := range 200 {
		name := strings.Repeat("p", 300) + fmt.Sprint((i*37)%100)
		switch i % 50 {
		case 25:
			name = strings.Repeat("p", 300+i/50)
		case 10:
			name = strings.Repeat("p", 299) + "q" + fmt.Sprint(i)
		}
		longPrefix.WriteString(section("profile ", name, "k = v"))
	}
	cases := map[string][2]string{
		"empty": {"", ""},
		"one":   {section("profile ", "a", "k = v"), ""},
		"duplicate in config": {
			section("profile ", "a", "k = 1", "s3 =", "  x = 1") + section("profile ", "b", "k = 2") +
				section("profile ", "a", "k = 3", "m = 4") + section("profile ", "a", "s3 = plain"), ""},
		"duplicate in credentials": {section("profile ", "a", "region = x"),
			section("", "a", "aws_access_key_id = A") + section("", "b", "k = 1") + section("", "a", "aws_access_key_id = B")},
		"defaults": {section("", "default", "region = a") + section("profile ", "default", "region = b"),
			section("", "default", "aws_access_key_id = A") + section("", "default", "aws_secret_access_key = S")},
		"credentials only":   {"", section("", "z", "k = 1") + section("", "a", "k = 2")},
		"prefixes":           {prefixes.String(), prefixesCred.String()},
		"last byte":          {lastByte.String(), ""},
		"long shared prefix": {longPrefix.String(), section("", strings.Repeat("p", 300)+"7", "k = v")},
	}
	cfg, cred := profilegen.Generate(5000)
	cases["generated"] = [2]string{string(cfg), string(cred)}
	// The generated set again with every tenth profile read twice, in
	// shuffled order, and some names in the credentials file too.
	var dup, dupCred strings.Builder
	r := rand.New(rand.NewPCG(1, 2))
	headers := strings.SplitAfter(string(cfg), "\n[")
	r.Shuffle(len(headers), func(i, j int) { headers[i], headers[j] = headers[j], headers[i] })
	for i, h := range headers {
		h = "[" + strings.TrimSuffix(strings.TrimPrefix(h, "["), "[")
		if !strings.HasSuffix(h, "\n") {
			h += "\n"
		}
		dup.WriteString(h)
		if i%10 == 0 {
			dup.WriteString(h + "region = again-" + fmt.Sprint(i) + "\n")
		}
		if i%7 == 0 {
			if name, ok := strings.CutPrefix(h, "[profile "); ok {
				name = name[:strings.IndexByte(name, ']')]
				dupCred.WriteString(section("", name, "aws_access_key_id = K"+fmt.Sprint(i)))
			}
		}
	}
	cases["generated, shuffled, with duplicates"] = [2]string{dup.String(), dupCred.String() + string(cred)}
	for name, c := range cases {
		checkMergedAsByTable(t, name, c[0], c[1])
	}
}

// TestNameKeysOrderAsNames: keys order as the names they are cut from, and
// two names with equal keys at every depth are the same name.
func TestNameKeysOrderAsNames(t *testing.T) {
	names := []string{"", "a", "a\x00", "a\x00\x00", "ab", "abcdefg", "abcdefg\x00", "abcdefgh", "abcdefgh\xff", "b", "\xff",
		"abcdefghijklmno", "abcdefghijklmno\x00", "abcdefghijklmnop", "abcdefghijklmnoq", "abcdefghijklmnopq", "abcdefghijklmnpp"}
	for _, a := range names {
		for _, b := range names {
			for depth := 0; depth <= 16; depth += keyBytes {
				ka, kb := keyOf(a, depth), keyOf(b, depth)
				var sa, sb string
				if depth < len(a) {
					sa = a[depth:]
				}
				if depth < len(b) {
					sb = b[depth:]
				}
				want := strings.Compare(sa[:min(len(sa), keyBytes)], sb[:min(len(sb), keyBytes)])
				if want == 0 && (len(sa) <= keyBytes || len(sb) <= keyBytes) {
					want = strings.Compare(sa, sb)
				}
				got := ka.compare(kb)
				if got != want {
					t.Errorf("%q vs %q at depth %d: keys %x, %x compare %d, want %d", a, b, depth, ka, kb, got, want)
				}
			}
		}
	}
}
