package ui

import (
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
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
