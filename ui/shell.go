package ui

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
)

// shellDoneMsg arrives when the subshell exits; code is its exit status.
type shellDoneMsg struct {
	profile string
	code    int
	err     error // it could not start, or died otherwise
}

// subshell runs the user's shell with a session's variables while the UI
// is suspended, and says so on the terminal as it starts and ends, as
// rolecall shell does: without the notice, a subshell looks like any
// other prompt. Its environment sets ROLECALL_PROFILE for prompts.
type subshell struct {
	cmd         *exec.Cmd
	enter, exit string
	stderr      io.Writer
}

// newSubshell prepares the shell for h; now dates the expiry it
// announces.
func newSubshell(h session.Handoff, environ []string, getenv func(string) string, now time.Time) *subshell {
	c := h.ShellCommand(environ, getenv, "")
	name := termsafe.Clean(h.Profile)
	exp := "no expiry"
	if e := h.Expires(); !e.IsZero() {
		exp = "expires " + e.In(now.Location()).Format("15:04:05") + ", " + leftText(e, now)
	}
	return &subshell{
		cmd:   c,
		enter: fmt.Sprintf("rolecall: %s with %s's session (%s); exit to return to rolecall", termsafe.Clean(c.Path), name, exp),
		exit:  fmt.Sprintf("rolecall: left the subshell of %s; back to rolecall", name),
	}
}

// SetStdin implements tea.ExecCommand.
func (s *subshell) SetStdin(r io.Reader) { s.cmd.Stdin = r }

// SetStdout implements tea.ExecCommand.
func (s *subshell) SetStdout(w io.Writer) { s.cmd.Stdout = w }

// SetStderr implements tea.ExecCommand.
func (s *subshell) SetStderr(w io.Writer) { s.cmd.Stderr, s.stderr = w, w }

// Run implements tea.ExecCommand: the notice, the shell, the notice.
func (s *subshell) Run() error {
	if s.stderr != nil {
		fmt.Fprintln(s.stderr, s.enter)
	}
	err := s.cmd.Run()
	if s.stderr != nil {
		fmt.Fprintln(s.stderr, s.exit)
	}
	return err
}

// shellCmd suspends the UI and runs the subshell; the UI comes back when
// it exits.
func shellCmd(s *subshell, profile string) tea.Cmd {
	return tea.Exec(s, func(err error) tea.Msg {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			// The shell's status is its last command's: not a failure of
			// the subshell.
			return shellDoneMsg{profile: profile, code: exit.ExitCode()}
		}
		return shellDoneMsg{profile: profile, err: err}
	})
}
