package ui

import (
	"bytes"
	"os"
	"runtime"
	"strings"
	"sync"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	uv "github.com/charmbracelet/ultraviolet"
	"github.com/charmbracelet/x/ansi"
)

// Screen draws the UI's frames on the terminal as soon as they are built.
// Bubble Tea's renderer writes a frame only on its next tick (up to 8.3 ms
// after a key at 120 frames a second, and Bubble Tea has no way to flush
// sooner); Screen draws each view's content at once, with the same cell-
// diffing renderer (ultraviolet's), and hands Bubble Tea's renderer the
// view without content, so that it keeps everything else: the alternate
// screen, the hidden cursor, the keyboard modes, the window title, and
// leaving them on exit or for a subshell.
//
// Screen is the program's output (tea.WithOutput) and sees every byte the
// renderer writes. It draws only while the renderer holds the alternate
// screen: not once the renderer has left it (on exit, for a subshell),
// until the renderer enters it again. Whatever the renderer writes may
// have cleared the screen or moved the cursor, so Screen draws the whole
// frame again right behind it, in the same write.
//
// Frames are written by a goroutine of Screen's own, not by Bubble Tea's
// event loop: on a slow terminal (a remote one over a thin link) keys go
// on being handled while a frame is on its way, and the next frame drawn
// is the latest view, whatever views came in between.
type Screen struct {
	out *os.File

	// wmu is held while writing to out, so that writes go out whole and
	// in order; it is taken before mu.
	wmu sync.Mutex

	mu      sync.Mutex
	dirty   bool // content has changed since it was last rendered
	writing bool // the frame writer runs
	r       *uv.TerminalRenderer
	pending bytes.Buffer // what r has rendered, not yet written
	cells   uv.ScreenBuffer
	profile colorprofile.Profile
	content string   // the latest view's content
	lines   []string // each row's text as drawn into cells (drawLines)
	active  bool     // the alternate screen is the renderer's (or the first frame's)
}

// NewScreen returns the Screen for out, a terminal of the given size and
// colour profile. painted says the first frame is on the alternate screen
// already (Model.PaintFirstFrame): Screen draws from the first view on;
// otherwise it waits for the renderer to enter the alternate screen.
func NewScreen(out *os.File, profile colorprofile.Profile, width, height int, environ []string, painted bool) *Screen {
	s := &Screen{out: out, active: painted, cells: uv.NewScreenBuffer(width, height), profile: profile}
	s.r = uv.NewTerminalRenderer(&s.pending, environ)
	s.r.SetColorProfile(profile)
	s.r.SetFullscreen(true)
	s.r.SetRelativeCursor(false)
	s.r.SetTabStops(-1)
	s.r.SetScrollOptim(runtime.GOOS != "windows") // as Bubble Tea: DECSTBM misbehaves in some Windows terminals
	s.r.Resize(width, height)
	s.r.Erase() // what the screen shows is not known: the first frame is drawn whole
	return s
}

// Model wraps m: its views' content is drawn by s, and the renderer gets
// the rest of each view.
func (s *Screen) Model(m tea.Model) tea.Model { return screenModel{m: m, s: s} }

// Write implements io.Writer: the renderer's output, passed on with the
// whole frame drawn again behind it while the alternate screen is the
// renderer's, unless it only asked the terminal something or set a mode
// (keepsScreen). A frame goes inside the renderer's synchronized update,
// if it used one, so that the terminal shows both at once.
func (s *Screen) Write(p []byte) (int, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	enter := bytes.LastIndex(p, []byte(ansi.SetModeAltScreenSaveCursor))
	leave := bytes.LastIndex(p, []byte(ansi.ResetModeAltScreenSaveCursor))
	switch {
	case enter > leave:
		s.active = true
	case leave > enter:
		s.active = false
	}
	if keepsScreen(p) {
		return s.out.Write(p)
	}
	s.r.Erase()
	if !s.active || s.content == "" {
		return s.out.Write(p)
	}
	frame := s.render()
	s.dirty = false
	out := make([]byte, 0, len(p)+len(frame))
	end := []byte(ansi.ResetModeSynchronizedOutput)
	if bytes.HasSuffix(p, end) {
		out = append(append(append(out, p[:len(p)-len(end)]...), frame...), end...)
	} else {
		out = append(append(out, p...), frame...)
	}
	if _, err := s.out.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// Read, Close and Fd make Screen a term.File, as Bubble Tea wants of a
// terminal output: the size, raw mode and colour detection use the
// terminal's own descriptor. Close leaves the terminal open: it is not
// Screen's.
func (s *Screen) Read(p []byte) (int, error) { return s.out.Read(p) }

// Close implements io.Closer; it does nothing.
func (s *Screen) Close() error { return nil }

// Fd is the terminal's file descriptor.
func (s *Screen) Fd() uintptr { return s.out.Fd() }

// draw has content, the latest view's, drawn as soon as the terminal
// takes it, if the alternate screen is the renderer's.
func (s *Screen) draw(content string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if content == s.content && !s.dirty {
		return
	}
	s.content = content
	if !s.active {
		return
	}
	s.dirty = true
	if !s.writing {
		s.writing = true
		go s.writeFrames()
	}
}

// writeFrames writes the latest content until there is nothing new to
// write.
func (s *Screen) writeFrames() {
	for s.writeFrame(true) {
	}
}

// writeFrame renders and writes the latest content if it has changed,
// and reports whether it wrote. The writer (writer is true) marks itself
// done when there is nothing to write.
func (s *Screen) writeFrame(writer bool) bool {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	if !s.dirty || !s.active {
		if writer {
			s.writing = false
		}
		s.mu.Unlock()
		return false
	}
	frame := s.render()
	s.dirty = false
	s.mu.Unlock()
	if len(frame) > 0 {
		_, _ = s.out.Write(frame) // as Bubble Tea's renderer, which drops its write errors
	}
	return true
}

// Sync returns once the latest content is on the terminal (or the
// alternate screen is not the renderer's).
func (s *Screen) Sync() { s.writeFrame(false) }

// Stop draws the latest content and then nothing more: the program has
// ended, and the terminal is the shell's again.
func (s *Screen) Stop() {
	s.Sync()
	s.wmu.Lock()
	defer s.wmu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = false
}

// render diffs the latest content against the screen and returns what
// changes it; s.mu is held.
func (s *Screen) render() []byte {
	s.lines = drawLines(s.cells, s.content, s.lines)
	s.r.Render(s.cells.RenderBuffer)
	_ = s.r.Flush() // into s.pending, which cannot fail
	frame := bytes.Clone(s.pending.Bytes())
	s.pending.Reset()
	return frame
}

func (s *Screen) resize(w, h int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if w == s.cells.Width() && h == s.cells.Height() {
		return
	}
	s.cells.Resize(w, h)
	s.lines = nil
	s.r.Resize(w, h)
	s.r.Erase()
	s.dirty = true // drawn whole with the next view, changed or not
}

func (s *Screen) setProfile(p colorprofile.Profile) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p == s.profile {
		return
	}
	s.profile = p
	s.r.SetColorProfile(p)
	s.r.Erase()
	s.dirty = true
}

func (s *Screen) setWidthMethod(m ansi.Method) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cells.Method = m
	s.lines = nil
	s.dirty = true
}

// drawLines draws content into cells line by line, skipping the lines
// that are as they were (drawn holds each row's text from the last call),
// and returns the rows' texts now. Only the lines drawn are marked for the
// renderer to compare, so that a key that changes two lines costs two
// lines, not the whole screen. A line is drawn with the SGR attributes
// still in force from the lines above it in front (sgrCarry): parsed
// alone, it must come out as it does within the whole content.
func drawLines(cells uv.ScreenBuffer, content string, drawn []string) []string {
	h, w := cells.Height(), cells.Width()
	if strings.Contains(content, "\x1b]8;") {
		// A hyperlink too would carry from line to line: the whole
		// content, as Bubble Tea draws it.
		cells.Clear()
		uv.NewStyledString(content).Draw(cells, cells.Bounds())
		return nil
	}
	rows := make([]string, 0, h)
	carry := ""
	for len(rows) < h {
		line, rest, more := strings.Cut(content, "\n")
		row := carry + line
		rows = append(rows, row)
		if y := len(rows) - 1; y >= len(drawn) || drawn[y] != row {
			uv.NewStyledString(row).Draw(cells, uv.Rect(0, y, w, 1))
		}
		if !more {
			break
		}
		carry = sgrCarry(carry, line)
		content = rest
	}
	for y := len(rows); y < min(len(drawn), h); y++ {
		if drawn[y] != "" {
			cells.ClearArea(uv.Rect(0, y, w, 1))
		}
	}
	for len(rows) < min(len(drawn), h) {
		rows = append(rows, "")
	}
	return rows
}

// sgrCarry is the SGR attributes in force after line, given those in
// force before it (carry): the SGR sequences since the last reset, which
// the next line starts with.
func sgrCarry(carry, line string) string {
	for {
		i := strings.Index(line, "\x1b[")
		if i < 0 {
			return carry
		}
		j := i + 2
		for j < len(line) && (line[j] < 0x40 || line[j] > 0x7e) {
			j++
		}
		if j >= len(line) {
			return carry
		}
		if line[j] == 'm' {
			if rest, reset := afterReset(line[i+2 : j]); reset {
				carry = ""
				if rest != "" {
					carry = "\x1b[" + rest + "m"
				}
			} else {
				carry += line[i : j+1]
			}
		}
		line = line[j+1:]
	}
}

// afterReset reports whether SGR parameters reset every attribute (an
// empty or 0 parameter, not one inside an extended colour), and returns
// the parameters after the last reset.
func afterReset(params string) (rest string, reset bool) {
	if params == "" {
		return "", true
	}
	ps := strings.Split(params, ";")
	last := -1
	for k := 0; k < len(ps); k++ {
		switch ps[k] {
		case "", "0":
			last = k
		case "38", "48", "58":
			// 5;n or 2;r;g;b follow; colons (38:5:n) are one parameter.
			if k+1 < len(ps) {
				switch ps[k+1] {
				case "5":
					k += 2
				case "2":
					k += 4
				}
			}
		}
	}
	if last < 0 {
		return "", false
	}
	return strings.Join(ps[last+1:], ";"), true
}

// screenModel is a model whose views Screen draws.
type screenModel struct {
	m tea.Model
	s *Screen
}

// Init implements tea.Model.
func (sm screenModel) Init() tea.Cmd { return sm.m.Init() }

// Update implements tea.Model. The size, the colour profile and the width
// method the renderer is told of reach Screen too.
func (sm screenModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		sm.s.resize(msg.Width, msg.Height)
	case tea.ColorProfileMsg:
		sm.s.setProfile(msg.Profile)
	case tea.ModeReportMsg:
		// As Bubble Tea's renderer: a terminal that knows mode 2027
		// measures graphemes.
		if msg.Mode == ansi.ModeUnicodeCore && (msg.Value == ansi.ModeReset || msg.Value == ansi.ModeSet || msg.Value == ansi.ModePermanentlySet) {
			sm.s.setWidthMethod(ansi.GraphemeWidth)
		}
	}
	m, cmd := sm.m.Update(msg)
	sm.m = m
	return sm, cmd
}

// View implements tea.Model: the content is drawn now, and the renderer
// gets the view with a blank screen for content. (With no content at all
// the renderer clears the screen on every tick.)
func (sm screenModel) View() tea.View {
	v := sm.m.View()
	sm.s.draw(v.Content)
	v.Content = " "
	return v
}

// keepsScreen reports whether p only asks the terminal things or sets
// modes that leave the screen, the cursor and the pen alone: queries
// (DECRQM, OSC 11, XTGETTCAP, the keyboard protocol's), OSC strings (the
// title, OSC 52 clipboard writes) and DEC private modes other than the
// alternate screen's. Bubble Tea writes those at start-up and for a copy;
// anything else may have moved or cleared something.
func keepsScreen(p []byte) bool {
	for i := 0; i < len(p); {
		if p[i] != ansi.ESC || i+1 >= len(p) {
			return false
		}
		switch p[i+1] {
		case '[':
			j := i + 2
			for j < len(p) && (p[j] < 0x40 || p[j] > 0x7e) {
				j++
			}
			if j >= len(p) {
				return false
			}
			params, final := p[i+2:j], p[j]
			if len(params) == 0 {
				return false
			}
			switch params[0] {
			case '?':
				if (final == 'h' || final == 'l') && altScreenMode(params[1:]) {
					return false
				}
			case '>', '=', '<':
				// Keyboard protocol (kitty, modifyOtherKeys) and its
				// queries, not SGR: a private marker first.
			default:
				return false
			}
			i = j + 1
		case ']', 'P':
			// OSC or DCS, to BEL or ST.
			j := i + 2
			for j < len(p) && p[j] != ansi.BEL && !(p[j] == ansi.ESC && j+1 < len(p) && p[j+1] == '\\') {
				j++
			}
			switch {
			case j >= len(p):
				return false
			case p[j] == ansi.BEL:
				i = j + 1
			default:
				i = j + 2
			}
		default:
			return false
		}
	}
	return true
}

// altScreenMode reports whether DEC private mode parameters (after the
// '?') name an alternate screen mode: 47, 1047, 1048 or 1049.
func altScreenMode(params []byte) bool {
	for _, m := range bytes.Split(params, []byte{';'}) {
		switch string(m) {
		case "47", "1047", "1048", "1049":
			return true
		}
	}
	return false
}
