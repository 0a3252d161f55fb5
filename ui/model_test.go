package ui

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/profilegen"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// line returns the screen line that shows profile, or "".
func line(m *Model, profile string) string {
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.Contains(l, " "+profile+" ") {
			return l
		}
	}
	return ""
}

func selectRow(t *testing.T, m *Model, profile string) {
	t.Helper()
	press(m, "g")
	for range len(m.list.visible) {
		if r := m.list.Selected(); r != nil && r.p.Name == profile {
			return
		}
		press(m, "down")
	}
	t.Fatalf("profile %s is not in the list", profile)
}

func names(m *Model) []string {
	var out []string
	for _, i := range m.list.visible {
		out = append(out, m.list.rows[i].p.Name)
	}
	return out
}

func TestListShowsRolesFirstAndTabShowsAll(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	want := []string{"audit-chained", "billing-mfa", "ec2-deploy", "loop-a", "prod-admin", "staging-read"}
	if got := names(m); !slices.Equal(got, want) {
		t.Fatalf("role view lists %v, want %v", got, want)
	}
	if line(m, "dev-user") != "" {
		t.Error("the static user shows in the roles-only view")
	}
	press(m, "tab")
	if got := names(m); len(got) != 7 || got[len(got)-1] != "dev-user" {
		t.Fatalf("after tab the list is %v, want the roles then dev-user", got)
	}
	if !strings.Contains(line(m, "dev-user"), "static user") {
		t.Errorf("dev-user row does not name its source: %q", line(m, "dev-user"))
	}
}

func TestRowShowsSourceAccountRegion(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	l := line(m, "ec2-deploy")
	for _, want := range []string{"Ec2InstanceMetadata", "666666666666", "eu-west-1", "–"} {
		if !strings.Contains(l, want) {
			t.Errorf("ec2-deploy row %q lacks %q", l, want)
		}
	}
}

func TestNavigationMovesTheSelectionAndDetails(t *testing.T) {
	m, _, _ := newTestModel(130, 30)
	if r := m.list.Selected(); r.p.Name != "audit-chained" {
		t.Fatalf("first selection is %s", r.p.Name)
	}
	press(m, "down", "down")
	if r := m.list.Selected(); r.p.Name != "ec2-deploy" {
		t.Fatalf("two downs select %s, want ec2-deploy", r.p.Name)
	}
	press(m, "up")
	if r := m.list.Selected(); r.p.Name != "billing-mfa" {
		t.Fatalf("up selects %s, want billing-mfa", r.p.Name)
	}
	if !strings.Contains(unwrapped(screen(m)), "arn:aws:iam::111111111111:mfa/alice") {
		t.Error("the details pane does not show the selected role's MFA device")
	}
	press(m, "G")
	if r := m.list.Selected(); r.p.Name != "staging-read" {
		t.Fatalf("G selects %s, want the last row", r.p.Name)
	}
	press(m, "down")
	if r := m.list.Selected(); r.p.Name != "staging-read" {
		t.Fatalf("down past the end moved to %s", r.p.Name)
	}
}

func TestFuzzyFilter(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	press(m, "/")
	typeText(m, "adt")
	if got := names(m); !slices.Equal(got, []string{"audit-chained"}) {
		t.Fatalf(`filter "adt" keeps %v, want [audit-chained]`, got)
	}
	// Keys typed into the filter are text, not commands.
	typeText(m, "qk")
	if len(names(m)) != 0 || !strings.Contains(screen(m), `nothing matches "adtqk"`) {
		t.Fatalf("q and k in the filter did not become part of the pattern: %v", names(m))
	}
	press(m, "backspace", "backspace", "enter")
	if m.list.filtering {
		t.Fatal("enter did not leave the filter input")
	}
	if got := names(m); !slices.Equal(got, []string{"audit-chained"}) {
		t.Fatalf("the filter was not kept after enter: %v", got)
	}
	if !strings.Contains(screen(m), "filter: adt") {
		t.Error("the status line does not show the active filter")
	}
	press(m, "esc")
	if len(names(m)) != 6 {
		t.Fatalf("esc did not clear the filter: %v", names(m))
	}
}

func TestAssumeShowsACountdown(t *testing.T) {
	m, f, c := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "enter")
	if got := f.Calls(); !slices.Equal(got, []string{"assume prod-admin"}) {
		t.Fatalf("calls = %v, want one assume", got)
	}
	if l := line(m, "prod-admin"); !strings.Contains(l, "1:00:00") {
		t.Fatalf("row after assume = %q, want a 1:00:00 countdown", l)
	}
	c.now = c.now.Add(61 * time.Second)
	run(m, tickMsg(c.now))
	if l := line(m, "prod-admin"); !strings.Contains(l, "58:59") {
		t.Fatalf("row a minute later = %q, want 58:59", l)
	}
	if s := screen(m); strings.Contains(s, "fake-secret") || strings.Contains(s, "fake-token") {
		t.Fatal("the main screen shows a secret")
	}
	// A second enter renews.
	press(m, "r")
	if got := f.Calls(); len(got) != 2 || got[1] != "renew prod-admin" {
		t.Fatalf("r on a live session made calls %v, want a renew", got)
	}
}

func TestAssumeFailureShowsOnRowAndBanner(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	f.fail["staging-read"] = errDenied
	selectRow(t, m, "staging-read")
	press(m, "enter")
	if l := line(m, "staging-read"); !strings.Contains(l, "✗ AccessDenied") {
		t.Errorf("failed row = %q, want the error on it", l)
	}
	s := screen(m)
	if !strings.Contains(s, "staging-read: assume failed: AccessDenied") {
		t.Errorf("no error banner:\n%s", s)
	}
	press(m, "esc")
	if strings.Contains(screen(m), "assume failed") {
		t.Error("esc did not clear the banner")
	}
	// The app keeps working: another profile still assumes.
	delete(f.fail, "staging-read")
	press(m, "up")
	press(m, "enter")
	if l := line(m, "prod-admin"); !strings.Contains(l, "1:00:00") {
		t.Errorf("after a failure, another assume did not work: %q", l)
	}
}

func TestAPanickingCallDoesNotCrash(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	cmd := guard("prod-admin", opAssume, func() tea.Msg { panic("boom") })
	msg := cmd()
	e, ok := msg.(errMsg)
	if !ok || e.profile != "prod-admin" || !strings.Contains(e.err.Error(), "boom") {
		t.Fatalf("a panic became %#v, want an errMsg for the profile", msg)
	}
	run(m, msg)
	if !strings.Contains(screen(m), "internal error") {
		t.Error("the panic is not reported on the banner")
	}
}

func TestMFAModal(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
	selectRow(t, m, "billing-mfa")
	press(m, "enter")
	if m.state != stateMFA || !strings.Contains(screen(m), "MFA code for billing-mfa") {
		t.Fatalf("enter on an MFA role did not open the modal:\n%s", screen(m))
	}
	if len(f.Calls()) != 0 {
		t.Fatalf("a call started before the code was given: %v", f.Calls())
	}
	typeText(m, "12a3")
	if v := m.mfa.input.Value(); v != "123" {
		t.Errorf("the input holds %q, want only the digits 123", v)
	}
	press(m, "enter")
	if m.state != stateMFA || !strings.Contains(screen(m), "the code has 6 digits") {
		t.Error("a short code was accepted")
	}
	press(m, "esc")
	if m.state != stateList || len(f.Calls()) != 0 {
		t.Fatalf("esc did not cancel: state %v, calls %v", m.state, f.Calls())
	}
	press(m, "enter")
	if m.mfa.input.Value() != "" {
		t.Error("the modal kept the old code")
	}
	typeText(m, "1234567")
	press(m, "enter")
	if got := f.Calls(); !slices.Equal(got, []string{"assume billing-mfa code=123456"}) {
		t.Fatalf("calls = %v, want one assume with the code", got)
	}
	if l := line(m, "billing-mfa"); !strings.Contains(l, "1:00:00") {
		t.Errorf("row after MFA assume = %q", l)
	}
}

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

func TestForgetAndWhoAmI(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	selectRow(t, m, "prod-admin")
	press(m, "w")
	if len(f.Calls()) != 0 || !strings.Contains(screen(m), "no live session") {
		t.Fatal("w without a session did not ask to assume first")
	}
	press(m, "enter", "w")
	if !strings.Contains(screen(m), "prod-admin is arn:aws:sts::222222222222:assumed-role/Admin/rolecall") {
		t.Errorf("whoami result not shown:\n%s", screen(m))
	}
	press(m, "x")
	if l := line(m, "prod-admin"); strings.Contains(l, "1:00:00") {
		t.Errorf("forget kept the countdown: %q", l)
	}
	if _, ok := f.Cached("prod-admin"); ok {
		t.Error("forget did not reach the manager")
	}
	// The row is idle and without a session: w asks for one, and enter
	// assumes again rather than renewing or waiting for the forget.
	press(m, "w")
	if !strings.Contains(screen(m), "prod-admin has no live session") {
		t.Errorf("after forget, w does not ask to assume first:\n%s", screen(m))
	}
	press(m, "enter")
	if got := f.Calls(); got[len(got)-1] != "assume prod-admin" {
		t.Errorf("enter after forget made the calls %v, want a new assume", got)
	}
}

func TestCachedSessionsShowAtStart(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	f.cached["staging-read"] = &session.Session{Profile: "staging-read", Creds: session.Credentials{Expires: t0.Add(10 * time.Minute)}}
	for _, msg := range drain(m.Init()) {
		run(m, msg)
	}
	if l := line(m, "staging-read"); !strings.Contains(l, "10:00") {
		t.Errorf("cached session not shown: %q", l)
	}
}

func TestBrokenProfileExplainsItself(t *testing.T) {
	m, f, _ := newTestModel(130, 30)
	selectRow(t, m, "loop-a")
	if !strings.Contains(screen(m), "source_profile loop") {
		t.Errorf("the details pane does not explain the problem:\n%s", screen(m))
	}
	press(m, "enter")
	if len(f.Calls()) != 0 || !strings.Contains(screen(m), "loop-a → loop-b") {
		t.Error("enter on a broken profile called STS or said nothing")
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

// TestRenewSaysWhenDefaultChangedOutside: when [default] was rewritten
// by something else since rolecall wrote it, renewing its old profile
// says so (the renewal no longer reaches [default]); renewing another
// profile says nothing about [default].
func TestRenewSaysWhenDefaultChangedOutside(t *testing.T) {
	m, f, _ := newTestModel(200, 30)
	selectRow(t, m, "prod-admin")
	press(m, "d")
	selectRow(t, m, "staging-read")
	press(m, "enter", "r")
	if s := screen(m); !strings.Contains(s, "renewed staging-read") || strings.Contains(s, "changed outside") {
		t.Errorf("renewing a profile [default] does not hold speaks of [default]:\n%s", s)
	}
	f.mu.Lock()
	f.def = profiles.DefaultState{Holder: profiles.DefaultOtherTool}
	f.mu.Unlock()
	selectRow(t, m, "prod-admin")
	press(m, "r")
	want := "[default] now holds keys rolecall did not write (changed outside this window): renewing prod-admin no longer rewrites it"
	if s := screen(m); !strings.Contains(unwrapped(s), unwrapped(want)) {
		t.Errorf("renewing the profile [default] held does not say [default] changed outside:\n%s", s)
	}
	if strings.Contains(line(m, "prod-admin"), "◆") {
		t.Errorf("prod-admin still shows as the [default] profile: %q", line(m, "prod-admin"))
	}
}

// TestDefaultWarningsStayUntilEsc: a [default] write that could be
// shadowed keeps its warning on screen until esc; a plain one goes after
// the banner's life, as any other news does.
func TestDefaultWarningsStayUntilEsc(t *testing.T) {
	m, f, c := newTestModel(200, 30)
	selectRow(t, m, "prod-admin")
	press(m, "d")
	if !strings.Contains(screen(m), "[default] now holds prod-admin's session") {
		t.Fatalf("d did not say it wrote [default]:\n%s", screen(m))
	}
	c.now = c.now.Add(bannerLife + time.Second)
	run(m, tickMsg(c.now))
	if strings.Contains(screen(m), "[default] now holds") {
		t.Errorf("a [default] write without warnings is still on screen after %v:\n%s", bannerLife+time.Second, screen(m))
	}
	warning := "AWS_PROFILE=dev-user is set in this shell: the AWS CLI reads that profile, not [default]"
	f.warnings = []string{warning}
	selectRow(t, m, "staging-read")
	press(m, "d", "d") // [default] holds prod-admin's live session: confirm
	c.now = c.now.Add(10 * bannerLife)
	run(m, tickMsg(c.now))
	if s := unwrapped(screen(m)); !strings.Contains(s, unwrapped("⚠ "+warning)) {
		t.Errorf("the warning of a [default] write went before esc:\n%s", screen(m))
	}
	press(m, "esc")
	if strings.Contains(screen(m), "⚠") {
		t.Errorf("esc did not clear the warning:\n%s", screen(m))
	}
}

// TestRenewFailureSaysWhy: a renewal says it renewed; one STS refuses
// shows STS's reason on the banner, and the row keeps the session it had.
func TestRenewFailureSaysWhy(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	selectRow(t, m, "staging-read")
	press(m, "enter", "r")
	if s := screen(m); !strings.Contains(s, "renewed staging-read") || m.banner.isErr {
		t.Errorf("a renewal does not say it renewed:\n%s", s)
	}
	f.fail["staging-read"] = errDenied
	press(m, "r")
	s := unwrapped(screen(m))
	if !strings.Contains(s, unwrapped("staging-read: renew failed")) || !strings.Contains(s, unwrapped("not authorized to perform sts:AssumeRole")) {
		t.Errorf("a refused renewal does not say why:\n%s", screen(m))
	}
	if l := line(m, "staging-read"); !strings.Contains(l, "1:00:00") {
		t.Errorf("a refused renewal lost the session the row had: %q", l)
	}
}

// bigModel is a model on n generated profiles (internal/profilegen) read
// through the real reader, w×h.
func bigModel(t *testing.T, n, w, h int) *Model {
	t.Helper()
	cfg, cred := profilegen.Generate(n)
	dir := t.TempDir()
	files := profiles.Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
	if err := os.WriteFile(files.Config, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(files.Credentials, cred, 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := profiles.Load(files)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{now: t0}
	m := newModel(c, Options{Manager: newFakeManager(set, c), Width: w, Height: h, Environ: []string{}})
	boot(m)
	return m
}

// selectedLine is the screen line of the selected row ("▌"), or "".
func selectedLine(m *Model) string {
	for _, l := range strings.Split(screen(m), "\n") {
		if strings.HasPrefix(l, "▌") {
			return l
		}
	}
	return ""
}

// TestLongListScrollsWithTheSelection: in a list longer than the screen,
// the selected row is always on screen, one key at a time down and back
// up; the window moves only when the selection would leave it, and the
// frame keeps the help bar last.
func TestLongListScrollsWithTheSelection(t *testing.T) {
	m := bigModel(t, 40, 100, 14)
	page := m.list.pageRows()
	if n := len(m.list.visible); n <= 2*page {
		t.Fatalf("the list shows %d rows at a time of %d: too few to scroll", page, n)
	}
	first := m.list.Selected().name
	check := func(step string) {
		t.Helper()
		s := frame(t, m)
		r := m.list.Selected()
		if l := selectedLine(m); !strings.Contains(l, " "+r.name+" ") {
			t.Fatalf("%s: the selected row %s is not on screen (marked line %q)\n%s", step, r.name, l, s)
		}
		if !strings.Contains(lastLine(s), "quit") {
			t.Fatalf("%s: the help bar is not the last line\n%s", step, s)
		}
	}
	for i := range len(m.list.visible) - 1 {
		press(m, "down")
		check(fmt.Sprintf("down ×%d", i+1))
		if i < page-1 && !strings.Contains(screen(m), " "+first+" ") {
			t.Fatalf("down ×%d: the first row left the screen before the selection reached the bottom", i+1)
		}
	}
	last := m.list.Selected().name
	for i := range len(m.list.visible) - 1 {
		press(m, "up")
		check(fmt.Sprintf("up ×%d", i+1))
		if i < page-1 && !strings.Contains(screen(m), " "+last+" ") {
			t.Fatalf("up ×%d: the last row left the screen before the selection reached the top", i+1)
		}
	}
	press(m, "pgdown")
	check("pgdown")
	if m.list.cursor != page {
		t.Errorf("page down from the top selects row %d, want %d (a page of %d rows)", m.list.cursor+1, page+1, page)
	}
	press(m, "pgup")
	if m.list.cursor != 0 {
		t.Errorf("page up from the second page selects row %d, want the first", m.list.cursor+1)
	}
}

// TestFilterKeepsTheSelection: filtering keeps the selected profile
// selected while it still matches.
func TestFilterKeepsTheSelection(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	selectRow(t, m, "staging-read")
	press(m, "/")
	typeText(m, "a")
	if r := m.list.Selected(); r == nil || r.p.Name != "staging-read" || !strings.Contains(selectedLine(m), "staging-read") {
		t.Errorf("after typing a, the selected line is %q, want staging-read still\n%s", selectedLine(m), screen(m))
	}
}

// TestListRowsKeepToTheWidth: long profile names are cut with … so that
// every row keeps to the terminal's width, at every width.
func TestListRowsKeepToTheWidth(t *testing.T) {
	m := bigModel(t, 40, 100, 14)
	for w := 30; w <= 100; w++ {
		run(m, tea.WindowSizeMsg{Width: w, Height: 14})
		for _, l := range strings.Split(screen(m), "\n") {
			if n := ansi.StringWidth(l); n > w {
				t.Fatalf("%d columns: a line is %d wide: %q", w, n, l)
			}
		}
	}
}

// TestTallerTerminalFillsTheList: scrolled to the end, a list that gets
// taller shows more rows above the last one rather than blank lines.
func TestTallerTerminalFillsTheList(t *testing.T) {
	m := bigModel(t, 40, 100, 14)
	press(m, "G")
	run(m, tea.WindowSizeMsg{Width: 100, Height: 24})
	rows, in := 0, false
	for _, l := range strings.Split(screen(m), "\n") {
		switch {
		case strings.Contains(l, "PROFILE"):
			in = true
		case strings.Contains(l, "◆ in [default]"):
			in = false
		case in && strings.TrimSpace(l) != "":
			rows++
		}
	}
	if page := m.list.pageRows(); rows != page {
		t.Errorf("24 lines at the end of the list show %d rows, want a full page of %d\n%s", rows, page, screen(m))
	}
}

// TestDroppedSourceComesBackCut: a source column dropped for want of room
// comes back, cut, once ten cells are spare: nine for the source and its
// gap; with nine spare it stays out.
func TestDroppedSourceComesBackCut(t *testing.T) {
	cw := contentWidths{name: 16, source: 19, account: 12, region: 14}
	// 65 cells hold the mark, a 16-cell name, account, region and state.
	for _, tc := range []struct{ w, source int }{{74, 0}, {75, 9}, {80, 14}} {
		c := layoutColumns(tc.w, cw).fill(tc.w, cw)
		if c.source != tc.source || c.width() > tc.w {
			t.Errorf("%d columns: source %d wide, row %d wide; want source %d within the width", tc.w, c.source, c.width(), tc.source)
		}
	}
}

// col is the cell column where sub starts in line, or -1.
func col(line, sub string) int {
	i := strings.Index(line, sub)
	if i < 0 {
		return -1
	}
	return ansi.StringWidth(line[:i])
}

// TestColumnHeadsStandOverTheirColumns: at every width, each column's
// head starts where its values do, whichever optional columns the width
// dropped.
func TestColumnHeadsStandOverTheirColumns(t *testing.T) {
	m, _, _ := newTestModel(130, 30)
	press(m, "i") // the list alone, as wide as the terminal
	for w := 40; w <= 130; w++ {
		run(m, tea.WindowSizeMsg{Width: w, Height: 30})
		var head string
		for _, l := range strings.Split(screen(m), "\n") {
			if strings.Contains(l, "PROFILE") {
				head = l
			}
		}
		row := line(m, "audit-chained")
		for _, c := range []struct{ head, value string }{
			{"SOURCE", "static u"}, {"ACCOUNT", "444444444444"}, {"REGION", "eu-west-1"},
		} {
			if h := col(head, c.head); h >= 0 && h != col(row, c.value) {
				t.Errorf("%d columns: %s starts at %d, its value %q at %d\n%s\n%s", w, c.head, h, c.value, col(row, c.value), head, row)
			}
		}
		if h, v := col(head, "SESSION"), ansi.StringWidth(row[:strings.LastIndex(row, "–")]); h != v {
			t.Errorf("%d columns: SESSION starts at %d, the session cell at %d\n%s\n%s", w, h, v, head, row)
		}
	}
}

// TestSourceOfAProfileWithoutCredentials: a profile that only holds
// settings (no chain to assume) shows its kind as its source, not
// "broken"; a broken one shows its problem.
func TestSourceOfAProfileWithoutCredentials(t *testing.T) {
	set := testSet()
	set.Profiles = append(set.Profiles, &profiles.Profile{Name: "settings-only", Kind: profiles.KindOther,
		Pos:   profiles.Pos{File: "/home/u/.aws/config", Line: 70},
		Props: profiles.Props{{Key: "region", Value: profiles.Value{Value: "eu-west-1"}}}})
	c := &clock{now: t0}
	m := newModel(c, Options{Manager: newFakeManager(set, c), Width: 120, Height: 30, Environ: []string{}})
	press(m, "i", "tab") // the list alone, every profile
	if l := line(m, "settings-only"); !strings.Contains(l, " other ") || strings.Contains(l, "broken") {
		t.Errorf("the settings-only row is %q, want its kind (other) as its source", l)
	}
	if l := line(m, "loop-a"); !strings.Contains(l, "source_profile loop") {
		t.Errorf("the broken row is %q, want its problem", l)
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
