package ui

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The filter's matcher. It ranks like github.com/sahilm/fuzzy (the one
// bubbles' list uses): a subsequence match, with bonuses for the first
// character, for characters after a separator or a camelCase hump and for
// runs, and a penalty for unmatched leading characters. It is written for
// the list's budget of 2 ms per keystroke at 10,000 profiles: no
// allocation per candidate, an ASCII fast path and a counting sort.

const (
	bonusFirst     = 10
	bonusSeparator = 20
	bonusCamel     = 20
	bonusAdjacent  = 5
	penaltyLead    = -5
	penaltyLeadMax = -15
	penaltyGap     = -1
)

// matcher holds a lower-cased pattern, as bytes and as runes.
type matcher struct {
	pat   string
	runes []rune
	ascii bool
}

func newMatcher(pattern string) matcher {
	p := strings.ToLower(pattern)
	return matcher{pat: p, runes: []rune(p), ascii: isASCII(p)}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isSep(c rune) bool {
	switch c {
	case '-', '_', '/', '.', ' ', ':', '@':
		return true
	}
	return false
}

// score matches name against the pattern; idx, when not nil, receives the
// byte offsets of the matched characters.
func (m matcher) score(name string, idx *[]int) (int, bool) {
	return m.scoreKnown(name, isASCII(name), idx)
}

// scoreKnown is score for a name whose ASCII-ness is known already: the
// list works it out once per name, not on every key.
func (m matcher) scoreKnown(name string, ascii bool, idx *[]int) (int, bool) {
	if m.ascii && ascii {
		return m.scoreASCII(name, idx)
	}
	return m.scoreRunes(name, idx)
}

// nameSet is the names the filter ranks, with whether each is ASCII.
type nameSet struct {
	names []string
	ascii []bool
}

func newNameSet(names []string) nameSet {
	ns := nameSet{names: names, ascii: make([]bool, len(names))}
	for i, n := range names {
		ns.ascii[i] = isASCII(n)
	}
	return ns
}

func lowerASCII(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func (m matcher) scoreASCII(name string, idx *[]int) (int, bool) {
	pat := m.pat
	if len(pat) > len(name) {
		return 0, false
	}
	pi, score, last, lead, leadPen := 0, 0, -2, true, 0
	var prev byte
	for j := 0; j < len(name) && pi < len(pat); j++ {
		c := name[j]
		if lowerASCII(c) == pat[pi] {
			switch {
			case j == 0:
				score += bonusFirst
			case isSep(rune(prev)):
				score += bonusSeparator
			case 'a' <= prev && prev <= 'z' && 'A' <= c && c <= 'Z':
				score += bonusCamel
			}
			if last == j-1 {
				score += bonusAdjacent
			}
			if idx != nil {
				*idx = append(*idx, j)
			}
			last, lead = j, false
			pi++
		} else if lead {
			if leadPen > penaltyLeadMax {
				score += penaltyLead
				leadPen += penaltyLead
			}
		} else {
			score += penaltyGap
		}
		prev = c
	}
	if pi < len(pat) {
		return 0, false
	}
	return score, true
}

func (m matcher) scoreRunes(name string, idx *[]int) (int, bool) {
	pat := m.runes
	pi, score, last, lead, leadPen := 0, 0, -2, true, 0
	var prev rune
	k := 0 // rune index, for StyleRunes
	for j, c := range name {
		if pi >= len(pat) {
			break
		}
		if unicode.ToLower(c) == pat[pi] {
			switch {
			case j == 0:
				score += bonusFirst
			case isSep(prev):
				score += bonusSeparator
			case unicode.IsLower(prev) && unicode.IsUpper(c):
				score += bonusCamel
			}
			if last == k-1 {
				score += bonusAdjacent
			}
			if idx != nil {
				*idx = append(*idx, k)
			}
			last, lead = k, false
			pi++
		} else if lead {
			if leadPen > penaltyLeadMax {
				score += penaltyLead
				leadPen += penaltyLead
			}
		} else {
			score += penaltyGap
		}
		prev = c
		k++
	}
	if pi < len(pat) {
		return 0, false
	}
	return score, true
}

// rank returns the members of from whose names match, best first, ties in
// list order. Scores are small integers, so a counting sort does it in
// linear time.
func (m matcher) rank(ns nameSet, from []int) []int {
	type hit struct{ row, score int }
	hits := make([]hit, 0, len(from))
	lo, hi := 0, 0
	for _, ri := range from {
		s, ok := m.scoreKnown(ns.names[ri], ns.ascii[ri], nil)
		if !ok {
			continue
		}
		if len(hits) == 0 || s < lo {
			lo = s
		}
		if len(hits) == 0 || s > hi {
			hi = s
		}
		hits = append(hits, hit{ri, s})
	}
	if len(hits) == 0 {
		return nil
	}
	count := make([]int, hi-lo+2)
	for _, h := range hits {
		count[hi-h.score+1]++ // best score first
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	out := make([]int, len(hits))
	for _, h := range hits {
		b := hi - h.score
		out[count[b]] = h.row
		count[b]++
	}
	return out
}
