package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// detailKeyMap is what the details pane answers to when it has the
// keyboard (the whole screen on a small terminal).
type detailKeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
	Close                                 key.Binding
}

func defaultDetailKeyMap() detailKeyMap {
	return detailKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k", "K", "shift+up"), key.WithHelp("↑/↓", "scroll")),
		Down:     key.NewBinding(key.WithKeys("down", "j", "J", "shift+down"), key.WithHelp("↑/↓", "scroll")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+d", " "), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g", "top")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G", "bottom")),
		Close:    key.NewBinding(key.WithKeys("esc", "i"), key.WithHelp("esc/i", "back to the list")),
	}
}

// detailsClosedMsg says the full-screen details pane was closed.
type detailsClosedMsg struct{}

// detailModel is the details pane: the selected profile's chain hop by
// hop with the file:line of each value, its MFA, external id, duration,
// session and problems. Every value is shown whole: long ones wrap, and a
// pane too short for them scrolls.
type detailModel struct {
	c    *common
	keys detailKeyMap
	set  *profiles.Set

	r         *row
	inDefault bool
	// full is the pane alone on the screen, with the keyboard: small
	// terminals show it instead of the list.
	full          bool
	offset        int
	width, height int
	// cache keeps the last lines drawn: the pane is drawn again only when
	// what it shows changes, not on every key in the list or the filter.
	cache *detailCache
}

type detailCache struct {
	key   detailKey
	lines []string
	// view is the pane as last drawn, for viewKey.
	viewKey viewKey
	view    string
}

// viewKey is what the drawn pane depends on besides its lines.
type viewKey struct {
	lines         detailKey
	offset        int
	width, height int
	full          bool
}

// detailKey is everything the pane's lines depend on.
type detailKey struct {
	r                    *row
	sess                 *session.Session
	failed, needLogin    bool
	busy                 op
	inDefault, dark      bool
	width                int
	second               int64 // the clock, for the time left
	auto, waits, running bool
	failures             int
}

func newDetail(c *common, set *profiles.Set) detailModel {
	return detailModel{c: c, keys: defaultDetailKeyMap(), set: set, cache: &detailCache{}}
}

// cachedLines is lines(width), drawn again only when its inputs change.
func (d detailModel) cachedLines(width int) []string {
	k := detailKey{r: d.r, inDefault: d.inDefault, dark: d.c.isDark, width: width}
	if r := d.r; r != nil {
		st := d.c.renewer.Status(r.p.Name)
		k.sess, k.failed, k.needLogin, k.busy = r.sess, r.err != nil, r.needLogin, r.busy
		k.auto, k.waits, k.running, k.failures = st.Auto, st.NeedsUser, st.Running, st.Failures
		if r.sess != nil && !expiresNever(r.sess) {
			k.second = d.c.now().Unix()
		}
	}
	if d.cache == nil {
		return d.lines(width)
	}
	if k != d.cache.key || d.cache.lines == nil {
		d.cache.key, d.cache.lines = k, d.lines(width)
	}
	return d.cache.lines
}

// SetSize sets the outer size of the pane, border included.
func (d *detailModel) SetSize(w, h int) { d.width, d.height = w, h }

// SetRow sets the profile the pane shows; another profile starts at the
// top.
func (d *detailModel) SetRow(r *row, inDefault bool) {
	if r != d.r {
		d.offset = 0
	}
	d.r, d.inDefault = r, inDefault
}

// SetFull says whether the pane has the whole body and the keyboard.
func (d *detailModel) SetFull(full bool) { d.full = full }

// Scroll moves the pane's text by n lines.
func (d *detailModel) Scroll(n int) {
	d.offset = min(max(d.offset+n, 0), d.maxOffset())
}

func (d detailModel) inner() int { return max(d.width-4, 10) }
func (d detailModel) room() int  { return max(d.height-2, 1) }

// maxOffset is the furthest the text scrolls: the last line shows above
// the position line.
func (d detailModel) maxOffset() int {
	n := len(d.cachedLines(d.inner()))
	if n <= d.room() {
		return 0
	}
	return n - (d.room() - 1)
}

// Update scrolls the pane and closes it; it gets keys only while the pane
// has the keyboard.
func (d detailModel) Update(msg tea.Msg) (detailModel, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	page := max(d.room()-2, 1)
	switch {
	case key.Matches(k, d.keys.Close):
		return d, func() tea.Msg { return detailsClosedMsg{} }
	case key.Matches(k, d.keys.Up):
		d.Scroll(-1)
	case key.Matches(k, d.keys.Down):
		d.Scroll(1)
	case key.Matches(k, d.keys.PageUp):
		d.Scroll(-page)
	case key.Matches(k, d.keys.PageDown):
		d.Scroll(page)
	case key.Matches(k, d.keys.Home):
		d.offset = 0
	case key.Matches(k, d.keys.End):
		d.offset = d.maxOffset()
	}
	return d, nil
}

// ShortHelp implements help.KeyMap.
func (d detailModel) ShortHelp() []key.Binding {
	if d.full {
		return bindings(d.keys.Close, d.keys.Down, d.keys.PageDown)
	}
	return bindings(d.c.keys.ScrollDetailsDown)
}

// FullHelp implements help.KeyMap.
func (d detailModel) FullHelp() [][]key.Binding {
	if d.full {
		return [][]key.Binding{bindings(d.keys.Down, d.keys.PageUp, d.keys.PageDown, d.keys.Home, d.keys.End, d.keys.Close)}
	}
	return [][]key.Binding{d.ShortHelp()}
}

// View renders the pane, exactly width × height: the text from the scroll
// offset, and a last line that says where it is when it does not fit.
func (d detailModel) View() string {
	inner := d.inner()
	lines := d.cachedLines(inner)
	if d.cache == nil {
		return d.draw(inner, lines)
	}
	k := viewKey{lines: d.cache.key, offset: d.offset, width: d.width, height: d.height, full: d.full}
	if k != d.cache.viewKey || d.cache.view == "" {
		d.cache.viewKey, d.cache.view = k, d.draw(inner, lines)
	}
	return d.cache.view
}

// draw frames the pane's lines from the scroll offset.
func (d detailModel) draw(inner int, lines []string) string {
	st := d.c.styles
	if room := d.room(); len(lines) > room {
		off := min(d.offset, len(lines)-(room-1))
		shown := lines[off : off+room-1]
		how := "K/J scroll"
		if d.full {
			how = "↑/↓ scroll"
		}
		pos := fmt.Sprintf("lines %d–%d of %d · %s", off+1, off+len(shown), len(lines), how)
		lines = append(shown[:len(shown):len(shown)], st.Dim.Render(ansi.Truncate(pos, inner, "…")))
	}
	return st.Pane.Width(d.width).Height(max(d.height, minPaneHeight)).Render(strings.Join(lines, "\n"))
}

// short shows a position as file:line with the file's base name; the
// header names the full paths.
func short(p profiles.Pos) string {
	if p.File == "" {
		return ""
	}
	return termsafe.Clean((profiles.Pos{File: filepath.Base(p.File), Line: p.Line}).String())
}

// labelWidth is the label column; values wrap under their own column.
const labelWidth = 13

// textLines builds the pane's lines, wrapping every value to the width
// and escaping what came from files or the network.
type textLines struct {
	st    Styles
	width int
	out   []string
}

// wrapText breaks plain text into lines of at most w cells, at spaces
// and the separators of ARNs and paths; a word longer than w is cut.
func wrapText(s string, w int) []string {
	return strings.Split(ansi.Wrap(s, max(w, 4), "/:,"), "\n")
}

// text adds s in style, wrapped to the width: the first line keeps s's
// own indentation, the others are indented by indent.
func (t *textLines) text(style lipgloss.Style, s string, indent int) {
	s = termsafe.Clean(s)
	body := strings.TrimLeft(s, " ")
	lead := len(s) - len(body)
	for i, l := range wrapText(body, t.width-max(lead, indent)) {
		pad := indent
		if i == 0 {
			pad = lead
		}
		t.out = append(t.out, style.Render(strings.Repeat(" ", pad)+l))
	}
}

func (t *textLines) blank() { t.out = append(t.out, "") }

// field adds "Label        value  file:line", the value wrapped under its
// column and the position after it, or under it when it does not fit.
func (t *textLines) field(label, value string, pos profiles.Pos) {
	pad := strings.Repeat(" ", labelWidth)
	head := t.st.Label.Render(fmt.Sprintf("%-*s", labelWidth, label))
	vs := wrapText(termsafe.Clean(value), t.width-labelWidth)
	for i, l := range vs {
		lead := pad
		if i == 0 {
			lead = head
		}
		t.out = append(t.out, lead+t.st.Value.Render(l))
	}
	if ps := short(pos); ps != "" {
		last := len(t.out) - 1
		if textWidth(vs[len(vs)-1])+2+textWidth(ps) <= t.width-labelWidth {
			t.out[last] += "  " + t.st.Pos.Render(ps)
		} else {
			t.out = append(t.out, pad+t.st.Pos.Render(ps))
		}
	}
}

// more adds a dim line under the value column.
func (t *textLines) more(s string) { t.text(t.st.Dim, strings.Repeat(" ", labelWidth)+s, labelWidth) }

func (d detailModel) lines(width int) []string {
	st := d.c.styles
	t := &textLines{st: st, width: width}
	r := d.r
	if r == nil {
		t.text(st.Dim, "No profile selected.", 0)
		return t.out
	}
	p := r.p
	t.out = append(t.out, st.PaneTitle.Render(ansi.Truncate(r.name, width, "…")))
	t.text(st.Dim, string(p.Kind)+" · "+short(p.Pos), 0)
	plan, planErr := d.c.plan(p.Name)
	if p.Chain != nil {
		t.blank()
		t.out = append(t.out, st.Label.Render("Chain"))
		root := p.Chain.Root
		what := r.source
		if root.AccessKeyID != "" {
			what += " " + session.MaskKey(root.AccessKeyID)
		}
		line := fmt.Sprintf(" 1 %s  %s", orDash(root.Profile), what)
		if ps := short(root.Pos); ps != "" {
			line += "  " + ps
		}
		t.text(st.Value, line, 5)
		// Each MFA device shows at the hop that uses it: an MFA session
		// at the profile that names it, a code sent with AssumeRole at
		// its role.
		mfaAt := func(i int, profile string) {
			for _, step := range plan.MFA {
				if step.Hop == i || (step.Session && step.Profile == profile && i <= 0) {
					t.text(st.Dim, "     MFA "+step.Serial, 9)
				}
			}
		}
		mfaAt(-2, root.Profile)
		for i, h := range p.Chain.Roles {
			line := fmt.Sprintf(" %d → %s", i+2, h.Name)
			if ps := short(h.RoleARNPos()); ps != "" {
				line += "  " + ps
			}
			t.text(st.Value, line, 5)
			t.text(st.Dim, "     "+h.RoleARN(), 5)
			if h.ExternalID() != "" {
				t.text(st.Dim, "     external id "+h.ExternalID(), 5)
			}
			mfaAt(i, h.Name)
		}
		t.blank()
	}
	if p.RoleARN() != "" {
		t.field("Role", p.RoleARN(), p.Props.Get("role_arn").Pos)
	}
	if planErr == nil {
		d.planLines(t, p, plan, r.sess)
	}
	if p.ExternalID() != "" {
		t.field("External id", p.ExternalID(), p.Props.Get("external_id").Pos)
	}
	if p.RoleSessionName() != "" {
		t.field("Session name", p.RoleSessionName(), p.Props.Get("role_session_name").Pos)
	}
	d.sessionLines(t, r)
	if d.inDefault {
		t.text(st.MarkDefault, "◆ [default] of the credentials file holds this session", 2)
	}
	if p.Err != nil {
		t.blank()
		t.out = append(t.out, st.Problem.Render("✗ Problem"))
		for _, l := range strings.Split(p.Err.Error(), "\n") {
			t.text(st.Problem, "  "+l, 2)
		}
	}
	if r.err != nil && p.Err == nil {
		t.blank()
		t.out = append(t.out, st.Problem.Render("✗ Last call failed"))
		for _, l := range strings.Split(r.err.Error(), "\n") {
			t.text(st.Problem, "  "+l, 2)
		}
	}
	return t.out
}

// planLines shows what the session package's plan says of the profile:
// its MFA devices, the lifetime asked for and granted, any cap, the
// region.
func (d detailModel) planLines(t *textLines, p *profiles.Profile, plan session.Plan, s *session.Session) {
	for i, step := range plan.MFA {
		label := ""
		if i == 0 {
			label = "MFA"
		}
		how := "sent with the role's AssumeRole"
		if step.Session {
			how = "one MFA session, reused by every role on it"
		}
		t.field(label, step.Serial, d.mfaPos(step.Profile))
		t.more(how)
	}
	if len(plan.MFA) == 0 && p.Kind == profiles.KindRole {
		t.field("MFA", "none", profiles.Pos{})
	}
	granted := ""
	if s != nil {
		if life := s.Lifetime(); life > 0 {
			// The lifetime runs from before the call to an expiry STS
			// gives in whole seconds: 8m59.6s is a 9-minute session.
			if life >= time.Minute {
				life = life.Round(time.Minute)
			}
			granted = " · granted " + session.HumanDuration(life)
		}
	}
	switch {
	case plan.Requested > 0:
		asked := plan.Requested
		if s != nil && s.Requested > 0 {
			// What this session was asked for, which a later --duration
			// may have changed.
			asked = s.Requested
		}
		by := " (the STS default)"
		switch plan.RequestedBy {
		case "--duration":
			by = " (--duration)"
		case "duration_seconds":
			by = ""
		}
		verb := "asks for "
		if granted != "" {
			verb = "asked "
		}
		t.field("Duration", verb+session.HumanDuration(asked)+by+granted, p.Props.Get("duration_seconds").Pos)
		if plan.Capped {
			t.more("chained: STS grants at most " + session.HumanDuration(profiles.ChainedMax))
		}
	case p.Chain != nil:
		t.field("Duration", "set by the source"+granted, profiles.Pos{})
	}
	switch {
	case plan.Region == "":
		t.field("Region", "no region set", profiles.Pos{})
	case plan.Region == p.Region():
		t.field("Region", plan.Region, p.Props.Get("region").Pos)
	default:
		t.field("Region", plan.Region, profiles.Pos{})
		t.more("from --region or the environment")
	}
}

func (d detailModel) sessionLines(t *textLines, r *row) {
	st := d.c.styles
	if r.sess == nil {
		if r.p.Err == nil {
			t.out = append(t.out, st.Label.Render(fmt.Sprintf("%-*s", labelWidth, "Session"))+st.Dim.Render("none · enter assumes"))
		}
		return
	}
	s := r.sess
	now := d.c.now()
	state := "no expiry"
	if exp := s.Expires(); !exp.IsZero() {
		state = sessionState(exp, now)
	}
	t.field("Session", state, profiles.Pos{})
	if s.Source != "" {
		t.more("from " + s.Source)
	}
	if s.AssumedRoleARN != "" {
		t.more(s.AssumedRoleARN)
	}
	if s.Creds.AccessKeyID != "" {
		t.more("key " + session.MaskKey(s.Creds.AccessKeyID))
	}
	if auto := d.c.renewer.Status(r.p.Name); auto.Auto {
		line := "auto-renew on"
		switch {
		case auto.NeedsUser:
			line += " · waits for a new MFA code (press r)"
		case auto.Failures > 0:
			line += fmt.Sprintf(" · %d failed in a row", auto.Failures)
		}
		t.more(line)
	}
	for _, n := range s.Notes {
		t.text(st.Warning, strings.Repeat(" ", labelWidth)+n, labelWidth)
	}
}

// mfaPos is where profile's mfa_serial is written.
func (d detailModel) mfaPos(profile string) profiles.Pos {
	if d.set == nil {
		return profiles.Pos{}
	}
	if q := d.set.Get(profile); q != nil {
		return q.Props.Get("mfa_serial").Pos
	}
	return profiles.Pos{}
}

// sessionState is the details' word on a session that expires: the time
// left and when it ends, or, from its end on, when it ended.
func sessionState(exp, now time.Time) string {
	at := exp.In(now.Location()).Format("15:04:05")
	if !exp.After(now) {
		return "expired at " + at
	}
	return formatLeft(exp.Sub(now)) + " left · expires " + at
}
