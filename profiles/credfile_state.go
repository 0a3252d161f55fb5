package profiles

import (
	"fmt"
	"strings"
	"unicode"
)

// defaultStateOf says who holds [default], from its properties as get
// returns them. It is the one place that decides whether [default] is
// rolecall's: Load (through the reader) and WriteDefault, ClearDefault and
// CheckDefault (through the writer's scan) all ask it.
func defaultStateOf(get func(key string) (string, bool)) DefaultState {
	id, _ := get("aws_access_key_id")
	secret, _ := get("aws_secret_access_key")
	if id == "" && secret == "" {
		return DefaultState{}
	}
	st := DefaultState{AccessKeyID: id}
	token, _ := get("aws_session_token")
	if token == "" {
		token, _ = get("aws_security_token")
	}
	profile, _ := get(KeyRolecallProfile)
	recorded, _ := get(KeyRolecallAccessKeyID)
	switch {
	case strings.HasPrefix(id, "AKIA") || token == "":
		// An AKIA key id is an IAM user's: long-term, whatever else the
		// section says.
		st.Holder = DefaultLongTerm
	case profile != "" && id != "" && recorded == id:
		st.Holder = DefaultRolecall
		st.Profile = profile
	default:
		st.Holder = DefaultOtherTool
		for _, k := range expiryKeys {
			if v, _ := get(k); v != "" {
				st.Expires = printable(v, 40)
				break
			}
		}
	}
	return st
}

// printable keeps a value from the file fit for a one-line message.
func printable(s string, limit int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsPrint(r) {
			return r
		}
		return -1
	}, s)
	if r := []rune(s); len(r) > limit {
		s = string(r[:limit]) + "…"
	}
	return s
}

// matches reports whether [default] holding s is what expect names.
func (s DefaultState) matches(expect DefaultState) bool {
	return s.Holder == expect.Holder && s.Profile == expect.Profile && s.AccessKeyID == expect.AccessKeyID
}

// findDefault scans the file and returns its sections and its [default]
// (nil when there is none). It refuses a file the AWS CLI cannot read or
// would read differently from the AWS SDKs where [default] is concerned.
func findDefault(path, data string, lines []rawLine) ([]rawSection, *rawSection, error) {
	if strings.HasPrefix(data, utf8BOM) {
		return nil, nil, fmt.Errorf("%s starts with a UTF-8 byte order mark, which the AWS CLI cannot read; save it as UTF-8 without one, then retry", path)
	}
	secs := scanSections(lines)
	for _, s := range secs {
		sdk := !s.broken && s.name == "default"
		name, ok := botocoreSection(lines[s.header].text)
		if cli := ok && name == "default"; cli != sdk {
			return nil, nil, fmt.Errorf("%s:%d: the AWS CLI and the AWS SDKs disagree on whether %q is [default]; write the header as [default] (or rename the section), then retry",
				path, s.header+1, printable(trimSpace(lines[s.header].text), 40))
		}
	}
	defs := findSections(secs, "default")
	switch len(defs) {
	case 0:
		return secs, nil, nil
	case 1:
		return secs, &defs[0], nil
	}
	at := make([]string, len(defs))
	for i, d := range defs {
		at[i] = fmt.Sprint(d.header + 1)
	}
	return nil, nil, fmt.Errorf("%s: [default] appears %d times (lines %s); the AWS CLI rejects such a file. Merge them into one by hand, then retry",
		path, len(defs), strings.Join(at, ", "))
}

// botocoreSection is the section name botocore (the AWS CLI) reads from a
// header line: everything between the first '[' and the last ']', as is.
func botocoreSection(l string) (string, bool) {
	t := strings.TrimSpace(l)
	end := strings.LastIndexByte(t, ']')
	if t == "" || t[0] != '[' || end < 2 {
		return "", false
	}
	return t[1:end], true
}

// stateAt is who holds the [default] section def (nil: none).
func stateAt(def *rawSection) DefaultState {
	if def == nil {
		return DefaultState{}
	}
	return defaultStateOf(def.get)
}

// expect checks opts.Expect against what [default] holds now.
func expect(path string, def *rawSection, now DefaultState, opts DefaultOptions) error {
	if opts.Expect == nil || now.matches(*opts.Expect) {
		return nil
	}
	e := &DefaultChangedError{Path: path, Want: *opts.Expect, Now: now}
	if def != nil {
		e.Line = def.header + 1
	}
	return e
}
