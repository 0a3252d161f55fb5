package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/termsafe"
)

// exportKeyMap is what the export view answers to.
type exportKeyMap struct {
	Up, Down, PageUp, PageDown key.Binding
	Copy                       key.Binding
	Close                      key.Binding
}

func defaultExportKeyMap() exportKeyMap {
	return exportKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/↓", "scroll")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↑/↓", "scroll")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " "), key.WithHelp("pgdn", "page down")),
		Copy:     key.NewBinding(key.WithKeys("c", "y"), key.WithHelp("c", "copy to clipboard")),
		Close:    key.NewBinding(key.WithKeys("esc", "e", "q"), key.WithHelp("esc", "close")),
	}
}

// exportClosedMsg says the export view was closed.
type exportClosedMsg struct{}

// exportModel shows text with a secret in it that the user asked for: a
// session's export lines, or a console sign-in URL no browser took. Every
// line is shown whole: a line wider than the view wraps (a session token
// does, at any width), and lines that do not fit scroll. Selecting
// wrapped text in a terminal copies the breaks too, so the copy key puts
// the text on the clipboard as it is.
type exportModel struct {
	c       *common
	keys    exportKeyMap
	profile string
	title   string
	note    string   // shown above the text, not copied
	text    string   // the lines as they are, for the clipboard
	lines   []string // note and text wrapped to the view, control characters escaped
	offset  int
	width   int
	height  int
}

func newExport(c *common) exportModel { return exportModel{c: c, keys: defaultExportKeyMap()} }

// Open shows text, the secret of profile the user asked for, under title
// and an optional note.
func (e *exportModel) Open(profile, title, note, text string) {
	e.profile, e.title, e.note, e.text, e.offset = profile, title, note, text, 0
	e.rewrap()
}

// Close forgets the lines.
func (e *exportModel) Close() {
	*e = exportModel{c: e.c, keys: e.keys, width: e.width, height: e.height}
}

// SetSize sets the view's outer size, border included.
func (e *exportModel) SetSize(w, h int) {
	e.width, e.height = w, h
	e.rewrap()
}

func (e exportModel) inner() int { return max(e.width-4, 10) }

// room is the lines of text the view shows: the border, the title and the
// footer take four.
func (e exportModel) room() int { return max(e.height-4, 1) }

func (e *exportModel) rewrap() {
	e.lines = e.lines[:0]
	for _, part := range []string{e.note, e.text} {
		if part == "" {
			continue
		}
		for _, l := range strings.Split(strings.TrimRight(part, "\n"), "\n") {
			// Hardwrap cuts at the width exactly, so the pieces of a
			// token read on without a gap.
			e.lines = append(e.lines, strings.Split(ansi.Hardwrap(termsafe.Clean(l), e.inner(), false), "\n")...)
		}
	}
	e.offset = min(e.offset, e.maxOffset())
}

func (e exportModel) maxOffset() int { return max(len(e.lines)-e.room(), 0) }

func (e *exportModel) scroll(n int) { e.offset = min(max(e.offset+n, 0), e.maxOffset()) }

// Update scrolls, copies and closes.
func (e exportModel) Update(msg tea.Msg) (exportModel, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return e, nil
	}
	switch {
	case key.Matches(k, e.keys.Close):
		return e, func() tea.Msg { return exportClosedMsg{} }
	case key.Matches(k, e.keys.Copy):
		return e, func() tea.Msg { return copyRequestMsg{profile: e.profile, text: e.text} }
	case key.Matches(k, e.keys.Up):
		e.scroll(-1)
	case key.Matches(k, e.keys.Down):
		e.scroll(1)
	case key.Matches(k, e.keys.PageUp):
		e.scroll(-max(e.room()-1, 1))
	case key.Matches(k, e.keys.PageDown):
		e.scroll(max(e.room()-1, 1))
	}
	return e, nil
}

// ShortHelp implements help.KeyMap.
func (e exportModel) ShortHelp() []key.Binding {
	return bindings(e.keys.Copy, e.keys.Down, e.keys.Close)
}

// FullHelp implements help.KeyMap.
func (e exportModel) FullHelp() [][]key.Binding {
	return [][]key.Binding{bindings(e.keys.Copy, e.keys.Down, e.keys.PageUp, e.keys.PageDown, e.keys.Close)}
}

// View renders the view, exactly width × height.
func (e exportModel) View() string {
	st := e.c.styles
	inner := e.inner()
	title := termsafe.Clean(e.title)
	end := min(e.offset+e.room(), len(e.lines))
	body := e.lines[e.offset:end]
	foot := "c copies them whole · esc closes"
	if len(e.lines) > e.room() {
		foot = fmt.Sprintf("lines %d–%d of %d · ↑/↓ scroll · %s", e.offset+1, end, len(e.lines), foot)
	}
	parts := make([]string, 0, e.room()+2)
	parts = append(parts, st.ModalTitle.Render(ansi.Truncate(title, inner, "…")))
	for _, l := range body {
		parts = append(parts, st.Value.Render(l))
	}
	for range e.room() - len(body) {
		parts = append(parts, "")
	}
	parts = append(parts, st.Help.Render(ansi.Truncate(foot, inner, "…")))
	return st.Modal.Padding(0, 1).Width(e.width).Height(e.height).Render(strings.Join(parts, "\n"))
}
