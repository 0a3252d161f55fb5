package profiles

import (
	"maps"
	"slices"
	"sync"
)

// Both files' profile sections are merged by name in one sort rather than
// through a table of names: the sort is needed anyway for the list by
// name, a section with the same name as the one before it in that order
// is a duplicate, and a sort on keys laid out side by side stays near
// linear in time where looking names up in a table of 100,000 does not
// (each lookup then misses the cache).

// merged is both files' profiles merged by name, the credentials file's
// over the config's.
type merged struct {
	byName      []*section // one per name, sorted by name
	names       []string   // byName's names, side by side, for lookup
	order       []*section // the same, in the order first read: config, then credentials
	ssoSessions map[string]*section
	services    map[string]*section
	problems    []error  // lines that could not be read
	warnings    []error  // sections the SDKs ignore
	credDefault *section // [default] of the credentials file alone
}

// lookup returns the merged profile of that name, or nil.
func (m *merged) lookup(name string) *section {
	if i, ok := slices.BinarySearch(m.names, name); ok {
		return m.byName[i]
	}
	return nil
}

// mergeFiles merges the profile sections of the config file (cfg) and
// the credentials file (cred), each as read (parseFile): duplicates in a
// file merge into the first (mergeSection), and a name in both files is
// the config's section overlaid by the credentials file's, in a copy, so
// that each file's own view stays as read.
func mergeFiles(cfg, cred *parsed) *merged {
	occ := slices.Concat(cfg.secs, cred.secs)
	nc := int32(len(cfg.secs))
	es := sortNames(occ)
	m := &merged{
		byName:      make([]*section, 0, len(occ)),
		names:       make([]string, 0, len(occ)),
		ssoSessions: cfg.ssoSessions,
		services:    cfg.services,
		problems:    slices.Concat(cfg.problems, cred.problems),
		warnings:    slices.Concat(cfg.warnings, cred.warnings),
	}
	// Each run of one name is in the order read; occ keeps the merged
	// profile where the name was first read, and nil at its duplicates.
	for lo := 0; lo < len(es); {
		hi := lo + 1
		for hi < len(es) && es[hi].dup {
			hi++
		}
		var c, d *section // the config's and the credentials file's
		for _, e := range es[lo:hi] {
			s := occ[e.i]
			occ[e.i] = nil
			switch {
			case e.i < nc && c == nil:
				c = s
			case e.i < nc:
				mergeSection(c, s)
			case d == nil:
				d = s
			default:
				mergeSection(d, s)
			}
		}
		p := c
		switch {
		case c == nil:
			p = d
		case d != nil:
			p = overlay(c, d)
		}
		if d != nil && d.Name == "default" {
			m.credDefault = d
		}
		occ[es[lo].i] = p
		m.byName = append(m.byName, p)
		m.names = append(m.names, p.Name)
		lo = hi
	}
	m.order = slices.DeleteFunc(occ, func(s *section) bool { return s == nil })
	return m
}

// overlay is a copy of the config's section base with the credentials
// file's section of the same name merged into it.
func overlay(base, cred *section) *section {
	s := newSection(secProfile, base.Name, base.Pos)
	s.Props = slices.Clip(slices.Clone(base.Props))
	s.Sub = slices.Clone(base.Sub)
	s.raw = maps.Clone(base.raw)
	s.Err = base.Err
	mergeSection(s, cred)
	return s
}

// nameEntry is one section in the sort by name.
type nameEntry struct {
	key nameKey // of the name from the depth sorted at
	i   int32   // the section's place in the order read
	dup bool    // the name is the previous entry's
}

// keyBytes is how many bytes of a name one key holds: two words are
// enough for most names whole, so most are sorted without reading them
// again.
const keyBytes = 15

// nameKey is keyBytes bytes of a name from a depth on, big-endian and
// zero-padded, over how many bytes remain (at most keyBytes+1): keys order
// as the names do from that depth on, and two equal keys whose count is
// at most keyBytes are the same name.
type nameKey struct{ hi, lo uint64 }

func keyOf(s string, depth int) nameKey {
	if depth >= len(s) {
		return nameKey{}
	}
	s = s[depth:]
	var k nameKey
	for j := range min(len(s), 8) {
		k.hi |= uint64(s[j]) << (56 - 8*j)
	}
	for j := 8; j < min(len(s), keyBytes); j++ {
		k.lo |= uint64(s[j]) << (56 - 8*(j-8))
	}
	k.lo |= uint64(min(len(s), keyBytes+1))
	return k
}

// ends reports whether the name ends within the key.
func (k nameKey) ends() bool { return k.lo&0xff <= keyBytes }

func (k nameKey) compare(o nameKey) int {
	switch {
	case k.hi < o.hi:
		return -1
	case k.hi > o.hi:
		return 1
	case k.lo < o.lo:
		return -1
	case k.lo > o.lo:
		return 1
	}
	return 0
}

// sortNames sorts the sections by name, in the order read among those of
// one name, and marks each entry whose name is the one before it.
func sortNames(occ []*section) []nameEntry {
	es := make([]nameEntry, len(occ))
	for i, s := range occ {
		es[i] = nameEntry{key: keyOf(s.Name, 0), i: int32(i)}
	}
	if len(es) < 4096 {
		sortNamesFrom(es, occ, 0)
		return es
	}
	// On two cores: each half sorted on its first key, the halves merged,
	// then the runs that share a first key refined in two shares.
	half := len(es) / 2
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(es[:half], cmpEntry) })
	slices.SortFunc(es[half:], cmpEntry)
	wg.Wait()
	es = mergeEntries(es, half)
	var runs [][2]int
	for lo := 0; lo < len(es); {
		hi := runEnd(es, lo)
		runs = append(runs, [2]int{lo, hi})
		lo = hi
	}
	// Split the runs where half the entries lie.
	k, n := 0, 0
	for k < len(runs) && n < len(es)/2 {
		n += runs[k][1] - runs[k][0]
		k++
	}
	refine := func(runs [][2]int) {
		for _, r := range runs {
			refineRun(es, occ, r[0], r[1], 0)
		}
	}
	wg.Go(func() { refine(runs[:k]) })
	refine(runs[k:])
	wg.Wait()
	return es
}

// mergeEntries merges es[:half] and es[half:], each sorted, into a new
// slice.
func mergeEntries(es []nameEntry, half int) []nameEntry {
	out := make([]nameEntry, 0, len(es))
	a, b := es[:half], es[half:]
	for len(a) > 0 && len(b) > 0 {
		if cmpEntry(b[0], a[0]) < 0 {
			out = append(out, b[0])
			b = b[1:]
		} else {
			out = append(out, a[0])
			a = a[1:]
		}
	}
	out = append(out, a...)
	return append(out, b...)
}

// sortNamesFrom sorts es, whose names share their first depth bytes, by
// name from there on.
func sortNamesFrom(es []nameEntry, occ []*section, depth int) {
	slices.SortFunc(es, cmpEntry)
	for lo := 0; lo < len(es); {
		hi := runEnd(es, lo)
		refineRun(es, occ, lo, hi, depth)
		lo = hi
	}
}

// runEnd is the end of the run of entries from lo that share its key.
func runEnd(es []nameEntry, lo int) int {
	hi := lo + 1
	for hi < len(es) && es[hi].key == es[lo].key {
		hi++
	}
	return hi
}

// refineRun orders es[lo:hi], entries sorted at depth with one key: by
// the rest of their names if they go on, else they are one name.
func refineRun(es []nameEntry, occ []*section, lo, hi, depth int) {
	if hi-lo < 2 {
		return
	}
	if es[lo].key.ends() {
		for j := lo + 1; j < hi; j++ {
			es[j].dup = true
		}
		return
	}
	run := es[lo:hi]
	for j := range run {
		run[j].key = keyOf(occ[run[j].i].Name, depth+keyBytes)
	}
	sortNamesFrom(run, occ, depth+keyBytes)
}

func cmpEntry(a, b nameEntry) int {
	if c := a.key.compare(b.key); c != 0 {
		return c
	}
	return int(a.i - b.i)
}
