package profiles

import (
	"strings"
	"sync"
)

// A large file is read in two halves at once, cut at a section header
// near its middle. A header closes whatever the lines above it were
// building, so each half reads as it would in one pass, and the halves'
// sections are joined in order. Profile sections are merged by name only
// after reading (mergeFiles), so a duplicate across the cut is no
// different from one within a half; a [default], [sso-session] or
// [services] section on both sides is merged as one pass would merge it.

// splitMin is the smallest file read in two halves: below it a goroutine
// costs more than it saves.
const splitMin = 256 << 10

// parseFile reads one file for Load, in two halves at once when it is
// large enough. Its profile sections are left as read (secs), one per
// header: mergeFiles merges them by name.
func parseFile(data, file string, opt parseOptions) (*parsed, error) {
	var out *parsed
	var err error
	if cut := headerNear(data, len(data)/2); len(data) >= splitMin && cut > 0 {
		out, err = parseSplitAt(data, file, opt, cut)
	} else {
		out, err = parseLines(data, file, 1, strings.Count(data, "[")+1, opt)
	}
	if err != nil {
		return nil, err
	}
	out.finish()
	return out, nil
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
// data[cut:] must start with a header line. The default profile is not
// settled (finish).
func parseSplitAt(data, file string, opt parseOptions, cut int) (*parsed, error) {
	var (
		second *parsed
		err2   error
		wg     sync.WaitGroup
	)
	secondLine := strings.Count(data[:cut], "\n") + 1
	wg.Go(func() {
		second, err2 = parseLines(data[cut:], file, secondLine, strings.Count(data[cut:], "[")+1, opt)
	})
	// The first half's list is sized for the whole file: the second's
	// sections join it.
	first, err := parseLines(data[:cut], file, 1, strings.Count(data, "[")+1, opt)
	wg.Wait()
	if err != nil {
		return nil, err
	}
	if err2 != nil {
		return nil, err2
	}
	first.join(second)
	return first, nil
}

// join appends the sections read after out's to it.
func (out *parsed) join(next *parsed) {
	out.secs = append(out.secs, next.secs...)
	for _, pair := range [...]struct{ into, from map[string]*section }{
		{out.ssoSessions, next.ssoSessions}, {out.services, next.services},
	} {
		for name, s := range pair.from {
			if into := pair.into[name]; into != nil {
				mergeSection(into, s)
			} else {
				pair.into[name] = s
			}
		}
	}
	out.defPlain = mergeDefault(out.defPlain, next.defPlain)
	out.defPrefixed = mergeDefault(out.defPrefixed, next.defPrefixed)
	out.problems = append(out.problems, next.problems...)
	out.warnings = append(out.warnings, next.warnings...)
}

// mergeDefault is a default section read before a cut with the one of
// the same header read after it; either may be nil.
func mergeDefault(first, next *section) *section {
	if first == nil {
		return next
	}
	if next != nil {
		mergeSection(first, next)
	}
	return first
}
