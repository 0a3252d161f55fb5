package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/profiles"
)

// TestBannerNeverPushesTheFrame: whatever the message, the frame keeps to
// the terminal's height and ends with the help bar.
func TestBannerNeverPushesTheFrame(t *testing.T) {
	long := strings.Repeat("a very long error line that goes on and on ", 12) + "\nand a second line\nand a third\nand a fourth\nand a fifth"
	for _, size := range sizes {
		m, _, _ := newTestModel(size.w, size.h)
		m.opts.Warnings = []string{"one", "two", "three"}
		run(m, errMsg{op: "save", err: errors.New(long)})
		for _, help := range []bool{false, true} {
			if help {
				press(m, "?")
			}
			s := frame(t, m)
			if got := len(strings.Split(s, "\n")); got > size.h {
				t.Errorf("%s help=%v: %d lines", size.name, help, got)
			}
			if !help && !strings.Contains(lastLine(s), "quit") {
				t.Errorf("%s: the last line is %q, not the help bar", size.name, lastLine(s))
			}
		}
	}
}

// TestBrokenCountInHeader counts every broken profile, roles or not.
func TestBrokenCountInHeader(t *testing.T) {
	set := testSet()
	set.Get("dev-user").Err = errors.New("bad keys")
	c := &clock{now: t0}
	m := newModel(c, Options{Manager: newFakeManager(set, c), Width: 100, Height: 30, Environ: []string{}})
	if s := screen(m); !strings.Contains(s, "✗ 2 profiles have problems: select one and press i") {
		t.Errorf("header:\n%s", s)
	}
}

// TestBannerThatFitsIsShownWhole: a message of exactly as many lines as
// the banner has room for shows whole, without the "…" of a cut one.
func TestBannerThatFitsIsShownWhole(t *testing.T) {
	m, _, _ := newTestModel(100, 30) // room for four lines of banner
	run(m, errMsg{op: "save", err: errors.New("one\ntwo\nthree\nand the fourth")})
	s := frame(t, m)
	if !strings.Contains(s, "save failed: one") || !strings.Contains(s, "and the fourth") {
		t.Fatalf("the four lines of the message do not all show:\n%s", s)
	}
	if strings.Contains(s, "and the fourth…") {
		t.Errorf("a message that fits is cut as if it did not:\n%s", s)
	}
}

// TestHeaderGivesWayOnlyWhenTheListNeedsIt: on a short terminal the
// header's problem line stays while the list keeps its three lines, and
// goes when the list would have fewer.
func TestHeaderGivesWayOnlyWhenTheListNeedsIt(t *testing.T) {
	const problem = "✗ 1 profile has a problem"
	for _, tc := range []struct {
		h    int
		kept bool
	}{
		{7, true}, // title, problem, 3 list lines, status, help
		{6, false},
	} {
		m, _, _ := newTestModel(100, tc.h)
		s := frame(t, m)
		if got := strings.Contains(s, problem); got != tc.kept {
			t.Errorf("%d lines: the header's problem line shown %v, want %v\n%s", tc.h, got, tc.kept, s)
		}
		if !strings.Contains(s, "audit-chained") {
			t.Errorf("%d lines: the list's first row is not on screen\n%s", tc.h, s)
		}
	}
	// The title stays, even when a message takes a line of the six.
	m, _, _ := newTestModel(100, 6)
	press(m, "enter")
	if s := frame(t, m); !strings.HasPrefix(s, "rolecall") || !strings.Contains(s, "assumed audit-chained") {
		t.Errorf("6 lines and a message: the title or the message is gone\n%s", s)
	}
}

// TestBannerGivesWayToTheList: with the full help open on a short
// terminal, a long message gives up lines (down to one) only as far as the
// list needs them to keep its header and two rows, and its last line
// still ends with the "…" of a cut message.
func TestBannerGivesWayToTheList(t *testing.T) {
	for _, tc := range []struct {
		h    int
		want []string // the banner's lines
		rows int      // the list's rows shown
	}{
		{15, []string{"save failed: one", "two…"}, 2},
		{14, []string{"save failed: one…"}, 2},
		{13, []string{"save failed: one…"}, 1},
	} {
		m, _, _ := newTestModel(100, tc.h)
		run(m, errMsg{op: "save", err: errors.New("one\ntwo\nthree\nand the fourth")})
		press(m, "?")
		s := frame(t, m)
		var banner []string
		rows := 0
		for _, l := range strings.Split(s, "\n") {
			l = strings.TrimSpace(l)
			switch {
			case strings.HasPrefix(l, "save failed") || strings.HasPrefix(l, "two") || strings.HasPrefix(l, "three") || strings.HasPrefix(l, "and the fourth"):
				banner = append(banner, l)
			case strings.HasPrefix(l, "▌") || strings.Contains(l, "static user"):
				rows++
			}
		}
		if !slices.Equal(banner, tc.want) || rows != tc.rows {
			t.Errorf("%d lines: banner %q and %d rows, want %q and %d rows\n%s", tc.h, banner, rows, tc.want, tc.rows, s)
		}
	}
}

// TestSidePaneTakesWhatTheListDoesNotUse: beside the list, the details
// pane gets every column the list's own columns do not use, until the
// pane reaches its widest; the list never ends in blank columns before.
func TestSidePaneTakesWhatTheListDoesNotUse(t *testing.T) {
	m, _, _ := newTestModel(120, 30)
	for w := sideBySideWidth; w <= 220; w++ {
		run(m, tea.WindowSizeMsg{Width: w, Height: 30})
		l := m.lay
		if l.detailW < minPaneWidth || l.detailW > maxPaneWidth || l.listW+1+l.detailW != w {
			t.Fatalf("%d columns: list %d + pane %d, want them to share the width with the pane within %d–%d", w, l.listW, l.detailW, minPaneWidth, maxPaneWidth)
		}
		if used := m.list.WidthAt(l.listW); l.detailW < maxPaneWidth && used < l.listW {
			t.Errorf("%d columns: the list's columns use %d of its %d while the pane is %d wide", w, used, l.listW, l.detailW)
		}
	}
}

// TestStackedPaneFitsUnderTheList: on a tall, narrow terminal the details
// pane goes under the list, whole, and the help bar stays the last line.
func TestStackedPaneFitsUnderTheList(t *testing.T) {
	m, _, _ := newTestModel(100, 40)
	s := frame(t, m)
	lines := strings.Split(s, "\n")
	if len(lines) != 40 || !strings.Contains(lastLine(s), "quit") {
		t.Errorf("the frame has %d lines for 40, ending %q, want the help bar last\n%s", len(lines), lastLine(s), s)
	}
	top, bottom := strings.Index(s, "╭"), strings.Index(s, "╰")
	if top < strings.Index(s, "staging-read") || bottom < top {
		t.Errorf("the pane is not whole under the list\n%s", s)
	}
}

// TestHelpAndHeaderDrawnOnlyWhenTheyChange: the help bar and the header
// are drawn again only when what they show changes (focus, size, colours),
// not on every frame: an unchanged one costs a small part of drawing it.
// It counts allocations, not time.
func TestHelpAndHeaderDrawnOnlyWhenTheyChange(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	for _, tc := range []struct {
		name  string
		reset func()
		draw  func()
	}{
		{"help bar", func() { m.helpKey, m.helpCache = helpKey{}, "" }, func() { _ = m.helpView() }},
		{"header", func() { m.headerKey, m.headerCache = headerKey{}, nil }, func() { _ = m.headerLines() }},
	} {
		tc.draw()
		drawn := testing.AllocsPerRun(10, func() { tc.reset(); tc.draw() })
		again := testing.AllocsPerRun(10, tc.draw)
		if again*10 > drawn {
			t.Errorf("an unchanged %s costs %v allocations a frame, drawing it %v: it is drawn again every frame", tc.name, again, drawn)
		}
	}
}

// TestHelpBarFitsEveryWidth: the help bar keeps to the terminal's width
// at every width, whatever has focus, and keeps "? help" and "q quit".
func TestHelpBarFitsEveryWidth(t *testing.T) {
	for w := 24; w <= 130; w++ {
		m, _, _ := newTestModel(w, 20)
		for _, focus := range []string{"list", "details"} {
			if focus == "details" {
				press(m, "i")
			}
			bar := helpBar(m)
			if got := ansi.StringWidth(bar); got > w || !strings.HasSuffix(strings.TrimRight(bar, " "), "? help • q quit") {
				t.Errorf("%d columns, %s: the help bar is %d wide: %q", w, focus, got, bar)
			}
		}
	}
}

// TestHeaderFitsANarrowTerminal: on a narrow terminal the files in the
// header are cut with "…" to the last column, never past it.
func TestHeaderFitsANarrowTerminal(t *testing.T) {
	for _, w := range []int{30, 40} {
		m, _, _ := newTestModel(w, 20)
		s := frame(t, m) // fails for a line wider than the terminal
		first := strings.Split(s, "\n")[0]
		if !strings.HasPrefix(first, "rolecall  files ~") || !strings.HasSuffix(first, "…") || ansi.StringWidth(first) != w {
			t.Errorf("%d columns: the header reads %q, want the files cut to fill the width exactly", w, first)
		}
	}
}

// headerOf is the header's lines of a model on set, 100×h, with opts'
// demo and warnings.
func headerOf(set *profiles.Set, h int, opts Options) []string {
	c := &clock{now: t0}
	opts.Manager, opts.Width, opts.Height, opts.Environ = newFakeManager(set, c), 100, h, []string{}
	m := newModel(c, opts)
	return strings.Split(ansi.Strip(strings.Join(m.lay.header, "\n")), "\n")
}

// TestHeaderSaysWhatNeedsAttention: under the title, the header says how
// many profiles are broken (none: nothing), the first file problem and how
// many more, the demo's hint, and the warnings, as many as a sixth of the
// terminal holds, the rest counted on the last line.
func TestHeaderSaysWhatNeedsAttention(t *testing.T) {
	sound := testSet()
	sound.Get("loop-a").Err = nil
	if h := headerOf(sound, 30, Options{}); len(h) != 1 {
		t.Errorf("sound profiles, no problems: the header is %q, want the title alone", h)
	}

	demo := headerOf(testSet(), 30, Options{Demo: true, DemoHint: "press enter to assume prod-admin"})
	if len(demo) < 2 || !strings.HasPrefix(demo[0], "rolecall  demo") || demo[1] != "› press enter to assume prod-admin" {
		t.Errorf("the demo's header is %q, want the demo label and its hint", demo)
	}

	one, two := testSet(), testSet()
	one.Get("loop-a").Err = nil
	two.Get("loop-a").Err = nil
	p1 := errors.New("/home/u/.aws/config:70: a line outside any section is ignored")
	p2 := errors.New("/home/u/.aws/config:71: a line outside any section is ignored")
	one.Problems, two.Problems = []error{p1}, []error{p1, p2}
	if h := headerOf(one, 30, Options{}); len(h) != 2 || h[1] != "⚠ "+p1.Error() {
		t.Errorf("one file problem: the header is %q", h)
	}
	if h := headerOf(two, 30, Options{}); len(h) != 2 || h[1] != "⚠ "+p1.Error()+" (+1 more: rolecall list shows them)" {
		t.Errorf("two file problems: the header is %q", h)
	}

	// 30 lines hold five lines under the title: the broken count and four
	// warnings fit; with a fifth warning, the last line counts two.
	warn := []string{"w1", "w2", "w3", "w4", "w5"}
	if h := headerOf(testSet(), 30, Options{Warnings: warn[:4]}); !slices.Equal(h[1:], []string{"✗ 1 profile has a problem: select it and press i", "⚠ w1", "⚠ w2", "⚠ w3", "⚠ w4"}) {
		t.Errorf("five lines of news on 30 lines: the header is %q", h)
	}
	if h := headerOf(testSet(), 30, Options{Warnings: warn}); !slices.Equal(h[1:], []string{"✗ 1 profile has a problem: select it and press i", "⚠ w1", "⚠ w2", "⚠ w3", "⚠ 2 more warnings: widen or heighten the terminal"}) {
		t.Errorf("six lines of news on 30 lines: the header is %q", h)
	}
}

// TestFullHelpNeverPushesTheFrame: with the full help open, the frame
// keeps to the terminal's height at every height, even where the help
// alone is taller than the room it has.
func TestFullHelpNeverPushesTheFrame(t *testing.T) {
	for h := 6; h <= 24; h++ {
		m, _, _ := newTestModel(100, h)
		press(m, "?")
		if n := len(strings.Split(screen(m), "\n")); n > h {
			t.Errorf("%d lines: the frame with the full help has %d lines", h, n)
		}
	}
}

// TestMFAModalOnAShortTerminal: the MFA modal over a body shorter than
// itself is cut at the body: the frame keeps to the terminal and ends with
// the modal's keys, and from 10 lines the code's input shows.
func TestMFAModalOnAShortTerminal(t *testing.T) {
	for h := 6; h <= 16; h++ {
		m, f, _ := newTestModel(60, h)
		f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
		selectRow(t, m, "billing-mfa")
		press(m, "enter")
		if m.state != stateMFA {
			t.Fatalf("%d lines: enter on an MFA role did not ask for the code", h)
		}
		s := frame(t, m)
		if n := len(strings.Split(s, "\n")); n != h || !strings.Contains(lastLine(s), "enter confirm") {
			t.Errorf("%d lines: the frame has %d lines and ends %q, want the modal's keys last\n%s", h, n, lastLine(s), s)
		}
		if h >= 10 && !strings.Contains(s, "code ›") {
			t.Errorf("%d lines: the code's input is not on screen\n%s", h, s)
		}
	}
}

// TestSidePaneGivesWayOnAShortBody: on a wide terminal only six lines
// tall, a message leaves the list two lines, too few for the framed
// pane: the list shows alone and the help bar stays last; once the
// message goes, the pane comes back.
func TestSidePaneGivesWayOnAShortBody(t *testing.T) {
	m, _, c := newTestModel(130, 6)
	press(m, "enter")
	s := frame(t, m)
	if n := len(strings.Split(s, "\n")); n != 6 || !strings.Contains(lastLine(s), "quit") || strings.Contains(s, "╭") {
		t.Errorf("with a message, the frame has %d lines and ends %q, want 6 ending with the help bar and no pane\n%s", n, lastLine(s), s)
	}
	if !strings.Contains(s, "assumed audit-chained") || !strings.Contains(s, "444444444444") {
		t.Errorf("with a message, the message or the list's row is missing\n%s", s)
	}
	c.now = c.now.Add(bannerLife + time.Second)
	run(m, tickMsg(c.now))
	s = frame(t, m)
	if !strings.Contains(s, "╭") || !strings.Contains(s, "╰") || !strings.Contains(lastLine(s), "quit") {
		t.Errorf("once the message went, the pane is not back whole above the help bar\n%s", s)
	}
}
