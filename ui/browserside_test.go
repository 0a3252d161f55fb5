package ui

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/ssofake"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

func TestConsoleKey(t *testing.T) {
	m, f, _ := newTestModel(100, 30)
	var opened []string
	m.open = func(_ context.Context, u string) (string, error) { opened = append(opened, u); return "firefox", nil }
	press(m, "c") // audit-chained, the first row
	if len(opened) != 1 || !strings.Contains(opened[0], "SigninToken=") {
		t.Fatalf("opened %q", opened)
	}
	if got := screen(m); !strings.Contains(got, "console for audit-chained opened in firefox") || strings.Contains(got, "fake-signin-token") {
		t.Errorf("banner/screen:\n%s", got)
	}
	if r := m.list.Selected(); r.sess == nil {
		t.Error("the row does not show the session the console signed in with")
	}

	// An MFA role asks for the code first, then opens the console.
	f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
	press(m, "down", "c")
	if m.state != stateMFA {
		t.Fatalf("state %v, want the MFA modal", m.state)
	}
	typeText(m, "123456")
	press(m, "enter")
	if calls := f.Calls(); calls[len(calls)-1] != "console billing-mfa code=123456" || len(opened) != 2 {
		t.Errorf("calls %v, opened %d", calls, len(opened))
	}

	// No browser: the URL is shown, for the user to copy.
	m.open = func(context.Context, string) (string, error) {
		return "", errors.New("no browser opened: tried xdg-open (not installed)")
	}
	press(m, "up", "c")
	if m.state != stateExport || !strings.Contains(screen(m), "fake-signin-token") || !strings.Contains(screen(m), "xdg-open") {
		t.Errorf("no-browser view:\n%s", screen(m))
	}
}

const uiSSOConfig = `[sso-session corp]
sso_start_url = https://corp.awsapps.com/start
sso_region = eu-west-1

[profile sso-dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = Dev
region = eu-west-1
`

// ssoModel is a model whose only profile is an SSO one with no token yet;
// logins go to the SSO fake.
func ssoModel(t *testing.T) (*Model, *fakeManager) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config")
	if err := os.WriteFile(cfg, []byte(uiSSOConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := profiles.Load(profiles.Files{Config: cfg})
	if err != nil {
		t.Fatal(err)
	}
	fake := ssofake.Start(t)
	env := map[string]string{"HOME": dir, "AWS_ENDPOINT_URL_SSO": fake.URL, "AWS_ENDPOINT_URL_SSO_OIDC": fake.URL}
	c := &clock{now: t0}
	f := newFakeManager(set, c)
	f.sso = session.New(set, session.Options{Getenv: func(k string) string { return env[k] }, CacheDir: filepath.Join(dir, "cache")})
	m := newModel(c, Options{Manager: f, Getenv: func(string) string { return "" }, Environ: []string{}, Width: 100, Height: 30})
	for _, msg := range drain(m.Init()) { // reads which profiles need a login
		run(m, msg)
	}
	return m, f
}

// only runs cmd now, without a deadline, and of a batch only its first
// command: the login's steps talk to the SSO fake, which a slow machine
// may not answer within the deadline press gives a command.
func only(cmd tea.Cmd) tea.Msg {
	msg := cmd()
	if b, ok := msg.(tea.BatchMsg); ok {
		return b[0]()
	}
	return msg
}

func TestSSOLoginModal(t *testing.T) {
	m, f := ssoModel(t)
	if !strings.Contains(screen(m), "login needed") {
		t.Fatalf("the SSO row does not say it needs a login:\n%s", screen(m))
	}
	update := func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }

	// No browser: the modal shows the page to open and waits; esc
	// cancels and nothing is assumed.
	m.open = func(context.Context, string) (string, error) { return "", errors.New("no browser opened") }
	begin := update(only(update(keyMsg("enter")))) // the assume says a login is needed
	if m.state != stateLogin || !strings.Contains(screen(m), "starting the login") {
		t.Fatalf("state %v\n%s", m.state, screen(m))
	}
	steps := update(begin())().(tea.BatchMsg) // open the page, wait for the browser
	got := screen(m)
	if !strings.Contains(got, "IAM Identity Center login for sso-dev") || !strings.Contains(got, "/authorize?") || !strings.Contains(got, "esc cancel") {
		t.Fatalf("login modal:\n%s", got)
	}
	update(steps[0]())
	if !strings.Contains(screen(m), "no browser opened") {
		t.Errorf("the modal does not say no browser opened:\n%s", screen(m))
	}
	update(keyMsg("esc"))
	if m.state != stateList || !strings.Contains(screen(m), "login cancelled") || strings.Contains(strings.Join(f.Calls(), ","), "assume") {
		t.Errorf("after esc: state %v calls %v\n%s", m.state, f.Calls(), screen(m))
	}

	// The browser approves: the login ends and the assume goes on.
	m.open = func(_ context.Context, u string) (string, error) { return "testbrowser", ssofake.Visit(u) }
	begin = update(only(update(keyMsg("enter"))))
	steps = update(begin())().(tea.BatchMsg)
	update(steps[0]())           // the browser allows access
	assume := update(steps[1]()) // the token arrives
	update(only(assume))         // the assume that needed it
	r := m.list.Selected()
	if m.state != stateList || r.sess == nil || r.needLogin {
		t.Fatalf("after the login: state %v, session %v, needLogin %v\n%s", m.state, r.sess, r.needLogin, screen(m))
	}
	if calls := strings.Join(f.Calls(), ","); calls != "login sso-dev,login sso-dev,assume sso-dev" {
		t.Errorf("calls %s", calls)
	}
	if strings.Contains(screen(m), "login needed") {
		t.Error("the row still says login needed")
	}
}

// The login page's URL is cut into whole lines of the modal, so that it
// reads back whole: no line is wrapped again by the modal into a stub.
func TestLoginModalKeepsTheURLWhole(t *testing.T) {
	m, _ := ssoModel(t)
	m.open = func(context.Context, string) (string, error) { return "", errors.New("no browser opened") }
	update := func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }
	begin := update(only(update(keyMsg("enter"))))
	update(begin())
	defer update(keyMsg("esc"))
	u := m.login.login.URL
	var joined strings.Builder
	var widths []int
	in := false
	for _, line := range strings.Split(screen(m), "\n") {
		_, rest, ok := strings.Cut(line, "│  ")
		if !ok {
			continue
		}
		rest = strings.TrimRight(strings.TrimSuffix(strings.TrimRight(rest, " "), "│"), " ")
		if strings.HasPrefix(rest, "http://") {
			in = true
		}
		if in {
			if rest == "" {
				break
			}
			joined.WriteString(rest)
			widths = append(widths, len(rest))
		}
	}
	for i := 1; i < len(widths)-1; i++ {
		if widths[i] != widths[0] {
			t.Errorf("URL lines of %v characters: the modal wrapped them again", widths)
			break
		}
	}
	if joined.String() != u {
		t.Errorf("the URL on screen reads back as\n%s\nwant\n%s\n%s", joined.String(), u, screen(m))
	}
}

// TestCancelledLoginStaysCancelled: esc cancels a login, and the user
// starts another. When the cancelled login's wait ends late, it does not
// end the login now on screen.
func TestCancelledLoginStaysCancelled(t *testing.T) {
	m, _ := ssoModel(t)
	m.open = func(context.Context, string) (string, error) { return "", errors.New("no browser opened") }
	update := func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }
	begin := update(only(update(keyMsg("enter"))))
	first := update(begin())().(tea.BatchMsg)
	update(keyMsg("esc"))
	begin = update(only(update(keyMsg("enter"))))
	update(begin())
	defer update(keyMsg("esc"))
	if m.state != stateLogin {
		t.Fatalf("the second login did not open its modal (state %v):\n%s", m.state, screen(m))
	}
	update(first[1]()) // the cancelled login's wait ends
	if s := screen(m); m.state != stateLogin || strings.Contains(s, "login failed") {
		t.Errorf("the cancelled login's result ended the login on screen (state %v):\n%s", m.state, s)
	}
}

// TestLoginModalFitsANarrowTerminal: on a 60-column terminal the login
// modal keeps to the width, and its URL still reads back whole.
func TestLoginModalFitsANarrowTerminal(t *testing.T) {
	m, _ := ssoModel(t)
	run(m, tea.WindowSizeMsg{Width: 60, Height: 30})
	m.open = func(context.Context, string) (string, error) { return "", errors.New("no browser opened") }
	update := func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }
	begin := update(only(update(keyMsg("enter"))))
	update(begin())
	defer update(keyMsg("esc"))
	s := frame(t, m) // fails for a line wider than the terminal
	if u := m.login.login.URL; !strings.Contains(unwrapped(s), u) {
		t.Errorf("the login URL does not read back whole from the modal\n%s", s)
	}
}

// modalWidth is the width of the frame's first box top ("╭…╮"), or 0.
func modalWidth(s string) int {
	for _, l := range strings.Split(s, "\n") {
		if i, j := strings.Index(l, "╭"), strings.LastIndex(l, "╮"); i >= 0 && j > i {
			return ansi.StringWidth(l[i : j+len("╮")])
		}
	}
	return 0
}

// TestLoginModalKeepsItsWidth: the login modal is as wide while the login
// starts as once the page to open is known, and says what it is doing on
// one line.
func TestLoginModalKeepsItsWidth(t *testing.T) {
	m, _ := ssoModel(t)
	m.open = func(context.Context, string) (string, error) { return "", errors.New("no browser opened") }
	update := func(msg tea.Msg) tea.Cmd { _, cmd := m.Update(msg); return cmd }
	begin := update(only(update(keyMsg("enter"))))
	starting := screen(m)
	if !strings.Contains(starting, "IAM Identity Center login for sso-dev") || !strings.Contains(starting, "starting the login…") {
		t.Fatalf("the starting modal:\n%s", starting)
	}
	update(begin())
	defer update(keyMsg("esc"))
	if a, b := modalWidth(starting), modalWidth(screen(m)); a == 0 || a != b {
		t.Errorf("the modal is %d wide while the login starts and %d once it waits\n%s\n%s", a, b, starting, screen(m))
	}
	// The browser flow has no code to compare: the modal does not ask
	// for one.
	if s := screen(m); m.login.login.UserCode != "" || !strings.Contains(s, "allow access on the page; it comes back to rolecall by itself") || strings.Contains(s, "shows this code") {
		t.Errorf("the waiting modal of a login without a code:\n%s", s)
	}
}

// TestWrapHardCutsIntoWholeLines: a URL is cut into lines of exactly the
// width, the last one shorter or whole, with no empty line after it.
func TestWrapHardCutsIntoWholeLines(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want []string
	}{
		{"abcdef", []string{"abc", "def"}},
		{"abcdefg", []string{"abc", "def", "g"}},
		{"ab", []string{"ab"}},
	} {
		if got := wrapHard(tc.s, 3); !slices.Equal(got, tc.want) {
			t.Errorf("wrapHard(%q, 3) = %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestOpenURLOptionOpensTheConsole: the browser the app is given in its
// options is the one the console key opens.
func TestOpenURLOptionOpensTheConsole(t *testing.T) {
	var opened []string
	c := &clock{now: t0}
	m := newModel(c, Options{Manager: newFakeManager(testSet(), c), Width: 100, Height: 30, Environ: []string{},
		Getenv: func(string) string { return "" },
		OpenURL: func(_ context.Context, u string) (string, error) {
			opened = append(opened, u)
			return "testbrowser", nil
		}})
	boot(m)
	press(m, "c")
	if len(opened) != 1 || !strings.Contains(screen(m), "opened in testbrowser") {
		t.Errorf("c opened %d URLs through the given browser:\n%s", len(opened), screen(m))
	}
}
