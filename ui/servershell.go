package ui

import (
	"context"
	"fmt"
	"io"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/internal/credserver"
	"github.com/rolecall/rolecall/session"
)

// startServerShell suspends the UI and runs the user's shell with a local
// credentials endpoint that renews the session, instead of fixed keys; the
// UI comes back when the shell exits, and the endpoint stops with it.
func (m *Model) startServerShell(r *row) tea.Cmd {
	c := m.serverShell(r)
	if c == nil {
		return nil
	}
	return tea.Exec(c, func(err error) tea.Msg { return shellDoneMsg{profile: r.p.Name, err: err} })
}

// serverShell builds the S key's subshell for the row, or says on the
// banner that the profile needs assuming first (with the MFA modal, when
// it wants a code).
func (m *Model) serverShell(r *row) *serverShell {
	s := m.liveSession(r)
	if s == nil {
		return nil
	}
	return &serverShell{ctx: m.ctx, profile: r.p.Name, provider: m.mgr.Provider(r.p.Name), handoff: m.mgr.Handoff(s),
		environ: m.opts.Environ, getenv: m.opts.Getenv, now: m.c.now}
}

// serverShell is a tea.ExecCommand: the endpoint starts when the shell
// does and stops when it exits. While the shell has the terminal the UI
// cannot ask for an MFA code, so a renewal that needs one says to run
// rolecall renew in the shell; the endpoint takes that session from the
// cache.
type serverShell struct {
	ctx      context.Context
	profile  string
	provider aws.CredentialsProvider
	handoff  session.Handoff
	environ  []string
	getenv   func(string) string
	now      func() time.Time

	stdin          io.Reader
	stdout, stderr io.Writer
}

func (c *serverShell) SetStdin(r io.Reader)  { c.stdin = r }
func (c *serverShell) SetStdout(w io.Writer) { c.stdout = w }
func (c *serverShell) SetStderr(w io.Writer) { c.stderr = w }

// Run implements tea.ExecCommand.
func (c *serverShell) Run() error {
	srv, err := credserver.Start(c.ctx, c.provider, credserver.Options{Name: c.profile, Log: c.stderr, Now: c.now,
		UserHint: fmt.Sprintf("run 'rolecall renew %s' in this shell; the endpoint takes the new session from the cache", c.profile)})
	if err != nil {
		return err
	}
	defer srv.Close()
	cmd := c.handoff.Endpoint(srv.URL(), srv.Token()).ShellCommand(c.environ, c.getenv, "")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.stdin, c.stdout, c.stderr
	fmt.Fprintf(c.stderr, "rolecall: %s with %s's session through a local endpoint that renews it; exit to return\n", cmd.Path, c.profile)
	return cmd.Run()
}
