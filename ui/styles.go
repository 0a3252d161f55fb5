package ui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles holds every style the UI draws with. NewStyles builds it once per
// background change; nothing else creates styles.
type Styles struct {
	Title     lipgloss.Style
	DemoLabel lipgloss.Style
	Files     lipgloss.Style
	Warning   lipgloss.Style
	Hint      lipgloss.Style

	ColumnHead  lipgloss.Style
	Row         lipgloss.Style
	Dim         lipgloss.Style
	Match       lipgloss.Style
	MarkDefault lipgloss.Style
	MarkRenew   lipgloss.Style
	RowError    lipgloss.Style

	// Countdown colours by urgency.
	Plenty  lipgloss.Style
	Soon    lipgloss.Style
	Urgent  lipgloss.Style
	Expired lipgloss.Style
	Busy    lipgloss.Style

	Pane      lipgloss.Style
	PaneTitle lipgloss.Style
	Label     lipgloss.Style
	Value     lipgloss.Style
	Pos       lipgloss.Style
	Problem   lipgloss.Style

	BannerError lipgloss.Style
	BannerInfo  lipgloss.Style
	Confirm     lipgloss.Style
	Modal       lipgloss.Style
	ModalTitle  lipgloss.Style
	FilterOn    lipgloss.Style
	Help        lipgloss.Style

	// SelectedBg is the selection's background, which common.selected
	// lays under a cell's own style.
	SelectedBg color.Color
}

// NewStyles returns the styles for a dark or light background. With
// noColor every style keeps only attributes (bold, reverse), so NO_COLOR
// terminals still show the selection and urgency words.
func NewStyles(isDark, noColor bool) Styles {
	ld := lipgloss.LightDark(isDark)
	c := func(light, dark string) color.Color {
		if noColor {
			return lipgloss.NoColor{}
		}
		return ld(lipgloss.Color(light), lipgloss.Color(dark))
	}
	accent := c("#5A3FC0", "#B7A6FF")
	subtle := c("#8A8A8A", "#6C6C6C")
	text := c("#1E1E1E", "#E4E4E4")
	green := c("#1F7A3A", "#5FD787")
	yellow := c("#8A6A00", "#F2D45C")
	orange := c("#B34700", "#FF8F40")
	red := c("#B0182A", "#FF5F6D")
	blue := c("#1F5FA8", "#6CB6FF")
	selBg := c("#E4DEFF", "#3A3260")

	s := Styles{SelectedBg: selBg}
	s.Title = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.DemoLabel = lipgloss.NewStyle().Bold(true).Reverse(noColor).
		Foreground(c("#FFFFFF", "#1E1E1E")).Background(c("#B34700", "#FF8F40")).Padding(0, 1)
	s.Files = lipgloss.NewStyle().Foreground(subtle)
	s.Warning = lipgloss.NewStyle().Foreground(yellow)
	s.Hint = lipgloss.NewStyle().Foreground(blue)

	s.ColumnHead = lipgloss.NewStyle().Bold(true).Foreground(subtle)
	s.Row = lipgloss.NewStyle().Foreground(text)
	s.Dim = lipgloss.NewStyle().Foreground(subtle)
	s.Match = lipgloss.NewStyle().Underline(true).Foreground(accent)
	s.MarkDefault = lipgloss.NewStyle().Bold(true).Foreground(yellow)
	s.MarkRenew = lipgloss.NewStyle().Bold(true).Foreground(blue)
	s.RowError = lipgloss.NewStyle().Foreground(red)

	s.Plenty = lipgloss.NewStyle().Foreground(green)
	s.Soon = lipgloss.NewStyle().Foreground(yellow)
	s.Urgent = lipgloss.NewStyle().Bold(true).Foreground(orange)
	s.Expired = lipgloss.NewStyle().Foreground(red)
	s.Busy = lipgloss.NewStyle().Foreground(accent)

	s.Pane = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(subtle).Padding(0, 1)
	s.PaneTitle = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.Label = lipgloss.NewStyle().Foreground(subtle)
	s.Value = lipgloss.NewStyle().Foreground(text)
	s.Pos = lipgloss.NewStyle().Foreground(subtle).Italic(true)
	s.Problem = lipgloss.NewStyle().Foreground(red)

	s.BannerError = lipgloss.NewStyle().Foreground(red).Bold(true)
	s.BannerInfo = lipgloss.NewStyle().Foreground(green)
	s.Confirm = lipgloss.NewStyle().Foreground(orange).Bold(true)
	s.Modal = lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(1, 2)
	s.ModalTitle = lipgloss.NewStyle().Bold(true).Foreground(accent)
	s.FilterOn = lipgloss.NewStyle().Foreground(accent)
	s.Help = lipgloss.NewStyle().Foreground(subtle)
	return s
}
