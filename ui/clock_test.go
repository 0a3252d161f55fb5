package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
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
