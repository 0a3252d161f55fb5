package ui

import (
	"fmt"
	"github.com/rolecall/rolecall/profiles"
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/session"
)

// TestSlowCallsDoNotBlock: Update returns at once, the row spins while
// the call runs, and the result lands on the right row when it comes.
func TestSlowCallsDoNotBlock(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	f.gate = make(chan struct{})
	selectRow(t, m, "prod-admin")
	_, cmd := m.Update(keyMsg("enter"))
	if !strings.Contains(line(m, "prod-admin"), "assuming…") {
		t.Fatalf("no spinner on the row while its call runs: %q", line(m, "prod-admin"))
	}
	// A second action on the same row waits for the first.
	if _, again := m.Update(keyMsg("x")); again != nil || !strings.Contains(screen(m), "still assuming") {
		t.Fatal("a second call started on a busy row")
	}
	// The UI still answers keys while the call hangs.
	press(m, "up")
	if m.list.Selected().p.Name != "loop-a" {
		t.Fatal("the list did not move while a call was running")
	}
	done := make(chan []tea.Msg)
	go func() { done <- drainAll(cmd) }()
	close(f.gate)
	for _, msg := range <-done {
		run(m, msg)
	}
	if l := line(m, "prod-admin"); !strings.Contains(l, "1:00:00") {
		t.Fatalf("the result did not land on prod-admin: %q", l)
	}
}

// drainAll is drain without the time limit, for commands that wait. Each
// command runs once: a batch's members are run and their messages kept,
// spinner frames dropped.
func drainAll(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	switch msg := cmd().(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, drainAll(c)...)
		}
		return out
	default:
		if fmt.Sprintf("%T", msg) == "spinner.TickMsg" {
			return nil
		}
		return []tea.Msg{msg}
	}
}

func TestSubshellNeedsALiveSession(t *testing.T) {
	m, _, c := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	_, cmd := m.Update(keyMsg("s"))
	if cmd != nil || !strings.Contains(screen(m), "no live session") {
		t.Fatal("s without a session did not ask to assume first")
	}
	press(m, "enter")
	_, cmd = m.Update(keyMsg("s"))
	if cmd == nil {
		t.Fatal("s with a live session started nothing")
	}
	c.now = t0.Add(2 * time.Hour)
	run(m, tickMsg(c.now))
	if _, cmd = m.Update(keyMsg("s")); cmd != nil {
		t.Error("s started a subshell with an expired session")
	}
	run(m, shellDoneMsg{profile: "prod-admin"})
	if !strings.Contains(screen(m), "back from the subshell for prod-admin") {
		t.Error("no word when the subshell returns")
	}
}

func TestHeaderWarningsHintAndDemoLabel(t *testing.T) {
	c := &clock{now: t0}
	set := testSet()
	set.Files.ConfigExists = false
	m := newModel(c, Options{Manager: newFakeManager(set, c), Width: 140, Height: 30, Environ: []string{},
		Warnings: []string{"AWS_PROFILE is set: the AWS CLI will use that profile, not [default]"}})
	s := screen(m)
	for _, want := range []string{"files /home/u/.aws/{config, credentials}", "no config file at /home/u/.aws/config yet", "⚠ AWS_PROFILE is set"} {
		if !strings.Contains(s, want) {
			t.Errorf("header lacks %q", want)
		}
	}
	if first := strings.Fields(strings.SplitN(s, "\n", 2)[0]); first[1] == "demo" {
		t.Error("a real run is labelled demo")
	}
	m = newModel(c, Options{Manager: newFakeManager(testSet(), c), Width: 100, Height: 30, Environ: []string{}, Demo: true})
	if first := strings.Fields(strings.SplitN(screen(m), "\n", 2)[0]); first[1] != "demo" {
		t.Errorf("demo mode is not labelled: %q", first)
	}
}

func TestLightBackgroundChangesStyles(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	dark := m.c.paint[cellPlenty][0].pre
	run(m, tea.BackgroundColorMsg{Color: color.White})
	if m.c.isDark || m.c.paint[cellPlenty][0].pre == dark {
		t.Error("a light background kept the dark styles")
	}
}

func TestExportNeedsALiveSession(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "e")
	if m.state != stateList || !strings.Contains(screen(m), "no live session") {
		t.Fatal("e without a session opened something")
	}
}

// TestAutoRenewWithTheRealPolicy runs the tick against
// session.DefaultRenewPolicy, which the app uses: renew 5 minutes before
// expiry, back off after a failure.
func TestAutoRenewWithTheRealPolicy(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	f.lifetime = 20 * time.Minute
	selectRow(t, m, "prod-admin")
	press(m, "enter", "a")
	c.now = t0.Add(14 * time.Minute)
	run(m, tickMsg(c.now))
	if len(f.Calls()) != 1 {
		t.Fatalf("renewed 6 minutes before expiry: %v", f.Calls())
	}
	f.fail["prod-admin"] = errDenied
	c.now = t0.Add(16 * time.Minute)
	run(m, tickMsg(c.now))
	if len(f.Calls()) != 2 || !strings.Contains(line(m, "prod-admin"), "✗") {
		t.Fatalf("4 minutes before expiry: calls %v, row %q; want a failed renew on the row", f.Calls(), line(m, "prod-admin"))
	}
	c.now = c.now.Add(time.Second)
	run(m, tickMsg(c.now))
	if len(f.Calls()) != 2 {
		t.Fatalf("retried a second after a failure: %v", f.Calls())
	}
	delete(f.fail, "prod-admin")
	c.now = c.now.Add(5 * time.Minute)
	run(m, tickMsg(c.now))
	if len(f.Calls()) != 3 {
		t.Fatalf("no retry after the back-off: %v", f.Calls())
	}
}

// TestExportShowsTheLinesOnlyWhenAsked: e is the one view with secrets.
func TestExportShowsTheLinesOnlyWhenAsked(t *testing.T) {
	m, _, _ := newTestModel(120, 30)
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	if strings.Contains(screen(m), "fake-secret") {
		t.Fatal("the main screen shows the secret key")
	}
	press(m, "e")
	s := screen(m)
	if m.state != stateExport || !strings.Contains(s, "export lines for prod-admin") ||
		!strings.Contains(s, "export AWS_SECRET_ACCESS_KEY=") || !strings.Contains(s, "unset AWS_PROFILE") {
		t.Fatal("e did not show the export lines of the session")
	}
	press(m, "esc")
	if m.state != stateList || strings.Contains(screen(m), "fake-secret") {
		t.Fatal("esc did not close the export lines")
	}
}

// TestUIAsksSessionForEveryRule checks that when to renew, which MFA
// devices a chain uses and whether a role is capped at an hour come from
// the session package: change the policy or the chain, and the UI follows.
func TestUIAsksSessionForEveryRule(t *testing.T) {
	t.Run("renewal follows the Renewer's policy", func(t *testing.T) {
		c := &clock{now: t0}
		f := newFakeManager(testSet(), c)
		f.lifetime = 30 * time.Minute
		m := newModel(c, Options{Manager: f, Environ: []string{}, Width: 100, Height: 30,
			Policy: session.RenewPolicy{Window: 10 * time.Minute, MinBackoff: time.Minute, MaxBackoff: time.Minute}})
		selectRow(t, m, "prod-admin")
		press(m, "enter", "a")
		c.now = t0.Add(19*time.Minute + 59*time.Second) // 10m01s left
		run(m, tickMsg(c.now))
		if n := len(f.Calls()); n != 1 {
			t.Fatalf("renewed before the policy's window: %v", f.Calls())
		}
		c.now = t0.Add(20 * time.Minute) // 10m left
		run(m, tickMsg(c.now))
		if got := f.Calls(); len(got) != 2 || got[1] != "renew prod-admin" {
			t.Fatalf("calls %v, want a renewal exactly when the policy says", got)
		}
	})
	t.Run("the MFA devices are the plan's", func(t *testing.T) {
		m, f, _ := newTestModel(200, 50)
		// audit-chained is dev-user → prod-admin → audit-chained; give both
		// roles a device: the first buys the MFA session, the second goes
		// with audit-chained's own AssumeRole.
		p := f.set.Get("audit-chained")
		for i, r := range p.Chain.Roles {
			r.Props = append(r.Props, profiles.Prop{Key: "mfa_serial", Value: profiles.Value{Value: "arn:aws:iam::111111111111:mfa/" + "xy"[i:i+1]}})
		}
		plan, err := f.real.Plan("audit-chained")
		if err != nil || len(plan.MFA) != 2 {
			t.Fatalf("plan %+v, %v", plan, err)
		}
		selectRow(t, m, "audit-chained")
		s := screen(m)
		for _, want := range []string{"MFA          arn:aws:iam::111111111111:mfa/x", "one MFA session, reused by every role on it",
			"arn:aws:iam::111111111111:mfa/y", "sent with the role's AssumeRole"} {
			if !strings.Contains(s, want) {
				t.Errorf("details lack %q:\n%s", want, s)
			}
		}
	})
	t.Run("the one-hour cap is the chain's", func(t *testing.T) {
		m, f, _ := newTestModel(200, 50)
		// ec2-deploy's root is the instance role: its only role is chained.
		if !f.set.Get("ec2-deploy").Chain.Capped() {
			t.Fatal("the fixture's IMDS role is not capped")
		}
		selectRow(t, m, "ec2-deploy")
		if !strings.Contains(screen(m), "chained: STS grants at most 1h") {
			t.Errorf("details of an IMDS-rooted role do not show the cap:\n%s", screen(m))
		}
		selectRow(t, m, "prod-admin")
		if strings.Contains(screen(m), "chained: STS") {
			t.Errorf("details of a role on an IAM user show a cap")
		}
	})
}

// exportPos is where the export view says it is ("lines 3–9 of 14"), or
// "" when its lines fit.
func exportPos(m *Model) string { return panePosRE.FindString(screen(m)) }

// TestExportScrollStopsAtTheEnd: scrolling the export view down past its
// end keeps the last page on screen, and one line up shows the line
// before it. The view holds secrets: failures say what is wrong, not what
// it shows.
func TestExportScrollStopsAtTheEnd(t *testing.T) {
	m, _, _ := newTestModel(100, 14)
	selectRow(t, m, "prod-admin")
	press(m, "enter", "e")
	n := len(m.export.lines)
	last := m.export.lines[n-1]
	for range 2 * n {
		press(m, "down")
	}
	room := m.export.room()
	want := fmt.Sprintf("lines %d–%d of %d", n-room+1, n, n)
	if got := exportPos(m); got != want || !strings.Contains(screen(m), last) {
		t.Fatalf("down past the end shows %q, want %q with the last line on screen", got, want)
	}
	press(m, "up")
	if got, want := exportPos(m), fmt.Sprintf("lines %d–%d of %d", n-room, n-1, n); got != want {
		t.Errorf("up from the end shows %q, want %q", got, want)
	}
}

// TestExportThatFitsDoesNotScroll: where the export view has exactly the
// room its lines need, its footer does not offer to scroll.
func TestExportThatFitsDoesNotScroll(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "enter", "e")
	for h := 8; m.export.room() != len(m.export.lines); h++ {
		if h > 80 {
			t.Fatalf("no terminal height gives the export view room for exactly its %d lines", len(m.export.lines))
		}
		run(m, tea.WindowSizeMsg{Width: 100, Height: h})
	}
	// The view holds secrets: failures say what is wrong, not what it shows.
	s := screen(m)
	if got := exportPos(m); got != "" || !strings.Contains(s, "c copies them whole · esc closes") {
		t.Errorf("export lines that fit have the footer %q", got)
	}
	if !strings.Contains(s, m.export.lines[0]) || !strings.Contains(s, m.export.lines[len(m.export.lines)-1]) {
		t.Error("export lines that fit do not all show")
	}
}

// TestExportOnTheSmallestTerminal: the export view works on a terminal of
// the least size the app lays out (20×6): it shows a line at a time and
// scrolls through them all.
func TestExportOnTheSmallestTerminal(t *testing.T) {
	m, _, _ := newTestModel(20, 6)
	selectRow(t, m, "prod-admin")
	press(m, "enter", "e")
	if m.state != stateExport {
		t.Fatalf("e did not open the export view (state %v)", m.state)
	}
	n := len(m.export.lines)
	// The view holds secrets: failures say what is wrong, not what it shows.
	for i := range n {
		s := screen(m)
		if !strings.Contains(s, m.export.lines[i]) {
			t.Fatalf("export line %d of %d is not on the screen once scrolled to", i+1, n)
		}
		for _, l := range strings.Split(s, "\n") {
			if ansi.StringWidth(l) > 20 {
				t.Fatalf("a line of the frame is %d cells wide on a 20-cell terminal", ansi.StringWidth(l))
			}
		}
		press(m, "down")
	}
}

// TestMFAProblemStaysUntilADigit: the MFA modal's complaint stays on
// screen until a digit goes in; other keys on an empty input leave it.
func TestMFAProblemStaysUntilADigit(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
	selectRow(t, m, "billing-mfa")
	press(m, "enter")
	typeText(m, "x")
	if !strings.Contains(screen(m), "digits only") {
		t.Fatalf("a letter in the code was not refused:\n%s", screen(m))
	}
	press(m, "backspace")
	if !strings.Contains(screen(m), "digits only") {
		t.Errorf("backspace on the empty code took the complaint away:\n%s", screen(m))
	}
	typeText(m, "1")
	if strings.Contains(screen(m), "digits only") {
		t.Errorf("a digit did not take the complaint away:\n%s", screen(m))
	}
}

// TestMFAModalFitsANarrowTerminal: on a 40-column terminal the MFA modal
// keeps to the width, and the device's ARN still reads back whole, wrapped
// only after its separators (/ : ,), never inside a name at a hyphen.
func TestMFAModalFitsANarrowTerminal(t *testing.T) {
	const serial = "arn:aws:iam::111111111111:mfa/alice-with-a-long-device-name,x"
	m, f, _ := newTestModel(40, 24)
	f.mfa["billing-mfa"] = serial
	selectRow(t, m, "billing-mfa")
	press(m, "enter")
	s := frame(t, m) // fails for a line wider than the terminal
	if !strings.Contains(unwrapped(s), serial) || !strings.Contains(s, "code ›") {
		t.Errorf("the MFA modal at 40 columns does not show the device whole:\n%s", s)
	}
	if !strings.Contains(s, "│  alice-with-a-long-device-name,") {
		t.Errorf("the device's ARN is wrapped inside its name:\n%s", s)
	}
}
