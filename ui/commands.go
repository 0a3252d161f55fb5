package ui

import (
	"context"
	"errors"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// callTimeout bounds every STS or IMDS call so a dead endpoint cannot leave
// a spinner running for ever.
const callTimeout = 30 * time.Second

// clipboardTimeout bounds the system clipboard tool (xclip, wl-copy,
// pbcopy), which can hang on a display that does not answer.
const clipboardTimeout = 3 * time.Second

// tickMsg is the one app-wide clock tick.
type tickMsg time.Time

// sessionMsg is a successful assume, renew or [default] write.
type sessionMsg struct {
	profile  string
	op       op
	sess     *session.Session
	wrote    bool     // [default] now holds this session
	backup   string   // profile the old [default] keys were copied to
	warnings []string // why the written keys may be shadowed
	// def is who holds [default] after the call, when the call read it.
	def *profiles.DefaultState
}

// errMsg is the one error message type: a failed call, for a profile or
// (profile == "") for the app.
type errMsg struct {
	profile string
	op      op
	err     error
	// sess is a session the call did get before it failed (a renewal
	// whose write to [default] failed), for the row to show.
	sess *session.Session
	def  *profiles.DefaultState
	// codes are the MFA codes the call had, kept when it asks for one
	// more; force is the call's force, for a [default] write.
	codes map[string]string
	force bool
}

// whoamiMsg answers w.
type whoamiMsg struct {
	profile string
	id      session.Identity
}

// forgotMsg says a profile's cached session is gone.
type forgotMsg struct{ profile string }

// cachedMsg carries the cached sessions found at start-up.
type cachedMsg struct{ sessions map[string]*session.Session }

// autoLoadedMsg carries the profiles that had auto-renew on when rolecall
// last ran.
type autoLoadedMsg struct {
	profiles []string
	err      error
}

// autoSavedMsg says whether the auto-renew list was saved.
type autoSavedMsg struct{ err error }

// copyRequestMsg asks the root to put text on the clipboard.
type copyRequestMsg struct {
	profile string
	text    string
}

// copiedMsg says the export lines went to the clipboard; sysErr is why the
// system clipboard could not take them (the terminal's, through OSC 52,
// was asked in any case).
type copiedMsg struct {
	profile string
	lines   int
	sysErr  error
}

// tickCmd is the clock's next tick, on its next whole second, as
// tea.Every would send it.
func (c *common) tickCmd() tea.Cmd {
	now := c.now()
	return c.after(now.Truncate(time.Second).Add(time.Second).Sub(now), func(t time.Time) tea.Msg { return tickMsg(t) })
}

// guard runs a command body and turns a panic inside the session code into
// an errMsg, so no failure can take the UI down.
func guard(profile string, o op, body func() tea.Msg) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = errMsg{profile: profile, op: o, err: fmt.Errorf("internal error: %v", r)}
			}
		}()
		return body()
	}
}

func callOpts(codes map[string]string) []session.CallOption {
	var opts []session.CallOption
	for serial, code := range codes {
		opts = append(opts, session.WithMFACode(serial, code))
	}
	return opts
}

// assumeCmd assumes a profile (or reuses its cached session). Its inputs
// are copied in; it never reads the model. ctx is the call's own: esc on
// the row cancels it.
func assumeCmd(ctx context.Context, mgr Manager, profile string, codes map[string]string) tea.Cmd {
	return guard(profile, opAssume, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		s, err := mgr.Assume(ctx, profile, callOpts(codes)...)
		if err == nil && s == nil {
			err = errors.New("no session came back")
		}
		if err != nil {
			return errMsg{profile: profile, op: opAssume, err: err, codes: codes}
		}
		return sessionMsg{profile: profile, op: opAssume, sess: s}
	})
}

// renewCmd renews a profile through the Renewer, which rewrites [default]
// when it holds the old session and keeps the auto-renew state; o is
// opRenew (the user asked) or opAuto.
func renewCmd(ctx context.Context, renewer *session.Renewer, profile string, o op, codes map[string]string) tea.Cmd {
	return guard(profile, o, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		res, err := renewer.Renew(ctx, profile, callOpts(codes)...)
		def := res.Default
		if err == nil && res.Session == nil {
			err = errors.New("no session came back")
		}
		if err != nil {
			// A renewal whose [default] write failed still stands: the
			// row keeps it.
			return errMsg{profile: profile, op: o, err: err, sess: res.Session, def: &def, codes: codes}
		}
		return sessionMsg{profile: profile, op: o, sess: res.Session, wrote: res.Wrote,
			backup: res.BackupProfile, warnings: res.Warnings, def: &def}
	})
}

// useCmd writes the profile's session into [default]; force moves
// long-term keys there to a backup profile first.
func useCmd(ctx context.Context, mgr Manager, profile string, force bool, codes map[string]string) tea.Cmd {
	return guard(profile, opDefault, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		res, err := mgr.Use(ctx, profile, force, callOpts(codes)...)
		if err == nil && res.Session == nil {
			err = errors.New("no session came back")
		}
		if err != nil {
			return errMsg{profile: profile, op: opDefault, err: err, codes: codes, force: force}
		}
		def := res.Default
		return sessionMsg{profile: profile, op: opDefault, sess: res.Session, wrote: true,
			backup: res.BackupProfile, warnings: res.Warnings, def: &def}
	})
}

func whoamiCmd(ctx context.Context, mgr Manager, profile string, s *session.Session) tea.Cmd {
	return guard(profile, opWhoAmI, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		id, err := mgr.WhoAmI(ctx, s)
		if err != nil {
			return errMsg{profile: profile, op: opWhoAmI, err: err}
		}
		return whoamiMsg{profile: profile, id: id}
	})
}

func forgetCmd(mgr Manager, profile string) tea.Cmd {
	return guard(profile, opForget, func() tea.Msg {
		if _, err := mgr.Forget(profile); err != nil {
			return errMsg{profile: profile, op: opForget, err: err}
		}
		return forgotMsg{profile: profile}
	})
}

// cachedCmd reads the cached sessions of the given profiles from disk, so
// that a restart shows the same countdowns.
func cachedCmd(mgr Manager, names []string) tea.Cmd {
	return guard("", "read the session cache", func() tea.Msg {
		found := map[string]*session.Session{}
		for _, n := range names {
			if s, ok := mgr.Cached(n); ok && s != nil {
				found[n] = s
			}
		}
		return cachedMsg{sessions: found}
	})
}

// loadAutoCmd reads which profiles had auto-renew on.
func loadAutoCmd(mgr Manager) tea.Cmd {
	return guard("", "read the auto-renew list", func() tea.Msg {
		names, err := mgr.LoadAutoRenew()
		return autoLoadedMsg{profiles: names, err: err}
	})
}

// saveAutoCmd records which profiles have auto-renew on now. The Renewer
// holds that state and serialises saves, so the last save writes the
// latest state.
func saveAutoCmd(renewer *session.Renewer, store session.AutoRenewStore) tea.Cmd {
	return guard("", "save the auto-renew list", func() tea.Msg {
		return autoSavedMsg{err: renewer.Save(store)}
	})
}

// copyCmd puts text on the clipboard twice over: through the terminal
// (OSC 52, which works over SSH and in tmux) and through the system
// clipboard where there is one.
func copyCmd(clip func(string) error, profile, text string, lines int) tea.Cmd {
	system := func() tea.Msg {
		err := errors.New("no system clipboard")
		if clip != nil {
			done := make(chan error, 1)
			go func() { done <- clip(text) }()
			select {
			case err = <-done:
			case <-time.After(clipboardTimeout):
				err = fmt.Errorf("the clipboard tool did not answer within %s", session.HumanDuration(clipboardTimeout))
			}
		}
		return copiedMsg{profile: profile, lines: lines, sysErr: err}
	}
	return tea.Batch(tea.SetClipboard(text), system)
}
