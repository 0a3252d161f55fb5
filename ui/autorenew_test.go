package ui

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestAutoRenewFiresBeforeExpiry(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	f.lifetime = 20 * time.Minute
	selectRow(t, m, "prod-admin")
	press(m, "enter", "a")
	if !strings.Contains(line(m, "prod-admin"), "∞") {
		t.Fatalf("no auto-renew marker: %q", line(m, "prod-admin"))
	}
	c.now = t0.Add(10 * time.Minute)
	run(m, tickMsg(c.now))
	if n := len(f.Calls()); n != 1 {
		t.Fatalf("auto-renew fired 10 minutes before expiry: %v", f.Calls())
	}
	c.now = t0.Add(16 * time.Minute)
	run(m, tickMsg(c.now))
	if got := f.Calls(); !slices.Equal(got, []string{"assume prod-admin", "renew prod-admin"}) {
		t.Fatalf("4 minutes before expiry calls = %v, want a renew", got)
	}
	if l := line(m, "prod-admin"); !strings.Contains(l, "20:00") {
		t.Errorf("the renewed row = %q, want a fresh 20:00", l)
	}
}

func TestAutoRenewRewritesDefault(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	f.lifetime = 20 * time.Minute
	selectRow(t, m, "prod-admin")
	press(m, "d")
	if !strings.Contains(line(m, "prod-admin"), "◆") || !strings.Contains(screen(m), "[default] now holds prod-admin") {
		t.Fatalf("d did not mark the [default] profile:\n%s", screen(m))
	}
	press(m, "a")
	c.now = t0.Add(16 * time.Minute)
	run(m, tickMsg(c.now))
	if got := f.Calls(); !slices.Equal(got, []string{"use prod-admin", "renew prod-admin", "write [default] prod-admin"}) {
		t.Fatalf("calls = %v, want use, then renew and write [default] again", got)
	}
}

// TestAutoRenewBacksOffWhenDefaultCannotBeWritten renews a session that
// [default] holds while the credentials file cannot be written: the row
// keeps the renewed session, the failure shows on it and in the details
// (counted as a failure of auto-renew), and the next ticks do not renew
// again at once.
func TestAutoRenewBacksOffWhenDefaultCannotBeWritten(t *testing.T) {
	m, f, c := newTestModel(160, 30)
	f.lifetime = 20 * time.Minute
	selectRow(t, m, "prod-admin")
	press(m, "d", "a")
	f.useFail["prod-admin"] = errors.New("write credentials: permission denied")
	c.now = t0.Add(16 * time.Minute)
	run(m, tickMsg(c.now))
	if got := f.Calls(); !slices.Equal(got, []string{"use prod-admin", "renew prod-admin", "write [default] prod-admin"}) {
		t.Fatalf("calls = %v, want use, then renew and a failed write", got)
	}
	if !strings.Contains(screen(m), "[default] was not rewritten: write credentials: permission denied") {
		t.Errorf("the failed write does not show:\n%s", screen(m))
	}
	if want := c.now.Add(20 * time.Minute); !m.byName["prod-admin"].sess.Expires().Equal(want) {
		t.Errorf("the row does not show the renewed session (expires %v, want %v)", m.byName["prod-admin"].sess.Expires(), want)
	}
	if text := paneText(m); !strings.Contains(text, "auto-renewon·1failedinarow") {
		t.Errorf("the details do not count the failure: %s", text)
	}
	for range 5 {
		c.now = c.now.Add(time.Second)
		run(m, tickMsg(c.now))
	}
	if n := len(f.Calls()); n != 3 {
		t.Errorf("auto-renew ran again right after the failure: %v", f.Calls())
	}
}

func TestAutoRenewAsksForANewMFACode(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	f.lifetime = 20 * time.Minute
	selectRow(t, m, "billing-mfa")
	press(m, "enter", "a")
	// The MFA session behind the role has run out: a renewal needs a code.
	f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
	c.now = t0.Add(16 * time.Minute)
	run(m, tickMsg(c.now))
	if len(f.Calls()) != 1 {
		t.Fatalf("auto-renew called STS without a code: %v", f.Calls())
	}
	if l := line(m, "billing-mfa"); !strings.Contains(l, "MFA?") {
		t.Errorf("row = %q, want it to say a code is needed", l)
	}
	if !strings.Contains(screen(m), "needs a new MFA code") {
		t.Error("no banner about the MFA code")
	}
	// It does not try again on its own.
	for range 60 {
		c.now = c.now.Add(time.Second)
		run(m, tickMsg(c.now))
	}
	if m.state != stateList || len(f.Calls()) != 1 {
		t.Fatalf("auto-renew retried while waiting for a code: %v", f.Calls())
	}
	// r asks for the code and renews with it; auto-renew goes on.
	press(m, "r")
	if m.state != stateMFA {
		t.Fatalf("r did not ask for the code:\n%s", screen(m))
	}
	typeText(m, "424242")
	press(m, "enter")
	if got := f.Calls(); !slices.Equal(got, []string{"assume billing-mfa", "renew billing-mfa code=424242"}) {
		t.Fatalf("calls = %v, want a renew with the code", got)
	}
	if st := m.renewer.Status("billing-mfa"); !st.Auto || st.NeedsUser {
		t.Errorf("after the code: auto-renew status %+v, want on and not waiting", st)
	}
	if l := line(m, "billing-mfa"); strings.Contains(l, "MFA?") || !strings.Contains(l, "20:00") {
		t.Errorf("row after the renewal = %q", l)
	}
}

// TestAutoRenewSaysWhenTheRowNeedsAssumingFirst: turning auto-renew on
// for a profile without a session says it starts once assumed; on a
// live session it does not.
func TestAutoRenewSaysWhenTheRowNeedsAssumingFirst(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "a")
	if s := unwrapped(screen(m)); !strings.Contains(s, unwrapped("auto-renew on for prod-admin")) || !strings.Contains(s, unwrapped("(assume it first)")) {
		t.Errorf("a without a session does not say to assume first:\n%s", screen(m))
	}
	press(m, "a", "enter", "a")
	if s := unwrapped(screen(m)); !strings.Contains(s, unwrapped("auto-renew on for prod-admin")) || strings.Contains(s, unwrapped("(assume it first)")) {
		t.Errorf("a on a live session asks to assume it first:\n%s", screen(m))
	}
}
