package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
)

// TestRowsSayWhatTheirCallIsDoing: while a call runs, its row says which
// call it is, and the spinner turns on the clock's time; a second key on
// the row says what it is still doing; when the call ends the row shows
// its result and the spinner stops.
func TestRowsSayWhatTheirCallIsDoing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		before []string // keys that prepare the row
		key    string
		auto   bool // the call is an auto-renewal, started by the clock
		want   string
	}{
		{name: "assume", key: "enter", want: "assuming…"},
		{name: "renew", before: []string{"enter"}, key: "r", want: "renewing…"},
		{name: "[default]", key: "d", want: "→ [default]…"},
		// The session column is narrower than this one's text, and cuts it.
		{name: "console", key: "c", want: "opening the c"},
		{name: "auto-renew", before: []string{"enter", "a"}, auto: true, want: "auto-renewing…"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, f, c := newTestModel(160, 30)
			m.open = func(context.Context, string) (string, error) { return "the test's browser", nil }
			f.lifetime = 20 * time.Minute
			press(m, "i") // no details beside the list: one line per row
			selectRow(t, m, "prod-admin")
			press(m, tc.before...)
			f.gate = make(chan struct{})
			var cmd tea.Cmd
			if tc.auto {
				c.now = t0.Add(15 * time.Minute) // due: 5 minutes before expiry
				_, cmd = m.Update(tickMsg(c.now))
			} else {
				_, cmd = m.Update(keyMsg(tc.key))
			}
			if l := line(m, "prod-admin"); !strings.Contains(l, tc.want) {
				t.Fatalf("the row is %q while the call runs, want %q", l, tc.want)
			}
			// The program runs a batch's commands at once: the spinner's
			// first frame comes while the call waits.
			results := launch(cmd)
			for spun := false; !spun; {
				msg := <-results
				_, spun = msg.(spinner.TickMsg)
				run(m, msg)
			}
			// The spinner's frames come on the clock.
			before := line(m, "prod-admin")
			advance(m, c, 200*time.Millisecond)
			if l := line(m, "prod-admin"); l == before || !strings.Contains(l, tc.want) {
				t.Errorf("the row stood still while the call ran: %q, then %q", before, l)
			}
			if _, again := m.Update(keyMsg("r")); again != nil || !strings.Contains(screen(m), "prod-admin: still "+strings.TrimSuffix(tc.want, "…")) {
				t.Errorf("a second call on the busy row: banner %q", screen(m))
			}
			close(f.gate)
			run(m, <-results) // the call's answer: nothing else is left
			if l := line(m, "prod-admin"); strings.Contains(l, "…") || !strings.Contains(l, "20:00") {
				t.Errorf("after the call the row is %q, want the new session", l)
			}
			if m.busy != 0 {
				t.Errorf("%d calls still counted as running", m.busy)
			}
		})
	}
}

// launch runs cmd as the program does, each command of a batch on its
// own, and returns the channel their messages arrive on (the timers the
// clock arms send none).
func launch(cmd tea.Cmd) <-chan tea.Msg {
	out := make(chan tea.Msg, 16)
	var start func(tea.Cmd)
	start = func(c tea.Cmd) {
		go func() {
			switch msg := c().(type) {
			case tea.BatchMsg:
				for _, c := range msg {
					start(c)
				}
			case nil:
			default:
				out <- msg
			}
		}()
	}
	start(cmd)
	return out
}
