package ui

import (
	"errors"
	"fmt"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// onKey routes a key press: modals first, then the filter, then the
// global keys, then the list.
func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	keys := m.c.keys
	if k.String() == "ctrl+c" {
		return tea.Quit
	}
	switch m.state {
	case stateMFA:
		var cmd tea.Cmd
		m.mfa, cmd = m.mfa.Update(k)
		return cmd
	case stateText:
		if key.Matches(k, keys.Esc, keys.Quit, keys.Export) {
			m.state = stateList
			m.text = textModal{}
		}
		return nil
	}
	if m.list.filtering {
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(k)
		return cmd
	}
	r := m.list.Selected()
	switch {
	case key.Matches(k, keys.Quit):
		return tea.Quit
	case key.Matches(k, keys.Esc):
		m.onEsc()
	case key.Matches(k, keys.Help):
		m.help.ShowAll = !m.help.ShowAll
	case key.Matches(k, keys.Filter):
		return m.list.StartFilter()
	case key.Matches(k, keys.ShowAll):
		m.list.ToggleAll()
	case key.Matches(k, keys.Details):
		m.showDetails = !m.showDetails
	case r == nil:
		// The remaining keys act on a profile.
	case key.Matches(k, keys.Assume):
		return m.startAssume(r)
	case key.Matches(k, keys.AutoRenew):
		m.toggleAuto(r)
	case key.Matches(k, keys.Default):
		return m.startDefault(r)
	case key.Matches(k, keys.Shell):
		return m.startShell(r)
	case key.Matches(k, keys.ServerShell):
		return m.startServerShell(r)
	case key.Matches(k, keys.Export):
		m.showExport(r)
	case key.Matches(k, keys.WhoAmI):
		if s := m.liveSession(r); s != nil {
			return m.start(r, opWhoAmI, whoamiCmd(m.ctx, m.mgr, r.p.Name, s))
		}
	case key.Matches(k, keys.Forget):
		return m.start(r, opForget, forgetCmd(m.mgr, r.p.Name))
	default:
		var cmd tea.Cmd
		m.list, cmd = m.list.Update(k)
		return cmd
	}
	return nil
}

func (m *Model) onEsc() {
	switch {
	case m.help.ShowAll:
		m.help.ShowAll = false
	case m.banner != "":
		m.banner = ""
	case m.list.pattern != "":
		m.list.ClearFilter()
	case m.showDetails:
		m.showDetails = false
	}
}

// usable says why a profile cannot be assumed, on the banner.
func (m *Model) usable(r *row) bool {
	if r.p.Err != nil {
		m.setBanner(r.p.Name+": "+r.p.Err.Error(), true)
		return false
	}
	if r.busy != "" {
		m.setBanner(r.p.Name+": still "+r.busy+"; wait for it to finish", true)
		return false
	}
	return true
}

// startAssume assumes, or renews a live session. A chain that needs an
// MFA code says so before any call reaches STS, and the modal asks.
func (m *Model) startAssume(r *row) tea.Cmd {
	if !m.usable(r) {
		return nil
	}
	op := opAssume
	if r.sess != nil {
		op = opRenew
	}
	return m.call(r, op, nil)
}

func (m *Model) startDefault(r *row) tea.Cmd {
	if !m.usable(r) {
		return nil
	}
	return m.call(r, opDefault, nil)
}

func (m *Model) onMFACode(msg mfaCodeMsg) tea.Cmd {
	m.state = stateList
	r := m.byName[msg.profile]
	if r == nil || !m.usable(r) {
		return nil
	}
	return m.call(r, msg.op, msg.codes)
}

// call starts op (opAssume, opRenew or opDefault) for the row, with the
// MFA codes collected so far.
func (m *Model) call(r *row, op string, codes map[string]string) tea.Cmd {
	switch op {
	case opDefault:
		return m.start(r, op, useCmd(m.ctx, m.mgr, r.p.Name, codes))
	case opRenew:
		return m.start(r, op, renewCmd(m.ctx, m.renewer, r.p.Name, op, codes))
	}
	return m.start(r, op, assumeCmd(m.ctx, m.mgr, r.p.Name, codes))
}

// start marks a row busy and runs its command, with the spinner going.
// One call per row at a time: results carry only the profile name.
func (m *Model) start(r *row, op string, cmd tea.Cmd) tea.Cmd {
	if r.busy != "" {
		m.setBanner(r.p.Name+": still "+r.busy+"; wait for it to finish", true)
		return nil
	}
	r.busy, r.err = op, nil
	m.busy++
	if m.spinning {
		return cmd
	}
	m.spinning = true
	return tea.Batch(cmd, m.spin.Tick)
}

func (m *Model) finish(r *row) {
	if r.busy != "" {
		r.busy = ""
		m.busy--
	}
}

func (m *Model) onSpin(msg spinner.TickMsg) tea.Cmd {
	if m.busy <= 0 {
		m.spinning = false
		return nil
	}
	var cmd tea.Cmd
	m.spin, cmd = m.spin.Update(msg)
	return cmd
}

func (m *Model) toggleAuto(r *row) {
	name := r.p.Name
	on := !m.renewer.Auto(name)
	m.renewer.SetAuto(name, on)
	if !on {
		m.setBanner("auto-renew off for "+name, false)
		return
	}
	msg := fmt.Sprintf("auto-renew on for %s: renews %s before expiry (or at half a shorter session) while rolecall runs",
		name, session.HumanDuration(m.renewer.Policy().Window))
	if r.sess == nil {
		msg += " (assume it first)"
	}
	m.setBanner(msg, false)
}

// onTick re-arms the clock and starts the renewals the Renewer says are
// due.
func (m *Model) onTick() tea.Cmd {
	cmds := []tea.Cmd{tickCmd()}
	for _, name := range m.renewer.Due(m.c.now(), m.autoSession) {
		cmds = append(cmds, m.start(m.byName[name], opAuto, renewCmd(m.ctx, m.renewer, name, opAuto, nil)))
	}
	return tea.Batch(cmds...)
}

// autoSession is the session the Renewer may renew for a profile: the
// row's, unless the row is busy or broken.
func (m *Model) autoSession(name string) *session.Session {
	r := m.byName[name]
	if r == nil || r.busy != "" || r.p.Err != nil {
		return nil
	}
	return r.sess
}

// setDefault records who holds [default] after a call that read it, and
// says so when it is no longer the profile the UI thought.
func (m *Model) setDefault(def *profiles.DefaultState, profile string) {
	if def == nil {
		return
	}
	old := m.list.def
	m.list.def = *def
	if old.Profile == profile && def.Profile != profile {
		who := "keys rolecall did not write"
		if def.Profile != "" {
			who = def.Profile + "'s session"
		}
		m.setBanner(fmt.Sprintf("[default] now holds %s (changed outside this window): renewing %s no longer rewrites it", who, profile), false)
	}
}

func (m *Model) onSession(msg sessionMsg) {
	r := m.byName[msg.profile]
	if r == nil {
		return
	}
	m.finish(r)
	if msg.sess != nil {
		r.sess = msg.sess
	}
	r.err = nil
	left := ""
	if r.sess != nil && !expiresNever(r.sess) {
		left = " · " + formatLeft(r.sess.Expires().Sub(m.c.now())) + " left"
	}
	switch {
	case msg.wrote:
		s := "[default] now holds " + msg.profile + left
		if msg.backup != "" {
			s += " · old keys kept in [" + msg.backup + "]"
		}
		for _, w := range msg.warnings {
			s += " · ⚠ " + w
		}
		m.setBanner(s, len(msg.warnings) > 0)
	case msg.op == opAuto:
		m.setBanner("auto-renewed "+msg.profile+left, false)
	case msg.op == opRenew:
		m.setBanner("renewed "+msg.profile+left, false)
	default:
		m.setBanner("assumed "+msg.profile+left, false)
	}
	m.setDefault(msg.def, msg.profile)
}

func (m *Model) onError(msg errMsg) tea.Cmd {
	r := m.byName[msg.profile]
	if r == nil {
		m.setBanner(msg.op+" failed: "+msg.err.Error(), true)
		return nil
	}
	m.finish(r)
	if msg.sess != nil {
		r.sess = msg.sess
	}
	m.setDefault(msg.def, msg.profile)
	var se *session.Error
	needCode := errors.As(msg.err, &se) && se.Kind == session.KindNeedMFA && se.Serial != ""
	switch {
	case msg.op == opAuto && needCode:
		m.setBanner(msg.profile+": auto-renew needs a new MFA code: press r to enter one", true)
		return nil
	case needCode:
		// Asked before any call reached STS: the modal collects the code
		// and the call starts again with it.
		m.state = stateMFA
		return m.mfa.Open(r.p.Name, se.Serial, msg.op, msg.codes)
	}
	r.err = msg.err
	m.setBanner(msg.profile+": "+msg.op+" failed: "+msg.err.Error(), true)
	return nil
}

func (m *Model) onWhoAmI(msg whoamiMsg) {
	if r := m.byName[msg.profile]; r != nil {
		m.finish(r)
	}
	m.setBanner(fmt.Sprintf("%s is %s (account %s)", msg.profile, msg.id.ARN, msg.id.Account), false)
}

func (m *Model) onForgot(msg forgotMsg) {
	if r := m.byName[msg.profile]; r != nil {
		m.finish(r)
		r.sess, r.err = nil, nil
	}
	m.setBanner("forgot the cached session of "+msg.profile, false)
}

func (m *Model) onCached(msg cachedMsg) {
	for name, s := range msg.sessions {
		if r := m.byName[name]; r != nil && r.sess == nil && r.busy == "" {
			r.sess = s
		}
	}
}

func (m *Model) onShellDone(msg shellDoneMsg) {
	if msg.err != nil {
		m.setBanner("subshell for "+msg.profile+" ended: "+msg.err.Error(), true)
		return
	}
	m.setBanner("back from the subshell for "+msg.profile, false)
}

// liveSession returns the row's session while it can still be handed out,
// or says on the banner that the profile needs assuming first.
func (m *Model) liveSession(r *row) *session.Session {
	if r.sess.Usable(m.c.now()) {
		return r.sess
	}
	m.setBanner(r.p.Name+" has no live session: press enter to assume it first", true)
	return nil
}

func (m *Model) startShell(r *row) tea.Cmd {
	s := m.liveSession(r)
	if s == nil {
		return nil
	}
	return shellCmd(m.mgr.Handoff(s).ShellCommand(m.opts.Environ, m.opts.Getenv, ""), r.p.Name)
}

// showExport opens the export lines: the one view that shows secrets,
// because the user asked for exactly them.
func (m *Model) showExport(r *row) {
	s := m.liveSession(r)
	if s == nil {
		return
	}
	shell := session.ShellFromEnv(m.opts.Getenv)
	lines, err := m.mgr.Handoff(s).ExportLines(shell)
	if err != nil {
		m.setBanner("export lines for "+r.p.Name+": "+err.Error(), true)
		return
	}
	m.text = textModal{c: m.c, title: "export lines for " + r.p.Name + " (" + shell + ")", body: lines,
		foot: "select and copy · esc closes"}
	m.state = stateText
}
