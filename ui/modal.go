package ui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// textModal shows a block of text (the export lines) until esc.
type textModal struct {
	c     *common
	title string
	body  string
	foot  string
}

// View renders the modal, cutting lines that do not fit: the export lines
// are meant to be copied, so they are never wrapped.
func (t textModal) View(width, height int) string {
	st := t.c.styles
	inner := max(width-8, 20)
	lines := strings.Split(strings.TrimRight(t.body, "\n"), "\n")
	if room := height - 8; room > 0 && len(lines) > room {
		lines = lines[:room]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, inner, "…")
	}
	body := st.ModalTitle.Render(t.title) + "\n\n" + st.Value.Render(strings.Join(lines, "\n"))
	if t.foot != "" {
		body += "\n\n" + st.Help.Render(t.foot)
	}
	return st.Modal.Padding(1, 1).MaxWidth(width).Render(body)
}
