package ui

import (
	"bytes"
	"io"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// PaintFirstFrame writes the model's first frame straight to the terminal,
// before the Bubble Tea program starts. The program's renderer sends its
// first frame only on its first tick, after its own start-up (raw mode,
// input reader, renderer): 10 to 15 ms in which the user would look at an
// empty terminal. Like the renderer it enters the alternate screen (saving
// the cursor) and hides the cursor; the renderer's first frame then clears
// that screen and draws again in one write, and on exit leaves the
// alternate screen as it always does. Colours are reduced to profile, as
// the renderer reduces them; with colorprofile.NoTTY it writes nothing.
//
// The model must be sized for the terminal already (Options.Width and
// Height): the frame is drawn for that size.
func (m *Model) PaintFirstFrame(w io.Writer, profile colorprofile.Profile) error {
	if profile <= colorprofile.NoTTY {
		return nil
	}
	var frame bytes.Buffer
	cw := &colorprofile.Writer{Forward: &frame, Profile: profile}
	if _, err := cw.WriteString(m.View().Content); err != nil {
		return err
	}
	var b strings.Builder
	b.Grow(frame.Len() + frame.Len()/16 + 64)
	b.WriteString(ansi.SetModeAltScreenSaveCursor)
	b.WriteString(ansi.ResetModeTextCursorEnable)
	b.WriteString(ansi.CursorHomePosition)
	b.WriteString(ansi.EraseEntireScreen)
	// The terminal is still in cooked mode, where a line feed may or may
	// not return the carriage: each line starts with one of its own.
	for i, line := range strings.Split(frame.String(), "\n") {
		if i > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString(line)
	}
	b.WriteString(ansi.ResetStyle)
	_, err := io.WriteString(w, b.String())
	return err
}
