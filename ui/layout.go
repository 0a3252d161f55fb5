package ui

import (
	"fmt"
	"path/filepath"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/termsafe"
)

// layout is where each part goes for the current size and state. Every
// line of the frame is counted here, so that the frame is never taller
// than the terminal.
type layout struct {
	header []string
	banner []string
	help   string
	listW  int
	bodyH  int
	// detailW > 0: the pane beside the list; detailH > 0: below it;
	// fullDetails: instead of it.
	detailW     int
	detailH     int
	fullDetails bool
}

// The pane goes beside the list from this width, below it from this
// height; on smaller terminals i shows it instead of the list.
const (
	sideBySideWidth = 120
	stackedHeight   = 32
	// The side pane's width: enough for an ARN on one line, no more
	// than reads well.
	minPaneWidth = 48
	maxPaneWidth = 84
	// minBody is the fewest lines the list (with its header) keeps:
	// banners and warnings give way first.
	minBody = 3
)

func (m *Model) setSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 6)
	m.help.SetWidth(m.width)
	m.relayout()
}

// roomy reports whether the terminal has room for the details pane next
// to (or under) the list.
func (m *Model) roomy() bool { return m.width >= sideBySideWidth || m.height >= stackedHeight }

// relayout recomputes the layout; it runs after every Update because
// banners, help, modals and warnings change the space the list gets.
func (m *Model) relayout() {
	// Whether the details take the whole body decides what has focus,
	// and so the help bar: it comes first.
	full := m.detailsVisible() && m.width < sideBySideWidth && m.height < stackedHeight
	m.lay.fullDetails = full
	m.detail.SetFull(full)
	l := layout{header: m.headerLines(), help: m.helpView(), fullDetails: full}
	helpH := lipgloss.Height(l.help)
	// A banner takes as many lines as it needs, up to a sixth of the
	// terminal; the confirmation question takes what it needs.
	if m.state == stateConfirm {
		m.confirm.SetSize(m.width, 0)
		l.banner = strings.Split(m.confirm.View(), "\n")
	} else {
		l.banner = m.bannerLines(max(1, min(4, m.height/6)))
	}
	used := func() int { return len(l.header) + len(l.banner) + 1 + helpH }
	for m.height-used() < minBody && len(l.header) > 1 {
		l.header = l.header[:len(l.header)-1]
	}
	for m.height-used() < minBody && len(l.banner) > 1 {
		l.banner = m.shorterBanner(l.banner)
	}
	l.bodyH = max(m.height-used(), 1)
	l.listW = m.width
	if m.detailsVisible() && !full && l.bodyH >= minPaneHeight {
		if m.width >= sideBySideWidth {
			// The list keeps what its columns need next to a pane of the
			// least width; the pane gets the rest, within bounds.
			l.detailW = min(max(m.width-m.list.WidthAt(m.width-minPaneWidth-1)-1, minPaneWidth), maxPaneWidth)
			l.listW = m.width - l.detailW - 1
		} else {
			l.detailH = min(16, l.bodyH/2)
		}
	}
	m.list.SetSize(l.listW, l.bodyH-l.detailH)
	switch {
	case l.detailW > 0:
		m.detail.SetSize(l.detailW, l.bodyH)
	case l.detailH > 0:
		m.detail.SetSize(m.width, l.detailH)
	default:
		m.detail.SetSize(m.width, l.bodyH)
	}
	r := m.list.Selected()
	m.detail.SetRow(r, r != nil && m.list.inDefault(r))
	m.export.SetSize(m.width, l.bodyH)
	m.mfa.SetSize(m.width, l.bodyH)
	m.lay = l
}

// focused is the child whose keys the help bar shows.
func (m *Model) focused() help.KeyMap {
	switch {
	case m.state == stateMFA:
		return m.mfa
	case m.state == stateExport:
		return m.export
	case m.state == stateConfirm:
		return m.confirm
	case m.lay.fullDetails:
		return m.detail
	}
	return m.list
}

// takesText reports whether the focused child takes typed text, so that
// the root's own keys (q, ?) do not apply.
func (m *Model) takesText() bool {
	return m.state == stateMFA || m.state == stateConfirm || m.list.Filtering()
}

// helpView is the help bar: the focused child's keys, then the root's
// (esc, help, quit) unless the child takes text. On a narrow terminal the
// bar drops keys from the end but keeps "? help" and "q quit", so every
// key stays one press away. After ? it is the full help.
func (m *Model) helpView() string {
	k := helpKey{focus: m.focusName(), all: m.help.ShowAll, width: m.width, dark: m.c.isDark}
	if k == m.helpKey && m.helpCache != "" {
		return m.helpCache
	}
	m.helpKey, m.helpCache = k, m.renderHelp()
	return m.helpCache
}

// helpKey is everything the help bar depends on: it is drawn again only
// when that changes, not on every tick.
type helpKey struct {
	focus string
	all   bool
	width int
	dark  bool
}

// focusName names what has focus, for helpKey.
func (m *Model) focusName() string {
	switch {
	case m.state == stateMFA:
		return "mfa"
	case m.state == stateExport:
		return "export"
	case m.state == stateConfirm:
		return "confirm"
	case m.list.Filtering():
		return "filter"
	case m.lay.fullDetails:
		return "details"
	}
	return "list"
}

func (m *Model) renderHelp() string {
	child := m.focused()
	var global []key.Binding
	if !m.takesText() && m.state != stateExport {
		global = m.c.keys.globalKeys()
	}
	if m.help.ShowAll {
		cols := child.FullHelp()
		if global != nil {
			cols = append(cols, global)
		}
		return m.c.styles.Help.Render(m.help.FullHelpView(cols))
	}
	short := child.ShortHelp()
	if global == nil {
		return m.c.styles.Help.Render(shortHelp(m.help, short))
	}
	tail := m.help.ShortHelpView(global[1:]) // esc goes in the full help
	h := m.help
	h.SetWidth(max(m.width-lipgloss.Width(tail)-lipgloss.Width(h.ShortSeparator), 1))
	return m.c.styles.Help.Render(shortHelp(h, short) + h.Styles.ShortSeparator.Render(h.ShortSeparator) + tail)
}

// headerLines are the title with the files in use, then warnings and
// hints, as many as the height allows. They change only with the size and
// the colours, so they are drawn again only then, not on every key.
func (m *Model) headerLines() []string {
	k := headerKey{width: m.width, height: m.height, dark: m.c.isDark}
	if k != m.headerKey || m.headerCache == nil {
		m.headerKey, m.headerCache = k, m.renderHeader()
	}
	return m.headerCache
}

// headerKey is everything the header depends on.
type headerKey struct {
	width, height int
	dark          bool
}

// renderHeader draws the header. Every value in it came from the
// environment or the files, so each is escaped.
func (m *Model) renderHeader() []string {
	st := m.c.styles
	set := m.mgr.Set()
	title := st.Title.Render("rolecall")
	if m.opts.Demo {
		title += " " + st.DemoLabel.Render("demo")
	}
	files := filesText(m.c.shortPath(set.Files.Config), m.c.shortPath(set.Files.Credentials))
	room := m.width - lipgloss.Width(title) - 2
	lines := []string{title + "  " + st.Files.Render(ansi.Truncate(files, max(room, 0), "…"))}

	var extra []string
	if m.opts.Demo && m.opts.DemoHint != "" {
		extra = append(extra, st.Hint.Render("› "+termsafe.Clean(m.opts.DemoHint)))
	}
	if !set.Files.ConfigExists && !m.opts.Demo {
		extra = append(extra, st.Hint.Render("ℹ no config file at "+m.c.shortPath(set.Files.Config)+
			" yet: add [profile NAME] sections with role_arn and source_profile (or try rolecall demo)"))
	}
	if n := m.broken; n > 0 {
		s := fmt.Sprintf("✗ %d profiles have problems: select one and press i", n)
		if n == 1 {
			s = "✗ 1 profile has a problem: select it and press i"
		}
		extra = append(extra, st.Problem.Render(s))
	}
	for _, w := range m.opts.Warnings {
		extra = append(extra, st.Warning.Render("⚠ "+termsafe.Clean(w)))
	}
	if n := len(set.Problems); n > 0 {
		s := "⚠ " + termsafe.Clean(firstLine(set.Problems[0].Error()))
		if n > 1 {
			s += fmt.Sprintf(" (+%d more: rolecall list shows them)", n-1)
		}
		extra = append(extra, st.Warning.Render(s))
	}
	limit := max(1, m.height/6)
	if len(extra) > limit {
		more := len(extra) - limit + 1
		extra = append(extra[:limit-1], st.Warning.Render(fmt.Sprintf("⚠ %d more warnings: widen or heighten the terminal", more)))
	}
	for _, e := range extra {
		lines = append(lines, ansi.Truncate(e, m.width, "…"))
	}
	return lines
}

// filesText names the two files, once when they share a directory.
func filesText(config, creds string) string {
	if dir := filepath.Dir(config); dir == filepath.Dir(creds) && dir != "." {
		return fmt.Sprintf("files %s%c{%s, %s}", dir, filepath.Separator, filepath.Base(config), filepath.Base(creds))
	}
	return "config " + config + " · credentials " + creds
}

// tilde shortens a path under the home directory, and escapes it.
func tilde(p, home string) string {
	if p == "" {
		return "(none)"
	}
	if home != "" && strings.HasPrefix(p, home+string(filepath.Separator)) {
		p = "~" + p[len(home):]
	}
	return termsafe.Clean(p)
}

// render draws the whole screen: never more lines than the terminal has.
func (m *Model) render() string {
	l := m.lay
	parts := make([]string, 0, 16)
	parts = append(parts, l.header...)

	var body string
	switch {
	case m.state == stateExport:
		body = m.export.View()
	case l.fullDetails:
		body = m.detail.View()
	case l.detailW > 0:
		body = sideBySide(m.list.View(), m.detail.View())
	case l.detailH > 0:
		body = m.list.View() + "\n" + m.detail.View()
	default:
		body = m.list.View()
	}
	switch m.state {
	case stateMFA:
		body = overlay(body, m.mfa.View(), m.width, l.bodyH)
	case stateLogin:
		body = overlay(body, m.login.View(m.width), m.width, l.bodyH)
	}
	parts = append(parts, body, m.list.StatusView(m.width))
	parts = append(parts, l.banner...)
	parts = append(parts, l.help)
	out := strings.Join(parts, "\n")
	if n := strings.Count(out, "\n") + 1; n > m.height {
		// A last guard: nothing goes below the terminal's last line.
		lines := strings.Split(out, "\n")
		out = strings.Join(lines[:m.height], "\n")
	}
	return out
}

// overlay draws a modal centred over the body, which stays visible
// around it.
func overlay(body, modal string, w, h int) string {
	mw, mh := lipgloss.Size(modal)
	out := lipgloss.NewCompositor(
		lipgloss.NewLayer(body),
		lipgloss.NewLayer(modal).X(max((w-mw)/2, 0)).Y(max((h-mh)/2, 0)).Z(1),
	).Render()
	// The compositor trims trailing blank lines; the status line must not
	// move up.
	if n := strings.Count(out, "\n") + 1; n < h {
		out += strings.Repeat("\n", h-n)
	}
	return firstLines(out, h)
}

// sideBySide joins two blocks line by line; the list's lines all have the
// same width already, so nothing needs measuring.
func sideBySide(left, right string) string {
	ll, rl := strings.Split(left, "\n"), strings.Split(right, "\n")
	pad := ""
	if len(ll) > 0 {
		pad = strings.Repeat(" ", ansi.StringWidth(ll[0]))
	}
	var b strings.Builder
	for i := range max(len(ll), len(rl)) {
		if i > 0 {
			b.WriteByte('\n')
		}
		if i < len(ll) {
			b.WriteString(ll[i])
		} else {
			b.WriteString(pad)
		}
		b.WriteByte(' ')
		if i < len(rl) {
			b.WriteString(rl[i])
		}
	}
	return b.String()
}

// shortHelp is h's one-line help, kept to h's width: bubbles' help adds
// every remaining key once its "…" no longer fits beside the keys shown,
// which made the bar far wider than the terminal at some widths.
func shortHelp(h help.Model, b []key.Binding) string {
	return ansi.Truncate(h.ShortHelpView(b), h.Width(), "…")
}

// firstLines is s's first n lines: a modal taller than the body it is
// drawn over is cut there, so that the status line and the help bar below
// the body stay on screen.
func firstLines(s string, n int) string {
	i := 0
	for range n {
		j := strings.IndexByte(s[i:], '\n')
		if j < 0 {
			return s
		}
		i += j + 1
	}
	return s[:i-1]
}

// minPaneHeight is the fewest lines the framed details pane takes: a body
// shorter than that shows the list alone.
const minPaneHeight = 3
