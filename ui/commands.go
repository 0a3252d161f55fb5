package ui

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// callTimeout bounds every STS or IMDS call so a dead endpoint cannot leave
// a spinner running for ever.
const callTimeout = 30 * time.Second

// Operations, as shown on the row while they run and in messages.
const (
	opAssume  = "assuming"
	opRenew   = "renewing"
	opAuto    = "auto-renewing"
	opDefault = "writing [default]"
	opWhoAmI  = "asking STS who"
	opForget  = "forgetting"
)

// tickMsg is the one app-wide clock tick.
type tickMsg time.Time

// sessionMsg is a successful assume, renew or [default] write.
type sessionMsg struct {
	profile  string
	op       string
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
	op      string
	err     error
	// sess is a session the call did get before it failed (a renewal
	// whose write to [default] failed), for the row to show.
	sess *session.Session
	def  *profiles.DefaultState
	// codes are the MFA codes the call had, kept when it asks for one
	// more.
	codes map[string]string
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

// shellDoneMsg arrives when the subshell exits.
type shellDoneMsg struct {
	profile string
	err     error
}

func tickCmd() tea.Cmd {
	return tea.Every(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// guard runs a command body and turns a panic inside the session code into
// an errMsg, so no failure can take the UI down.
func guard(profile, op string, body func() tea.Msg) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if r := recover(); r != nil {
				msg = errMsg{profile: profile, op: op, err: fmt.Errorf("internal error: %v", r)}
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
// are copied in; it never reads the model.
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
// when it holds the old session and keeps the auto-renew state; op is
// opRenew (the user asked) or opAuto.
func renewCmd(ctx context.Context, renewer *session.Renewer, profile, op string, codes map[string]string) tea.Cmd {
	return guard(profile, op, func() tea.Msg {
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
			return errMsg{profile: profile, op: op, err: err, sess: res.Session, def: &def, codes: codes}
		}
		return sessionMsg{profile: profile, op: op, sess: res.Session, wrote: res.Wrote,
			backup: res.BackupProfile, warnings: res.Warnings, def: &def}
	})
}

// useCmd writes the profile's session into [default].
func useCmd(ctx context.Context, mgr Manager, profile string, codes map[string]string) tea.Cmd {
	return guard(profile, opDefault, func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, callTimeout)
		defer cancel()
		res, err := mgr.Use(ctx, profile, false, callOpts(codes)...)
		if err != nil {
			return errMsg{profile: profile, op: opDefault, err: err, codes: codes}
		}
		def := profiles.DefaultState{Profile: profile, AccessKeyID: res.Session.Creds.AccessKeyID}
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
	return guard("", "reading the session cache", func() tea.Msg {
		found := map[string]*session.Session{}
		for _, n := range names {
			if s, ok := mgr.Cached(n); ok && s != nil {
				found[n] = s
			}
		}
		return cachedMsg{sessions: found}
	})
}

// shellCmd suspends the UI and runs the user's shell with the session's
// variables; the UI comes back when it exits.
func shellCmd(c *exec.Cmd, profile string) tea.Cmd {
	return tea.ExecProcess(c, func(err error) tea.Msg { return shellDoneMsg{profile: profile, err: err} })
}
