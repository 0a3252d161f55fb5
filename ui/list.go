package ui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/profiles"
)

// filterKeyMap is what the filter's input answers to besides text.
type filterKeyMap struct {
	Keep  key.Binding // leave the input, keep the filter
	Clear key.Binding // leave the input, drop the filter
	Move  key.Binding // leave the input and move at once
}

func defaultFilterKeyMap() filterKeyMap {
	return filterKeyMap{
		Keep:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "keep filter")),
		Clear: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter")),
		Move:  key.NewBinding(key.WithKeys("up", "down"), key.WithHelp("↑/↓", "move")),
	}
}

// listModel is the profile list: roles first, a fuzzy filter, and a
// window of visible rows so that 10,000 profiles cost what 30 do.
type listModel struct {
	c     *common
	fkeys filterKeyMap
	rows  []*row  // roles first, then the rest, each by name
	names nameSet // rows' names as shown, contiguous for the matcher
	// content is the widest value of each column, which the columns
	// need at most.
	content contentWidths

	showAll bool
	base    []int // rows shown before filtering
	visible []int // rows shown after filtering
	pattern string
	match   matcher // pattern's matcher, kept for highlighting rows

	filter    textinput.Model
	filtering bool

	cursor, offset int
	width, height  int
	spin           string // the spinner frame for busy rows

	// def is who holds [default], for its marker.
	def profiles.DefaultState
}

func newList(c *common, rows []*row) listModel {
	sort.SliceStable(rows, func(i, j int) bool {
		if rows[i].role != rows[j].role {
			return rows[i].role
		}
		return rows[i].p.Name < rows[j].p.Name
	})
	ti := textinput.New()
	// The UI composes strings, so the input draws its own cursor.
	ti.SetVirtualCursor(true)
	ti.Prompt = "/ "
	ti.Placeholder = "type to filter"
	ti.CharLimit = 64
	names := make([]string, len(rows))
	for i, r := range rows {
		names[i] = r.name
	}
	l := listModel{c: c, fkeys: defaultFilterKeyMap(), rows: rows, names: newNameSet(names), content: measure(rows), filter: ti}
	l.rebase()
	return l
}

// rebase recomputes the unfiltered set after the roles/all switch.
func (l *listModel) rebase() {
	l.base = l.base[:0]
	for i, r := range l.rows {
		if l.showAll || r.role {
			l.base = append(l.base, i)
		}
	}
	l.pattern = ""
	l.applyFilter(l.filter.Value())
}

// applyFilter filters base by pattern. A pattern that extends the previous
// one can only match a subset of its matches, so typing narrows the last
// result instead of searching everything again.
func (l *listModel) applyFilter(pattern string) {
	selected := l.selectedIndex()
	if pattern == "" {
		l.visible = append(l.visible[:0], l.base...)
	} else {
		from := l.base
		if l.pattern != "" && strings.HasPrefix(pattern, l.pattern) {
			from = inListOrder(l.visible, len(l.rows))
		}
		l.match = newMatcher(pattern)
		l.visible = l.match.rank(l.names, from)
	}
	l.pattern = pattern
	l.cursor, l.offset = 0, 0
	for i, ri := range l.visible {
		if ri == selected {
			l.cursor = i
			break
		}
	}
	l.clamp()
}

func (l *listModel) selectedIndex() int {
	if l.cursor < 0 || l.cursor >= len(l.visible) {
		return -1
	}
	return l.visible[l.cursor]
}

// SetDefault records who holds [default], for the ◆ marker.
func (l *listModel) SetDefault(def profiles.DefaultState) { l.def = def }

// Default is who holds [default], as far as the UI knows.
func (l listModel) Default() profiles.DefaultState { return l.def }

// inDefault reports whether [default] holds the row's session.
func (l listModel) inDefault(r *row) bool {
	return r.sess != nil && l.def.Holds(r.p.Name, r.sess.Creds.AccessKeyID)
}

// Selected returns the row under the cursor, or nil for an empty list.
func (l listModel) Selected() *row {
	if i := l.selectedIndex(); i >= 0 {
		return l.rows[i]
	}
	return nil
}

// Rows returns every row, shown or not.
func (l listModel) Rows() []*row { return l.rows }

// Filtering reports whether the filter's input has the keyboard.
func (l listModel) Filtering() bool { return l.filtering }

// Filtered reports whether a filter pattern narrows the list.
func (l listModel) Filtered() bool { return l.pattern != "" }

// SetSpinner sets the frame busy rows show.
func (l *listModel) SetSpinner(frame string) { l.spin = frame }

// SetSize sets the space the list (with its column header) may use.
func (l *listModel) SetSize(w, h int) {
	l.width, l.height = w, h
	l.filter.SetWidth(max(w-4-l.countWidth(), 8))
	l.clamp()
}

func (l *listModel) pageRows() int { return max(l.height-1, 1) }

func (l *listModel) clamp() {
	n := len(l.visible)
	l.cursor = min(max(l.cursor, 0), max(n-1, 0))
	page := l.pageRows()
	if l.cursor < l.offset {
		l.offset = l.cursor
	}
	if l.cursor >= l.offset+page {
		l.offset = l.cursor - page + 1
	}
	l.offset = min(max(l.offset, 0), max(n-page, 0))
}

// StartFilter focuses the filter input.
func (l *listModel) StartFilter() tea.Cmd {
	l.filtering = true
	return l.filter.Focus()
}

// ClearFilter empties and leaves the filter.
func (l *listModel) ClearFilter() {
	l.filtering = false
	l.filter.Blur()
	l.filter.SetValue("")
	l.applyFilter("")
}

// ToggleAll switches between roles only and every profile.
func (l *listModel) ToggleAll() {
	l.showAll = !l.showAll
	l.rebase()
}

// Update handles the list's own keys: moving, and typing into the filter.
func (l listModel) Update(msg tea.Msg) (listModel, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if l.filtering {
			var cmd tea.Cmd
			l.filter, cmd = l.filter.Update(msg)
			return l, cmd
		}
		return l, nil
	}
	if l.filtering {
		switch {
		case key.Matches(k, l.fkeys.Clear):
			l.ClearFilter()
			return l, nil
		case key.Matches(k, l.fkeys.Keep):
			l.filtering = false
			l.filter.Blur()
			return l, nil
		case key.Matches(k, l.fkeys.Move):
			// Leave the input and keep the filter; the arrow moves at once.
			l.filtering = false
			l.filter.Blur()
			return l.Update(msg)
		}
		var cmd tea.Cmd
		l.filter, cmd = l.filter.Update(msg)
		if v := l.filter.Value(); v != l.pattern {
			l.applyFilter(v)
		}
		return l, cmd
	}
	keys := l.c.keys
	switch {
	case key.Matches(k, keys.Up):
		l.cursor--
	case key.Matches(k, keys.Down):
		l.cursor++
	case key.Matches(k, keys.PageUp):
		l.cursor -= l.pageRows()
	case key.Matches(k, keys.PageDown):
		l.cursor += l.pageRows()
	case key.Matches(k, keys.Home):
		l.cursor = 0
	case key.Matches(k, keys.End):
		l.cursor = len(l.visible) - 1
	}
	l.clamp()
	return l, nil
}

// ShortHelp implements help.KeyMap: the filter's keys while it has the
// keyboard, else the main screen's.
func (l listModel) ShortHelp() []key.Binding {
	if l.filtering {
		return bindings(l.fkeys.Keep, l.fkeys.Clear, l.fkeys.Move)
	}
	return l.c.keys.ShortHelp()
}

// FullHelp implements help.KeyMap.
func (l listModel) FullHelp() [][]key.Binding {
	if l.filtering {
		return [][]key.Binding{l.ShortHelp()}
	}
	return l.c.keys.FullHelp()
}

// contentWidths are the widest value of each column, header included.
type contentWidths struct{ name, source, account, region int }

// Caps on a column's width: a value longer than this is cut with … (the
// details pane shows it whole).
const (
	maxSourceWidth = 20
	maxRegionWidth = 16
)

func measure(rows []*row) contentWidths {
	cw := contentWidths{name: len("PROFILE"), source: len("SOURCE"), account: len("ACCOUNT"), region: len("REGION")}
	for _, r := range rows {
		cw.name = max(cw.name, shownWidth(r.name))
		cw.source = max(cw.source, len(r.source)) // ASCII words of this program's
		cw.account = max(cw.account, shownWidth(r.p.AccountID()))
		cw.region = max(cw.region, shownWidth(r.p.Region()))
	}
	cw.source = min(cw.source, maxSourceWidth)
	cw.account = min(cw.account, 12)
	cw.region = min(cw.region, maxRegionWidth)
	return cw
}

// WidthAt is the width the list's columns take when it may use w: no
// more than they need.
func (l listModel) WidthAt(w int) int { return min(layoutColumns(w, l.content).width(), w) }

// columns are the widths of the list's columns for a width; narrow
// terminals drop the source, then the region, then the account.
type columns struct{ name, source, account, region, state int }

const (
	markWidth = 4
	// stateWidth fits the longest session text: "⠋ auto-renewing…",
	// "MFA? 11:59:59".
	stateWidth = 16
	// minName is the name width the optional columns give way to.
	minName = 16
)

// layoutColumns sizes the columns from their content: each optional
// column is as wide as its widest value while the name keeps minName;
// the name gets the rest, up to its longest.
func layoutColumns(w int, cw contentWidths) columns {
	c := columns{source: cw.source, account: cw.account, region: cw.region, state: stateWidth}
	need := min(cw.name, minName)
	for _, drop := range []*int{&c.source, &c.region, &c.account} {
		if markWidth+need+c.middle()+c.state+1 <= w {
			break
		}
		*drop = 0
	}
	c.name = max(min(w-markWidth-c.middle()-c.state-1, cw.name), 6)
	return c
}

// fill gives the source column, when it had to go, the room left over
// at width w, cut to fit: a cut source says more than none.
func (c columns) fill(w int, cw contentWidths) columns {
	if spare := w - c.width(); c.source == 0 && spare >= 10 {
		c.source = min(spare-1, cw.source)
	}
	return c
}

// width is the cells a row of these columns takes.
func (c columns) width() int { return markWidth + c.name + c.middle() + c.state + 1 }

// middle is the cells the optional source, account and region columns
// take, each with its gap.
func (c columns) middle() int {
	n := 0
	for _, x := range []int{c.source, c.account, c.region} {
		if x > 0 {
			n += x + 1
		}
	}
	return n
}

// inListOrder is the ranked rows visible (indices below n) in the list's
// order, for ranking them again: equal matches then keep the list's order,
// as they do when the pattern is searched in one go, not the order the
// shorter pattern ranked them in. A pass over n flags costs less than
// sorting.
func inListOrder(visible []int, n int) []int {
	in := make([]bool, n)
	for _, i := range visible {
		in[i] = true
	}
	out := make([]int, 0, len(visible))
	for i, ok := range in {
		if ok {
			out = append(out, i)
		}
	}
	return out
}

// countWidth is the most cells the status line's count can take
// ("10000/10000 profiles (of 10000)") with a space before it: the
// filter's input leaves it that room, so that what is typed last, and
// the cursor, stay on screen.
func (l *listModel) countWidth() int {
	digits := 1
	for n := len(l.rows); n >= 10; n /= 10 {
		digits++
	}
	return 3*digits + len("/ profiles (of )") + 1
}
