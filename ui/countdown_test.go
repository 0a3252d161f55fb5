package ui

import (
	"strings"
	"testing"
	"time"

	"github.com/rolecall/rolecall/session"
)

func TestCountdownFormatsAndUrgency(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	for _, tc := range []struct {
		left time.Duration
		text string
		kind cellKind
	}{
		{2*time.Hour + 3*time.Minute + 4*time.Second, "● 2:03:04", cellPlenty},
		{time.Hour, "● 1:00:00", cellPlenty},
		{15 * time.Minute, "● 15:00", cellPlenty},
		{15*time.Minute - time.Millisecond, "● 14:59", cellSoon},
		{5 * time.Minute, "● 05:00", cellSoon},
		{4*time.Minute + 59*time.Second, "● 04:59", cellUrgent},
		{time.Second, "● 00:01", cellUrgent},
		{0, "✗ expired", cellExpired},
		{-time.Hour, "✗ expired", cellExpired},
	} {
		r := &row{sess: &session.Session{Creds: session.Credentials{Expires: t0.Add(tc.left)}}}
		kind, text := m.list.stateCell(r, t0, false)
		if text != tc.text || kind != tc.kind {
			t.Errorf("%v left: %q as %v, want %q as %v", tc.left, text, kind, tc.text, tc.kind)
		}
	}
	// The four urgencies are drawn in four different colours.
	seen := map[string]bool{}
	for _, k := range []cellKind{cellPlenty, cellSoon, cellUrgent, cellExpired} {
		seen[m.c.paint[k][0].pre] = true
	}
	if len(seen) != 4 {
		t.Errorf("urgency colours are not distinct: %d of 4", len(seen))
	}
}

func TestCountdownFollowsTheClock(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	f.lifetime = 16 * time.Minute
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	for _, step := range []struct {
		after time.Duration
		want  string
	}{
		{0, "16:00"}, {90 * time.Second, "14:30"}, {11*time.Minute + 30*time.Second, "04:30"}, {16 * time.Minute, "expired"},
	} {
		c.now = t0.Add(step.after)
		run(m, tickMsg(c.now))
		if l := line(m, "prod-admin"); !strings.Contains(l, step.want) {
			t.Errorf("at +%v the row is %q, want %s", step.after, l, step.want)
		}
	}
}

// TestFormatLeft: the countdown rounds down, as a countdown does, turns
// to h:mm:ss from one hour on, and says "expired" from the expiry itself.
func TestFormatLeft(t *testing.T) {
	for left, want := range map[time.Duration]string{
		-time.Second:                   "expired",
		0:                              "expired",
		time.Second - time.Millisecond: "00:00",
		time.Second:                    "00:01",
		time.Hour - time.Millisecond:   "59:59",
		time.Hour:                      "1:00:00",
		10*time.Hour + 2*time.Minute:   "10:02:00",
	} {
		if got := formatLeft(left); got != want {
			t.Errorf("formatLeft(%v) = %q, want %q", left, got, want)
		}
	}
}

// TestLeftText: the banners' "… left" stays true as the clock runs: time
// left rounds down, and from the expiry itself the session has expired.
func TestLeftText(t *testing.T) {
	for _, tc := range []struct {
		exp  time.Time
		want string
	}{
		{time.Time{}, "no expiry"},
		{t0.Add(59*time.Minute + 59*time.Second + 900*time.Millisecond), "59m59s left"},
		{t0.Add(time.Second), "1s left"},
		{t0, "expired 0s ago"},
		{t0.Add(-3 * time.Minute), "expired 3m ago"},
	} {
		if got := leftText(tc.exp, t0); got != tc.want {
			t.Errorf("leftText(%v) = %q, want %q", tc.exp.Sub(t0), got, tc.want)
		}
	}
}

// TestFirstLine: one-line places (the header's file problem, a login's
// failure) take a text's first line, even when it is empty.
func TestFirstLine(t *testing.T) {
	for s, want := range map[string]string{"one": "one", "one\ntwo": "one", "\ntwo": "", "": ""} {
		if got := firstLine(s); got != want {
			t.Errorf("firstLine(%q) = %q, want %q", s, got, want)
		}
	}
}
