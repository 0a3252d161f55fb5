package ui

import (
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/termsafe"
)

// bannerLife is how long a message that is not an error stays; errors
// stay until esc.
const bannerLife = 15 * time.Second

// banner is the message line under the list: what a call did, or why it
// failed. A message about a session ends with how long the session has
// left, computed as it is drawn, so it never shows a time that has
// passed.
type banner struct {
	text  string // control characters escaped; may hold line breaks
	isErr bool
	at    time.Time
	// expires is the session the message is about, for its "… left";
	// zero for none.
	expires time.Time
	// more says the whole message is in the details pane (an error on a
	// row), for when the banner has to be cut.
	more bool
}

func (b banner) empty() bool { return b.text == "" }

// setBanner shows a message; isErr keeps it until esc.
func (m *Model) setBanner(s string, isErr bool) {
	m.banner = banner{text: termsafe.Lines(s), isErr: isErr, at: m.c.now()}
}

// setSessionBanner shows a message about a session that ends with its
// time left.
func (m *Model) setSessionBanner(s string, isErr bool, exp time.Time) {
	m.setBanner(s, isErr)
	m.banner.expires = exp
}

// setRowError shows a row's failure; the details pane has all of it.
func (m *Model) setRowError(s string) {
	m.setBanner(s, true)
	m.banner.more = true
}

// expireBanner drops a message that is not an error once it is old.
func (m *Model) expireBanner(now time.Time) {
	if !m.banner.empty() && !m.banner.isErr && now.Sub(m.banner.at) >= bannerLife {
		m.banner = banner{}
	}
}

// bannerLines renders the banner wrapped to the width, at most limit
// lines: a cut message ends with … and, for a row's error, where the rest
// is.
func (m *Model) bannerLines(limit int) []string {
	b := m.banner
	if b.empty() || limit <= 0 {
		return nil
	}
	text := b.text
	if !b.expires.IsZero() {
		text += " · " + leftText(b.expires, m.c.now())
	}
	var lines []string
	for _, l := range strings.Split(text, "\n") {
		lines = append(lines, wrapText(l, m.width)...)
	}
	if len(lines) > limit {
		tail := "…"
		if b.more {
			tail = "… (i shows all)"
		}
		lines = lines[:limit]
		last := lines[limit-1]
		lines[limit-1] = ansi.Truncate(last, max(m.width-ansi.StringWidth(tail), 1), "") + tail
	}
	style := m.c.styles.BannerInfo
	if b.isErr {
		style = m.c.styles.BannerError
	}
	for i, l := range lines {
		lines[i] = style.Render(l)
	}
	return lines
}

// countLines is how many lines text has, a final line break aside.
func countLines(text string) int {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return 0
	}
	return strings.Count(text, "\n") + 1
}

// shorterBanner is the banner a line shorter, for a terminal without room
// for all of it. A message is drawn again to the shorter limit, so that
// its last line still says it was cut (and, for a row's error, where the
// rest is); the confirmation question is cut as it stands.
func (m *Model) shorterBanner(lines []string) []string {
	if m.state == stateConfirm {
		return lines[:len(lines)-1]
	}
	return m.bannerLines(len(lines) - 1)
}
