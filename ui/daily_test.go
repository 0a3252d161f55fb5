package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// helpBar is the frame's last line: the help bar.
func helpBar(m *Model) string { return lastLine(screen(m)) }

// TestEscClearsTheFilterFirst: esc undoes the filter before it dismisses
// a message, while typing and after.
func TestEscClearsTheFilterFirst(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "enter") // a banner: "assumed prod-admin"
	press(m, "/")
	typeText(m, "stag")
	press(m, "esc")
	if m.list.Filtering() || m.list.Filtered() {
		t.Fatal("esc while typing did not clear the filter")
	}
	press(m, "/")
	typeText(m, "stag")
	press(m, "enter")
	m.setBanner("a message", true)
	press(m, "esc")
	if m.list.Filtered() {
		t.Fatal("the first esc did not clear the filter")
	}
	if m.banner.empty() {
		t.Error("the first esc dismissed the message as well")
	}
	press(m, "esc")
	if !m.banner.empty() {
		t.Error("the second esc did not dismiss the message")
	}
}

// TestHelpBarFollowsFocus: the help bar shows the keys of what has the
// keyboard, and the global keys only where they work.
func TestHelpBarFollowsFocus(t *testing.T) {
	m, f, _ := newTestModel(120, 30)
	if h := helpBar(m); !strings.Contains(h, "assume/renew") || !strings.Contains(h, "q quit") {
		t.Errorf("the list's help bar: %q", h)
	}
	press(m, "/")
	h := helpBar(m)
	for _, want := range []string{"enter keep filter", "esc clear filter"} {
		if !strings.Contains(h, want) {
			t.Errorf("the filter's help bar lacks %q: %q", want, h)
		}
	}
	for _, no := range []string{"quit", "auto-renew", "help"} {
		if strings.Contains(h, no) {
			t.Errorf("the filter's help bar offers %q, which would type into the filter: %q", no, h)
		}
	}
	// q and a type into the filter.
	typeText(m, "qa")
	if got := m.list.filter.Value(); got != "qa" {
		t.Errorf("the filter holds %q, want qa", got)
	}
	press(m, "esc")

	f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
	selectRow(t, m, "billing-mfa")
	press(m, "enter")
	if h := helpBar(m); !strings.Contains(h, "enter confirm") || strings.Contains(h, "quit") {
		t.Errorf("the MFA modal's help bar: %q", h)
	}
	press(m, "esc")

	selectRow(t, m, "prod-admin")
	press(m, "enter", "e")
	if h := helpBar(m); !strings.Contains(h, "c copy") || !strings.Contains(h, "esc close") || strings.Contains(h, "auto-renew") {
		t.Errorf("the export view's help bar: %q", h)
	}
	press(m, "esc")

	run(m, tea.WindowSizeMsg{Width: 60, Height: 15})
	press(m, "i")
	if h := helpBar(m); !strings.Contains(h, "back to the list") || !strings.Contains(h, "scroll") {
		t.Errorf("the full-screen details' help bar: %q", h)
	}
}

// TestEscCancelsACall: esc on a row whose call hangs cancels it; the row
// is free again at once, shows no error, and nothing changed.
func TestEscCancelsACall(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	f.gate = make(chan struct{}) // STS never answers
	defer close(f.gate)
	selectRow(t, m, "prod-admin")
	_, cmd := m.Update(keyMsg("enter"))
	if !strings.Contains(line(m, "prod-admin"), "assuming…") {
		t.Fatalf("no spinner on the row: %q", line(m, "prod-admin"))
	}
	done := make(chan []tea.Msg, 1)
	go func() { done <- drainAll(cmd) }()
	press(m, "esc")
	if !strings.Contains(line(m, "prod-admin"), "cancelling…") {
		t.Errorf("the row does not say it is cancelling: %q", line(m, "prod-admin"))
	}
	select {
	case msgs := <-done:
		for _, msg := range msgs {
			run(m, msg)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("esc did not cancel the call: it is still waiting on STS")
	}
	r := m.byName["prod-admin"]
	if r.busy != "" || r.err != nil || r.sess != nil {
		t.Errorf("after cancelling: busy %q, err %v, session %v; want an idle row with nothing new", r.busy, r.err, r.sess)
	}
	if s := screen(m); !strings.Contains(s, "cancelled the assume of prod-admin") {
		t.Errorf("no word of the cancel:\n%s", s)
	}
	if strings.Contains(line(m, "prod-admin"), "✗") {
		t.Errorf("a cancel shows as a failure: %q", line(m, "prod-admin"))
	}
	// The row takes a new call.
	f.gate = nil
	press(m, "enter")
	if !strings.Contains(line(m, "prod-admin"), "1:00:00") {
		t.Errorf("after a cancel the row does not assume again: %q", line(m, "prod-admin"))
	}
}

// TestDefaultAsksBeforeReplacingALiveSession: d over another profile's
// live session asks once; d again writes and says what it replaced; any
// other key keeps [default].
func TestDefaultAsksBeforeReplacingALiveSession(t *testing.T) {
	m, f, c := newTestModel(120, 30)
	selectRow(t, m, "prod-admin")
	press(m, "d")
	selectRow(t, m, "audit-chained")
	press(m, "enter")
	press(m, "d")
	if m.state != stateConfirm {
		t.Fatalf("d over prod-admin's live session did not ask:\n%s", screen(m))
	}
	s := screen(m)
	if !strings.Contains(unwrapped(s), unwrapped("[default] holds prod-admin's session (1h left). Press d again")) {
		t.Errorf("the question does not say what [default] holds:\n%s", s)
	}
	if h := helpBar(m); !strings.Contains(h, "d confirm") {
		t.Errorf("the help bar does not show the confirmation's keys: %q", h)
	}
	if n := slices.Index(f.Calls(), "use audit-chained"); n >= 0 {
		t.Fatal("d wrote [default] before it was confirmed")
	}
	press(m, "x")
	if m.state != stateList || !strings.Contains(screen(m), "[default] left as it was") {
		t.Fatalf("another key did not keep [default]:\n%s", screen(m))
	}
	if _, ok := f.Cached("audit-chained"); !ok {
		t.Error("the key that cancelled also acted (x forgets)")
	}
	press(m, "d", "d")
	if got := f.Calls(); got[len(got)-1] != "use audit-chained" {
		t.Fatalf("d d did not write [default]: %v", got)
	}
	if s := unwrapped(screen(m)); !strings.Contains(s, unwrapped("[default] now holds audit-chained's session (it held prod-admin's)")) {
		t.Errorf("the banner does not say what was replaced:\n%s", screen(m))
	}
	// An expired session is nothing to lose: no question.
	c.now = t0.Add(2 * time.Hour)
	run(m, tickMsg(c.now))
	selectRow(t, m, "prod-admin")
	press(m, "d")
	if m.state == stateConfirm {
		t.Error("d asked although the session in [default] has expired")
	}
}

// TestDefaultForcesOverLongTermKeysWhenConfirmed: [default] holds keys
// rolecall did not write; d says what they are, d again moves them to a
// backup profile and writes.
func TestDefaultForcesOverLongTermKeysWhenConfirmed(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	f.longTerm = true
	selectRow(t, m, "prod-admin")
	press(m, "d")
	if got := f.Calls(); !slices.Equal(got, []string{"use prod-admin"}) {
		t.Fatalf("calls %v, want one use without force", got)
	}
	if m.state != stateConfirm || !strings.Contains(screen(m), "long-term keys") {
		t.Fatalf("the refusal did not become a question:\n%s", screen(m))
	}
	press(m, "d")
	if got := f.Calls(); !slices.Equal(got, []string{"use prod-admin", "use --force prod-admin"}) {
		t.Fatalf("calls %v, want the forced use after d", got)
	}
	if s := unwrapped(screen(m)); !strings.Contains(s, unwrapped("kept in [default-backup-20260301-120000]")) {
		t.Errorf("the banner does not name the backup:\n%s", screen(m))
	}
	if !strings.Contains(line(m, "prod-admin"), "◆") {
		t.Errorf("prod-admin is not marked as [default]'s: %q", line(m, "prod-admin"))
	}
}

// TestAutoRenewIsRememberedAcrossRestarts: a turns auto-renew on and the
// list is saved; a new UI on the same store resumes it.
func TestAutoRenewIsRememberedAcrossRestarts(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "enter", "a")
	if !slices.Equal(f.auto, []string{"prod-admin"}) {
		t.Fatalf("saved %v, want [prod-admin]", f.auto)
	}
	f.auto = append(f.auto, "a-profile-of-other-files")

	restarted := newModel(c, Options{Manager: f, Width: 100, Height: 30, Environ: []string{}})
	if restarted.renewer.Auto("prod-admin") {
		t.Fatal("the constructor read the store: that is I/O for Init's commands")
	}
	for _, msg := range drain(restarted.Init()) {
		run(restarted, msg)
	}
	if !restarted.renewer.Auto("prod-admin") || !strings.Contains(line(restarted, "prod-admin"), "∞") {
		t.Fatalf("auto-renew was not resumed: %q", line(restarted, "prod-admin"))
	}
	if !strings.Contains(screen(restarted), "auto-renew resumed for prod-admin") {
		t.Error("no word that auto-renew resumed")
	}
	// It renews when due, with the cached session.
	c.now = t0.Add(56 * time.Minute)
	run(restarted, tickMsg(c.now))
	if got := f.Calls(); got[len(got)-1] != "renew prod-admin" {
		t.Errorf("the resumed auto-renew did not renew: %v", got)
	}
	// Turning it off is saved too, and keeps what these files lack.
	selectRow(t, restarted, "prod-admin")
	press(restarted, "a")
	if !slices.Equal(f.auto, []string{"a-profile-of-other-files"}) {
		t.Errorf("saved %v after turning it off", f.auto)
	}
}

// TestStatusTextIsLive: a message about a session counts down with the
// clock, in human durations, and goes after a while; errors stay.
func TestStatusTextIsLive(t *testing.T) {
	m, _, c := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	if s := screen(m); !strings.Contains(s, "assumed prod-admin · 1h left") {
		t.Fatalf("banner after assume:\n%s", s)
	}
	c.now = t0.Add(11 * time.Second)
	run(m, tickMsg(c.now))
	if s := screen(m); !strings.Contains(s, "assumed prod-admin · 59m49s left") {
		t.Errorf("the banner did not follow the clock:\n%s", s)
	}
	press(m, "a")
	if s := screen(m); !strings.Contains(s, "renews 5m before expiry") || strings.Contains(s, "5m0s") {
		t.Errorf("durations are not human:\n%s", s)
	}
	c.now = c.now.Add(bannerLife)
	run(m, tickMsg(c.now))
	if !m.banner.empty() {
		t.Errorf("an old message stays: %q", m.banner.text)
	}
	m.setBanner("something failed", true)
	c.now = c.now.Add(time.Hour)
	run(m, tickMsg(c.now))
	if m.banner.empty() {
		t.Error("an error went away on its own")
	}
}

// TestCopyPutsTheExportLinesOnTheClipboard: c in the export view sends
// the lines as they are, through the terminal (OSC 52) and the system
// clipboard; without a system clipboard it says so.
func TestCopyPutsTheExportLinesOnTheClipboard(t *testing.T) {
	var got string
	c := &clock{now: t0}
	f := newFakeManager(testSet(), c)
	m := newModel(c, Options{Manager: f, Width: 60, Height: 15, Environ: []string{},
		Clipboard: func(s string) error { got = s; return nil }})
	selectRow(t, m, "prod-admin")
	press(m, "enter", "e")
	want, _ := f.Handoff(m.byName["prod-admin"].sess).ExportLines("bash")
	osc52 := false
	queue := []tea.Msg{keyMsg("c")}
	for len(queue) > 0 {
		msg := queue[0]
		queue = queue[1:]
		// tea.SetClipboard's message is unexported; it is a string.
		if fmt.Sprintf("%T", msg) == "tea.setClipboardMsg" && fmt.Sprint(msg) == want {
			osc52 = true
		}
		_, cmd := m.Update(msg)
		queue = append(queue, drain(cmd)...)
	}
	if !osc52 {
		t.Error("c did not send the lines to the terminal's clipboard (OSC 52)")
	}
	if got != want {
		t.Errorf("the system clipboard got %q, want the export lines", got)
	}
	if s := screen(m); !strings.Contains(unwrapped(s), unwrapped("copied the 8 export lines for prod-admin")) {
		t.Errorf("no word of the copy:\n%s", s)
	}

	m.opts.Clipboard = func(string) error { return errors.New("xclip not found") }
	press(m, "c")
	if s := unwrapped(screen(m)); !strings.Contains(s, unwrapped("through the terminal (OSC 52)")) || !strings.Contains(s, "xclipnotfound") {
		t.Errorf("a missing system clipboard is not explained:\n%s", screen(m))
	}
}

// TestSubshellSaysWhereYouAre: the TUI's subshell prints one line as it
// starts and one as it ends, and sets ROLECALL_PROFILE.
func TestSubshellSaysWhereYouAre(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	c := &clock{now: t0}
	f := newFakeManager(testSet(), c)
	s, _ := f.newSession(t.Context(), "prod-admin")
	getenv := func(k string) string {
		if k == "SHELL" {
			return sh
		}
		return ""
	}
	sub := newSubshell(f.Handoff(s), []string{"PATH=/usr/bin:/bin"}, getenv, t0)
	if !slices.Contains(sub.cmd.Env, "ROLECALL_PROFILE=prod-admin") {
		t.Errorf("the subshell's environment lacks ROLECALL_PROFILE: %v", sub.cmd.Env)
	}
	var out bytes.Buffer
	sub.SetStdin(strings.NewReader("echo inside\n"))
	sub.SetStdout(&out)
	sub.SetStderr(&out)
	if err := sub.Run(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || lines[1] != "inside" {
		t.Fatalf("output %q, want a line before and after the shell's", lines)
	}
	if !strings.Contains(lines[0], "with prod-admin's session (expires 13:00:00, 1h left); exit to return to rolecall") {
		t.Errorf("entry line %q", lines[0])
	}
	if !strings.Contains(lines[2], "left the subshell of prod-admin") {
		t.Errorf("exit line %q", lines[2])
	}
	// The shell's own status is not the subshell failing.
	m, _, _ := newTestModel(100, 30)
	run(m, shellDoneMsg{profile: "prod-admin", code: 1})
	if m.banner.isErr || !strings.Contains(screen(m), "back from the subshell for prod-admin") {
		t.Errorf("a shell that exited 1 reads as a failure:\n%s", screen(m))
	}
}

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

// TestBannerNeverPushesTheFrame: whatever the message, the frame keeps to
// the terminal's height and ends with the help bar.
func TestBannerNeverPushesTheFrame(t *testing.T) {
	long := strings.Repeat("a very long error line that goes on and on ", 12) + "\nand a second line\nand a third\nand a fourth\nand a fifth"
	for _, size := range sizes {
		m, _, _ := newTestModel(size.w, size.h)
		m.opts.Warnings = []string{"one", "two", "three"}
		run(m, errMsg{op: "save", err: errors.New(long)})
		for _, help := range []bool{false, true} {
			if help {
				press(m, "?")
			}
			s := frame(t, m)
			if got := len(strings.Split(s, "\n")); got > size.h {
				t.Errorf("%s help=%v: %d lines", size.name, help, got)
			}
			if !help && !strings.Contains(lastLine(s), "quit") {
				t.Errorf("%s: the last line is %q, not the help bar", size.name, lastLine(s))
			}
		}
	}
}

// TestBrokenCountInHeader counts every broken profile, roles or not.
func TestBrokenCountInHeader(t *testing.T) {
	set := testSet()
	set.Get("dev-user").Err = errors.New("bad keys")
	c := &clock{now: t0}
	m := newModel(c, Options{Manager: newFakeManager(set, c), Width: 100, Height: 30, Environ: []string{}})
	if s := screen(m); !strings.Contains(s, "✗ 2 profiles have problems: select one and press i") {
		t.Errorf("header:\n%s", s)
	}
}

// TestBannerThatFitsIsShownWhole: a message of exactly as many lines as
// the banner has room for shows whole, without the "…" of a cut one.
func TestBannerThatFitsIsShownWhole(t *testing.T) {
	m, _, _ := newTestModel(100, 30) // room for four lines of banner
	run(m, errMsg{op: "save", err: errors.New("one\ntwo\nthree\nand the fourth")})
	s := frame(t, m)
	if !strings.Contains(s, "save failed: one") || !strings.Contains(s, "and the fourth") {
		t.Fatalf("the four lines of the message do not all show:\n%s", s)
	}
	if strings.Contains(s, "and the fourth…") {
		t.Errorf("a message that fits is cut as if it did not:\n%s", s)
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

// TestHeaderGivesWayOnlyWhenTheListNeedsIt: on a short terminal the
// header's problem line stays while the list keeps its three lines, and
// goes when the list would have fewer.
func TestHeaderGivesWayOnlyWhenTheListNeedsIt(t *testing.T) {
	const problem = "✗ 1 profile has a problem"
	for _, tc := range []struct {
		h    int
		kept bool
	}{
		{7, true}, // title, problem, 3 list lines, status, help
		{6, false},
	} {
		m, _, _ := newTestModel(100, tc.h)
		s := frame(t, m)
		if got := strings.Contains(s, problem); got != tc.kept {
			t.Errorf("%d lines: the header's problem line shown %v, want %v\n%s", tc.h, got, tc.kept, s)
		}
		if !strings.Contains(s, "audit-chained") {
			t.Errorf("%d lines: the list's first row is not on screen\n%s", tc.h, s)
		}
	}
	// The title stays, even when a message takes a line of the six.
	m, _, _ := newTestModel(100, 6)
	press(m, "enter")
	if s := frame(t, m); !strings.HasPrefix(s, "rolecall") || !strings.Contains(s, "assumed audit-chained") {
		t.Errorf("6 lines and a message: the title or the message is gone\n%s", s)
	}
}

// TestBannerGivesWayToTheList: with the full help open on a short
// terminal, a long message gives up lines (down to one) only as far as the
// list needs them to keep its header and two rows, and its last line
// still ends with the "…" of a cut message.
func TestBannerGivesWayToTheList(t *testing.T) {
	for _, tc := range []struct {
		h    int
		want []string // the banner's lines
		rows int      // the list's rows shown
	}{
		{15, []string{"save failed: one", "two…"}, 2},
		{14, []string{"save failed: one…"}, 2},
		{13, []string{"save failed: one…"}, 1},
	} {
		m, _, _ := newTestModel(100, tc.h)
		run(m, errMsg{op: "save", err: errors.New("one\ntwo\nthree\nand the fourth")})
		press(m, "?")
		s := frame(t, m)
		var banner []string
		rows := 0
		for _, l := range strings.Split(s, "\n") {
			l = strings.TrimSpace(l)
			switch {
			case strings.HasPrefix(l, "save failed") || strings.HasPrefix(l, "two") || strings.HasPrefix(l, "three") || strings.HasPrefix(l, "and the fourth"):
				banner = append(banner, l)
			case strings.HasPrefix(l, "▌") || strings.Contains(l, "static user"):
				rows++
			}
		}
		if !slices.Equal(banner, tc.want) || rows != tc.rows {
			t.Errorf("%d lines: banner %q and %d rows, want %q and %d rows\n%s", tc.h, banner, rows, tc.want, tc.rows, s)
		}
	}
}

// TestSidePaneTakesWhatTheListDoesNotUse: beside the list, the details
// pane gets every column the list's own columns do not use, until the
// pane reaches its widest; the list never ends in blank columns before.
func TestSidePaneTakesWhatTheListDoesNotUse(t *testing.T) {
	m, _, _ := newTestModel(120, 30)
	for w := sideBySideWidth; w <= 220; w++ {
		run(m, tea.WindowSizeMsg{Width: w, Height: 30})
		l := m.lay
		if l.detailW < minPaneWidth || l.detailW > maxPaneWidth || l.listW+1+l.detailW != w {
			t.Fatalf("%d columns: list %d + pane %d, want them to share the width with the pane within %d–%d", w, l.listW, l.detailW, minPaneWidth, maxPaneWidth)
		}
		if used := m.list.WidthAt(l.listW); l.detailW < maxPaneWidth && used < l.listW {
			t.Errorf("%d columns: the list's columns use %d of its %d while the pane is %d wide", w, used, l.listW, l.detailW)
		}
	}
}

// TestStackedPaneFitsUnderTheList: on a tall, narrow terminal the details
// pane goes under the list, whole, and the help bar stays the last line.
func TestStackedPaneFitsUnderTheList(t *testing.T) {
	m, _, _ := newTestModel(100, 40)
	s := frame(t, m)
	lines := strings.Split(s, "\n")
	if len(lines) != 40 || !strings.Contains(lastLine(s), "quit") {
		t.Errorf("the frame has %d lines for 40, ending %q, want the help bar last\n%s", len(lines), lastLine(s), s)
	}
	top, bottom := strings.Index(s, "╭"), strings.Index(s, "╰")
	if top < strings.Index(s, "staging-read") || bottom < top {
		t.Errorf("the pane is not whole under the list\n%s", s)
	}
}

// TestHelpAndHeaderDrawnOnlyWhenTheyChange: the help bar and the header
// are drawn again only when what they show changes (focus, size, colours),
// not on every frame: an unchanged one costs a small part of drawing it.
// It counts allocations, not time.
func TestHelpAndHeaderDrawnOnlyWhenTheyChange(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	for _, tc := range []struct {
		name  string
		reset func()
		draw  func()
	}{
		{"help bar", func() { m.helpKey, m.helpCache = helpKey{}, "" }, func() { _ = m.helpView() }},
		{"header", func() { m.headerKey, m.headerCache = headerKey{}, nil }, func() { _ = m.headerLines() }},
	} {
		tc.draw()
		drawn := testing.AllocsPerRun(10, func() { tc.reset(); tc.draw() })
		again := testing.AllocsPerRun(10, tc.draw)
		if again*10 > drawn {
			t.Errorf("an unchanged %s costs %v allocations a frame, drawing it %v: it is drawn again every frame", tc.name, again, drawn)
		}
	}
}

// TestHelpBarFitsEveryWidth: the help bar keeps to the terminal's width
// at every width, whatever has focus, and keeps "? help" and "q quit".
func TestHelpBarFitsEveryWidth(t *testing.T) {
	for w := 24; w <= 130; w++ {
		m, _, _ := newTestModel(w, 20)
		for _, focus := range []string{"list", "details"} {
			if focus == "details" {
				press(m, "i")
			}
			bar := helpBar(m)
			if got := ansi.StringWidth(bar); got > w || !strings.HasSuffix(strings.TrimRight(bar, " "), "? help • q quit") {
				t.Errorf("%d columns, %s: the help bar is %d wide: %q", w, focus, got, bar)
			}
		}
	}
}

// TestHeaderFitsANarrowTerminal: on a narrow terminal the files in the
// header are cut with "…" to the last column, never past it.
func TestHeaderFitsANarrowTerminal(t *testing.T) {
	for _, w := range []int{30, 40} {
		m, _, _ := newTestModel(w, 20)
		s := frame(t, m) // fails for a line wider than the terminal
		first := strings.Split(s, "\n")[0]
		if !strings.HasPrefix(first, "rolecall  files ~") || !strings.HasSuffix(first, "…") || ansi.StringWidth(first) != w {
			t.Errorf("%d columns: the header reads %q, want the files cut to fill the width exactly", w, first)
		}
	}
}

// headerOf is the header's lines of a model on set, 100×h, with opts'
// demo and warnings.
func headerOf(set *profiles.Set, h int, opts Options) []string {
	c := &clock{now: t0}
	opts.Manager, opts.Width, opts.Height, opts.Environ = newFakeManager(set, c), 100, h, []string{}
	m := newModel(c, opts)
	return strings.Split(ansi.Strip(strings.Join(m.lay.header, "\n")), "\n")
}

// TestHeaderSaysWhatNeedsAttention: under the title, the header says how
// many profiles are broken (none: nothing), the first file problem and how
// many more, the demo's hint, and the warnings, as many as a sixth of the
// terminal holds, the rest counted on the last line.
func TestHeaderSaysWhatNeedsAttention(t *testing.T) {
	sound := testSet()
	sound.Get("loop-a").Err = nil
	if h := headerOf(sound, 30, Options{}); len(h) != 1 {
		t.Errorf("sound profiles, no problems: the header is %q, want the title alone", h)
	}

	demo := headerOf(testSet(), 30, Options{Demo: true, DemoHint: "press enter to assume prod-admin"})
	if len(demo) < 2 || !strings.HasPrefix(demo[0], "rolecall  demo") || demo[1] != "› press enter to assume prod-admin" {
		t.Errorf("the demo's header is %q, want the demo label and its hint", demo)
	}

	one, two := testSet(), testSet()
	one.Get("loop-a").Err = nil
	two.Get("loop-a").Err = nil
	p1 := errors.New("/home/u/.aws/config:70: a line outside any section is ignored")
	p2 := errors.New("/home/u/.aws/config:71: a line outside any section is ignored")
	one.Problems, two.Problems = []error{p1}, []error{p1, p2}
	if h := headerOf(one, 30, Options{}); len(h) != 2 || h[1] != "⚠ "+p1.Error() {
		t.Errorf("one file problem: the header is %q", h)
	}
	if h := headerOf(two, 30, Options{}); len(h) != 2 || h[1] != "⚠ "+p1.Error()+" (+1 more: rolecall list shows them)" {
		t.Errorf("two file problems: the header is %q", h)
	}

	// 30 lines hold five lines under the title: the broken count and four
	// warnings fit; with a fifth warning, the last line counts two.
	warn := []string{"w1", "w2", "w3", "w4", "w5"}
	if h := headerOf(testSet(), 30, Options{Warnings: warn[:4]}); !slices.Equal(h[1:], []string{"✗ 1 profile has a problem: select it and press i", "⚠ w1", "⚠ w2", "⚠ w3", "⚠ w4"}) {
		t.Errorf("five lines of news on 30 lines: the header is %q", h)
	}
	if h := headerOf(testSet(), 30, Options{Warnings: warn}); !slices.Equal(h[1:], []string{"✗ 1 profile has a problem: select it and press i", "⚠ w1", "⚠ w2", "⚠ w3", "⚠ 2 more warnings: widen or heighten the terminal"}) {
		t.Errorf("six lines of news on 30 lines: the header is %q", h)
	}
}

// TestFullHelpNeverPushesTheFrame: with the full help open, the frame
// keeps to the terminal's height at every height, even where the help
// alone is taller than the room it has.
func TestFullHelpNeverPushesTheFrame(t *testing.T) {
	for h := 6; h <= 24; h++ {
		m, _, _ := newTestModel(100, h)
		press(m, "?")
		if n := len(strings.Split(screen(m), "\n")); n > h {
			t.Errorf("%d lines: the frame with the full help has %d lines", h, n)
		}
	}
}

// TestMFAModalOnAShortTerminal: the MFA modal over a body shorter than
// itself is cut at the body: the frame keeps to the terminal and ends with
// the modal's keys, and from 10 lines the code's input shows.
func TestMFAModalOnAShortTerminal(t *testing.T) {
	for h := 6; h <= 16; h++ {
		m, f, _ := newTestModel(60, h)
		f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
		selectRow(t, m, "billing-mfa")
		press(m, "enter")
		if m.state != stateMFA {
			t.Fatalf("%d lines: enter on an MFA role did not ask for the code", h)
		}
		s := frame(t, m)
		if n := len(strings.Split(s, "\n")); n != h || !strings.Contains(lastLine(s), "enter confirm") {
			t.Errorf("%d lines: the frame has %d lines and ends %q, want the modal's keys last\n%s", h, n, lastLine(s), s)
		}
		if h >= 10 && !strings.Contains(s, "code ›") {
			t.Errorf("%d lines: the code's input is not on screen\n%s", h, s)
		}
	}
}

// TestSidePaneGivesWayOnAShortBody: on a wide terminal only six lines
// tall, a message leaves the list two lines, too few for the framed
// pane: the list shows alone and the help bar stays last; once the
// message goes, the pane comes back.
func TestSidePaneGivesWayOnAShortBody(t *testing.T) {
	m, _, c := newTestModel(130, 6)
	press(m, "enter")
	s := frame(t, m)
	if n := len(strings.Split(s, "\n")); n != 6 || !strings.Contains(lastLine(s), "quit") || strings.Contains(s, "╭") {
		t.Errorf("with a message, the frame has %d lines and ends %q, want 6 ending with the help bar and no pane\n%s", n, lastLine(s), s)
	}
	if !strings.Contains(s, "assumed audit-chained") || !strings.Contains(s, "444444444444") {
		t.Errorf("with a message, the message or the list's row is missing\n%s", s)
	}
	c.now = c.now.Add(bannerLife + time.Second)
	run(m, tickMsg(c.now))
	s = frame(t, m)
	if !strings.Contains(s, "╭") || !strings.Contains(s, "╰") || !strings.Contains(lastLine(s), "quit") {
		t.Errorf("once the message went, the pane is not back whole above the help bar\n%s", s)
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
