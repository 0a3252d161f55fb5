package ui

import (
	"strings"
	"unicode/utf8"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/termsafe"
)

// painter is a style reduced to the escape codes around its text. Rows are
// drawn with painters rather than Style.Render: Render measures and wraps
// every cell, which at 40 rows × 8 cells per frame was most of a frame.
type painter struct{ pre, post string }

func newPainter(s lipgloss.Style) painter {
	const mark = "\uE000" // a private-use rune no style changes
	out := s.Render(mark)
	i := strings.Index(out, mark)
	if i < 0 {
		return painter{}
	}
	return painter{pre: out[:i], post: out[i+len(mark):]}
}

func (p painter) paint(s string) string { return p.pre + s + p.post }

// cellKind names the styles rows are drawn with.
type cellKind int

const (
	cellRow cellKind = iota
	cellDim
	cellPointer
	cellMarkDefault
	cellMarkRenew
	cellRowError
	cellMatch
	cellPlenty
	cellSoon
	cellUrgent
	cellExpired
	cellBusy
	cellKinds
)

// painters holds each cell kind plain and selected.
type painters [cellKinds][2]painter

func newPainters(c *common) painters {
	st := c.styles
	styles := [cellKinds]lipgloss.Style{
		cellRow: st.Row, cellDim: st.Dim, cellPointer: st.Title, cellMarkDefault: st.MarkDefault,
		cellMarkRenew: st.MarkRenew, cellRowError: st.RowError, cellMatch: st.Match,
		cellPlenty: st.Plenty, cellSoon: st.Soon, cellUrgent: st.Urgent, cellExpired: st.Expired, cellBusy: st.Busy,
	}
	var p painters
	for k, s := range styles {
		p[k][0] = newPainter(s)
		p[k][1] = newPainter(c.selected(s))
	}
	return p
}

// fit pads or cuts s (plain text) to exactly w cells, with a fast path for
// ASCII.
func fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	if isASCII(s) {
		if len(s) > w {
			return s[:w-1] + "…"
		}
		return s + strings.Repeat(" ", w-len(s))
	}
	s = ansi.Truncate(s, w, "…")
	if n := ansi.StringWidth(s); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}

// highlight paints the runes at idx (rune offsets) with hl and the rest
// with base; s is plain text.
func highlight(s string, idx []int, base, hl painter) string {
	var b strings.Builder
	k, next := 0, 0
	inHL := false
	start := 0
	flush := func(end int) {
		if end > start {
			if inHL {
				b.WriteString(hl.paint(s[start:end]))
			} else {
				b.WriteString(base.paint(s[start:end]))
			}
		}
		start = end
	}
	for i := 0; i < len(s); {
		_, size := utf8.DecodeRuneInString(s[i:])
		want := next < len(idx) && idx[next] == k
		if want {
			next++
		}
		if want != inHL {
			flush(i)
			inHL = want
		}
		i += size
		k++
	}
	flush(len(s))
	return b.String()
}

// printable reports whether s is printable ASCII, as nearly every name
// and value is: safe to print as it is, one cell per byte.
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// shownWidth is the cells s takes once escaped for the terminal.
func shownWidth(s string) int {
	if printable(s) {
		return len(s)
	}
	return ansi.StringWidth(termsafe.Clean(s))
}

// textWidth is the cells plain text takes.
func textWidth(s string) int {
	if isASCII(s) {
		return len(s)
	}
	return ansi.StringWidth(s)
}
