package ui

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/session"
)

// TestDetailsShowRequestedAndGranted: the details say what was asked of
// STS and what it gave.
func TestDetailsShowRequestedAndGranted(t *testing.T) {
	m, f, _ := newTestModel(200, 50)
	selectRow(t, m, "prod-admin")
	if s := paneText(m); !strings.Contains(s, unwrapped("asks for 1h (the STS default)")) {
		t.Errorf("before a session: %s", s)
	}
	f.lifetime = 6 * time.Minute
	press(m, "enter")
	if s := paneText(m); !strings.Contains(s, unwrapped("asked 1h (the STS default) · granted 6m")) {
		t.Errorf("after a 6-minute session: %s", s)
	}
}

// TestDetailsScrollWhereTheyDoNotFit: a pane shorter than its text says
// where it is and scrolls with K/J without moving the list.
func TestDetailsScrollWhereTheyDoNotFit(t *testing.T) {
	m, _, _ := newTestModel(130, 12)
	selectRow(t, m, "audit-chained")
	s := paneText(m)
	if !strings.Contains(s, "lines1–") {
		t.Fatalf("an overflowing pane does not say so: %s", s)
	}
	press(m, "J", "J")
	if m.detail.offset != 2 || m.list.Selected().p.Name != "audit-chained" {
		t.Errorf("J: pane offset %d, selection %s", m.detail.offset, m.list.Selected().p.Name)
	}
	press(m, "down")
	if m.detail.offset != 0 {
		t.Error("another profile's details do not start at the top")
	}
}

// panePos is where the details pane says it is ("lines 5–9 of 17"), or
// "" when its text fits.
func panePos(m *Model) string { return panePosRE.FindString(screen(m)) }

var panePosRE = regexp.MustCompile(`lines \d+–\d+ of \d+`)

// TestDetailsScrollKeys: the details that have the screen scroll by line
// and by page, a page keeping its last line on screen; G shows the last
// line, and the pane stays at the end when the terminal grows.
func TestDetailsScrollKeys(t *testing.T) {
	m, _, _ := newTestModel(100, 12) // the pane shows five lines at a time
	selectRow(t, m, "audit-chained")
	press(m, "i")
	if got := panePos(m); got != "lines 1–5 of 17" {
		t.Fatalf("the full-screen details start at %q, want lines 1–5 of 17:\n%s", got, screen(m))
	}
	press(m, "pgdown")
	if got := panePos(m); got != "lines 5–9 of 17" {
		t.Errorf("page down shows %q, want lines 5–9 of 17 (the last line of the page before, then the next)", got)
	}
	press(m, "G")
	if got := panePos(m); got != "lines 13–17 of 17" || !strings.Contains(screen(m), "Session      none · enter assumes") {
		t.Errorf("G shows %q, want lines 13–17 of 17 ending with the session line:\n%s", got, screen(m))
	}
	press(m, "up")
	if got := panePos(m); got != "lines 12–16 of 17" {
		t.Errorf("up from the end shows %q, want lines 12–16 of 17", got)
	}
	press(m, "G")
	run(m, tea.WindowSizeMsg{Width: 100, Height: 15})
	if got := panePos(m); got != "lines 10–17 of 17" || !strings.Contains(screen(m), "Session      none · enter assumes") {
		t.Errorf("grown by three lines at the end, the pane shows %q, want lines 10–17 of 17:\n%s", got, screen(m))
	}
}

// TestDetailsThatFitShowWhole: where the details pane has exactly the
// room its text needs, every line shows and nothing says "lines … of".
// Scrolling such a pane does nothing: when its text grows past the room,
// it still starts at the top.
func TestDetailsThatFitShowWhole(t *testing.T) {
	m, _, _ := newTestModel(130, 30)
	selectRow(t, m, "audit-chained")
	n := len(m.detail.cachedLines(m.detail.inner()))
	for h := 8; m.detail.room() != n; h++ {
		if h > 60 {
			t.Fatalf("no terminal height gives the pane room for exactly its %d lines", n)
		}
		run(m, tea.WindowSizeMsg{Width: 130, Height: h})
	}
	if got := panePos(m); got != "" || !strings.Contains(screen(m), "Session      none · enter assumes") {
		t.Errorf("a pane that fits says %q or hides its last line:\n%s", got, screen(m))
	}
	press(m, "J")
	press(m, "enter") // a session: the text grows past the room
	if got := panePos(m); !strings.HasPrefix(got, "lines 1–") {
		t.Errorf("after J on a pane that fitted, the grown pane shows %q, want it from line 1:\n%s", got, screen(m))
	}
}

// TestNarrowDetailsKeepTheirColumns: on a narrow terminal the details
// wrap each value under its own column: a label keeps its value on its
// line, and no wrapped piece of a value starts at the pane's edge.
func TestNarrowDetailsKeepTheirColumns(t *testing.T) {
	m, _, _ := newTestModel(44, 30)
	selectRow(t, m, "billing-mfa")
	press(m, "i")
	s := screen(m)
	for _, want := range []string{"│ Role         arn:aws:iam::", "│ MFA          arn:aws:iam::", "│ Duration     asks for"} {
		if !strings.Contains(s, want) {
			t.Errorf("the pane lacks %q: a label lost its value\n%s", want, s)
		}
	}
	// Only a heading or a label starts at the edge of the pane.
	edge := map[string]bool{"billing-mfa": true, "role": true, "Chain": true, "Role": true, "MFA": true, "Duration": true, "Region": true, "Session": true}
	for _, l := range strings.Split(s, "\n") {
		inside, ok := strings.CutPrefix(l, "│ ")
		if !ok || strings.HasPrefix(inside, " ") || strings.TrimSpace(inside) == "│" {
			continue
		}
		if first := strings.Fields(inside)[0]; !edge[first] {
			t.Errorf("a wrapped value starts at the pane's edge: %q\n%s", l, s)
		}
	}
}

// TestDetailsPositionFitsBesideItsValue: a value's file:line goes on the
// value's line while both fit the pane, to the last cell, and under it
// once they do not.
func TestDetailsPositionFitsBesideItsValue(t *testing.T) {
	role := "Role         arn:aws:iam::555555555555:role/Billing"
	for _, tc := range []struct {
		width  int
		beside bool
	}{
		{66, true}, // the pane's text is 62 cells: the role line's exactly
		{65, false},
	} {
		m, _, _ := newTestModel(tc.width, 30)
		selectRow(t, m, "billing-mfa")
		press(m, "i")
		s := screen(m)
		if got := strings.Contains(s, "│ "+role+"  config:41 │"); got != tc.beside {
			t.Errorf("%d columns: the role's config:41 beside its value is %v, want %v\n%s", tc.width, got, tc.beside, s)
		}
		if !strings.Contains(unwrapped(s), unwrapped(role+"config:41")) {
			t.Errorf("%d columns: the role's value or position is missing\n%s", tc.width, s)
		}
	}
}

// chainLines are the details pane's "Chain" section, a line per entry.
func chainLines(m *Model) []string {
	var out []string
	in := false
	for _, l := range strings.Split(ansi.Strip(m.detail.View()), "\n") {
		l = strings.TrimSpace(strings.Trim(strings.TrimSpace(l), "│"))
		switch {
		case l == "Chain":
			in = true
		case in && l == "":
			return out
		case in:
			out = append(out, l)
		}
	}
	return out
}

// TestDetailsShowEachMFADeviceAtItsHop: the chain in the details shows
// each MFA device once, under the hop that uses it: a role's own device
// under that role, the IAM user's device (one MFA session for every role
// on it) under the user.
func TestDetailsShowEachMFADeviceAtItsHop(t *testing.T) {
	const alice = "MFA arn:aws:iam::111111111111:mfa/alice"
	m, _, _ := newTestModel(200, 50)
	selectRow(t, m, "billing-mfa")
	want := []string{"1 dev-user  static user AKIA…0001  credentials:2",
		"2 → billing-mfa  config:41", "arn:aws:iam::555555555555:role/Billing", alice}
	if got := chainLines(m); !slices.Equal(got, want) {
		t.Errorf("billing-mfa's chain reads\n%q\nwant its device under its role:\n%q", got, want)
	}
	// The MFA field names where mfa_serial is written.
	if s := paneText(m); !strings.Contains(s, unwrapped("MFA arn:aws:iam::111111111111:mfa/alice config:44")) {
		t.Errorf("the MFA field does not say where the device is named: %s", s)
	}

	const own = "arn:aws:iam::111111111111:mfa/dev-user"
	set := testSet()
	set.Get("dev-user").Chain.Root.MFASerial = own // every role on dev-user shares the root
	c := &clock{now: t0}
	m = newModel(c, Options{Manager: newFakeManager(set, c), Width: 200, Height: 50, Environ: []string{}})
	selectRow(t, m, "prod-admin")
	want = []string{"1 dev-user  static user AKIA…0001  credentials:2", "MFA " + own,
		"2 → prod-admin  config:11", "arn:aws:iam::222222222222:role/Admin", "external id ext-7788"}
	if got := chainLines(m); !slices.Equal(got, want) {
		t.Errorf("prod-admin's chain reads\n%q\nwant the user's device under the user:\n%q", got, want)
	}
}

// TestDetailsPaneDrawnOnlyWhenItChanges: the details pane is drawn again
// only when what it shows changes, not on every frame (each key, each
// tick of the clock): a frame that changes nothing in it costs a small
// part of what drawing it does. It counts allocations, not time.
func TestDetailsPaneDrawnOnlyWhenItChanges(t *testing.T) {
	m, _, _ := newTestModel(130, 30)
	selectRow(t, m, "billing-mfa")
	press(m, "enter")
	d := m.detail
	first := d.View()
	drawn := testing.AllocsPerRun(10, func() { d.cache = &detailCache{}; _ = d.View() })
	again := testing.AllocsPerRun(10, func() { _ = d.View() })
	if again*10 > drawn {
		t.Errorf("an unchanged pane costs %v allocations a frame, drawing it %v: it is drawn again every frame", again, drawn)
	}
	if d.View() != first {
		t.Error("the pane drawn again from scratch differs from the first drawing")
	}
}

// TestDetailsSayWhatFailed: a broken profile's details show its problem
// and do not offer to assume it; a call that failed shows in full under
// "Last call failed".
func TestDetailsSayWhatFailed(t *testing.T) {
	m, f, _ := newTestModel(200, 50)
	selectRow(t, m, "loop-a")
	if s := paneText(m); !strings.Contains(s, unwrapped("✗ Problem /home/u/.aws/config:62: profile \"loop-a\": source_profile loop: loop-a → loop-b → loop-a")) || strings.Contains(s, "enterassumes") {
		t.Errorf("a broken profile's details: %s", s)
	}
	selectRow(t, m, "staging-read")
	if s := paneText(m); !strings.Contains(s, unwrapped("Session none · enter assumes")) || strings.Contains(s, "✗") {
		t.Errorf("a sound profile's details before a call: %s", s)
	}
	f.fail["staging-read"] = errDenied
	press(m, "enter")
	if s := paneText(m); !strings.Contains(s, unwrapped("✗ Last call failed "+errDenied.Error())) {
		t.Errorf("the details do not show the call's failure whole: %s", s)
	}
}

// TestDetailsShowTheGrantedLifetime: the lifetime runs from before the
// call, so a 15-minute session that took STS 2.5 s to answer shows as
// the 15 minutes STS granted; a session of unknown lifetime claims none.
func TestDetailsShowTheGrantedLifetime(t *testing.T) {
	m, f, _ := newTestModel(200, 50)
	f.cached["staging-read"] = &session.Session{Profile: "staging-read", Creds: session.Credentials{Expires: t0.Add(10 * time.Minute)}}
	for _, msg := range drain(m.Init()) {
		run(m, msg)
	}
	selectRow(t, m, "staging-read")
	if s := paneText(m); !strings.Contains(s, unwrapped("asks for 1h (the STS default)")) || strings.Contains(s, "granted") {
		t.Errorf("a cached session of unknown lifetime: %s", s)
	}
	f.lifetime = 15*time.Minute - 2500*time.Millisecond
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	if s := paneText(m); !strings.Contains(s, unwrapped("asked 1h (the STS default) · granted 15m")) {
		t.Errorf("a 15-minute session: %s", s)
	}
}

// TestDetailsPaneShowsFromItsSizes: the details pane is on screen without
// asking from 120 columns (beside the list) or from 32 lines (below it),
// and not on a smaller terminal, where i shows it instead of the list.
func TestDetailsPaneShowsFromItsSizes(t *testing.T) {
	for _, tc := range []struct {
		w, h  int
		shown bool
	}{
		{119, 31, false},
		{120, 31, true},
		{119, 32, true},
	} {
		m, _, _ := newTestModel(tc.w, tc.h)
		s := screen(m)
		if got := strings.Contains(s, "╭"); got != tc.shown {
			t.Errorf("%d×%d: details pane shown %v, want %v\n%s", tc.w, tc.h, got, tc.shown, s)
		}
		if !strings.Contains(s, "PROFILE") {
			t.Errorf("%d×%d: the list is not on screen\n%s", tc.w, tc.h, s)
		}
		if !tc.shown {
			press(m, "i")
			if s := screen(m); !strings.Contains(s, "╭") || strings.Contains(s, "PROFILE") {
				t.Errorf("%d×%d: i does not show the details instead of the list\n%s", tc.w, tc.h, s)
			}
		}
	}
}

// TestDetailsSayWhenASessionExpired: the details count a session down to
// its end, and from then on say when it ended.
func TestDetailsSayWhenASessionExpired(t *testing.T) {
	m, _, c := newTestModel(200, 50)
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	c.now = t0.Add(time.Hour - time.Second)
	run(m, tickMsg(c.now))
	if s := paneText(m); !strings.Contains(s, unwrapped("Session 00:01 left · expires 13:00:00")) {
		t.Errorf("a second before the end: %s", s)
	}
	for _, at := range []time.Duration{time.Hour, time.Hour + time.Minute} {
		c.now = t0.Add(at)
		run(m, tickMsg(c.now))
		if s := paneText(m); !strings.Contains(s, unwrapped("Session expired at 13:00:00")) || strings.Contains(s, "left·expires") {
			t.Errorf("at +%v: %s", at, s)
		}
	}
}
