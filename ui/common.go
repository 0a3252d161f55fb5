package ui

import (
	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/rolecall/rolecall/session"
	"time"
)

// common is what every child reads and nobody but the root changes:
// styles, keys, the clock, and what the session package says of a
// profile (its plan, its auto-renew state).
type common struct {
	styles  Styles
	keys    KeyMap
	now     func() time.Time
	renewer *session.Renewer
	plan    func(profile string) (session.Plan, error)
	isDark  bool
	noColor bool
	// paint is styles as escape codes, for the list's rows.
	paint painters
	// shortPath shows a file path the way the header does (~ for the home
	// directory).
	shortPath func(string) string
	// after is tea.Tick: the clock's ticks and the spinner's frames wait
	// through it, so that tests can run time themselves.
	after func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// selected adds the selection highlight to a cell's style.
func (c *common) selected(s lipgloss.Style) lipgloss.Style {
	if c.noColor {
		return s.Reverse(true)
	}
	return s.Background(c.styles.SelectedBg).Bold(true)
}

// child is what every child model offers besides its own Update and View:
// a size, and its keys for the help bar (soft-serve's Component).
type child interface {
	help.KeyMap
	SetSize(width, height int)
}

// The children, checked here so that each keeps the shape.
var (
	_ child = (*listModel)(nil)
	_ child = (*detailModel)(nil)
	_ child = (*mfaModel)(nil)
	_ child = (*exportModel)(nil)
	_ child = (*confirmModel)(nil)
)

// bindings is a short way to write a help row.
func bindings(b ...key.Binding) []key.Binding { return b }
