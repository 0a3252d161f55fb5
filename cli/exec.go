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
	Profile string
	// Argv is the command exec runs; Shell the shell that shell starts
	// ("" for the user's).
	Argv    []string
	Shell   string
	Stdin   io.Reader
	Getenv  func(string) string
	Environ []string // the environment the child starts from
}

func (g *globalOptions) execOptions(profile string) ExecOptions {
	return ExecOptions{sessionDeps: g.sessionDeps(true), Profile: profile, Stdin: g.Stdin, Getenv: g.Getenv, Environ: g.environ()}
}

func newExecCmd(g *globalOptions, runF func(context.Context, *ExecOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exec PROFILE -- CMD [ARGS...]",
		Short: "Run one command with the session's variables",
		Long: "exec runs CMD with the session's variables set and AWS_PROFILE removed, passes\n" +
			"signals on to it, and exits with its exit code. Flags of rolecall go before PROFILE.",
		Example: "  rolecall exec prod-admin -- aws s3 ls\n  rolecall --region eu-west-1 exec dev -- terraform plan",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Flag parsing stops at PROFILE, so a "--" after it is still here.
			argv := args[1:]
			if argv[0] == "--" {
				argv = argv[1:]
			}
			if at := cmd.ArgsLenAtDash(); at > 1 || len(argv) == 0 {
				return usageError{errors.New("exec needs PROFILE -- CMD [ARGS...] (see 'rolecall exec --help')")}
			}
			opts := g.execOptions(args[0])
			opts.Argv = argv
			if runF != nil {
				return runF(cmd.Context(), &opts)
			}
			return runExec(cmd.Context(), &opts)
		},
	}
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
	h, err := handoff(ctx, opts.sessionDeps, opts.Profile)
	if err != nil {
		return err
	}
	c := exec.Command(path, opts.Argv[1:]...)
	c.Env = h.Environ(opts.Environ)
	return runChild(c, opts)
}

func newShellCmd(g *globalOptions, runF func(context.Context, *ExecOptions) error) *cobra.Command {
	var shell string
	cmd := &cobra.Command{
		Use:   "shell PROFILE",
		Short: "Start $SHELL with the session's variables",
		Long: "shell starts your shell ($SHELL, else /bin/sh; %COMSPEC% on Windows) with the\n" +
			"session's variables set, AWS_PROFILE removed and ROLECALL_PROFILE naming the\n" +
			"profile for your prompt. Exit the shell to return; rolecall exits with its code.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts := g.execOptions(args[0])
			opts.Shell = shell
			if runF != nil {
				return runF(cmd.Context(), &opts)
			}
			return runShell(cmd.Context(), &opts)
		},
	}
	cmd.Flags().StringVar(&shell, "shell", "", "shell to start, by path or name; \"powershell\" finds pwsh or powershell")
	return cmd
}

// runShell starts the user's shell in the session's environment.
func runShell(ctx context.Context, opts *ExecOptions) error {
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
