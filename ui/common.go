package ui

import (
	"time"

	"charm.land/lipgloss/v2"
	"github.com/rolecall/rolecall/session"
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
}

// selected adds the selection highlight to a cell's style.
func (c *common) selected(s lipgloss.Style) lipgloss.Style {
	if c.noColor {
		return s.Reverse(true)
	}
	return s.Background(c.styles.SelectedBg).Bold(true)
}
