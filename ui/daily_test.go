package ui

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
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
