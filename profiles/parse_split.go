package profiles

import (
	"strings"
	"sync"
)

// A large file is read in two halves at once, cut at a section header
// near its middle. A header closes whatever the lines above it were
// building, so each half reads as it would in one pass; the halves are
// then joined. When a section of the second half also appears in the
// first (a duplicate header, which merges into the first), joining would
// have to replay the merge: the file is read again in one pass instead.

// splitMin is the smallest file read in two halves: below it a goroutine
// costs more than it saves.
const splitMin = 256 << 10

// parseFile is parse, in two halves at once when data is large enough.
func parseFile(data, file string, opt parseOptions) (*parsed, error) {
	if len(data) < splitMin {
		return parse(data, file, opt)
	}
	cut := headerNear(data, len(data)/2)
	if cut <= 0 {
		return parse(data, file, opt)
	}
	return parseSplitAt(data, file, opt, cut)
}

// headerNear returns the offset of the first header line at or after
// offset at, or -1: a line that starts with '[' is a header whatever
// came before it.
func headerNear(data string, at int) int {
	i := strings.Index(data[at:], "\n[")
	if i < 0 {
		return -1
	}
	return at + i + 1
}

// parseSplitAt reads data[:cut] and data[cut:] at once and joins them;
// data[cut:] must start with a header line.
func parseSplitAt(data, file string, opt parseOptions, cut int) (*parsed, error) {
	var (
		second *parsed
		err2   error
		wg     sync.WaitGroup
	)
	secondLine := strings.Count(data[:cut], "\n") + 1
	// The first half's tables are sized for the whole file: the second's
	// sections join them.
	wg.Go(func() {
		second, err2 = parseLines(data[cut:], file, secondLine, strings.Count(data[cut:], "[")+1, opt)
	})
	first, err := parseLines(data[:cut], file, 1, strings.Count(data, "[")+1, opt)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if err2 != nil {
		return nil, err2
	}
	if !first.join(second) {
		return parse(data, file, opt)
	}
	first.finish()
	return first, nil
}

// join appends the sections read after out's to it, and reports false,
// leaving out unusable, when a section appears in both.
func (out *parsed) join(next *parsed) bool {
	if (out.defPlain != nil && next.defPlain != nil) || (out.defPrefixed != nil && next.defPrefixed != nil) {
		return false
	}
	for _, pair := range [...]struct{ into, from map[string]*section }{
		{out.profiles, next.profiles}, {out.ssoSessions, next.ssoSessions}, {out.services, next.services},
	} {
		for name := range pair.from {
			if pair.into[name] != nil {
				return false
			}
		}
	}
	for _, pair := range [...]struct{ into, from map[string]*section }{
		{out.profiles, next.profiles}, {out.ssoSessions, next.ssoSessions}, {out.services, next.services},
	} {
		for name, s := range pair.from {
			pair.into[name] = s
		}
	}
	out.order = append(out.order, next.order...)
	out.problems = append(out.problems, next.problems...)
	out.warnings = append(out.warnings, next.warnings...)
	if next.defPlain != nil {
		out.defPlain = next.defPlain
	}
	if next.defPrefixed != nil {
		out.defPrefixed = next.defPrefixed
	}
	return true
}
