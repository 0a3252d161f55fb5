// Package cli is rolecall's command line: one file per command (or close
// group), each with an Options struct holding its flags, streams and
// dependencies, and a run function that tests call directly. Exit codes
// are decided in Run and nowhere else.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

// usageError marks a mistake on the command line (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// exitCodeError carries a child's exit code through (exec, shell).
type exitCodeError struct{ code int }

func (e exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Main runs rolecall with the process's arguments, streams and
// environment, and returns the exit code.
func Main() int {
	g := &globalOptions{
		Stdin:           os.Stdin,
		Stdout:          os.Stdout,
		Stderr:          os.Stderr,
		Getenv:          os.Getenv,
		StdinIsTerminal: isTerminal(os.Stdin),
		OpenTTY:         openTTY,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return run(ctx, g, os.Args[1:])
}

// run executes one command line and returns the exit code. Exit codes are
// decided here and nowhere else.
func run(ctx context.Context, g *globalOptions, args []string) int {
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(g.Stdin)
	root.SetOut(g.Stdout)
	root.SetErr(g.Stderr)
	var deadline *commandDeadline
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		d, err := startDeadline(cmd, g)
		deadline = d
		return err
	}
	err := root.ExecuteContext(ctx)
	if deadline != nil {
		deadline.cancel()
	}
	if err == nil {
		return exitOK
	}
	var code exitCodeError
	if errors.As(err, &code) {
		return code.code
	}
	msg := err.Error()
	if deadline != nil && deadline.expired() {
		msg += fmt.Sprintf("\nrolecall gives a command %s; change that with --timeout or ROLECALL_TIMEOUT.", session.HumanDuration(deadline.limit))
	}
	// Messages quote file values, endpoints and what servers said: escape
	// them before they reach a terminal.
	fmt.Fprintln(g.Stderr, "rolecall: "+termsafe.Lines(msg))
	var usage usageError
	if errors.As(err, &usage) || session.IsUsage(err) {
		return exitUsage
	}
	return exitFailed
}

func newRootCmd(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "rolecall",
		Short: "Assume, renew and hand on AWS role sessions",
		Long: "rolecall lists the profiles of ~/.aws/config and ~/.aws/credentials that become\n" +
			"role sessions, assumes and renews them through AWS STS, and hands the\n" +
			"credentials on. Without a subcommand it opens the terminal UI.",
		Args:          cobra.NoArgs,
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runTUI(cmd.Context(), &TUIOptions{Global: g})
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%s (see '%s --help')", err, c.CommandPath())}
	})
	pf := root.PersistentFlags()
	pf.StringVar(&g.Config, "config", "", "shared config file (default $AWS_CONFIG_FILE or ~/.aws/config)")
	pf.StringVar(&g.Credentials, "credentials", "", "shared credentials file (default $AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials)")
	pf.StringVar(&g.Region, "region", "", "AWS region handed on and used for STS (default $AWS_REGION, $AWS_DEFAULT_REGION, the profile's region)")
	pf.StringVar(&g.MFACode, "mfa-code", "", "current MFA code, when the role needs one")
	pf.DurationVar(&g.Duration, "duration", 0, "session duration, e.g. 1h (default the profile's duration_seconds)")
	pf.DurationVar(&g.Timeout, "timeout", 0, "how long a command may take to get its session, e.g. 30s; 0 for no limit (default $ROLECALL_TIMEOUT, else 1m)")

	root.AddCommand(
		newDemoCmd(g, nil),
		newListCmd(g, nil),
		newAssumeCmd(g, nil),
		newWhoamiCmd(g, nil),
		newSessionsCmd(g, nil),
		newRenewCmd(g, nil),
		newForgetCmd(g, nil),
		newUseCmd(g, nil),
		newEnvCmd(g, nil),
		newExecCmd(g, nil),
		newShellCmd(g, nil),
		newServeCmd(g, nil),
		newCredentialProcessCmd(g, nil),
		newConsoleCmd(g, nil),
		newLoginCmd(g, nil),
		newSSOCmd(g, nil),
	)
	addVersion(root, g)
	// The completion commands take their writer when they are made.
	root.SetOut(g.Stdout)
	root.SetErr(g.Stderr)
	completionArgs(root)
	// Positional-argument mistakes are usage errors too.
	for _, c := range root.Commands() {
		wrapArgs(c)
		for _, sub := range c.Commands() {
			wrapArgs(sub)
		}
	}
	wrapArgs(root)
	return root
}

// commandDeadline is the deadline of one command's work.
type commandDeadline struct {
	ctx    context.Context
	cancel context.CancelFunc
	limit  time.Duration
}

func (d *commandDeadline) expired() bool {
	return errors.Is(d.ctx.Err(), context.DeadlineExceeded)
}

// startDeadline gives cmd its deadline (see globalOptions.timeout). The
// terminal UI has none: its calls have their own, and it waits on people.
func startDeadline(cmd *cobra.Command, g *globalOptions) (*commandDeadline, error) {
	if !cmd.HasParent() || cmd.Name() == "demo" {
		return nil, nil
	}
	limit, err := g.timeout()
	if err != nil || limit == 0 {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(cmd.Context(), limit)
	cmd.SetContext(ctx)
	return &commandDeadline{ctx: ctx, cancel: cancel, limit: limit}, nil
}

// wrapArgs makes a command's argument validation return usageError.
func wrapArgs(c *cobra.Command) {
	if c.Args == nil {
		return
	}
	check := c.Args
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageError{fmt.Errorf("%s (see '%s --help')", err, cmd.CommandPath())}
		}
		return nil
	}
}

// completionArgs makes `completion SHELL` with a shell it has no script
// for (or none) a usage error rather than a help page that exits 0.
func completionArgs(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() != "completion" {
			continue
		}
		var shells []string
		for _, sub := range c.Commands() {
			shells = append(shells, sub.Name())
		}
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError{fmt.Errorf("completion needs a shell: %s (see 'rolecall completion --help')", strings.Join(shells, ", "))}
			}
			return usageError{fmt.Errorf("no completion for %q; rolecall has completions for %s", termsafe.Clean(args[0]), strings.Join(shells, ", "))}
		}
	}
}
