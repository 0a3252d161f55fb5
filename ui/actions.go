package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
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

// startAssume assumes, or renews a live session. When the chain needs an
// MFA code, the modal asks for it before any call starts.
func (m *Model) startAssume(r *row) tea.Cmd {
	if !m.usable(r) {
		return nil
	}
	op := opAssume
	if r.sess != nil {
		op = opRenew
	}
	if serial := m.mgr.NeedsMFA(r.p.Name); serial != "" || r.needsMFA {
		if serial == "" {
			serial = m.detail.mfaSerial(r.p)
		}
		m.state = stateMFA
		return m.mfa.Open(r.p.Name, serial, op)
	}
	return m.call(r, op, "")
}

func (m *Model) startDefault(r *row) tea.Cmd {
	if !m.usable(r) {
		return nil
	}
	if serial := m.mgr.NeedsMFA(r.p.Name); serial != "" {
		m.state = stateMFA
		return m.mfa.Open(r.p.Name, serial, opDefault)
	}
	return m.call(r, opDefault, "")
}

func (m *Model) onMFACode(msg mfaCodeMsg) tea.Cmd {
	m.state = stateList
	r := m.byName[msg.profile]
	if r == nil || !m.usable(r) {
		return nil
	}
	r.needsMFA = false
	return m.call(r, msg.op, msg.code)
}

// call starts op (opAssume, opRenew or opDefault) for the row, with the
// MFA code when one was collected.
func (m *Model) call(r *row, op, code string) tea.Cmd {
	if op == opDefault {
		return m.start(r, op, useCmd(m.ctx, m.mgr, r.p.Name, code))
	}
	return m.start(r, op, assumeCmd(m.ctx, m.mgr, r.p.Name, op == opRenew, code))
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
	r.autoRenew = !r.autoRenew
	name := r.p.Name
	if !r.autoRenew {
		delete(m.auto, name)
		r.needsMFA = false
		m.setBanner("auto-renew off for "+name, false)
		return
	}
	m.auto[name] = r
	r.failures, r.lastFailure = 0, time.Time{}
	msg := "auto-renew on for " + name + ": renews shortly before expiry while rolecall runs"
	if p, ok := m.policy.(session.RenewPolicy); ok {
		msg = fmt.Sprintf("auto-renew on for %s: renews %s before expiry while rolecall runs", name, p.Before)
	}
	if r.sess == nil {
		msg += " (assume it first)"
	}
	m.setBanner(msg, false)
}

// onTick re-arms the clock and starts the auto-renewals that are due.
// Only rows with auto-renew on are visited, so the tick stays cheap.
func (m *Model) onTick() tea.Cmd {
	cmds := []tea.Cmd{tickCmd()}
	now := m.c.now()
	for name, r := range m.auto {
		if r.busy != "" || r.sess == nil || r.needsMFA || r.p.Err != nil || expiresNever(r.sess) {
			continue
		}
		if !m.policy.Due(now, r.sess.Expiration, r.lastFailure, r.failures) {
			continue
		}
		if m.mgr.NeedsMFA(name) != "" {
			r.needsMFA = true
			m.setBanner(name+": auto-renew needs a new MFA code: press r to enter one", true)
			continue
		}
		cmds = append(cmds, m.start(r, opAuto, autoRenewCmd(m.ctx, m.mgr, name, name == m.list.defaultName)))
	}
	return tea.Batch(cmds...)
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
	r.err, r.needsMFA, r.failures = nil, false, 0
	left := ""
	if r.sess != nil && !expiresNever(r.sess) {
		left = " · " + formatLeft(r.sess.Expiration.Sub(m.c.now())) + " left"
	}
	switch {
	case msg.wrote:
		m.list.defaultName = msg.profile
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
	mfa := errors.Is(msg.err, session.ErrMFARequired)
	switch {
	case msg.op == opAuto && mfa:
		r.needsMFA = true
		m.setBanner(msg.profile+": auto-renew needs a new MFA code: press r to enter one", true)
		return nil
	case msg.op == opAuto:
		r.failures++
		r.lastFailure = m.c.now()
	case mfa && (msg.op == opAssume || msg.op == opRenew || msg.op == opDefault):
		// The cached MFA session ran out between NeedsMFA and the call.
		m.state = stateMFA
		return m.mfa.Open(r.p.Name, m.detail.mfaSerial(r.p), msg.op)
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
		r.sess, r.err, r.needsMFA = nil, nil, false
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

// liveSession returns the row's unexpired session, or says on the banner
// that the profile needs assuming first.
func (m *Model) liveSession(r *row) *session.Session {
	if r.sess != nil && (expiresNever(r.sess) || r.sess.Expiration.After(m.c.now())) {
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
	base := m.opts.Environ
	c := session.ShellCommand(s, base, m.opts.Getenv)
	if c == nil {
		m.setBanner("could not build the subshell command: is $SHELL set?", true)
		return nil
	}
	return shellCmd(c, r.p.Name)
}

// showExport opens the export lines: the one view that shows secrets,
// because the user asked for exactly them.
func (m *Model) showExport(r *row) {
	s := m.liveSession(r)
	if s == nil {
		return
	}
	shell := "bash"
	switch b := filepath.Base(m.opts.Getenv("SHELL")); b {
	case "zsh", "fish", "bash":
		shell = b
	}
	lines, err := session.ExportLines(shell, s)
	if err != nil {
		m.setBanner("export lines for "+r.p.Name+": "+err.Error(), true)
		return
	}
	m.text = textModal{c: m.c, title: "export lines for " + r.p.Name + " (" + shell + ")", body: lines,
		foot: "select and copy · esc closes"}
	m.state = stateText
}
