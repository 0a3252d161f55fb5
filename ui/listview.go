package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/termsafe"
)

// View renders the column header and the visible rows only, exactly
// width × height.
func (l listModel) View() string {
	cols := layoutColumns(l.width, l.content).fill(l.width, l.content)
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
			l.match.score(r.name, &idx)
			match = idx
		}
		b.WriteByte('\n')
		b.WriteString(l.renderRow(r, match, i == l.cursor, cols, now))
	}
	lines := 1 + end - l.offset
	if len(l.visible) == 0 {
		msg := "  no role profiles: tab shows every profile"
		if l.pattern != "" {
			msg = "  nothing matches \"" + termsafe.Clean(l.pattern) + "\": esc clears the filter"
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

// CountdownShown reports whether a visible row shows a session's time
// left, which changes every second.
func (l listModel) CountdownShown(now time.Time) bool {
	end := min(l.offset+l.pageRows(), len(l.visible))
	for i := l.offset; i < end; i++ {
		if s := l.rows[l.visible[i]].sess; s != nil && !expiresNever(s) && s.Expires().After(now.Add(-time.Minute)) {
			return true
		}
	}
	return false
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
func (l listModel) renderRow(r *row, match []int, selected bool, c columns, now time.Time) string {
	sel := 0
	if selected {
		sel = 1
	}
	p := &l.c.paint
	cell := func(k cellKind, text string, w int) string { return p[k][sel].paint(fit(text, w)) }
	gap := p[cellRow][sel].paint(" ")

	var b strings.Builder
	b.Grow(l.width * 3)
	// Markers: ▌ for the cursor, ◆ for the profile [default] holds (✗ for
	// a broken one), ∞ for auto-renew.
	if selected {
		b.WriteString(cell(cellPointer, "▌", 1))
	} else {
		b.WriteString(" ")
	}
	switch {
	case r.broken():
		b.WriteString(cell(cellRowError, "✗", 1))
	case l.inDefault(r):
		b.WriteString(cell(cellMarkDefault, "◆", 1))
	default:
		b.WriteString(gap)
	}
	auto := l.c.renewer.Status(r.p.Name)
	if auto.Auto {
		b.WriteString(cell(cellMarkRenew, "∞", 1))
	} else {
		b.WriteString(gap)
	}
	b.WriteString(gap)

	name := fit(r.name, c.name)
	base := p[cellRow][sel]
	if r.broken() {
		base = p[cellRowError][sel]
	}
	if len(match) > 0 {
		b.WriteString(highlight(name, match, base, p[cellMatch][sel]))
	} else {
		b.WriteString(base.paint(name))
	}

	middle := c.middle()
	switch {
	case r.broken():
		// Nothing to count down: the reason takes the session column too.
		b.WriteString(gap)
		b.WriteString(cell(cellRowError, r.problem, middle+c.state))
	case r.err != nil && r.busy == "" && middle > 0:
		b.WriteString(gap)
		b.WriteString(cell(cellRowError, "✗ "+termsafe.Clean(problemText(r.err, r.p.Name)), middle-1))
		b.WriteString(gap)
		kind, text := l.stateCell(r, now, auto.NeedsUser)
		b.WriteString(cell(kind, text, c.state))
	default:
		for _, col := range [...]struct {
			w int
			s string
		}{{c.source, r.source}, {c.account, r.p.AccountID()}, {c.region, r.p.Region()}} {
			if col.w > 0 {
				b.WriteString(gap)
				b.WriteString(cell(cellDim, orDash(termsafe.Clean(col.s)), col.w))
			}
		}
		b.WriteString(gap)
		kind, text := l.stateCell(r, now, auto.NeedsUser)
		b.WriteString(cell(kind, text, c.state))
	}
	if pad := l.width - c.width(); pad > 0 {
		b.WriteString(p[cellRow][sel].paint(strings.Repeat(" ", pad)))
	}
	return b.String()
}

// stateCell is the session column: spinner, countdown or a word;
// needsCode marks a session auto-renew cannot renew without a new MFA
// code.
func (l listModel) stateCell(r *row, now time.Time, needsCode bool) (cellKind, string) {
	switch {
	case r.cancelling:
		return cellBusy, l.spin + " cancelling…"
	case r.busy != "":
		return cellBusy, l.spin + " " + r.busy.busyText() + "…"
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

// StatusView is the line under the list, the full width of the
// terminal: the filter (its input while typing) or the legend, and where
// the cursor is.
func (l listModel) StatusView(width int) string {
	st := l.c.styles
	what := "roles"
	if l.showAll {
		what = "profiles"
	}
	count := fmt.Sprintf("%d/%d %s", min(l.cursor+1, len(l.visible)), len(l.visible), what)
	if len(l.base) != len(l.visible) {
		count += fmt.Sprintf(" (of %d)", len(l.base))
	}
	var left string
	switch {
	case l.filtering:
		left = l.filter.View()
	case l.pattern != "":
		left = st.FilterOn.Render("filter: "+termsafe.Clean(l.pattern)) + st.Dim.Render("  esc clears")
	default:
		left = st.Dim.Render("◆ in [default] · ∞ auto-renew · ✗ broken · tab roles/all")
	}
	right := st.Dim.Render(count)
	rw := lipgloss.Width(right)
	if rw+2 > width {
		return ansi.Truncate(left, width, "…")
	}
	// The count stays; the left part gives way.
	left = ansi.Truncate(left, width-rw-1, "…")
	return left + strings.Repeat(" ", width-lipgloss.Width(left)-rw) + right
}
