package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/session"
)

// toggleAuto turns auto-renew on or off and saves the list, so that a
// restart resumes it.
func (m *Model) toggleAuto(r *row) tea.Cmd {
	name := r.p.Name
	on := !m.renewer.Auto(name)
	m.renewer.SetAuto(name, on)
	save := saveAutoCmd(m.renewer, m.mgr)
	if !on {
		m.setBanner("auto-renew off for "+r.name, false)
		return save
	}
	msg := fmt.Sprintf("auto-renew on for %s: renews %s before expiry (or at half a shorter session) while rolecall runs, and after a restart",
		r.name, session.HumanDuration(m.renewer.Policy().Window))
	if r.sess == nil {
		msg += " (assume it first)"
	}
	m.setBanner(msg, false)
	return save
}

func (m *Model) onAutoLoaded(msg autoLoadedMsg) {
	if msg.err != nil {
		m.setBanner(msg.err.Error(), true)
	}
	// Every name is kept, a profile these files lack included: another
	// --config may have it, and the next save must not drop it.
	var resumed []string
	for _, name := range msg.profiles {
		m.renewer.SetAuto(name, true)
		if r := m.byName[name]; r != nil && !r.broken() {
			resumed = append(resumed, r.name)
		}
	}
	if len(resumed) > 0 && m.banner.empty() {
		m.setBanner("auto-renew resumed for "+strings.Join(resumed, ", "), false)
	}
}

func (m *Model) onAutoSaved(msg autoSavedMsg) {
	if msg.err != nil {
		m.setBanner("auto-renew works until rolecall quits, but was not saved: "+msg.err.Error(), true)
	}
}

// onTick re-arms the clock, lets old messages go and starts the renewals
// the Renewer says are due.
func (m *Model) onTick(at time.Time) tea.Cmd {
	now := m.c.now()
	if !at.Before(m.wakeAt) {
		m.wakeAt = time.Time{} // the pending wake has come; armClock sets the next
	}
	m.expireBanner(now)
	var cmds []tea.Cmd
	for _, name := range m.renewer.Due(now, m.autoSession) {
		cmds = append(cmds, m.start(m.byName[name], opAuto, func(ctx context.Context) tea.Cmd {
			return renewCmd(ctx, m.renewer, name, opAuto, nil)
		}))
	}
	return tea.Batch(cmds...)
}

// autoSession is the session the Renewer may renew for a profile: the
// row's, unless the row is busy or broken.
func (m *Model) autoSession(name string) *session.Session {
	r := m.byName[name]
	if r == nil || r.busy != "" || r.broken() {
		return nil
	}
	return r.sess
}
