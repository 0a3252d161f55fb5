package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/spf13/cobra"
)

// ExecOptions are the inputs of rolecall exec and rolecall shell.
type ExecOptions struct {
	sessionDeps
	endpointDeps
	Profile string
	// Argv is the command exec runs; Shell the shell that shell starts
	// ("" for the user's).
	Argv    []string
	Shell   string
	Stdin   io.Reader
	Getenv  func(string) string
	Environ []string // the environment the child starts from
	// Server gives the child a local credentials endpoint that renews the
	// session instead of keys (--server, or ROLECALL_SERVER=1).
	Server bool
}

// fill sets what exec and shell take from the process besides their
// flags.
func (o *ExecOptions) fill(g *globalOptions, profile string) {
	o.sessionDeps, o.endpointDeps, o.Profile, o.Stdin, o.Getenv, o.Environ = g.sessionDeps(true), g.endpointDeps(), profile, g.Stdin, g.Getenv, g.environ()
}

func newExecCmd(g *globalOptions, runF func(context.Context, *ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{}
	var server *bool
	cmd := &cobra.Command{
		Use:   "exec PROFILE -- CMD [ARGS...]",
		Short: "Run one command with the session's variables",
		Long: "exec runs CMD with the session's variables set and AWS_PROFILE removed, passes\n" +
			"signals on to it, and exits with its exit code. Flags of rolecall go before PROFILE.\n" +
			"With --server (or " + serverEnv + "=1) CMD gets no keys but a local credentials\n" +
			"endpoint that renews the session before it expires, for jobs that outlive it.",
		Example: "  rolecall exec prod-admin -- aws s3 ls\n  rolecall --region eu-west-1 exec dev -- terraform plan\n" +
			"  rolecall exec --server prod-admin -- terraform apply",
		Args:              cobra.MinimumNArgs(2),
		ValidArgsFunction: completeProfile(g, completeCommand),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Flag parsing stops at PROFILE, so a "--" after it is still here.
			argv := args[1:]
			if argv[0] == "--" {
				argv = argv[1:]
			}
			if at := cmd.ArgsLenAtDash(); at > 1 || len(argv) == 0 {
				return usageError{errors.New("exec needs PROFILE -- CMD [ARGS...] (see 'rolecall exec --help')")}
			}
			opts.fill(g, args[0])
			opts.Argv = argv
			if err := applyServer(cmd, g, server, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runExec(cmd.Context(), opts)
		},
	}
	server = serverFlag(cmd, g)
	// Everything after PROFILE belongs to the command, flags included.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// runExec runs one command in the session's environment.
func runExec(ctx context.Context, opts *ExecOptions) error {
	path, err := exec.LookPath(opts.Argv[0])
	if err != nil {
		return fmt.Errorf("command %q not found; check its name or give its full path", opts.Argv[0])
	}
	if opts.Server {
		return runExecServer(ctx, opts, path)
	}
	h, err := handoff(ctx, opts.sessionDeps, opts.Profile)
	if err != nil {
		return err
	}
	c := exec.Command(path, opts.Argv[1:]...)
	c.Env = h.Environ(opts.Environ)
	return runChild(c, opts)
}

func newShellCmd(g *globalOptions, runF func(context.Context, *ExecOptions) error) *cobra.Command {
	opts := &ExecOptions{}
	var server *bool
	cmd := &cobra.Command{
		Use:   "shell PROFILE",
		Short: "Start $SHELL with the session's variables",
		Long: "shell starts your shell ($SHELL, else /bin/sh; %COMSPEC% on Windows) with the\n" +
			"session's variables set, AWS_PROFILE removed and ROLECALL_PROFILE naming the\n" +
			"profile for your prompt. Exit the shell to return; rolecall exits with its code.\n" +
			"With --server (or " + serverEnv + "=1) the shell gets no keys but a local credentials\n" +
			"endpoint that renews the session before it expires, for as long as the shell runs.",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeProfile(g, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.fill(g, args[0])
			if err := applyServer(cmd, g, server, opts); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runShell(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Shell, "shell", "", "shell to start, by path or name; \"powershell\" finds pwsh or powershell")
	server = serverFlag(cmd, g)
	return cmd
}

// runShell starts the user's shell in the session's environment.
func runShell(ctx context.Context, opts *ExecOptions) error {
	if opts.Server {
		return runShellServer(ctx, opts)
	}
	h, err := handoff(ctx, opts.sessionDeps, opts.Profile)
	if err != nil {
		return err
	}
	c := h.ShellCommand(opts.Environ, opts.Getenv, opts.Shell)
	if _, err := exec.LookPath(c.Path); err != nil {
		return fmt.Errorf("shell %q not found; set $SHELL or pass --shell", c.Path)
	}
	fmt.Fprintf(opts.Stderr, "rolecall: %s with %s's session, expiring %s; exit to return\n",
		termsafe.Clean(c.Path), termsafe.Clean(opts.Profile), expiryText(h.Expires(), opts.Now()))
	return runChild(c, opts)
}

// runChild runs c on the options' streams until it exits and turns a
// non-zero exit into exitCodeError. How signals reach the child is
// platform code (childProcess).
func runChild(c *exec.Cmd, opts *ExecOptions) error {
	c.Stdin, c.Stdout, c.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
	err := runChildProcess(c)
	if err == nil {
		return nil
	}
	var code exitCodeError
	if errors.As(err, &code) {
		return code
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exitCodeError{exit.ExitCode()}
	}
	return err
}
