package ui

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/profiles"
)

// listModel is the profile list: roles first, a fuzzy filter, and a
// window of visible rows so that 10,000 profiles cost what 30 do.
type listModel struct {
	c     *common
	rows  []*row   // roles first, then the rest, each by name
	names []string // rows' names, contiguous for the fuzzy matcher
	// longest is the widest name, which the name column needs at most.
	longest int

	showAll bool
	base    []int // rows shown before filtering
	visible []int // rows shown after filtering
	pattern string
	match   matcher // pattern's matcher, kept for highlighting rows

	filter    textinput.Model
	filtering bool

	cursor, offset int
	width, height  int

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
		names[i] = r.p.Name
	}
	longest := 0
	for _, n := range names {
		longest = max(longest, len(n))
	}
	l := listModel{c: c, rows: rows, names: names, longest: longest, filter: ti}
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
			from = l.visible
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

// SetSize sets the space the list (with its column header) may use.
func (l *listModel) SetSize(w, h int) {
	l.width, l.height = w, h
	l.filter.SetWidth(max(w-4, 8))
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
	keys := l.c.keys
	if l.filtering {
		switch {
		case k.String() == "esc":
			l.ClearFilter()
			return l, nil
		case k.String() == "enter", k.String() == "up", k.String() == "down":
			// Leave the input and keep the filter; arrows move at once.
			l.filtering = false
			l.filter.Blur()
			if k.String() != "enter" {
				return l.Update(msg)
			}
			return l, nil
		}
		var cmd tea.Cmd
		l.filter, cmd = l.filter.Update(msg)
		if v := l.filter.Value(); v != l.pattern {
			l.applyFilter(v)
		}
		return l, cmd
	}
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

// columns are the widths of the list's columns for a width; narrow
// terminals drop the source, then the region, then the account.
type columns struct{ name, source, account, region, state int }

const (
	markWidth  = 4
	stateWidth = 15
)

func layoutColumns(w, longest int) columns {
	c := columns{account: 12, region: 12, state: stateWidth}
	fixed := func() int { return markWidth + c.middle() + c.state + 1 }
	const minName = 16
	if w-fixed() < minName {
		c.region = 0
	}
	if w-fixed() < minName {
		c.account = 0
	}
	// The source takes what is left over beyond a comfortable name.
	if spare := w - fixed() - 20; spare >= 9 {
		c.source = min(spare-1, 19)
	}
	// The name gets the rest, but no more than the longest name needs:
	// on a wide terminal the columns stay together and the row pads out.
	c.name = max(min(w-fixed(), max(longest+2, minName)), 6)
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
