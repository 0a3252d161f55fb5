package profiles

import (
	"strings"
)

// The reader follows the SEP "profile file format" that the AWS SDKs share
// (the conformance suite in ../shared/conformance is its referee). It is
// hand-written rather than built on an INI library because generic INI
// readers strip quotes, treat every ';' as a comment, fold sub-properties
// into top-level keys and let dotted names inherit from their parents.

type sectionType uint8

const (
	secProfile sectionType = iota
	secSSOSession
	secServices
)

// section is one section as read from one file, duplicates merged.
type section struct {
	typ   sectionType
	name  string
	pos   Pos
	props Props
	sub   map[string]map[string]Value
	// raw keeps each sub-property block as its raw text (what the older
	// smithy-rs suite compares); only filled when the parser is asked to.
	raw map[string]Value
	// errs are lenient-mode problems found inside this section.
	errs []*Error
	// idx is the profile's place in Set.Profiles, once built.
	idx int
}

func newSection(typ sectionType, name string, pos Pos) *section {
	return &section{typ: typ, name: name, pos: pos}
}

// setProp sets a plain property, replacing a sub-property of the same name.
// The parser adds through its arena instead (propArena.set).
func (s *section) setProp(key string, v Value) {
	if i := s.props.index(key); i >= 0 {
		s.props[i].Value = v
	} else {
		s.props = append(s.props, Prop{Key: key, Value: v})
	}
	if s.sub != nil {
		delete(s.sub, key)
	}
}

// setSub sets a sub-property block, replacing a plain property of the same
// name; it returns whether it removed one.
func (s *section) setSub(key string, m map[string]Value) bool {
	if s.sub == nil {
		s.sub = make(map[string]map[string]Value, 2)
	}
	s.sub[key] = m
	if i := s.props.index(key); i >= 0 {
		s.props = append(s.props[:i], s.props[i+1:]...)
		return true
	}
	return false
}

// propArena holds the properties of every section of a file in a few large
// chunks rather than a slice each. The open section's properties always
// end where the arena does, so adding one is an append; a section that is
// opened again (a duplicate header) is moved to the end first.
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
		keep = a.open.props
	}
	a.buf = append(make([]Prop, 0, max(propChunk, 2*(len(keep)+n))), keep...)
	if a.open != nil {
		a.open.props = a.buf[:len(keep)]
	}
}

// openSection makes s the section properties go to; nil closes the last.
func (a *propArena) openSection(s *section) {
	if a.open == s {
		return
	}
	if a.open != nil {
		// Closed: an append to it must never reach the next section.
		a.open.props = a.open.props[:len(a.open.props):len(a.open.props)]
	}
	a.open = nil
	if s == nil {
		return
	}
	old := s.props
	a.reserve(len(old) + 1)
	start := len(a.buf)
	a.buf = append(a.buf, old...)
	s.props = a.buf[start:]
	a.open = s
}

// set sets a plain property of the open section.
func (a *propArena) set(key string, v Value) {
	s := a.open
	if i := s.props.index(key); i >= 0 {
		s.props[i].Value = v
	} else {
		a.reserve(1)
		a.buf = append(a.buf, Prop{Key: key, Value: v})
		s.props = a.buf[len(a.buf)-len(s.props)-1:]
	}
	if s.sub != nil {
		delete(s.sub, key)
	}
}

// setSub sets a sub-property block of the open section.
func (a *propArena) setSub(key string, m map[string]Value) {
	if a.open.setSub(key, m) {
		a.buf = a.buf[:len(a.buf)-1]
	}
}

// parsed is one file's sections.
type parsed struct {
	profiles    map[string]*section
	order       []string // profile names in first-seen order
	ssoSessions map[string]*section
	services    map[string]*section
	problems    []error
	warnings    []error // ignored sections: reported, but not parse errors

	// The config file's [default] and [profile default] are kept apart
	// until the end: the prefixed one wins whatever the order.
	defPlain, defPrefixed *section

	// slab hands out sections in chunks: one allocation per 256.
	slab  []section
	props propArena
}

// parseOptions selects the reader's behaviour.
type parseOptions struct {
	config bool // a config file ([profile x]) rather than a credentials file ([x])
	strict bool // stop at the first error instead of recording it
	raw    bool // also keep sub-property blocks as raw text
}

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

// parser holds the state of one pass over one file.
type parser struct {
	opt  parseOptions
	file string
	out  *parsed

	cur     *section // nil before any section or inside an ignored one
	inSec   bool     // a section header (even an ignored one) was seen
	key     string   // the property continuations apply to; "" for none
	keyPos  Pos
	sink    bool // the current property is ignored (invalid name or section)
	subMode bool // the current property opened a sub-property block
	subMap  map[string]Value
	value   strings.Builder
	hasVal  bool
}

// parse reads one file. In strict mode the first error is returned; in
// lenient mode each bad line is recorded and reading goes on.
func parse(data, file string, opt parseOptions) (*parsed, error) {
	sections := strings.Count(data, "[") + 1
	p := &parser{opt: opt, file: file, out: &parsed{
		profiles:    make(map[string]*section, sections),
		order:       make([]string, 0, sections),
		ssoSessions: map[string]*section{},
		services:    map[string]*section{},
	}}
	line := 0
	for len(data) > 0 {
		line++
		var l string
		if i := strings.IndexByte(data, '\n'); i >= 0 {
			l, data = data[:i], data[i+1:]
		} else {
			l, data = data, ""
		}
		if n := len(l); n > 0 && l[n-1] == '\r' {
			l = l[:n-1]
		}
		if err := p.line(l, line); err != nil {
			if opt.strict {
				return nil, err
			}
			p.problem(err)
		}
	}
	p.flush()
	p.out.props.openSection(nil)
	p.finish()
	return p.out, nil
}

func (p *parser) problem(e *Error) {
	p.out.problems = append(p.out.problems, e)
	if p.cur != nil && p.cur.typ == secProfile {
		e.Profile = p.cur.name
		p.cur.errs = append(p.cur.errs, e)
	}
}

func (p *parser) errAt(line int, msg string) *Error {
	return &Error{Pos: Pos{File: p.file, Line: line}, Msg: msg}
}

func (p *parser) line(l string, n int) *Error {
	if l == "" || l[0] == '#' || l[0] == ';' {
		return nil
	}
	if isSpace(l[0]) {
		t := trimSpace(l)
		if t == "" {
			return nil
		}
		return p.continuation(t, n)
	}
	if trimSpace(l) == "" {
		return nil
	}
	if l[0] == '[' {
		return p.header(l, n)
	}
	return p.property(l, n)
}

func (p *parser) header(l string, n int) *Error {
	err := p.openHeader(l, n)
	p.out.props.openSection(p.cur)
	return err
}

func (p *parser) openHeader(l string, n int) *Error {
	p.flush()
	p.key = ""
	if i := strings.IndexAny(l, "#;"); i >= 0 {
		l = l[:i]
	}
	l = trimSpace(l)
	if len(l) < 2 || l[len(l)-1] != ']' {
		// Drop the lines under a broken header rather than report each.
		p.cur, p.inSec = nil, true
		return p.errAt(n, msgSectionEnd+hintSectionEnd)
	}
	inner := trimSpace(l[1 : len(l)-1])
	pos := Pos{File: p.file, Line: n}
	p.cur, p.inSec = nil, true
	out := p.out
	if !p.opt.config {
		switch {
		case validName(inner):
			p.cur = out.section(out.profiles, secProfile, inner, pos)
		case strings.HasPrefix(inner, "profile "):
			p.ignore(pos, inner, "in the credentials file a profile is ["+trimSpace(inner[len("profile "):])+"], without \"profile\"")
		default:
			p.ignore(pos, inner, badNameHint)
		}
		return nil
	}
	if inner == "default" {
		if out.defPlain == nil {
			out.defPlain = newSection(secProfile, "default", pos)
		}
		p.cur = out.defPlain
		return nil
	}
	if name, ok := cutPrefixWord(inner, "profile"); ok {
		switch {
		case !validName(name):
			p.ignore(pos, inner, badNameHint)
		case name == "default":
			if out.defPrefixed == nil {
				out.defPrefixed = newSection(secProfile, "default", pos)
			}
			p.cur = out.defPrefixed
		default:
			p.cur = out.section(out.profiles, secProfile, name, pos)
		}
		return nil
	}
	for _, kind := range [...]struct {
		word string
		m    map[string]*section
		typ  sectionType
	}{{"sso-session", out.ssoSessions, secSSOSession}, {"services", out.services, secServices}} {
		if name, ok := cutPrefixWord(inner, kind.word); ok {
			if validName(name) {
				p.cur = out.section(kind.m, kind.typ, name, pos)
			} else {
				p.ignore(pos, inner, badNameHint)
			}
			return nil
		}
	}
	switch inner {
	case "profile", "sso-session", "services":
		p.ignore(pos, inner, "it needs a name: ["+inner+" name]")
	default:
		if validName(inner) {
			p.ignore(pos, inner, "in the config file a profile is [profile "+inner+"]")
		} else {
			p.ignore(pos, inner, "the AWS CLI reads [profile name], [sso-session name] and [services name] here")
		}
	}
	return nil
}

const badNameHint = "a name may only hold letters, digits and _-/.%@:+"

// ignore notes a section the AWS SDKs skip, with the lines under it. It is
// not an error (strict mode passes it) but a user wants to know.
func (p *parser) ignore(pos Pos, header, why string) {
	if p.opt.strict {
		return
	}
	p.out.warnings = append(p.out.warnings, &Error{Pos: pos, Msg: "[" + header + "] is ignored: " + why})
}

// section returns the named section, creating it: a duplicate section in
// one file merges into the first.
func (out *parsed) section(m map[string]*section, typ sectionType, name string, pos Pos) *section {
	if s := m[name]; s != nil {
		return s
	}
	if len(out.slab) == cap(out.slab) {
		out.slab = make([]section, 0, 256)
	}
	out.slab = append(out.slab, section{typ: typ, name: name, pos: pos})
	s := &out.slab[len(out.slab)-1]
	m[name] = s
	if typ == secProfile {
		out.order = append(out.order, name)
	}
	return s
}

func (p *parser) property(l string, n int) *Error {
	p.flush()
	p.key = ""
	if !p.inSec {
		return p.errAt(n, msgNoSection+hintNoSection)
	}
	// '#' or ';' starts a comment only after whitespace: value;x stays.
	for i := 1; i < len(l); i++ {
		if (l[i] == '#' || l[i] == ';') && isSpace(l[i-1]) {
			l = l[:i]
			break
		}
	}
	eq := strings.IndexByte(l, '=')
	if eq < 0 {
		return p.errAt(n, msgNoEquals+hintProperty)
	}
	key := trimSpace(l[:eq])
	if key == "" {
		return p.errAt(n, msgNoName+hintProperty)
	}
	p.key = strings.ToLower(key)
	p.keyPos = Pos{File: p.file, Line: n}
	p.sink = p.cur == nil || !validName(key)
	v := trimSpace(l[eq+1:])
	p.subMode = v == ""
	p.subMap = nil
	p.value.Reset()
	p.hasVal = false
	if !p.sink {
		// Set now so that a plain value costs no copy; continuations
		// rewrite it in flush.
		p.out.props.set(p.key, Value{Value: v, Pos: p.keyPos})
	}
	return nil
}

func (p *parser) continuation(t string, n int) *Error {
	if !p.inSec {
		return p.errAt(n, msgNoSection+hintNoSection)
	}
	if p.key == "" {
		return p.errAt(n, msgContinuation+hintContinuation)
	}
	if !p.hasVal {
		p.hasVal = true
		if !p.subMode && !p.sink {
			p.value.WriteString(p.cur.props.Get(p.key).Value)
		}
	}
	p.value.WriteByte('\n')
	p.value.WriteString(t)
	if !p.subMode {
		return nil
	}
	eq := strings.IndexByte(t, '=')
	if eq < 0 {
		return p.errAt(n, msgSubNoEquals+hintSubProperties)
	}
	k := trimSpace(t[:eq])
	if k == "" {
		return p.errAt(n, msgSubNoName+hintSubProperties)
	}
	if p.sink || !validName(k) {
		return nil
	}
	if p.subMap == nil {
		p.subMap = make(map[string]Value, 4)
	}
	p.subMap[strings.ToLower(k)] = Value{Value: trimSpace(t[eq+1:]), Pos: Pos{File: p.file, Line: n}}
	return nil
}

// flush stores the property that continuation lines were building.
func (p *parser) flush() {
	if p.key == "" || p.sink || !p.hasVal {
		return
	}
	v := Value{Value: p.value.String(), Pos: p.keyPos}
	if !p.subMode {
		p.out.props.set(p.key, v)
		return
	}
	m := p.subMap
	if m == nil {
		m = map[string]Value{}
	}
	p.out.props.setSub(p.key, m)
	if p.opt.raw {
		if p.cur.raw == nil {
			p.cur.raw = map[string]Value{}
		}
		p.cur.raw[p.key] = v
	}
	p.hasVal = false
}

// finish settles the config file's default profile.
func (p *parser) finish() {
	out := p.out
	def := out.defPrefixed
	if def == nil {
		def = out.defPlain
	}
	if def != nil {
		if _, ok := out.profiles["default"]; !ok {
			out.order = append(out.order, "default")
		}
		out.profiles["default"] = def
	}
}
