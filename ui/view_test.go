package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
)

// livelyModel has sessions in every state: plenty of time, under 15 and
// under 5 minutes, expired, a failure, [default] and auto-renew.
func livelyModel(t *testing.T) (*Model, *clock) {
	t.Helper()
	m, f, c := newTestModel(100, 30)
	f.fail["staging-read"] = errDenied
	for _, step := range []struct {
		profile string
		life    time.Duration
		keys    []string
	}{
		{"audit-chained", 8 * time.Minute, []string{"enter"}},
		{"ec2-deploy", 3 * time.Minute, []string{"enter"}},
		{"prod-admin", 2 * time.Hour, []string{"d", "a"}},
		{"billing-mfa", time.Minute, []string{"enter"}},
		{"staging-read", time.Hour, []string{"enter"}},
	} {
		f.lifetime = step.life
		selectRow(t, m, step.profile)
		press(m, step.keys...)
	}
	c.now = t0.Add(90 * time.Second)
	run(m, tickMsg(c.now))
	press(m, "esc", "g")
	return m, c
}

// frame is the screen without colours, checked for its size too.
func frame(t *testing.T, m *Model) string {
	t.Helper()
	s := ansi.Strip(m.View().Content)
	lines := strings.Split(s, "\n")
	if len(lines) > m.height {
		t.Errorf("the frame has %d lines for a %d-line terminal", len(lines), m.height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w > m.width {
			t.Errorf("line %d is %d wide in a %d-wide terminal: %q", i+1, w, m.width, l)
		}
	}
	return s
}

// lastLine is the frame's bottom line.
func lastLine(s string) string {
	lines := strings.Split(s, "\n")
	return lines[len(lines)-1]
}

// paneText is the details pane's text, unwrapped.
func paneText(m *Model) string { return unwrapped(ansi.Strip(m.detail.View())) }

var sizes = []struct {
	name string
	w, h int
}{
	{"60x15", 60, 15},
	{"80x24", 80, 24},
	{"120x35", 120, 35},
	{"200x50", 200, 50},
}

// TestFrames renders the list, the details, the export view and a long
// error at the four sizes people use, against golden files, and checks
// at each what must be on the screen whatever the golden files say.
func TestFrames(t *testing.T) {
	for _, size := range sizes {
		t.Run(size.name, func(t *testing.T) {
			t.Run("list", func(t *testing.T) {
				m, _ := livelyModel(t)
				run(m, tea.WindowSizeMsg{Width: size.w, Height: size.h})
				s := frame(t, m)
				golden.RequireEqual(t, s)
				// The broken profile is marked and says why, and the
				// header counts it.
				if l := line(m, "loop-a"); !strings.HasPrefix(l, " ✗") || !strings.Contains(l, "source_profile loop") {
					t.Errorf("the broken row is not marked with its reason: %q", l)
				}
				if !strings.Contains(s, "1 profile has a problem") {
					t.Error("the header does not count the broken profile")
				}
				if broken := m.c.paint[cellRowError][0].pre; !strings.Contains(m.View().Content, broken+"loop-a") {
					t.Error("the broken profile's name is not in the error colour")
				}
				if !strings.Contains(lastLine(s), "quit") {
					t.Errorf("the help bar is not the last line: %q", lastLine(s))
				}
				// Each row shows its session as livelyModel left it, 90 s
				// after each was assumed: time left, expired or the failure,
				// and the [default] and auto-renew marks.
				for profile, want := range map[string][]string{
					"audit-chained": {"● 06:30"},       // 8 minutes
					"ec2-deploy":    {"● 01:30"},       // 3 minutes
					"billing-mfa":   {"✗ expired"},     // 1 minute
					"prod-admin":    {"◆∞", "1:58:30"}, // 2 hours, d and a
					"staging-read":  {"✗ AccessDenied"},
				} {
					l := lineOf(s, profile)
					for _, w := range want {
						if !strings.Contains(l, w) {
							t.Errorf("the row of %s is %q, want %q on it", profile, l, w)
						}
					}
				}
				if l := lineOf(s, "audit-chained"); !strings.HasPrefix(l, "▌") {
					t.Errorf("the selection is not on the first row: %q", l)
				}
			})
			t.Run("details", func(t *testing.T) {
				m, _ := livelyModel(t)
				run(m, tea.WindowSizeMsg{Width: size.w, Height: size.h})
				roomy := size.w >= sideBySideWidth || size.h >= stackedHeight
				if got := strings.Contains(frame(t, m), "Chain"); got != roomy {
					t.Fatalf("details shown at start: %v, want %v", got, roomy)
				}
				press(m, "i")
				s := frame(t, m)
				if got := strings.Contains(s, "Chain"); got == roomy {
					t.Fatalf("i did not toggle the details (shown: %v)", got)
				}
				if !roomy {
					golden.RequireEqual(t, s)
					press(m, "esc")
				} else {
					press(m, "i")
				}
				if got := strings.Contains(frame(t, m), "Chain"); got != roomy {
					t.Errorf("toggling back: details shown %v, want %v", got, roomy)
				}
				// Whatever the width, values are whole: wrapped, never cut.
				if !roomy {
					press(m, "i")
				}
				m.detail.SetSize(m.detail.width, 200)
				text := paneText(m)
				for _, want := range []string{"arn:aws:iam::444444444444:role/Audit", "arn:aws:iam::222222222222:role/Admin", "config:31", "externalidext-7788"} {
					if !strings.Contains(text, want) {
						t.Errorf("the details pane does not show %q whole: %s", want, text)
					}
				}
			})
			t.Run("export", func(t *testing.T) {
				m, _ := livelyModel(t)
				run(m, tea.WindowSizeMsg{Width: size.w, Height: size.h})
				selectRow(t, m, "prod-admin")
				press(m, "e")
				golden.RequireEqual(t, frame(t, m))
				// Scrolled from top to bottom, the view shows every export
				// line whole: the token, the region, the expiry and
				// ROLECALL_PROFILE included.
				want, _ := m.mgr.Handoff(m.byName["prod-admin"].sess).ExportLines("bash")
				if got := scrollExport(t, m); got != strings.ReplaceAll(want, "\n", "") {
					t.Errorf("the export view does not show the lines whole:\n got %q\nwant %q", got, want)
				}
			})
			t.Run("banner", func(t *testing.T) {
				m, _ := livelyModel(t)
				run(m, tea.WindowSizeMsg{Width: size.w, Height: size.h})
				run(m, errMsg{profile: "prod-admin", op: opRenew, err: twoLineErr})
				s := frame(t, m)
				golden.RequireEqual(t, s)
				if !strings.Contains(lastLine(s), "quit") {
					t.Errorf("the banner pushed the help bar off: last line %q", lastLine(s))
				}
				// Both lines of the error, what failed and what to do, show
				// whole wherever four lines of banner fit.
				for _, part := range strings.Split(strings.TrimPrefix(twoLineErr.Error(), "profile prod-admin: "), "\n") {
					if size.h >= 24 && !strings.Contains(unwrapped(s), unwrapped(part)) {
						t.Errorf("the banner does not show %q:\n%s", part, s)
					}
				}
			})
		})
	}
}

// twoLineErr is what session errors look like: what failed, then what to
// do.
var twoLineErr = &session.Error{Kind: session.KindUnreachable, Profile: "prod-admin",
	Msg: "profile prod-admin: assume arn:aws:iam::222222222222:role/Admin: STS at sts.eu-west-1.amazonaws.com is not reachable.\nCheck the network, --region, and AWS_ENDPOINT_URL_STS / endpoint_url."}

// scrollExport reads the export view from its first line to its last,
// checking that each line it shows is on the screen, and returns its
// text with the line breaks (its own and the wrapping) taken out.
func scrollExport(t *testing.T, m *Model) string {
	t.Helper()
	seen := map[int]string{}
	for {
		e := m.export
		scr := ansi.Strip(m.View().Content)
		for i := e.offset; i < min(e.offset+e.room(), len(e.lines)); i++ {
			if !strings.Contains(scr, e.lines[i]) {
				t.Fatalf("line %q is not on the screen:\n%s", e.lines[i], scr)
			}
			seen[i] = e.lines[i]
		}
		if e.offset+e.room() >= len(e.lines) {
			break
		}
		press(m, "down")
		if m.export.offset != e.offset+1 {
			t.Fatalf("down did not scroll the export view (offset %d)", m.export.offset)
		}
	}
	var got strings.Builder
	for i := range len(m.export.lines) {
		got.WriteString(seen[i])
	}
	return got.String()
}

func TestMFAModalView(t *testing.T) {
	m, f, _ := newTestModel(100, 24)
	f.mfa["billing-mfa"] = "arn:aws:iam::111111111111:mfa/alice"
	selectRow(t, m, "billing-mfa")
	press(m, "enter")
	typeText(m, "123")
	s := frame(t, m)
	golden.RequireEqual(t, s)
	if h := lastLine(s); !strings.Contains(h, "enter confirm") || strings.Contains(h, "quit") {
		t.Errorf("the help bar does not show the modal's keys: %q", h)
	}
	// The modal says whose code it wants and for which device, and shows
	// the digits typed so far; the list stays behind it, and nothing was
	// called before the code is in.
	for _, want := range []string{"MFA code for billing-mfa", "arn:aws:iam::111111111111:mfa/alice", "code › 123", "esc cancel"} {
		if !strings.Contains(s, want) {
			t.Errorf("the modal does not show %q:\n%s", want, s)
		}
	}
	if !strings.Contains(lineOf(s, "loop-a"), "source_profile loop") {
		t.Errorf("the list is not behind the modal:\n%s", s)
	}
	if calls := f.Calls(); len(calls) != 0 {
		t.Errorf("calls before the code was in: %v", calls)
	}
}

func TestFullHelp(t *testing.T) {
	m, _, _ := newTestModel(100, 24)
	press(m, "?")
	s := frame(t, m)
	for _, want := range []string{"assume/renew", "auto-renew", "[default]", "subshell", "export", "whoami", "forget", "filter", "roles/all", "scroll details", "cancel/clear", "quit"} {
		if !strings.Contains(s, want) {
			t.Errorf("the full help lacks %q", want)
		}
	}
	golden.RequireEqual(t, s)
}

func TestNoColorKeepsTheWords(t *testing.T) {
	c := &clock{now: t0}
	f := newFakeManager(testSet(), c)
	m := newModel(c, Options{Manager: f, NoColor: true, Width: 100, Height: 30, Environ: []string{}})
	f.lifetime = 3 * time.Minute
	press(m, "enter")
	v := m.View().Content
	if strings.Contains(v, "\x1b[38;") || strings.Contains(v, "\x1b[48;") {
		t.Error("NO_COLOR output still sets colours")
	}
	if !strings.Contains(ansi.Strip(v), "● 03:00") {
		t.Error("the countdown is missing without colour")
	}
	if !strings.Contains(line(m, "loop-a"), "✗") {
		t.Error("the broken profile is not marked without colour")
	}
}

// TestColumnsFitTheirContent: a column is as wide as its widest value,
// so ap-southeast-2 shows whole while the terminal has room.
func TestColumnsFitTheirContent(t *testing.T) {
	for _, w := range []int{80, 100, 120, 200} {
		m, _, _ := newTestModel(w, 30)
		if !strings.Contains(line(m, "staging-read"), "ap-southeast-2") {
			t.Errorf("at %d columns the region is cut: %q", w, line(m, "staging-read"))
		}
		// At 120 the details pane takes the room the source needs.
		if !strings.Contains(line(m, "ec2-deploy"), "Ec2InstanceMetadata") && w != 80 && w != 120 {
			t.Errorf("at %d columns the source is cut: %q", w, line(m, "ec2-deploy"))
		}
	}
	m, _, _ := newTestModel(60, 15)
	if l := line(m, "audit-chained"); !strings.Contains(l, "audit-chained") {
		t.Errorf("at 60 columns the name gave way: %q", l)
	}
}

// TestEveryValueIsEscaped: a control sequence in a profile's name,
// region, role or error reaches the screen as visible text, never as
// the sequence itself.
func TestEveryValueIsEscaped(t *testing.T) {
	const (
		title = "\x1b]0;pwned\x07"
		clear = "\x1b[2J"
		osc52 = "\x1b]52;c;ZXZpbA==\x07"
	)
	set := testSet()
	p := set.Get("prod-admin")
	p.Name = "prod" + title
	p.Props[2].Value.Value = "eu" + clear
	p.Props[0].Value.Value += osc52
	set.Problems = append(set.Problems, fmt.Errorf("config:1: bad line %s", clear))
	for _, q := range set.Profiles {
		if q.Name == "loop-a" {
			q.Err = fmt.Errorf("loop %s", osc52)
		}
	}
	c := &clock{now: t0}
	f := newFakeManager(set, c)
	f.fail[p.Name] = fmt.Errorf("denied %s", title)
	m := newModel(c, Options{Manager: f, Width: 200, Height: 50, Environ: []string{}, Warnings: []string{"AWS_PROFILE=x" + clear}})
	for _, name := range []string{p.Name, "loop-a"} {
		selectRow(t, m, name)
		press(m, "enter")
		for _, size := range sizes {
			run(m, tea.WindowSizeMsg{Width: size.w, Height: size.h})
			for _, details := range []bool{false, true} {
				if details {
					press(m, "i")
				}
				v := m.View().Content
				for _, seq := range []string{title, clear, osc52, "\x1b]", "\x07"} {
					if strings.Contains(v, seq) {
						t.Fatalf("%s at %s (details %v): the frame holds the control sequence %q", name, size.name, details, seq)
					}
				}
				if details {
					press(m, "i")
				}
			}
		}
	}
	run(m, tea.WindowSizeMsg{Width: 200, Height: 50})
	if s := screen(m); !strings.Contains(s, termsafe.Clean(title)) || !strings.Contains(s, termsafe.Clean(clear)) {
		t.Errorf("the escaped values are not shown:\n%s", s)
	}
}

// TestControlCharactersInNamesAreShownEscaped: a profile name with a
// terminal control sequence in it (OSC 52, which writes the clipboard), or
// made of nothing but control characters, is shown escaped in the list,
// never sent to the terminal.
func TestControlCharactersInNamesAreShownEscaped(t *testing.T) {
	set := testSet()
	for _, name := range []string{"evil\x1b]52;c;aGk=\x07name", "\x07\x07", "\u202e\u202e"} {
		evil := *set.Get("staging-read")
		evil.Name = name
		set.Profiles = append(set.Profiles, &evil)
	}
	c := &clock{now: t0}
	m := newModel(c, Options{Manager: newFakeManager(set, c), Width: 100, Height: 30, Environ: []string{}})
	raw := m.View().Content
	if strings.Contains(raw, "\x1b]52") || strings.Contains(raw, "\x07") || strings.Contains(raw, "\u202e") {
		t.Error("the frame sends a name's control characters to the terminal")
	}
	for _, shown := range []string{`evil\x1b]52;c;aGk=\x07name`, `\x07\x07`, `\u202e\u202e`} {
		if !strings.Contains(ansi.Strip(raw), shown) {
			t.Errorf("the list does not show %s:\n%s", shown, ansi.Strip(raw))
		}
	}
}
