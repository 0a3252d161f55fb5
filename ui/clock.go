package ui

import (
	"time"

	tea "charm.land/bubbletea/v2"
)

// The app's clock wakes the program only when something on screen or in
// the background needs it: once a second while a countdown, a live
// message or a spinner is shown; else at the next renewal due or the
// moment a message fades; else never. An idle list with no session on
// screen costs no wake-up of ours at all.

// nextWake is when the program must next wake, or zero for never.
func (m *Model) nextWake(now time.Time) time.Time {
	if m.countdownShown(now) {
		// Countdowns change at whole seconds (STS expiries are whole
		// seconds), so the tick lands on the next one.
		return now.Truncate(time.Second).Add(time.Second)
	}
	var next time.Time
	earliest := func(t time.Time) {
		if !t.IsZero() && (next.IsZero() || t.Before(next)) {
			next = t
		}
	}
	earliest(m.renewer.NextDue(now, m.autoSession))
	if b := m.banner; !b.empty() && !b.isErr {
		earliest(b.at.Add(bannerLife))
	}
	return next
}

// countdownShown reports whether a time left is on screen and changes
// each second: a visible row's countdown, the details pane's, or a
// message about a session.
func (m *Model) countdownShown(now time.Time) bool {
	if !m.banner.empty() && !m.banner.expires.IsZero() && m.banner.expires.After(now) {
		return true
	}
	if m.state == stateExport || m.state == stateLogin {
		// A modal has the body: no countdown shows.
		return false
	}
	if !m.lay.fullDetails && m.list.CountdownShown(now) {
		return true
	}
	if r := m.list.Selected(); r != nil && m.detailsVisible() && r.sess != nil && !expiresNever(r.sess) && r.sess.Expires().After(now) {
		return true
	}
	return false
}

// armClock schedules the next wake when none is pending soon enough. A
// wake that became stale (the screen changed) still arrives, once, and
// is handled like any other tick.
func (m *Model) armClock() tea.Cmd {
	now := m.c.now()
	next := m.nextWake(now)
	if next.IsZero() || (!m.wakeAt.IsZero() && !m.wakeAt.After(next) && m.wakeAt.After(now)) {
		return nil
	}
	if !next.After(now) {
		next = now.Add(time.Millisecond)
	}
	m.wakeAt = next
	return m.c.after(next.Sub(now), func(t time.Time) tea.Msg { return tickMsg(t) })
}
