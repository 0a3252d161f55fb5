package ui

import (
	"context"
	"errors"
	"fmt"

	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
)

// The browser side of the UI: the console key, and the IAM Identity
// Center login a profile's call may need first.

// Operations of the browser side, as messages name them.
const (
	opConsole op = "console"
	opLogin   op = "login"
)

// browserMsg is a result of the browser side; the root hands every one
// to onBrowser.
type browserMsg interface{ browserMsg() }

// consoleMsg is a console sign-in that was opened, or could not be.
type consoleMsg struct {
	profile string
	sess    *session.Session // nil for an IAM user's federation session
	dest    string
	how     string // the browser it went to
	url     string // the sign-in URL, kept only when no browser took it
	openErr error
}

// loginStartedMsg is a login begun: what to show, or an error.
type loginStartedMsg struct {
	seq   int
	login *session.Login
	err   error
}

// loginOpenedMsg says which browser the login page went to.
type loginOpenedMsg struct {
	seq int
	how string
	err error
}

// loginDoneMsg ends a login.
type loginDoneMsg struct {
	seq int
	err error
}

// loginStateMsg says which SSO profiles need a login, read at start-up.
type loginStateMsg struct{ need map[string]bool }

func (consoleMsg) browserMsg()      {}
func (loginStartedMsg) browserMsg() {}
func (loginOpenedMsg) browserMsg()  {}
func (loginDoneMsg) browserMsg()    {}
func (loginStateMsg) browserMsg()   {}

// onBrowser handles the browser side's results.
func (m *Model) onBrowser(msg browserMsg) tea.Cmd {
	switch msg := msg.(type) {
	case consoleMsg:
		m.onConsole(msg)
	case loginStartedMsg:
		return m.onLoginStarted(msg)
	case loginOpenedMsg:
		if msg.seq == m.login.seq {
			m.login.opened, m.login.openErr = msg.how, msg.err
		}
	case loginDoneMsg:
		return m.onLoginDone(msg)
	case loginStateMsg:
		for name, need := range msg.need {
			if r := m.byName[name]; r != nil {
				r.needLogin = need
			}
		}
	}
	return nil
}

// startConsole opens the console for the row, assuming it first when
// needed (the MFA and login modals step in as for enter).
func (m *Model) startConsole(r *row) tea.Cmd {
	if !m.usable(r) {
		return nil
	}
	return m.call(r, opConsole, false, nil)
}

// consoleCmd signs the profile in and opens the URL in the browser.
func consoleCmd(ctx context.Context, mgr Manager, open func(context.Context, string) (string, error), profile string, codes map[string]string) tea.Cmd {
	return guard(profile, opConsole, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		c, err := mgr.Console(ctx, profile, session.ConsoleOptions{}, callOpts(codes)...)
		if err != nil {
			return errMsg{profile: profile, op: opConsole, err: err, codes: codes}
		}
		msg := consoleMsg{profile: profile, sess: c.Session, dest: c.Destination}
		msg.how, msg.openErr = open(ctx, c.URL)
		if msg.openErr != nil {
			msg.url = c.URL
		}
		return msg
	})
}

func (m *Model) onConsole(msg consoleMsg) {
	r := m.byName[msg.profile]
	if r == nil {
		return
	}
	m.finish(r)
	r.err = nil
	if msg.sess != nil {
		r.sess, r.needLogin = msg.sess, false
	}
	if msg.openErr != nil {
		// The one other place a secret is shown: the user asked for the
		// console, and no browser could take it.
		m.export.Open(msg.profile, "console sign-in URL for "+msg.profile,
			"No browser opened: "+firstLine(msg.openErr.Error())+".\nOpen this URL yourself; it signs in whoever opens it for 15 minutes:\n", msg.url)
		m.state = stateExport
		return
	}
	m.setBanner(fmt.Sprintf("console for %s opened in %s · %s", msg.profile, termsafe.Clean(msg.how), termsafe.Clean(msg.dest)), false)
}

// needsLogin reports whether err asks for an SSO login.
func needsLogin(err error) bool {
	var se *session.Error
	return errors.As(err, &se) && se.Kind == session.KindNeedLogin
}

// startLogin opens the login modal for the row; op (with its MFA codes)
// runs again once the login is done.
func (m *Model) startLogin(r *row, o op, codes map[string]string) tea.Cmd {
	r.needLogin = true
	seq := m.login.Open(m.ctx, r.p.Name, o, codes)
	ctx := m.login.ctx
	m.state = stateLogin
	mgr, profile := m.mgr, r.p.Name
	return guard(profile, opLogin, func() tea.Msg {
		sctx, done := context.WithTimeout(ctx, callTimeout)
		defer done()
		l, err := mgr.BeginLogin(sctx, session.SSOTarget{Profile: profile}, session.LoginOptions{})
		return loginStartedMsg{seq: seq, login: l, err: err}
	})
}

func (m *Model) onLoginStarted(msg loginStartedMsg) tea.Cmd {
	if msg.seq != m.login.seq || m.state != stateLogin {
		if msg.login != nil {
			msg.login.Close() // cancelled meanwhile
		}
		return nil
	}
	if msg.err != nil {
		return m.endLogin(msg.err)
	}
	l := msg.login
	m.login.login = l
	if !l.NeedsUser() {
		return m.endLogin(nil)
	}
	ctx, seq := m.login.ctx, msg.seq
	open := m.open
	return tea.Batch(
		func() tea.Msg {
			how, err := open(ctx, l.URL)
			return loginOpenedMsg{seq: seq, how: how, err: err}
		},
		func() tea.Msg {
			_, err := l.Wait(ctx)
			return loginDoneMsg{seq: seq, err: err}
		},
	)
}

func (m *Model) onLoginDone(msg loginDoneMsg) tea.Cmd {
	if msg.seq != m.login.seq || m.state != stateLogin {
		return nil
	}
	return m.endLogin(msg.err)
}

// endLogin closes the modal and, after a login, starts the call that
// needed it again.
func (m *Model) endLogin(err error) tea.Cmd {
	m.state = stateList
	profile, o, codes := m.login.profile, m.login.op, m.login.codes
	m.login.Close()
	m.login.cancel, m.login.login = nil, nil
	r := m.byName[profile]
	if r == nil {
		return nil
	}
	if err != nil {
		m.setBanner(profile+": login failed: "+firstLine(err.Error()), true)
		return nil
	}
	r.needLogin = false
	m.setBanner("logged in for "+profile, false)
	if !m.usable(r) {
		return nil
	}
	return m.call(r, o, false, codes)
}

// cancelLogin is esc in the login modal.
func (m *Model) cancelLogin() {
	m.login.Close()
	m.login.cancel, m.login.login = nil, nil
	m.login.seq++ // results of the cancelled login are dropped
	m.state = stateList
	m.setBanner("login cancelled: nothing was called", false)
}

// loginStateCmd reads from disk which SSO profiles need a login.
func loginStateCmd(mgr Manager, names []string) tea.Cmd {
	return guard("", "reading the SSO token cache", func() tea.Msg {
		return loginStateMsg{need: mgr.NeedLogins(names)}
	})
}
