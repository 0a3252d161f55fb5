package ui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/profiles"
)

// bigModel is a model on n generated profiles (internal/profilegen) read
// through the real reader, w×h.
func bigModel(t *testing.T, n, w, h int) *Model {
	t.Helper()
	set := generatedSet(t, n)
	c := &clock{now: t0}
	m := newModel(c, Options{Manager: newFakeManager(set, c), Width: w, Height: h, Environ: []string{}})
	boot(m)
	return m
}

// selectedLine is the screen line of the selected row ("▌"), or "".
func selectedLine(m *Model) string {
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.HasPrefix(l, "▌") {
			return l
		}
	}
	return ""
}

// TestLongListScrollsWithTheSelection: in a list longer than the screen,
// the selected row is always on screen, one key at a time down and back
// up; the window moves only when the selection would leave it, and the
// frame keeps the help bar last.
func TestLongListScrollsWithTheSelection(t *testing.T) {
	m := bigModel(t, 40, 100, 14)
	page := m.list.pageRows()
	if n := len(m.list.visible); n <= 2*page {
		t.Fatalf("the list shows %d rows at a time of %d: too few to scroll", page, n)
	}
	first := m.list.Selected().name
	check := func(step string) {
		t.Helper()
		s := frame(t, m)
		r := m.list.Selected()
		if l := selectedLine(m); !strings.Contains(l, " "+r.name+" ") {
			t.Fatalf("%s: the selected row %s is not on screen (marked line %q)\n%s", step, r.name, l, s)
		}
		if !strings.Contains(lastLine(s), "quit") {
			t.Fatalf("%s: the help bar is not the last line\n%s", step, s)
		}
	}
	for i := range len(m.list.visible) - 1 {
		press(m, "down")
		check(fmt.Sprintf("down ×%d", i+1))
		if i < page-1 && !strings.Contains(screen(m), " "+first+" ") {
			t.Fatalf("down ×%d: the first row left the screen before the selection reached the bottom", i+1)
		}
	}
	last := m.list.Selected().name
	for i := range len(m.list.visible) - 1 {
		press(m, "up")
		check(fmt.Sprintf("up ×%d", i+1))
		if i < page-1 && !strings.Contains(screen(m), " "+last+" ") {
			t.Fatalf("up ×%d: the last row left the screen before the selection reached the top", i+1)
		}
	}
	press(m, "pgdown")
	check("pgdown")
	if m.list.cursor != page {
		t.Errorf("page down from the top selects row %d, want %d (a page of %d rows)", m.list.cursor+1, page+1, page)
	}
	press(m, "pgup")
	if m.list.cursor != 0 {
		t.Errorf("page up from the second page selects row %d, want the first", m.list.cursor+1)
	}
}

// TestFilterKeepsTheSelection: filtering keeps the selected profile
// selected while it still matches.
func TestFilterKeepsTheSelection(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	selectRow(t, m, "staging-read")
	press(m, "/")
	typeText(m, "a")
	if r := m.list.Selected(); r == nil || r.p.Name != "staging-read" || !strings.Contains(selectedLine(m), "staging-read") {
		t.Errorf("after typing a, the selected line is %q, want staging-read still\n%s", selectedLine(m), screen(m))
	}
}

// TestListRowsKeepToTheWidth: long profile names are cut with … so that
// every row keeps to the terminal's width, at every width.
func TestListRowsKeepToTheWidth(t *testing.T) {
	m := bigModel(t, 40, 100, 14)
	for w := 30; w <= 100; w++ {
		run(m, tea.WindowSizeMsg{Width: w, Height: 14})
		for _, l := range strings.Split(screen(m), "\n") {
			if n := ansi.StringWidth(l); n > w {
				t.Fatalf("%d columns: a line is %d wide: %q", w, n, l)
			}
		}
	}
}

// TestTallerTerminalFillsTheList: scrolled to the end, a list that gets
// taller shows more rows above the last one rather than blank lines.
func TestTallerTerminalFillsTheList(t *testing.T) {
	m := bigModel(t, 40, 100, 14)
	press(m, "G")
	run(m, tea.WindowSizeMsg{Width: 100, Height: 24})
	rows, in := 0, false
	for _, l := range strings.Split(screen(m), "\n") {
		switch {
		case strings.Contains(l, "PROFILE"):
			in = true
		case strings.Contains(l, "◆ in [default]"):
			in = false
		case in && strings.TrimSpace(l) != "":
			rows++
		}
	}
	if page := m.list.pageRows(); rows != page {
		t.Errorf("24 lines at the end of the list show %d rows, want a full page of %d\n%s", rows, page, screen(m))
	}
}

// TestDroppedSourceComesBackCut: a source column dropped for want of room
// comes back, cut, once ten cells are spare: nine for the source and its
// gap; with nine spare it stays out.
func TestDroppedSourceComesBackCut(t *testing.T) {
	cw := contentWidths{name: 16, source: 19, account: 12, region: 14}
	// 65 cells hold the mark, a 16-cell name, account, region and state.
	for _, tc := range []struct{ w, source int }{{74, 0}, {75, 9}, {80, 14}} {
		c := layoutColumns(tc.w, cw).fill(tc.w, cw)
		if c.source != tc.source || c.width() > tc.w {
			t.Errorf("%d columns: source %d wide, row %d wide; want source %d within the width", tc.w, c.source, c.width(), tc.source)
		}
	}
}

// col is the cell column where sub starts in line, or -1.
func col(line, sub string) int {
	i := strings.Index(line, sub)
	if i < 0 {
		return -1
	}
	return ansi.StringWidth(line[:i])
}

// TestColumnHeadsStandOverTheirColumns: at every width, each column's
// head starts where its values do, whichever optional columns the width
// dropped.
func TestColumnHeadsStandOverTheirColumns(t *testing.T) {
	m, _, _ := newTestModel(130, 30)
	press(m, "i") // the list alone, as wide as the terminal
	for w := 40; w <= 130; w++ {
		run(m, tea.WindowSizeMsg{Width: w, Height: 30})
		var head string
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.Contains(l, "PROFILE") {
				head = l
			}
		}
		row := line(m, "audit-chained")
		for _, c := range []struct{ head, value string }{
			{"SOURCE", "static u"}, {"ACCOUNT", "444444444444"}, {"REGION", "eu-west-1"},
		} {
			if h := col(head, c.head); h >= 0 && h != col(row, c.value) {
				t.Errorf("%d columns: %s starts at %d, its value %q at %d\n%s\n%s", w, c.head, h, c.value, col(row, c.value), head, row)
			}
		}
		if h, v := col(head, "SESSION"), ansi.StringWidth(row[:strings.LastIndex(row, "–")]); h != v {
			t.Errorf("%d columns: SESSION starts at %d, the session cell at %d\n%s\n%s", w, h, v, head, row)
		}
	}
}

// TestSourceOfAProfileWithoutCredentials: a profile that only holds
// settings (no chain to assume) shows its kind as its source, not
// "broken"; a broken one shows its problem.
func TestSourceOfAProfileWithoutCredentials(t *testing.T) {
	set := testSet()
	set.Profiles = append(set.Profiles, &profiles.Profile{Name: "settings-only", Kind: profiles.KindOther,
		Pos:   profiles.Pos{File: "/home/u/.aws/config", Line: 70},
		Props: profiles.Props{{Key: "region", Value: profiles.Value{Value: "eu-west-1"}}}})
	c := &clock{now: t0}
	m := newModel(c, Options{Manager: newFakeManager(set, c), Width: 120, Height: 30, Environ: []string{}})
	press(m, "i", "tab") // the list alone, every profile
	if l := line(m, "settings-only"); !strings.Contains(l, " other ") || strings.Contains(l, "broken") {
		t.Errorf("the settings-only row is %q, want its kind (other) as its source", l)
	}
	if l := line(m, "loop-a"); !strings.Contains(l, "source_profile loop") {
		t.Errorf("the broken row is %q, want its problem", l)
	}
}
