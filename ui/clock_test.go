package ui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// wakes records the ticks a model asks for instead of sleeping.
type wakes struct{ asked []time.Duration }

func (w *wakes) after(d time.Duration) tea.Cmd {
	w.asked = append(w.asked, d)
	return nil
}

func (w *wakes) take() []time.Duration {
	out := w.asked
	w.asked = nil
	return out
}

// TestTheClockWakesOnlyWhenNeeded: no session on screen, no wake at all;
// a countdown on screen, a wake on the next whole second; an auto-renewed
// session scrolled out of view, one wake when it falls due.
func TestTheClockWakesOnlyWhenNeeded(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	w := &wakes{}
	m.after = w.after
	c.now = t0.Add(300 * time.Millisecond)
	for _, msg := range drain(m.Init()) {
		run(m, msg)
	}
	run(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if got := w.take(); len(got) != 0 {
		t.Fatalf("an idle list with no session asked for wakes %v", got)
	}
	f.lifetime = 20 * time.Minute
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	got := w.take()
	if len(got) == 0 || got[len(got)-1] != 700*time.Millisecond {
		t.Fatalf("with a countdown on screen, wakes %v; want one at the next whole second (700ms)", got)
	}
	// Each tick asks for the next second, and only one is pending.
	c.now = t0.Add(time.Second)
	run(m, tickMsg(c.now))
	if got := w.take(); len(got) != 1 || got[0] != time.Second {
		t.Errorf("after a tick: wakes %v, want one a second later", got)
	}
	run(m, tea.KeyPressMsg{Code: 'j', Text: "j"}) // a key while a wake is pending
	if got := w.take(); len(got) != 0 {
		t.Errorf("a key asked for another wake %v while one was pending", got)
	}

	// Auto-renew on, the session out of view (a filter hides it) and the
	// message gone: one wake, when it falls due (min(5m, half of 20m)
	// before its end).
	press(m, "g")
	selectRow(t, m, "prod-admin")
	press(m, "a", "/")
	typeText(m, "stag")
	press(m, "enter")
	m.banner = banner{}
	m.wakeAt = time.Time{}
	w.take()
	c.now = t0.Add(2 * time.Second)
	run(m, tickMsg(c.now))
	got = w.take()
	// The session was assumed at t0+300ms for 20 minutes.
	want := t0.Add(300*time.Millisecond + 15*time.Minute).Sub(c.now)
	if len(got) != 1 || got[0] != want {
		t.Errorf("with only an auto-renewal ahead: wakes %v, want one in %s", got, want)
	}
}
