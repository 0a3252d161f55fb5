package ui

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// screenOut is a Screen writing into a file the test reads back.
type screenOut struct {
	t    *testing.T
	f    *os.File
	read int
}

func newScreenOut(t *testing.T) *screenOut {
	f, err := os.Create(filepath.Join(t.TempDir(), "tty"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &screenOut{t: t, f: f}
}

// next is what was written since the last call.
func (o *screenOut) next() string {
	b, err := os.ReadFile(o.f.Name())
	if err != nil {
		o.t.Fatal(err)
	}
	s := string(b[o.read:])
	o.read = len(b)
	return s
}

// TestScreenDrawsAtOnce: a view goes to the terminal as soon as it is
// drawn (Sync waits for Screen's writer), not on the renderer's next
// tick; the next key writes only what changed; the renderer is left a
// blank view with everything else of the view.
func TestScreenDrawsAtOnce(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	out := newScreenOut(t)
	s := NewScreen(out.f, colorprofile.ANSI256, 100, 30, nil, true)
	root := s.Model(m)

	v := root.View()
	s.Sync()
	if v.Content != " " || !v.AltScreen || v.WindowTitle != "rolecall" {
		t.Fatalf("the renderer got content %q, alt screen %v, title %q; want a blank screen and the rest of the view",
			v.Content, v.AltScreen, v.WindowTitle)
	}
	first := out.next()
	for _, want := range []string{"prod-admin", "audit-chained"} {
		if !strings.Contains(ansi.Strip(first), want) {
			t.Errorf("the first frame written lacks %q:\n%s", want, ansi.Strip(first))
		}
	}
	if strings.Contains(first, "38;2;") {
		t.Error("the frame holds true colour on a 256-colour terminal")
	}

	root, _ = root.Update(keyMsg("down"))
	root.View()
	s.Sync()
	second := out.next()
	if second == "" {
		t.Fatal("nothing written for the key")
	}
	if len(second) >= len(first)/2 {
		t.Errorf("the key wrote %d bytes, the whole frame was %d: more than what changed", len(second), len(first))
	}
	root.View()
	s.Sync()
	if got := out.next(); got != "" {
		t.Errorf("an unchanged view wrote %q", got)
	}
}

// TestScreenFollowsRenderer: Screen draws only while the renderer holds
// the alternate screen, and draws the whole frame again right behind
// anything the renderer writes, inside its synchronized update.
func TestScreenFollowsRenderer(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	out := newScreenOut(t)
	s := NewScreen(out.f, colorprofile.ANSI256, 100, 30, nil, false)
	root := s.Model(m)

	root.View()
	s.Sync()
	if got := out.next(); got != "" {
		t.Fatalf("drew %d bytes before the renderer entered the alternate screen", len(got))
	}
	enter := ansi.SetModeAltScreenSaveCursor + ansi.CursorHomePosition + ansi.EraseEntireScreen
	if _, err := s.Write([]byte(ansi.SetModeSynchronizedOutput + enter + ansi.ResetModeSynchronizedOutput)); err != nil {
		t.Fatal(err)
	}
	got := out.next()
	if !strings.HasPrefix(got, ansi.SetModeSynchronizedOutput+enter) || !strings.HasSuffix(got, ansi.ResetModeSynchronizedOutput) {
		t.Fatalf("the renderer's write was not passed on whole, in order: %q", got)
	}
	if !strings.Contains(ansi.Strip(got), "prod-admin") {
		t.Fatalf("the frame was not drawn behind the renderer's entering the alternate screen:\n%q", got)
	}

	// A subshell: the renderer leaves the alternate screen; views until it
	// is back draw nothing on the shell's screen.
	if _, err := s.Write([]byte(ansi.ResetModeAltScreenSaveCursor)); err != nil {
		t.Fatal(err)
	}
	if got := out.next(); got != ansi.ResetModeAltScreenSaveCursor {
		t.Fatalf("leaving the alternate screen wrote %q", got)
	}
	root, _ = root.Update(keyMsg("down"))
	root.View()
	s.Sync()
	if got := out.next(); got != "" {
		t.Fatalf("drew on the main screen: %q", got)
	}
	if _, err := s.Write([]byte(enter)); err != nil {
		t.Fatal(err)
	}
	if got := out.next(); !strings.Contains(ansi.Strip(got), "prod-admin") {
		t.Fatalf("the frame was not drawn again once the renderer was back: %q", got)
	}
}

// TestScreenKeepsScreen: what only asks the terminal something or sets a
// mode is passed on alone; what may move the cursor, change the pen or
// clear is followed by the whole frame.
func TestScreenKeepsScreen(t *testing.T) {
	for _, tc := range []struct {
		p    string
		keep bool
	}{
		{ansi.RequestModeSynchronizedOutput + ansi.RequestModeUnicodeCore + ansi.RequestBackgroundColor, true},
		{ansi.SetSystemClipboard("secret"), true},
		{ansi.SetWindowTitle("rolecall"), true},
		{ansi.SetModeBracketedPaste + ansi.ResetModeTextCursorEnable + ansi.SetModifyOtherKeys2 + ansi.PushKittyKeyboard(1) + ansi.RequestKittyKeyboard, true},
		{ansi.RequestTermcap("RGB"), true},
		{ansi.SetModeAltScreenSaveCursor, false},
		{ansi.ResetModeAltScreenSaveCursor, false},
		{"\x1b[?1;1049h", false},
		{ansi.CursorHomePosition, false},
		{ansi.EraseEntireScreen, false},
		{ansi.ResetStyle, false},
		{"\x1b7", false},
		{"x", false},
		{"\x1b]11;?", false}, // unterminated
		{"\x1b[?2004", false},
	} {
		if got := keepsScreen([]byte(tc.p)); got != tc.keep {
			t.Errorf("keepsScreen(%q) = %v, want %v", tc.p, got, tc.keep)
		}
	}

	m, _, _ := newTestModel(100, 30)
	out := newScreenOut(t)
	s := NewScreen(out.f, colorprofile.ANSI256, 100, 30, nil, true)
	s.Model(m).View()
	s.Sync()
	out.next()
	query := ansi.RequestBackgroundColor
	if _, err := s.Write([]byte(query)); err != nil {
		t.Fatal(err)
	}
	if got := out.next(); got != query {
		t.Errorf("a query was followed by %d bytes more", len(got)-len(query))
	}
	if _, err := s.Write([]byte(ansi.EraseEntireScreen)); err != nil {
		t.Fatal(err)
	}
	if got := out.next(); !strings.Contains(ansi.Strip(got), "prod-admin") {
		t.Errorf("a clear was not followed by the whole frame: %q", got)
	}
}

// TestDrawLinesAsWhole: drawing only the lines that changed, each with the
// attributes carried from the lines above, leaves every cell as drawing
// the whole content does (what Bubble Tea's renderer does), frame after
// frame: through the list, the filter, the help, the details, and text
// whose style runs over several lines.
func TestDrawLinesAsWhole(t *testing.T) {
	m, _, _ := newTestModel(120, 35)
	cells := uv.NewScreenBuffer(120, 35)
	var drawn []string
	check := func(step, content string) {
		t.Helper()
		drawn = drawLines(cells, content, drawn)
		whole := uv.NewScreenBuffer(120, 35)
		uv.NewStyledString(content).Draw(whole, whole.Bounds())
		for y := range 35 {
			for x := range 120 {
				if a, b := cells.CellAt(x, y), whole.CellAt(x, y); !a.Equal(b) {
					t.Fatalf("%s: cell %d,%d is %+v, drawn whole %+v", step, x, y, a, b)
				}
			}
		}
	}
	check("first frame", m.View().Content)
	for _, k := range []string{"down", "down", "up", "/", "c", "h", "a", "esc", "i", "?", "?", "i", "tab"} {
		press(m, k)
		check("after "+k, m.View().Content)
	}
	check("a style over three lines", "\x1b[1;38;5;12mbold\nstill bold\x1b[0;4m under\nunder\x1b[m plain")
	check("reset inside a colour", "\x1b[38;5;0mblack\nstill black\x1b[48;2;0;0;0m\non black\x1b[0m\nplain")
	check("fewer lines", "one\ntwo")
	check("more again", m.View().Content)
}

// TestScreenSlowTerminal: a terminal that does not read (a remote one over
// a thin link) never holds up drawing, and so never the keys; once it
// reads again it gets the latest view, without every view in between.
func TestScreenSlowTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	const width, height, views = 100, 30, 300
	s := NewScreen(w, colorprofile.ANSI256, width, height, nil, true)
	view := func(i int) string {
		lines := make([]string, height)
		for y := range lines {
			if i == views-1 {
				lines[y] = fmt.Sprintf("last %02d jumps over the lazy dog", y)
			} else {
				lines[y] = fmt.Sprintf("view %03d row %02d %s", i, y, strings.Repeat(string(rune('a'+(i+y)%26)), 60))
			}
		}
		return strings.Join(lines, "\n")
	}
	drawn := make(chan struct{})
	go func() {
		for i := range views {
			s.draw(view(i)) // each about 3 KB, 900 KB in all: far over a pipe's 64 KB
		}
		close(drawn)
	}()
	select {
	case <-drawn:
	case <-time.After(10 * time.Second):
		t.Fatal("drawing waited for a terminal that does not read")
	}
	var got bytes.Buffer
	read := make(chan struct{})
	go func() { _, _ = io.Copy(&got, r); close(read) }()
	s.Stop()
	w.Close()
	<-read
	if got.Len() > views*width*height/4 {
		t.Errorf("%d bytes written for %d views: each view was written, not the latest", got.Len(), views)
	}
	text := ansi.Strip(got.String())
	for y := range height {
		if want := fmt.Sprintf("last %02d jumps over the lazy dog", y); !strings.Contains(text, want) {
			t.Fatalf("the latest view's line %q was not written", want)
		}
	}
}
