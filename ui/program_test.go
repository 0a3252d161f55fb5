package ui

import (
	"bytes"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"
)

// TestProgramFlow runs the model in a real Bubble Tea program: filter to
// the chained role, assume it through the fake manager, see the countdown,
// quit.
func TestProgramFlow(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	m.c.after = tea.Tick // a real program waits for real timers
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30))
	wait := func(s string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(s)) },
			teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
	}
	wait("audit-chained")
	tm.Send(tea.KeyPressMsg{Code: '/', Text: "/"})
	tm.Type("chained")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	wait("1:00:00")
	tm.Send(tea.KeyPressMsg{Code: 'q', Text: "q"})
	final := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*Model)
	if got := f.Calls(); len(got) != 1 || got[0] != "assume audit-chained" {
		t.Fatalf("calls = %v, want one assume of audit-chained", got)
	}
	if r := final.byName["audit-chained"]; r.sess == nil {
		t.Fatal("the final model has no session for audit-chained")
	}
}
