package ui

import (
	"charm.land/bubbles/v2/key"
	"fmt"
	"strings"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
)

// layout is where each part goes for the current size and state.
type layout struct {
	header      []string
	listW       int
	bodyH       int
	detailW     int // side by side when > 0
	detailH     int // below the list when > 0
	fullDetails bool
}

// layoutKey is everything the layout depends on; relayout does nothing
// while it stays the same.
type layoutKey struct {
	w, h                          int
	banner, fullHelp, details, dk bool
}

// Side by side needs room for a readable list next to the pane.
const (
	sideBySideWidth = 120
	stackedHeight   = 32
)

func (m *Model) setSize(w, h int) {
	m.width, m.height = max(w, 20), max(h, 6)
	m.help.SetWidth(m.width)
	m.relayout()
}

// relayout recomputes the layout; it is cheap and runs after every Update
// because banners, help and warnings change the space the list gets.
func (m *Model) relayout() {
	key := layoutKey{m.width, m.height, m.banner != "", m.help.ShowAll, m.showDetails, m.c.isDark}
	if key == m.layKey && m.lay.header != nil {
		return
	}
	m.layKey = key
	l := layout{header: m.headerLines()}
	used := len(l.header) + 1 // status line
	if m.banner != "" {
		used++
	}
	m.helpCache = m.helpView()
	used += lipgloss.Height(m.helpCache)
	l.bodyH = max(m.height-used, 2)
	l.listW = m.width
	switch {
	case m.width >= sideBySideWidth:
		l.detailW = min(60, m.width*3/8)
		l.listW = m.width - l.detailW - 1
	case m.height >= stackedHeight:
		l.detailH = min(14, l.bodyH/2)
	default:
		l.fullDetails = m.showDetails
	}
	listH := l.bodyH - l.detailH
	m.list.SetSize(l.listW, listH)
	switch {
	case l.detailW > 0:
		m.detail.SetSize(l.detailW, l.bodyH)
	case l.detailH > 0:
		m.detail.SetSize(m.width, l.detailH)
	default:
		m.detail.SetSize(m.width, l.bodyH)
	}
	m.lay = l
}

func (m *Model) helpView() string {
	return m.c.styles.Help.Render(m.helpText())
}

// helpText is the help bar, or the full help after ?. On a narrow
// terminal the bar drops actions from the end but always keeps "? help"
// and "q quit", so every key stays one press away.
func (m *Model) helpText() string {
	k := m.c.keys
	if m.help.ShowAll {
		return m.help.FullHelpView(k.FullHelp())
	}
	tail := m.help.ShortHelpView([]key.Binding{k.Help, k.Quit})
	h := m.help
	h.SetWidth(max(m.width-lipgloss.Width(tail)-lipgloss.Width(h.ShortSeparator), 1))
	short := k.ShortHelp()
	return h.ShortHelpView(short[:len(short)-2]) + h.Styles.ShortSeparator.Render(h.ShortSeparator) + tail
}

// headerLines are the title with the files in use, then warnings and
// hints, as many as the height allows.
func (m *Model) headerLines() []string {
	st := m.c.styles
	set := m.mgr.Set()
	title := st.Title.Render("rolecall")
	if m.opts.Demo {
		title += " " + st.DemoLabel.Render("demo")
	}
	files := "config " + m.tilde(set.Files.Config) + " · credentials " + m.tilde(set.Files.Credentials)
	room := m.width - lipgloss.Width(title) - 2
	lines := []string{title + "  " + st.Files.Render(ansi.Truncate(files, max(room, 0), "…"))}

	var extra []string
	if m.opts.Demo && m.opts.DemoHint != "" {
		extra = append(extra, st.Hint.Render("› "+m.opts.DemoHint))
	}
	if !set.Files.ConfigExists && !m.opts.Demo {
		extra = append(extra, st.Hint.Render("ℹ no config file at "+m.tilde(set.Files.Config)+
			" yet: add [profile NAME] sections with role_arn and source_profile (or try rolecall demo)"))
	}
	for _, w := range m.opts.Warnings {
		extra = append(extra, st.Warning.Render("⚠ "+w))
	}
	if n := len(set.Problems); n > 0 {
		s := "⚠ " + firstLine(set.Problems[0].Error())
		if n > 1 {
			s += fmt.Sprintf(" (+%d more)", n-1)
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

// tilde shortens a path under the home directory.
func (m *Model) tilde(p string) string {
	if p == "" {
		return "(none)"
	}
	if home := m.opts.Getenv("HOME"); home != "" && strings.HasPrefix(p, home+"/") {
		return "~" + p[len(home):]
	}
	return p
}

// render draws the whole screen.
func (m *Model) render() string {
	st := m.c.styles
	l := m.lay
	parts := make([]string, 0, 8)
	parts = append(parts, l.header...)

	var body string
	switch {
	case l.fullDetails:
		body = m.detailView()
	case l.detailW > 0:
		body = sideBySide(m.list.View(m.spin.View()), m.detailView())
	case l.detailH > 0:
		body = m.list.View(m.spin.View()) + "\n" + m.detailView()
	default:
		body = m.list.View(m.spin.View())
	}
	switch m.state {
	case stateMFA:
		body = overlay(body, m.mfa.View(m.width), m.width, l.bodyH)
	case stateText:
		body = overlay(body, m.text.View(m.width, l.bodyH), m.width, l.bodyH)
	case stateLogin:
		body = overlay(body, m.login.View(m.width), m.width, l.bodyH)
	}
	parts = append(parts, body, m.statusLine())
	if m.banner != "" {
		style := st.BannerInfo
		if m.bannerIsErr {
			style = st.BannerError
		}
		parts = append(parts, style.Render(ansi.Truncate(m.banner, m.width, "…")))
	}
	parts = append(parts, m.helpCache)
	return strings.Join(parts, "\n")
}

func (m *Model) detailView() string {
	r := m.list.Selected()
	return m.detail.View(r, r != nil && m.list.inDefault(r))
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
	return out
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

// statusLine shows the filter and where the cursor is.
func (m *Model) statusLine() string {
	st := m.c.styles
	l := &m.list
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
		left = st.FilterOn.Render("filter: "+l.pattern) + st.Dim.Render("  esc clears")
	default:
		left = st.Dim.Render("/ filter · tab roles/all · i details · ◆ in [default] · ∞ auto-renew")
	}
	right := st.Dim.Render(count)
	gap := m.width - lipgloss.Width(left) - lipgloss.Width(right)
	if gap < 1 {
		return ansi.Truncate(left, m.width, "…")
	}
	return left + strings.Repeat(" ", gap) + right
}
