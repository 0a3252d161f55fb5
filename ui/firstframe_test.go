package ui

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
)

// TestPaintFirstFrame: the frame painted before the program starts is the
// model's own view, line for line, on the alternate screen with the cursor
// hidden, in no more colour than the terminal takes.
func TestPaintFirstFrame(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	view := m.View().Content
	wantLines := strings.Split(ansi.Strip(view), "\n")
	for _, tc := range []struct {
		name    string
		profile colorprofile.Profile
		want    string // a colour sequence that must be there
		not     []string
	}{
		{"true colour", colorprofile.TrueColor, "38;2;", nil},
		{"256 colours", colorprofile.ANSI256, "38;5;", []string{"38;2;", "48;2;"}},
		{"no colour", colorprofile.ASCII, "", []string{"38;", "48;", "[3", "[9"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := m.PaintFirstFrame(&b, tc.profile); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			head := ansi.SetModeAltScreenSaveCursor + ansi.ResetModeTextCursorEnable + ansi.CursorHomePosition + ansi.EraseEntireScreen
			if !strings.HasPrefix(out, head) {
				t.Fatalf("the frame does not start by entering the alternate screen with the cursor hidden: %q", out[:min(len(out), 40)])
			}
			body := out[len(head):]
			if strings.Count(body, "\n") != strings.Count(body, "\r\n") {
				t.Error("a line feed without a carriage return: in cooked mode the next line would not start at the left edge")
			}
			if got := strings.Split(ansi.Strip(body), "\r\n"); !slices.Equal(got, wantLines) {
				t.Errorf("the painted frame differs from the view:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantLines, "\n"))
			}
			if tc.want != "" && !strings.Contains(body, tc.want) {
				t.Errorf("no %q colour in the frame", tc.want)
			}
			for _, s := range tc.not {
				if strings.Contains(body, s) {
					t.Errorf("the frame holds %q, more colour than the profile takes", s)
				}
			}
			if !strings.HasSuffix(body, ansi.ResetStyle) {
				t.Error("the frame does not end by resetting the style")
			}
		})
	}
	var b bytes.Buffer
	if err := m.PaintFirstFrame(&b, colorprofile.NoTTY); err != nil || b.Len() != 0 {
		t.Fatalf("with no terminal it wrote %q (%v), want nothing", b.String(), err)
	}
}
