package profiles

import "slices"

// Sections as read from one file, and the arena their properties live in.

type sectionType uint8

const (
	secProfile sectionType = iota
	secSSOSession
	secServices
)

// section is one section as read from one file: a profile section under
// one header (duplicates are merged after reading, by mergeSection), an
// [sso-session], [services] or the config's default section under all
// its headers. It holds the Profile a profile section becomes: the
// reader fills its Name, Pos, Props and Sub, and build the rest in place,
// so that a profile is not copied out of its section.
type section struct {
	Profile
	typ sectionType
	// raw keeps each sub-property block as its raw text (what the older
	// smithy-rs suite compares); only filled when the parser is asked to.
	raw map[string]Value
}

func newSection(typ sectionType, name string, pos Pos) *section {
	return &section{typ: typ, Profile: Profile{Name: name, Pos: pos}}
}

// setProp sets a plain property, replacing a sub-property of the same name.
// The parser grows sections through its arena first (propArena.set).
func (s *section) setProp(key string, v Value) {
	if i := s.Props.index(key); i >= 0 {
		s.Props[i].Value = v
	} else {
		s.Props = append(s.Props, Prop{Key: key, Value: v})
	}
	if i := s.Sub.index(key); i >= 0 {
		s.Sub = slices.Delete(s.Sub, i, i+1)
	}
}

// setSub sets a sub-property block, replacing a plain property of the same
// name; it returns whether it removed one.
func (s *section) setSub(key string, block Props) bool {
	if i := s.Sub.index(key); i >= 0 {
		s.Sub[i].Props = block
	} else {
		s.Sub = append(s.Sub, Block{Key: key, Props: block})
	}
	if i := s.Props.index(key); i >= 0 {
		s.Props = append(s.Props[:i], s.Props[i+1:]...)
		return true
	}
	return false
}

// propArena holds the properties of every section of a file in a few large
// chunks rather than a slice each. The open section's properties always
// end where the arena does, so adding one is an append; a section that is
// opened again (a duplicate [default], [sso-session] or [services]
// header) is moved to the end first.
type propArena struct {
	buf  []Prop
	open *section
}

const propChunk = 2048

// reserve makes room for n more properties, moving the open section's
// properties to the start of a new chunk if needed.
func (a *propArena) reserve(n int) {
	if cap(a.buf)-len(a.buf) >= n {
		return
	}
	var keep Props
	if a.open != nil {
		keep = a.open.Props
	}
	a.buf = append(make([]Prop, 0, max(propChunk, 2*(len(keep)+n))), keep...)
	if a.open != nil {
		a.open.Props = a.buf[:len(keep)]
	}
}

// openSection makes s the section properties go to; nil closes the last.
func (a *propArena) openSection(s *section) {
	if a.open == s {
		return
	}
	if a.open != nil {
		// Closed: an append to it must never reach the next section.
		a.open.Props = a.open.Props[:len(a.open.Props):len(a.open.Props)]
	}
	a.open = nil
	if s == nil {
		return
	}
	old := s.Props
	a.reserve(len(old) + 1)
	start := len(a.buf)
	a.buf = append(a.buf, old...)
	s.Props = a.buf[start:]
	a.open = s
}

// set sets a plain property of the open section.
func (a *propArena) set(key string, v Value) {
	s := a.open
	if s.Props.index(key) >= 0 {
		s.setProp(key, v)
		return
	}
	// A new key: grow the section in the arena, and drop a sub-property
	// block of that name.
	a.reserve(1)
	a.buf = append(a.buf, Prop{Key: key, Value: v})
	s.Props = a.buf[len(a.buf)-len(s.Props)-1:]
	if len(s.Sub) > 0 {
		if i := s.Sub.index(key); i >= 0 {
			s.Sub = slices.Delete(s.Sub, i, i+1)
		}
	}
}

// setSub sets a sub-property block of the open section.
func (a *propArena) setSub(key string, block Props) {
	if a.open.setSub(key, block) {
		a.buf = a.buf[:len(a.buf)-1]
	}
}

// parsed is one file's sections.
type parsed struct {
	// secs is every profile section in the order its header was read,
	// one per header: a duplicate header is merged into the first after
	// reading (index, or mergeFiles), not looked up while reading.
	secs []*section
	// profiles and order are secs merged by name, in first-seen order;
	// only parse fills them (index).
	profiles    map[string]*section
	order       []string
	ssoSessions map[string]*section
	services    map[string]*section
	problems    []error
	warnings    []error // ignored sections: reported, but not parse errors

	// The config file's [default] and [profile default] are kept apart
	// until the end: the prefixed one wins whatever the order.
	defPlain, defPrefixed *section

	// slab hands out sections in chunks: one allocation per 256.
	slab  []section
	arena propArena
}

// newSection hands out a section from the slab.
func (out *parsed) newSection(typ sectionType, name string, pos Pos) *section {
	if len(out.slab) == cap(out.slab) {
		out.slab = make([]section, 0, 256)
	}
	out.slab = append(out.slab, section{typ: typ, Profile: Profile{Name: name, Pos: pos}})
	return &out.slab[len(out.slab)-1]
}

// profileSection starts a profile section: one per header, duplicates
// included.
func (out *parsed) profileSection(name string, pos Pos) *section {
	s := out.newSection(secProfile, name, pos)
	out.secs = append(out.secs, s)
	return s
}

// section returns the named [sso-session] or [services] section of m,
// creating it: a duplicate section in one file merges into the first.
func (out *parsed) section(m map[string]*section, typ sectionType, name string, pos Pos) *section {
	if s := m[name]; s != nil {
		return s
	}
	s := out.newSection(typ, name, pos)
	m[name] = s
	return s
}

// index merges the profile sections of one file by name, as the SDKs
// do: a duplicate section merges into the first.
func (out *parsed) index() {
	out.profiles = make(map[string]*section, len(out.secs))
	out.order = make([]string, 0, len(out.secs))
	for _, s := range out.secs {
		if first := out.profiles[s.Name]; first != nil {
			mergeSection(first, s)
			continue
		}
		out.profiles[s.Name] = s
		out.order = append(out.order, s.Name)
	}
}

// mergeSection merges a later section into an earlier one of the same
// name, as reading on under the earlier header would have: each
// property and block of the later one replaces the earlier's of that
// name (a plain property and a block of one name replace each other),
// new ones come after, and the earlier keeps its position and its first
// problem. It is the one rule for a duplicate section, in one file and
// across the two (the credentials file's over the config's).
func mergeSection(into, from *section) {
	for _, pr := range from.Props {
		into.setProp(pr.Key, pr.Value)
	}
	for _, b := range from.Sub {
		into.setSub(b.Key, b.Props)
	}
	if from.raw != nil {
		if into.raw == nil {
			into.raw = make(map[string]Value, len(from.raw))
		}
		for k, v := range from.raw {
			into.raw[k] = v
		}
	}
	if into.Err == nil {
		into.Err = from.Err
	}
}

func (bs Blocks) index(key string) int {
	for i := range bs {
		if bs[i].Key == key {
			return i
		}
	}
	return -1
}
