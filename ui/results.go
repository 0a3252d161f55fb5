package ui

import (
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// setDefault records who holds [default] after a call that read it, and
// says so when it is no longer the profile the UI thought.
func (m *Model) setDefault(def *profiles.DefaultState, profile string) {
	if def == nil {
		return
	}
	old := m.list.Default()
	m.list.SetDefault(*def)
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
	// Replaced is read before the new holder is recorded.
	replaced, _ := m.defaultHolder()
	m.finish(r)
	if msg.sess != nil {
		r.sess, r.needLogin = msg.sess, false
	}
	r.err = nil
	var exp = r.sess.Expires()
	switch {
	case msg.wrote:
		s := "[default] now holds " + r.name + "'s session"
		if replaced != nil && replaced != r {
			s += " (it held " + replaced.name + "'s)"
		}
		if msg.backup != "" {
			s += " · the keys it held are kept in [" + msg.backup + "]"
		}
		for _, w := range msg.warnings {
			s += "\n⚠ " + w
		}
		m.setSessionBanner(s, len(msg.warnings) > 0, exp)
	case msg.op == opAuto:
		m.setSessionBanner("auto-renewed "+r.name, false, exp)
	case msg.op == opRenew:
		m.setSessionBanner("renewed "+r.name, false, exp)
	default:
		m.setSessionBanner("assumed "+r.name, false, exp)
	}
	m.setDefault(msg.def, msg.profile)
}

func (m *Model) onError(msg errMsg) tea.Cmd {
	r := m.byName[msg.profile]
	if r == nil {
		m.setBanner(string(msg.op)+" failed: "+msg.err.Error(), true)
		return nil
	}
	cancelled := m.finish(r)
	if msg.sess != nil {
		r.sess = msg.sess
	}
	m.setDefault(msg.def, msg.profile)
	if cancelled {
		m.setBanner("cancelled the "+string(msg.op)+" of "+r.name+": nothing changed", false)
		return nil
	}
	var se *session.Error
	needCode := errors.As(msg.err, &se) && se.Kind == session.KindNeedMFA && se.Serial != ""
	switch {
	case msg.op == opAuto && needCode:
		m.setBanner(r.name+": auto-renew needs a new MFA code: press r to enter one", true)
		return nil
	case msg.op == opAuto && needsLogin(msg.err):
		r.needLogin = true
		m.setBanner(msg.profile+": auto-renew needs an SSO login: press r to log in", true)
		return nil
	case needsLogin(msg.err):
		// Found before any call reached the portal: the login modal runs
		// the login and the call starts again.
		return m.startLogin(r, msg.op, msg.codes)
	case needCode:
		// Asked before any call reached STS: the modal collects the code
		// and the call starts again with it.
		m.state = stateMFA
		return m.mfa.Open(r.p.Name, se.Serial, msg.op, msg.force, msg.codes)
	case msg.op == opDefault && !msg.force && errors.Is(msg.err, profiles.ErrForeignDefault):
		// Keys another tool wrote (or the user's own): ask before moving
		// them aside.
		m.askConfirm(r, true, msg.err.Error()+fmt.Sprintf("\nPress %s again to move them to a backup profile and write %s's session, or any other key to keep them.",
			m.c.keys.Default.Help().Key, r.name))
		return nil
	}
	r.err = msg.err
	m.setRowError(r.name + ": " + string(msg.op) + " failed: " + problemMessage(msg.err, msg.profile))
	return nil
}

func (m *Model) onWhoAmI(msg whoamiMsg) {
	name := msg.profile
	if r := m.byName[msg.profile]; r != nil {
		m.finish(r)
		name = r.name
	}
	m.setBanner(fmt.Sprintf("%s is %s (account %s)", name, msg.id.ARN, msg.id.Account), false)
}

func (m *Model) onForgot(msg forgotMsg) {
	name := msg.profile
	if r := m.byName[msg.profile]; r != nil {
		m.finish(r)
		r.sess, r.err = nil, nil
		name = r.name
	}
	m.setBanner("forgot the cached session of "+name, false)
}

func (m *Model) onCached(msg cachedMsg) {
	for name, s := range msg.sessions {
		if r := m.byName[name]; r != nil && r.sess == nil && r.busy == "" {
			r.sess = s
		}
	}
}

func (m *Model) onShellDone(msg shellDoneMsg) {
	name := msg.profile
	if r := m.byName[msg.profile]; r != nil {
		name = r.name
	}
	switch {
	case msg.err != nil:
		m.setBanner("the subshell for "+name+" failed: "+msg.err.Error(), true)
	case msg.code != 0:
		m.setBanner(fmt.Sprintf("back from the subshell for %s (its last command exited with %d)", name, msg.code), false)
	default:
		m.setBanner("back from the subshell for "+name, false)
	}
}

func (m *Model) onCopied(msg copiedMsg) {
	name := msg.profile
	if r := m.byName[msg.profile]; r != nil {
		name = r.name
	}
	what := fmt.Sprintf("%d export lines for %s", msg.lines, name)
	if msg.sysErr != nil {
		m.setBanner("copied the "+what+" through the terminal (OSC 52); no system clipboard: "+msg.sysErr.Error(), false)
		return
	}
	m.setBanner("copied the "+what+" to the clipboard", false)
}
