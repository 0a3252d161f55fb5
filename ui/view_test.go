package ui

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
)

// livelyModel has sessions in every state: plenty of time, under 15 and
// under 5 minutes, expired, a failure, [default] and auto-renew.
func livelyModel(t *testing.T) (*Model, *clock) {
	t.Helper()
	m, f, c := newTestModel(100, 30)
	f.fail["staging-read"] = errDenied
	for _, step := range []struct {
		profile string
		life    time.Duration
		keys    []string
	}{
		{"audit-chained", 8 * time.Minute, []string{"enter"}},
		{"ec2-deploy", 3 * time.Minute, []string{"enter"}},
		{"prod-admin", 2 * time.Hour, []string{"d", "a"}},
		{"billing-mfa", time.Minute, []string{"enter"}},
		{"staging-read", time.Hour, []string{"enter"}},
	} {
		f.lifetime = step.life
		selectRow(t, m, step.profile)
		press(m, step.keys...)
	}
	c.now = t0.Add(90 * time.Second)
	run(m, tickMsg(c.now))
	press(m, "esc", "g")
	return m, c
}

// frame is the screen without colours, checked for its size too.
func frame(t *testing.T, m *Model) string {
	t.Helper()
	s := ansi.Strip(m.View().Content)
	lines := strings.Split(s, "\n")
	if len(lines) > m.height {
		t.Errorf("the frame has %d lines for a %d-line terminal", len(lines), m.height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > m.width {
			t.Errorf("line %d is %d wide in a %d-wide terminal: %q", i+1, w, m.width, l)
		}
	}
	return s
}

// TestResize renders the same state at several sizes, down to the
// smallest supported one, 60x15.
func TestResize(t *testing.T) {
	m, _ := livelyModel(t)
	for _, size := range []struct {
		name string
		w, h int
	}{
		{"60x15", 60, 15},
		{"80x24", 80, 24},
		{"100x34", 100, 34},
		{"140x30", 140, 30},
	} {
		t.Run(size.name, func(t *testing.T) {
			run(m, tea.WindowSizeMsg{Width: size.w, Height: size.h})
			golden.RequireEqual(t, frame(t, m))
		})
	}
}

func TestDetailsOnASmallTerminal(t *testing.T) {
	m, _ := livelyModel(t)
	run(m, tea.WindowSizeMsg{Width: 60, Height: 15})
	press(m, "i")
	s := frame(t, m)
	if !strings.Contains(s, "audit-chained") || !strings.Contains(s, "Chain") {
		t.Fatalf("i did not show the details:\n%s", s)
	}
	golden.RequireEqual(t, s)
	press(m, "esc")
	if strings.Contains(frame(t, m), "Chain") {
		t.Error("esc did not go back to the list")
	}
}

func TestMFAModalView(t *testing.T) {
	m, f, _ := newTestModel(100, 24)
	f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
	selectRow(t, m, "billing-mfa")
	press(m, "enter")
	typeText(m, "123")
	golden.RequireEqual(t, frame(t, m))
}

func TestFullHelp(t *testing.T) {
	m, _, _ := newTestModel(100, 24)
	press(m, "?")
	s := frame(t, m)
	for _, want := range []string{"assume/renew", "auto-renew", "[default]", "subshell", "export", "whoami", "forget", "filter", "roles/all", "quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("the full help lacks %q", want)
		}
	}
	golden.RequireEqual(t, s)
}

func TestNoColorKeepsTheWords(t *testing.T) {
	c := &clock{now: t0}
	f := newFakeManager(testSet(), c)
	m := New(Options{Manager: f, Now: c.Now, NoColor: true, Width: 100, Height: 30, Environ: []string{}})
	f.lifetime = 3 * time.Minute
	press(m, "enter")
	v := m.View().Content
	if strings.Contains(v, "\x1b[38;") || strings.Contains(v, "\x1b[48;") {
		t.Error("NO_COLOR output still sets colours")
	}
	if !strings.Contains(ansi.Strip(v), "● 03:00") {
		t.Error("the countdown is missing without colour")
	}
}
