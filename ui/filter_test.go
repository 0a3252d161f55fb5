package ui

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
)

func TestMatcherRanksLikeAFuzzyFinder(t *testing.T) {
	names := []string{"prod-admin", "staging-read", "audit-chained", "pr-dashboard", "sandbox-dev", "Prod-Billing", "ünïcode-prod", "AUDIT-ZONE"}
	all := []int{0, 1, 2, 3, 4, 5, 6, 7}
	for _, tc := range []struct {
		pattern string
		want    []string
	}{
		// A match at the start and after separators beats a scattered one.
		{"pa", []string{"prod-admin", "pr-dashboard"}},
		{"PROD", []string{"prod-admin", "Prod-Billing", "ünïcode-prod", "pr-dashboard"}},
		{"ach", []string{"audit-chained"}},
		{"ünï", []string{"ünïcode-prod"}},
		// Case does not matter, to the ends of the alphabet.
		{"az", []string{"AUDIT-ZONE"}},
		{"zzz", nil},
	} {
		var got []string
		for _, i := range newMatcher(tc.pattern).rank(newNameSet(names), all) {
			got = append(got, names[i])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q ranks %v, want %v", tc.pattern, got, tc.want)
		}
	}
}

func TestMatcherHighlightsTheMatchedRunes(t *testing.T) {
	var idx []int
	if _, ok := newMatcher("adc").score("audit-chained", &idx); !ok || !slices.Equal(idx, []int{0, 2, 6}) {
		t.Errorf("matched %v, want [0 2 6]", idx)
	}
	idx = idx[:0]
	if _, ok := newMatcher("np").score("ünïcode-prod", &idx); !ok || !slices.Equal(idx, []int{1, 8}) {
		t.Errorf("matched runes %v, want [1 8]", idx)
	}
}

// TestMatcherTiesKeepListOrder: names that match equally well (here
// "web" after a separator, past the cap of the leading penalty) keep the
// list's order, whichever comes first, ASCII or not.
func TestMatcherTiesKeepListOrder(t *testing.T) {
	for _, names := range [][]string{{"ops-web", "qa-web"}, {"qa-web", "ops-web"}, {"öps-web", "qä-web"}} {
		var got []string
		for _, i := range newMatcher("web").rank(newNameSet(names), []int{0, 1}) {
			got = append(got, names[i])
		}
		if !slices.Equal(got, names) {
			t.Errorf("%q ranks %v, want the list's order %v", "web", got, names)
		}
	}
}

// TestMatcherPrefersAMatchAtTheStart: characters before the match cost,
// so a name that starts with the pattern beats one where it follows a
// separator further in, ASCII or not.
func TestMatcherPrefersAMatchAtTheStart(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		names   []string
	}{
		{"adm", []string{"xx-admin", "admin"}},
		{"ädm", []string{"xx-ädmin", "ädmin"}},
	} {
		checkSecondRanksFirst(t, tc.pattern, tc.names)
	}
}

// TestMatcherPrefersARun: the pattern's characters in a row beat the same
// characters scattered, ASCII or not.
func TestMatcherPrefersARun(t *testing.T) {
	for _, tc := range []struct {
		pattern string
		names   []string
	}{
		{"adm", []string{"axdxm", "admxx"}},
		{"ädm", []string{"äxdxm", "ädmxx"}},
	} {
		checkSecondRanksFirst(t, tc.pattern, tc.names)
	}
}

// checkSecondRanksFirst checks that pattern ranks the second of two
// names above the first.
func checkSecondRanksFirst(t *testing.T, pattern string, names []string) {
	t.Helper()
	var got []string
	for _, i := range newMatcher(pattern).rank(newNameSet(names), []int{0, 1}) {
		got = append(got, names[i])
	}
	if want := []string{names[1], names[0]}; !slices.Equal(got, want) {
		t.Errorf("%q ranks %v, want %v", pattern, got, want)
	}
}

// TestFilterOrderDoesNotDependOnTyping: the list a pattern shows is the
// same whether it was typed a key at a time (each key narrowing the last
// result) or pasted at once; equal matches keep the list's order.
func TestFilterOrderDoesNotDependOnTyping(t *testing.T) {
	for _, pattern := range []string{"t-", "ad", "a-r", "pd"} {
		m, _, _ := newTestModel(100, 30)
		press(m, "tab", "/")
		typeText(m, pattern)
		var want []string
		for _, i := range newMatcher(pattern).rank(m.list.names, m.list.base) {
			want = append(want, m.list.rows[i].p.Name)
		}
		if got := names(m); !slices.Equal(got, want) {
			t.Errorf("%q typed a key at a time lists %v; at once, %v", pattern, got, want)
		}
	}
}

// TestFilterInputShowsWhatWasTypedLast: a pattern longer than the status
// line has room for scrolls in its input, so that the last keys typed
// stay on screen next to the count, at any width.
func TestFilterInputShowsWhatWasTypedLast(t *testing.T) {
	for _, w := range []int{30, 40, 60, 100} {
		m, _, _ := newTestModel(w, 20)
		press(m, "/")
		typeText(m, strings.Repeat("abcdefghi", 4)+"XYZ")
		lines := strings.Split(screen(m), "\n")
		status := lines[len(lines)-2]
		if !strings.HasPrefix(status, "/ ") || !strings.Contains(status, "XYZ ") || strings.Contains(status, "…") || !strings.HasSuffix(status, "0/0 roles (of 6)") {
			t.Errorf("%d columns: the filter's status line is %q, want the last keys typed, then the count", w, status)
		}
	}
}

// rawLine is the frame line, colours and all, that shows profile.
func rawLine(m *Model, profile string) string {
	for _, l := range strings.Split(m.View().Content, "\n") {
		if strings.Contains(ansi.Strip(l), " "+profile+" ") {
			return l
		}
	}
	return ""
}

// TestFilterHighlightsTheMatch: while a filter is on, a row draws the
// characters the pattern matched in their own style; once it is cleared,
// the row is drawn as before.
func TestFilterHighlightsTheMatch(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	before := rawLine(m, "audit-chained")
	press(m, "/")
	typeText(m, "adt")
	press(m, "enter")
	filtered := rawLine(m, "audit-chained")
	if ansi.Strip(filtered) != ansi.Strip(before) || filtered == "" {
		t.Fatalf("the filtered row's text changed or went: %q", ansi.Strip(filtered))
	}
	if filtered == before {
		t.Error("the filtered row does not highlight the characters the pattern matched")
	}
	press(m, "esc")
	if after := rawLine(m, "audit-chained"); after != before {
		t.Errorf("after the filter was cleared the row is drawn differently:\n got %q\nwant %q", after, before)
	}
}

// TestNoMatchKeepsTheFrame: a filter that matches nothing says so in the
// list, and the frame keeps to the terminal with the help bar last.
func TestNoMatchKeepsTheFrame(t *testing.T) {
	m, _, _ := newTestModel(100, 20)
	press(m, "/")
	typeText(m, "zzz")
	s := screen(m)
	lines := strings.Split(s, "\n")
	if len(lines) != 20 || !strings.Contains(s, `nothing matches "zzz"`) || !strings.Contains(lastLine(s), "esc clear filter") {
		t.Errorf("no match: %d lines for 20, last %q\n%s", len(lines), lastLine(s), s)
	}
}

// TestStatusLineKeepsTheCount: the status line keeps the count ("1/6
// roles") whenever it fits with a gap before it, the legend giving way;
// narrower than that, the legend alone is cut to the width.
func TestStatusLineKeepsTheCount(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	const count = "1/6 roles"
	for w := len(count) + 2; w <= 100; w++ {
		s := ansi.Strip(m.list.StatusView(w))
		if !strings.HasSuffix(s, " "+count) || ansi.StringWidth(s) != w {
			t.Errorf("%d cells: the status line is %q, want it %d wide ending with the count", w, s, w)
		}
	}
	if s := ansi.Strip(m.list.StatusView(len(count) + 1)); strings.Contains(s, count) || ansi.StringWidth(s) > len(count)+1 {
		t.Errorf("%d cells: the status line is %q, want the legend alone, cut", len(count)+1, s)
	}
}

// TestHighlightPaintsExactlyTheMatchedRunes: the filter's highlight paints
// the matched runes, and only those, with the match style, non-ASCII
// names included; the rest keeps the row's style.
func TestHighlightPaintsExactlyTheMatchedRunes(t *testing.T) {
	base, hl := painter{pre: "<", post: ">"}, painter{pre: "[", post: "]"}
	for _, tc := range []struct {
		s    string
		idx  []int
		want string
	}{
		{"audit-chained", []int{0, 2, 6}, "[a]<u>[d]<it->[c]<hained>"},
		{"ünïcode-prod", []int{1, 8}, "<ü>[n]<ïcode->[p]<rod>"},
		{"prod", []int{0, 1, 2, 3}, "[prod]"},
		{"prod", nil, "<prod>"},
	} {
		if got := highlight(tc.s, tc.idx, base, hl); got != tc.want {
			t.Errorf("highlight(%q, %v) = %q, want %q", tc.s, tc.idx, got, tc.want)
		}
	}
}

// TestFilterByTheWholeName: typing a profile's whole name keeps it, and
// one character more drops it.
func TestFilterByTheWholeName(t *testing.T) {
	m, _, _ := newTestModel(100, 30)
	press(m, "/")
	typeText(m, "prod-admin")
	if got := names(m); !slices.Equal(got, []string{"prod-admin"}) {
		t.Errorf("the whole name \"prod-admin\" lists %v", got)
	}
	typeText(m, "x")
	if got := names(m); len(got) != 0 {
		t.Errorf("\"prod-adminx\" lists %v, want nothing", got)
	}
}
