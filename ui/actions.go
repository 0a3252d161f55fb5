package ui

import (
	"context"
	"fmt"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/session"
)

// onKey sends a key press to what has focus: a modal, the filter's input,
// the full-screen details, else the main screen. Global keys are skipped
// while a child takes text.
func (m *Model) onKey(k tea.KeyPressMsg) tea.Cmd {
	keys := m.c.keys
	if key.Matches(k, keys.ForceQuit) {
		return tea.Quit
	}
	var cmd tea.Cmd
	switch {
	case m.state == stateMFA:
		m.mfa, cmd = m.mfa.Update(k)
		return cmd
	case m.state == stateLogin:
		if key.Matches(k, keys.Esc) {
			m.cancelLogin()
		}
		return nil
	case m.state == stateExport:
		m.export, cmd = m.export.Update(k)
		return cmd
	case m.state == stateConfirm:
		m.confirm, cmd = m.confirm.Update(k)
		return cmd
	case m.list.Filtering():
		m.list, cmd = m.list.Update(k)
		return cmd
	case m.lay.fullDetails && !key.Matches(k, keys.Esc) && !m.isAction(k):
		// The details have the screen: the arrows scroll them; the actions
		// still act on the profile they show.
		m.detail, cmd = m.detail.Update(k)
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
		m.toggleDetails()
	case key.Matches(k, keys.ScrollDetailsUp):
		m.detail.Scroll(-1)
	case key.Matches(k, keys.ScrollDetailsDown):
		m.detail.Scroll(1)
	case r == nil:
		// The remaining keys act on a profile.
	case key.Matches(k, keys.Assume):
		return m.startAssume(r)
	case key.Matches(k, keys.AutoRenew):
		return m.toggleAuto(r)
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
			return m.start(r, opWhoAmI, func(ctx context.Context) tea.Cmd { return whoamiCmd(ctx, m.mgr, r.p.Name, s) })
		}
	case key.Matches(k, keys.Forget):
		return m.start(r, opForget, func(context.Context) tea.Cmd { return forgetCmd(m.mgr, r.p.Name) })
	case key.Matches(k, keys.Console):
		return m.startConsole(r)
	default:
		m.list, cmd = m.list.Update(k)
		return cmd
	}
	return nil
}

// isAction reports whether k is one of the main screen's keys other than
// moving, which the full-screen details pass on.
func (m *Model) isAction(k tea.KeyPressMsg) bool {
	keys := m.c.keys
	return key.Matches(k, keys.Quit, keys.Help, keys.Assume, keys.AutoRenew, keys.Default, keys.Shell,
		keys.Export, keys.WhoAmI, keys.Forget, keys.Console, keys.Filter, keys.ShowAll)
}

// onEsc undoes the nearest thing: the full help, a call running on the
// selected row, the filter, the banner, then the full-screen details.
func (m *Model) onEsc() {
	r := m.list.Selected()
	switch {
	case m.help.ShowAll:
		m.help.ShowAll = false
	case r != nil && r.busy.cancellable() && r.cancel != nil && !r.cancelling:
		r.cancelling = true
		r.cancel()
		m.setBanner("cancelling the "+string(r.busy)+" of "+r.name+"…", false)
	case m.list.Filtered():
		m.list.ClearFilter()
	case !m.banner.empty():
		m.banner = banner{}
	case m.lay.fullDetails:
		m.details = detailsAuto
	}
}

// toggleDetails shows the details pane when it is not on screen and
// hides it when it is, whatever the terminal's size.
func (m *Model) toggleDetails() {
	if m.detailsVisible() {
		m.details = detailsHidden
	} else {
		m.details = detailsShown
	}
}

// detailsVisible reports whether the details pane is on screen.
func (m *Model) detailsVisible() bool {
	return m.details == detailsShown || (m.details == detailsAuto && m.roomy())
}

// usable says why a profile cannot be assumed, on the banner.
func (m *Model) usable(r *row) bool {
	if r.broken() {
		// The error names the file, the line and the profile.
		m.setRowError(r.p.Err.Error())
		return false
	}
	if r.busy != "" {
		m.setBanner(r.name+": still "+r.busy.busyText()+" (esc cancels it)", true)
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
	o := opAssume
	if r.sess != nil {
		o = opRenew
	}
	return m.call(r, o, false, nil)
}

// startDefault writes the row's session into [default], asking first
// when that would replace another profile's live session.
func (m *Model) startDefault(r *row) tea.Cmd {
	if !m.usable(r) {
		return nil
	}
	if other, s := m.defaultHolder(); other != nil && other != r && s.Usable(m.c.now()) {
		m.askConfirm(r, false, fmt.Sprintf("[default] holds %s's session (%s). Press %s again to replace it with %s's, or any other key to keep it.",
			other.name, leftText(s.Expires(), m.c.now()), m.c.keys.Default.Help().Key, r.name))
		return nil
	}
	return m.call(r, opDefault, false, nil)
}

// defaultHolder is the row whose session [default] holds, and that
// session, as far as the UI knows.
func (m *Model) defaultHolder() (*row, *session.Session) {
	def := m.list.Default()
	r := m.byName[def.Profile]
	if r == nil || !m.list.inDefault(r) {
		return nil, nil
	}
	return r, r.sess
}

func (m *Model) askConfirm(r *row, force bool, question string) {
	m.confirm.Open(r.p.Name, question, force)
	m.state = stateConfirm
	m.banner = banner{}
}

func (m *Model) onConfirmed(msg confirmedMsg) tea.Cmd {
	m.state = stateList
	r := m.byName[msg.profile]
	if r == nil || !m.usable(r) {
		return nil
	}
	return m.call(r, opDefault, msg.force, nil)
}

func (m *Model) onMFACode(msg mfaCodeMsg) tea.Cmd {
	m.state = stateList
	r := m.byName[msg.profile]
	if r == nil || !m.usable(r) {
		return nil
	}
	return m.call(r, msg.op, msg.force, msg.codes)
}

// call starts o (opAssume, opRenew, opDefault or opConsole) for the row,
// with the MFA codes collected so far; force is a confirmed [default]
// write.
func (m *Model) call(r *row, o op, force bool, codes map[string]string) tea.Cmd {
	name := r.p.Name
	return m.start(r, o, func(ctx context.Context) tea.Cmd {
		switch o {
		case opDefault:
			return useCmd(ctx, m.mgr, name, force, codes)
		case opRenew:
			return renewCmd(ctx, m.renewer, name, o, codes)
		case opConsole:
			return consoleCmd(ctx, m.mgr, m.open, name, codes)
		}
		return assumeCmd(ctx, m.mgr, name, codes)
	})
}

// start marks a row busy and runs the command mk builds with the call's
// own context, which esc on the row cancels; the spinner goes while any
// call runs. One call per row at a time: results carry only the profile
// name.
func (m *Model) start(r *row, o op, mk func(context.Context) tea.Cmd) tea.Cmd {
	if r.busy != "" {
		m.setBanner(r.name+": still "+r.busy.busyText()+" (esc cancels it)", true)
		return nil
	}
	ctx, cancel := context.WithCancel(m.ctx)
	r.busy, r.err, r.cancel, r.cancelling = o, nil, cancel, false
	m.busy++
	cmd := mk(ctx)
	if m.spinning {
		return cmd
	}
	m.spinning = true
	return tea.Batch(cmd, m.spin.Tick)
}

// finish marks the row idle again and says whether its call had been
// cancelled.
func (m *Model) finish(r *row) (cancelled bool) {
	cancelled = r.cancelling
	if r.busy != "" {
		r.busy = ""
		m.busy--
	}
	if r.cancel != nil {
		r.cancel()
	}
	r.cancel, r.cancelling = nil, false
	return cancelled
}

func (m *Model) onSpin(msg spinner.TickMsg) tea.Cmd {
	if m.busy <= 0 {
		m.spinning = false
		return nil
	}
	m.spin, _ = m.spin.Update(msg)
	m.list.SetSpinner(m.spin.View())
	// The next frame, as the spinner would ask for it, through the clock.
	spin := m.spin
	return m.c.after(spin.Spinner.FPS, func(time.Time) tea.Msg { return spin.Tick() })
}

// liveSession returns the row's session while it can still be handed out,
// or says on the banner that the profile needs assuming first.
func (m *Model) liveSession(r *row) *session.Session {
	if r.sess.Usable(m.c.now()) {
		return r.sess
	}
	m.setBanner(r.name+" has no live session: press enter to assume it first", true)
	return nil
}

func (m *Model) startShell(r *row) tea.Cmd {
	s := m.liveSession(r)
	if s == nil {
		return nil
	}
	return shellCmd(newSubshell(m.mgr.Handoff(s), m.opts.Environ, m.opts.Getenv, m.c.now()), r.p.Name)
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
		m.setBanner("export lines for "+r.name+": "+err.Error(), true)
		return
	}
	m.export.Open(r.p.Name, fmt.Sprintf("export lines for %s (%s)", r.p.Name, shell), "", lines)
	m.state = stateExport
}
