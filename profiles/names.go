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
	// Both keys a name most often needs are cut here, in the order the
	// names were read, which is their order in memory: sorting then
	// seldom reads a name again, in an order that would miss the cache.
	ns := nameSorter{occ: occ, next: make([]nameKey, len(occ))}
	for i, s := range occ {
		es[i] = nameEntry{key: keyOf(s.Name, 0), i: int32(i)}
		if len(s.Name) > keyBytes {
			ns.next[i] = keyOf(s.Name, keyBytes)
		}
	}
	if len(es) < 4096 {
		ns.sortFrom(es, 0)
		return es
	}
	// On two cores: the entries split in place at a pivot near their
	// median, each part sorted on its first key, then the runs that share
	// a first key refined in two shares.
	mid := partition(es)
	var wg sync.WaitGroup
	wg.Go(func() { slices.SortFunc(es[:mid], cmpEntry) })
	slices.SortFunc(es[mid:], cmpEntry)
	wg.Wait()
	var runs [][2]int
	for lo := 0; lo < len(es); {
		hi := runEnd(es, lo)
		if hi-lo > 1 {
			runs = append(runs, [2]int{lo, hi})
		}
		lo = hi
	}
	// Split the runs where half of their entries lie.
	total := 0
	for _, r := range runs {
		total += r[1] - r[0]
	}
	k, n := 0, 0
	for k < len(runs) && n < total/2 {
		n += runs[k][1] - runs[k][0]
		k++
	}
	refine := func(runs [][2]int) {
		for _, r := range runs {
			ns.refine(es[r[0]:r[1]], 0)
		}
	}
	wg.Go(func() { refine(runs[:k]) })
	refine(runs[k:])
	wg.Wait()
	return es
}

// partition moves the entries that sort before the median of a sample of
// them to the front, and returns how many there are.
func partition(es []nameEntry) int {
	var sample [127]nameEntry
	for j := range sample {
		sample[j] = es[j*(len(es)-1)/(len(sample)-1)]
	}
	slices.SortFunc(sample[:], cmpEntry)
	pivot := sample[len(sample)/2]
	mid := 0
	for j := range es {
		if cmpEntry(es[j], pivot) < 0 {
			es[j], es[mid] = es[mid], es[j]
			mid++
		}
	}
	return mid
}

// nameSorter sorts sections by name.
type nameSorter struct {
	occ  []*section
	next []nameKey // each name's key at depth keyBytes, by its place in occ
}

// sortFrom sorts es, whose names share their first depth bytes and hold
// their keys at depth, by name from there on.
func (ns nameSorter) sortFrom(es []nameEntry, depth int) {
	slices.SortFunc(es, cmpEntry)
	for lo := 0; lo < len(es); {
		hi := runEnd(es, lo)
		ns.refine(es[lo:hi], depth)
		lo = hi
	}
}

// refine orders run, entries sorted at depth with one key: by the rest
// of their names if they go on, else they are one name.
func (ns nameSorter) refine(run []nameEntry, depth int) {
	if len(run) < 2 {
		return
	}
	if run[0].key.ends() {
		for j := 1; j < len(run); j++ {
			run[j].dup = true
		}
		return
	}
	depth += keyBytes
	for j := range run {
		if depth == keyBytes {
			run[j].key = ns.next[run[j].i]
		} else {
			run[j].key = keyOf(ns.occ[run[j].i].Name, depth)
		}
	}
	if k := run[0].key; !k.ends() && run[len(run)-1].key == k && runEnd(run, 0) == len(run) {
		// All the names go on alike: skip what they share in one pass
		// rather than a key at a time.
		depth += ns.sharedFrom(run, depth)
		for j := range run {
			run[j].key = keyOf(ns.occ[run[j].i].Name, depth)
		}
	}
	ns.sortFrom(run, depth)
}

// sharedFrom is how many bytes from depth on the names of run all share.
func (ns nameSorter) sharedFrom(run []nameEntry, depth int) int {
	ref := ns.occ[run[0].i].Name[depth:]
	for _, e := range run[1:] {
		name := ns.occ[e.i].Name[depth:]
		n := min(len(ref), len(name))
		i := 0
		for i < n && ref[i] == name[i] {
			i++
		}
		ref = ref[:i]
	}
	return len(ref)
}

// runEnd is the end of the run of entries from lo that share its key.
func runEnd(es []nameEntry, lo int) int {
	hi := lo + 1
	for hi < len(es) && es[hi].key == es[lo].key {
		hi++
	}
	return hi
}

func cmpEntry(a, b nameEntry) int {
	if c := a.key.compare(b.key); c != 0 {
		return c
	}
	return int(a.i - b.i)
}
