package ui

import (
	"strings"
	"time"
)

// View renders the column header and the visible rows only, exactly
// width × height; spin is the spinner frame for rows with a call running.
func (l listModel) View(spin string) string {
	cols := layoutColumns(l.width, l.longest)
	now := l.c.now()
	var b strings.Builder
	b.WriteString(l.headerLine(cols))
	page := l.pageRows()
	end := min(l.offset+page, len(l.visible))
	var idx []int
	for i := l.offset; i < end; i++ {
		r := l.rows[l.visible[i]]
		var match []int
		if l.pattern != "" {
			idx = idx[:0]
			l.match.score(r.p.Name, &idx)
			match = idx
		}
		b.WriteByte('\n')
		b.WriteString(l.renderRow(r, match, i == l.cursor, cols, now, spin))
	}
	lines := 1 + end - l.offset
	if len(l.visible) == 0 {
		msg := "  no role profiles: tab shows every profile"
		if l.pattern != "" {
			msg = "  nothing matches \"" + l.pattern + "\": esc clears the filter"
		} else if l.showAll {
			msg = "  no profiles in the files"
		}
		b.WriteByte('\n')
		b.WriteString(l.c.paint[cellDim][0].paint(fit(msg, l.width)))
		lines++
	}
	blank := strings.Repeat(" ", max(l.width, 0))
	for ; lines < l.height; lines++ {
		b.WriteByte('\n')
		b.WriteString(blank)
	}
	return b.String()
}

func (l listModel) headerLine(c columns) string {
	parts := []string{fit("PROFILE", c.name)}
	if c.source > 0 {
		parts = append(parts, fit("SOURCE", c.source))
	}
	if c.account > 0 {
		parts = append(parts, fit("ACCOUNT", c.account))
	}
	if c.region > 0 {
		parts = append(parts, fit("REGION", c.region))
	}
	parts = append(parts, fit("SESSION", c.state))
	return l.c.styles.ColumnHead.Render(fit(strings.Repeat(" ", markWidth)+strings.Join(parts, " "), l.width))
}

// renderRow draws one row, each cell with its own painter; the selected
// row's painters carry the highlight background.
func (l listModel) renderRow(r *row, match []int, selected bool, c columns, now time.Time, spin string) string {
	sel := 0
	if selected {
		sel = 1
	}
	p := &l.c.paint
	cell := func(k cellKind, text string, w int) string { return p[k][sel].paint(fit(text, w)) }
	gap := p[cellRow][sel].paint(" ")

	var b strings.Builder
	b.Grow(l.width * 3)
	// Markers: ▌ for the cursor, ◆ for the profile [default] holds, ∞ for
	// auto-renew.
	if selected {
		b.WriteString(cell(cellPointer, "▌", 1))
	} else {
		b.WriteString(" ")
	}
	if l.inDefault(r) {
		b.WriteString(cell(cellMarkDefault, "◆", 1))
	} else {
		b.WriteString(gap)
	}
	auto := l.c.renewer.Status(r.p.Name)
	if auto.Auto {
		b.WriteString(cell(cellMarkRenew, "∞", 1))
	} else {
		b.WriteString(gap)
	}
	b.WriteString(gap)

	name := fit(r.p.Name, c.name)
	if len(match) > 0 {
		b.WriteString(highlight(name, match, p[cellRow][sel], p[cellMatch][sel]))
	} else {
		b.WriteString(p[cellRow][sel].paint(name))
	}

	middle := c.middle()
	if r.err != nil && r.busy == "" && middle > 0 {
		b.WriteString(gap)
		b.WriteString(cell(cellRowError, "✗ "+firstLine(r.err.Error()), middle-1))
	} else {
		for _, col := range [...]struct {
			w int
			s string
		}{{c.source, r.source}, {c.account, r.account}, {c.region, r.p.Region}} {
			if col.w > 0 {
				b.WriteString(gap)
				b.WriteString(cell(cellDim, orDash(col.s), col.w))
			}
		}
	}
	b.WriteString(gap)
	kind, text := l.stateCell(r, now, spin, auto.NeedsUser)
	b.WriteString(cell(kind, text, c.state))
	if pad := l.width - c.width(); pad > 0 {
		b.WriteString(p[cellRow][sel].paint(strings.Repeat(" ", pad)))
	}
	return b.String()
}

// stateCell is the session column: spinner, countdown or a word;
// needsCode marks a session auto-renew cannot renew without a new MFA
// code.
func (l listModel) stateCell(r *row, now time.Time, spin string, needsCode bool) (cellKind, string) {
	switch {
	case r.busy != "":
		return cellBusy, spin + " " + r.busy + "…"
	case r.sess == nil && r.needLogin:
		return cellUrgent, "login needed"
	case r.sess == nil:
		return cellDim, "–"
	case expiresNever(r.sess):
		return cellPlenty, "no expiry"
	}
	left := r.sess.Expires().Sub(now)
	text := formatLeft(left)
	if needsCode {
		return cellUrgent, "MFA? " + text
	}
	switch urgencyOf(left) {
	case urgencyExpired:
		return cellExpired, "✗ expired"
	case urgencyUrgent:
		return cellUrgent, "● " + text
	case urgencySoon:
		return cellSoon, "● " + text
	default:
		return cellPlenty, "● " + text
	}
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
