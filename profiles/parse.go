package profiles

import (
	"slices"
	"strings"
)

// The reader follows the SEP "profile file format" that the AWS SDKs share
// (the conformance suite in ../shared/conformance is its referee). It is
// hand-written rather than built on an INI library because generic INI
// readers strip quotes, treat every ';' as a comment, fold sub-properties
// into top-level keys and let dotted names inherit from their parents.

// parseOptions selects the reader's behaviour.
type parseOptions struct {
	config bool // a config file ([profile x]) rather than a credentials file ([x])
	strict bool // stop at the first error instead of recording it
	raw    bool // also keep sub-property blocks as raw text
}

// parser holds the state of one pass over one file.
type parser struct {
	opt  parseOptions
	file string
	out  *parsed

	cur     *section // nil before any section or inside an ignored one
	inSec   bool     // a section header (even an ignored one) was seen
	key     string   // the property continuations apply to; "" for none
	keyPos  Pos
	sink    bool  // the current property is ignored (invalid name or section)
	subMode bool  // the current property opened a sub-property block
	subBuf  Props // the block being read; copied out whole when it ends
	value   strings.Builder
	hasVal  bool
}

// parse reads one file, its duplicate profile sections merged by name
// (index). In strict mode the first error is returned; in lenient mode
// each bad line is recorded and reading goes on.
func parse(data, file string, opt parseOptions) (*parsed, error) {
	out, err := parseLines(data, file, 1, strings.Count(data, "[")+1, opt)
	if err != nil {
		return nil, err
	}
	out.finish()
	out.index()
	return out, nil
}

// parseLines is parse of text whose first line is line first of file,
// without settling the default profile; sections is a guess of how many
// it holds.
func parseLines(data, file string, first, sections int, opt parseOptions) (*parsed, error) {
	p := &parser{opt: opt, file: file, out: &parsed{
		secs:        make([]*section, 0, sections),
		ssoSessions: map[string]*section{},
		services:    map[string]*section{},
	}}
	line := first - 1
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
	p.out.arena.openSection(nil)
	return p.out, nil
}

func (p *parser) problem(e *Error) {
	p.out.problems = append(p.out.problems, e)
	if p.cur != nil && p.cur.typ == secProfile {
		e.Profile = p.cur.Name
		if p.cur.Err == nil { // the profile's problem is its first
			p.cur.Err = e
		}
	}
}

func (p *parser) errAt(line int, msg string) *Error {
	return &Error{Pos: Pos{File: p.file, Line: line}, Msg: msg}
}

func (p *parser) line(l string, n int) *Error {
	switch kindOf(l, p.key != "") {
	case lineBlank:
		return nil
	case lineHeader:
		return p.header(l, n)
	case lineContinuation:
		return p.continuation(trimSpace(l), n)
	}
	return p.property(l, n)
}

func (p *parser) header(l string, n int) *Error {
	err := p.openHeader(l, n)
	p.out.arena.openSection(p.cur)
	return err
}

func (p *parser) openHeader(l string, n int) *Error {
	p.flush()
	p.key = ""
	inner, ok := parseHeader(l)
	if !ok {
		// Drop the lines under a broken header rather than report each.
		p.cur, p.inSec = nil, true
		return p.errAt(n, msgSectionEnd+hintSectionEnd)
	}
	pos := Pos{File: p.file, Line: n}
	p.cur, p.inSec = nil, true
	out := p.out
	if !p.opt.config {
		switch {
		case validName(inner):
			p.cur = out.profileSection(inner, pos)
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
			p.cur = out.profileSection(name, pos)
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

// ignore notes a section the AWS SDKs skip, with the lines under it. It is
// not an error (strict mode passes it) but a user wants to know.
func (p *parser) ignore(pos Pos, header, why string) {
	if p.opt.strict {
		return
	}
	p.out.warnings = append(p.out.warnings, &Error{Pos: pos, Msg: "[" + header + "] is ignored: " + why})
}

func (p *parser) property(l string, n int) *Error {
	p.flush()
	p.key = ""
	if !p.inSec {
		return p.errAt(n, msgNoSection+hintNoSection)
	}
	key, v, msg := splitProperty(l)
	switch msg {
	case msgNoEquals:
		return p.errAt(n, msgNoEquals+hintProperty)
	case msgNoName:
		return p.errAt(n, msgNoName+hintProperty)
	}
	p.key = strings.ToLower(key)
	p.keyPos = Pos{File: p.file, Line: n}
	p.sink = p.cur == nil || !validName(key)
	p.subMode = v == ""
	p.subBuf = p.subBuf[:0]
	p.value.Reset()
	p.hasVal = false
	if !p.sink {
		// Set now so that a plain value costs no copy; continuations
		// rewrite it in flush.
		p.out.arena.set(p.key, Value{Value: v, Pos: p.keyPos})
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
			p.value.WriteString(p.cur.Props.Get(p.key).Value)
		}
	}
	if !p.subMode || p.opt.raw {
		// A block's raw text is only kept when asked for.
		p.value.WriteByte('\n')
		p.value.WriteString(t)
	}
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
	k = strings.ToLower(k)
	v := Value{Value: trimSpace(t[eq+1:]), Pos: Pos{File: p.file, Line: n}}
	if i := p.subBuf.index(k); i >= 0 {
		p.subBuf[i].Value = v
	} else {
		p.subBuf = append(p.subBuf, Prop{Key: k, Value: v})
	}
	return nil
}

// flush stores the property that continuation lines were building.
func (p *parser) flush() {
	if p.key == "" || p.sink || !p.hasVal {
		return
	}
	v := Value{Value: p.value.String(), Pos: p.keyPos}
	if !p.subMode {
		p.out.arena.set(p.key, v)
		return
	}
	p.out.arena.setSub(p.key, slices.Clone(p.subBuf))
	if p.opt.raw {
		if p.cur.raw == nil {
			p.cur.raw = map[string]Value{}
		}
		p.cur.raw[p.key] = v
	}
	p.hasVal = false
}

// finish settles the config file's default profile: it comes last, as
// the only section of its name ([default] is no profile section of the
// config file until now).
func (out *parsed) finish() {
	def := out.defPrefixed
	if def == nil {
		def = out.defPlain
	}
	if def != nil {
		out.secs = append(out.secs, def)
	}
}
