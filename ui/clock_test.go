package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

// TestCountdownRunsOnTheClock: from the start, the app's one clock tick
// redraws the countdown every second; nothing else moves it. The frame
// is the one the program draws after its last message.
func TestCountdownRunsOnTheClock(t *testing.T) {
	m, _, c := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	for _, step := range []struct {
		by   time.Duration
		want string
	}{
		{time.Second, "59:59"}, {89 * time.Second, "58:30"}, {10 * time.Minute, "48:30"}, {48*time.Minute + 29*time.Second, "00:01"},
		{time.Second, "expired"},
	} {
		frame := advance(m, c, step.by)
		if l := lineOf(frame, "prod-admin"); !strings.Contains(l, step.want) {
			t.Fatalf("at +%v the row shows %q, want %s", c.Now().Sub(t0), l, step.want)
		}
	}
	// One clock, re-armed by each tick: never two at once.
	if n := c.pending(); n != 1 {
		t.Errorf("%d timers armed after an hour, want the one clock tick", n)
	}
}

// TestAutoRenewOverHours runs four hours of the app's clock: a session
// with auto-renew on is renewed once each time it falls due, 5 minutes
// before expiry, and at no other tick; one whose renewals fail is tried
// again after 30 s, 1, 2 and 4 minutes, then every 5; sessions without
// auto-renew, and an auto-renew profile with no session, are left alone.
func TestAutoRenewOverHours(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	for _, p := range []string{"prod-admin", "staging-read", "audit-chained"} {
		selectRow(t, m, p)
		press(m, "enter")
	}
	for _, p := range []string{"prod-admin", "staging-read", "ec2-deploy"} {
		selectRow(t, m, p)
		press(m, "a")
	}
	f.fail["staging-read"] = errDenied
	frame := advance(m, c, 4*time.Hour)

	min := func(m, s int) time.Duration { return time.Duration(m)*time.Minute + time.Duration(s)*time.Second }
	hour := func(h int, d time.Duration) time.Duration { return time.Duration(h)*time.Hour + d }
	// A one-hour session is due 55 minutes after it was issued.
	if got, want := f.callTimes("renew prod-admin"), []time.Duration{min(55, 0), min(110, 0), min(165, 0), min(220, 0)}; !slices.Equal(got, want) {
		t.Errorf("prod-admin renewed at %s, want %s", brief(got), brief(want))
	}
	var want []time.Duration
	for at, wait := min(55, 0), 30*time.Second; at <= 4*time.Hour; at, wait = at+wait, min(5, 0) {
		want = append(want, at)
		if len(want) < 5 {
			wait = 30 * time.Second << (len(want) - 1)
		}
	}
	if got := f.callTimes("renew staging-read"); !slices.Equal(got, want) {
		t.Errorf("failing staging-read tried at %s, want %s", brief(got), brief(want))
	}
	if want[4] != min(62, 30) || want[5] != min(67, 30) || want[len(want)-1] != hour(3, min(57, 30)) {
		t.Fatalf("the expected retries are wrong: %v", want)
	}
	for _, p := range []string{"audit-chained", "ec2-deploy"} {
		if got := f.callTimes("renew " + p); len(got) > 0 {
			t.Errorf("%s has no auto-renew or no session, yet was renewed at %s", p, brief(got))
		}
	}
	if l := lineOf(frame, "prod-admin"); !strings.Contains(l, "40:00") || !strings.Contains(l, "∞") {
		t.Errorf("after 4 hours prod-admin shows %q, want the session renewed at 3:40 with 40:00 left", l)
	}
	if l := lineOf(frame, "staging-read"); !strings.Contains(l, "✗") {
		t.Errorf("staging-read's failing renewals do not show: %q", l)
	}
}

// brief shows a list of times short enough to read: a broken renewal
// can fire on every one of 14,400 ticks.
func brief(d []time.Duration) string {
	if len(d) <= 8 {
		return fmt.Sprint(d)
	}
	return fmt.Sprintf("%v … %v (%d times)", d[:6], d[len(d)-1], len(d))
}

// lineOf is the line of frame that shows profile, or "".
func lineOf(frame, profile string) string {
	for _, l := range strings.Split(frame, "\n") {
		if strings.Contains(l, " "+profile+" ") {
			return l
		}
	}
	return ""
}

// wakes records the ticks a model asks for instead of sleeping.
type wakes struct{ asked []time.Duration }

func (w *wakes) after(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	if _, tick := fn(time.Time{}).(tickMsg); tick { // not the spinner's frames
		w.asked = append(w.asked, d)
	}
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
	m.c.after = w.after
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
