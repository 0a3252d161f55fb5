package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rolecall/rolecall/internal/credserver"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// serverEnv is the setting that makes server mode the default of exec and
// shell.
const serverEnv = "ROLECALL_SERVER"

// serverDefault reads ROLECALL_SERVER: 1 or true turns server mode on for
// exec and shell, 0, false or unset leaves it off.
func serverDefault(getenv func(string) string) (bool, error) {
	v := strings.TrimSpace(getenv(serverEnv))
	if v == "" {
		return false, nil
	}
	on, err := strconv.ParseBool(v)
	if err != nil {
		return false, usageError{fmt.Errorf("%s=%q is not 1 or 0; set it to 1 for server mode by default, or unset it", serverEnv, v)}
	}
	return on, nil
}

// serverFlag adds --server to exec or shell, on by default under
// ROLECALL_SERVER=1, and returns where the flag's value lands.
func serverFlag(cmd *cobra.Command, g *globalOptions) *bool {
	on, _ := serverDefault(g.Getenv) // a bad value is reported when the command runs
	return cmd.Flags().Bool("server", on, "give the child a local credentials endpoint that renews the session, not keys (default on when "+serverEnv+"=1)")
}

// applyServer sets opts.Server from the flag, or reports a bad
// ROLECALL_SERVER when the flag does not override it.
func applyServer(cmd *cobra.Command, g *globalOptions, flag *bool, opts *ExecOptions) error {
	if !cmd.Flags().Changed("server") {
		if _, err := serverDefault(g.Getenv); err != nil {
			return err
		}
	}
	opts.Server = *flag
	return nil
}

// endpointDeps are what a command that runs a credentials endpoint needs
// besides sessionDeps. Tests fill them in directly.
type endpointDeps struct {
	// EndpointManager builds the session manager with prompt as its MFA
	// prompt (unless --mfa-code gives the code).
	EndpointManager func(set *profiles.Set, prompt session.MFAPrompt) *session.Manager
	// OpenTTY opens the controlling terminal; nil when there is none.
	OpenTTY func() (io.ReadWriteCloser, error)
}

func (g *globalOptions) endpointDeps() endpointDeps {
	return endpointDeps{
		EndpointManager: func(set *profiles.Set, prompt session.MFAPrompt) *session.Manager {
			o := g.managerOptions(false)
			if g.MFACode == "" {
				o.Prompt = prompt
			}
			return session.New(set, o)
		},
		OpenTTY: g.OpenTTY,
	}
}

// ttyPrompt asks for MFA codes on the controlling terminal, never on
// stdin, which belongs to the child. Once a shell owns the terminal it
// asks no more: the shell reads every key typed there, so a code could go
// to either.
type ttyPrompt struct {
	open func() (io.ReadWriteCloser, error)
	mu   sync.Mutex // one question at a time
	off  atomic.Bool
}

// ask implements session.MFAPrompt. It gives up when ctx ends.
func (p *ttyPrompt) ask(ctx context.Context, profile, serial string) (string, error) {
	if p.off.Load() {
		return "", errors.New("the shell has the terminal")
	}
	if p.open == nil {
		return "", errors.New("no terminal to ask on")
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	tty, err := p.open()
	if err != nil {
		return "", fmt.Errorf("no terminal to ask on: %v", errors.Unwrap(err))
	}
	defer tty.Close()
	fmt.Fprintf(tty, "\r\nrolecall: MFA code for %s (profile %s): ", serial, profile)
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(tty).ReadString('\n')
		got <- answer{line, err}
	}()
	select {
	case a := <-got:
		if a.err != nil && a.line == "" {
			return "", errors.New("no code was typed")
		}
		return strings.TrimSpace(a.line), nil
	case <-ctx.Done():
		tty.Close() // ends the read
		return "", fmt.Errorf("no code was typed in time (%v)", ctx.Err())
	}
}

// endpointRun is a running endpoint and the hand-off that points at it.
type endpointRun struct {
	srv     *credserver.Server
	handoff session.EndpointHandoff
	prompt  *ttyPrompt
}

// startEndpoint assumes the profile (or reuses its cached session),
// asking on the terminal for a code if one is needed, and starts an
// endpoint that serves it and renews it ahead of expiry. It warns on
// stderr about a [default] that AWS tools would take first. The endpoint
// outlives ctx; Close stops it.
func startEndpoint(ctx context.Context, d sessionDeps, e endpointDeps, profile string, port int, verbose bool) (*endpointRun, error) {
	set, err := d.Load()
	if err != nil {
		return nil, err
	}
	prompt := &ttyPrompt{open: e.OpenTTY}
	mgr := e.EndpointManager(set, prompt.ask)
	s, err := mgr.Assume(ctx, profile)
	if err != nil {
		return nil, err
	}
	srv, err := credserver.Start(context.WithoutCancel(ctx), mgr.Provider(profile), credserver.Options{
		Name: profile, Port: port, Log: d.Stderr, Verbose: verbose,
		UserHint: fmt.Sprintf("run 'rolecall renew %s' in a terminal; the endpoint takes the new session from the cache", profile),
	})
	if err != nil {
		return nil, err
	}
	for _, w := range mgr.EndpointShadows() {
		fmt.Fprintln(d.Stderr, "rolecall: warning: "+w)
	}
	return &endpointRun{srv: srv, handoff: mgr.Handoff(s).Endpoint(srv.URL(), srv.Token()), prompt: prompt}, nil
}

func (r *endpointRun) Close() { _ = r.srv.Close() }

// runExecServer runs one command with a credentials endpoint instead of
// keys; the endpoint stops when the command exits. A renewal that needs a
// code asks on the terminal, which the command is not reading from stdin.
func runExecServer(ctx context.Context, opts *ExecOptions, path string) error {
	ep, err := startEndpoint(ctx, opts.sessionDeps, opts.endpointDeps, opts.Profile, 0, false)
	if err != nil {
		return err
	}
	defer ep.Close()
	c := exec.Command(path, opts.Argv[1:]...)
	c.Env = ep.handoff.Environ(opts.Environ)
	return runChild(c, opts)
}

// runShellServer starts the user's shell with a credentials endpoint
// instead of keys; the endpoint stops when the shell exits.
func runShellServer(ctx context.Context, opts *ExecOptions) error {
	ep, err := startEndpoint(ctx, opts.sessionDeps, opts.endpointDeps, opts.Profile, 0, false)
	if err != nil {
		return err
	}
	defer ep.Close()
	c := ep.handoff.ShellCommand(opts.Environ, opts.Getenv, opts.Shell)
	if _, err := exec.LookPath(c.Path); err != nil {
		return fmt.Errorf("shell %q not found; set $SHELL or pass --shell", c.Path)
	}
	fmt.Fprintf(opts.Stderr, "rolecall: %s with %s's session through a local endpoint that renews it; exit to return\n", c.Path, opts.Profile)
	ep.prompt.off.Store(true)
	return runChild(c, opts)
}
