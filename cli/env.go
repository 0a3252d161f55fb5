package cli

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// EnvOptions are the inputs of rolecall env.
type EnvOptions struct {
	sessionDeps
	Profile string
	// Shell is the syntax asked for; "" means the user's, from Getenv.
	Shell  string
	Getenv func(string) string
}

func newEnvCmd(g *globalOptions, runF func(context.Context, *EnvOptions) error) *cobra.Command {
	opts := &EnvOptions{}
	cmd := &cobra.Command{
		Use:   "env PROFILE [--shell bash|zsh|fish|powershell|cmd]",
		Short: "Print export lines for a shell",
		Long: "env prints the session's variables as lines for your shell (from $SHELL, or\n" +
			"--shell), and unsets AWS_PROFILE so that it does not override them. Evaluate them:\n" +
			"  eval \"$(rolecall env PROFILE)\"            bash, zsh\n" +
			"  rolecall env PROFILE | source              fish\n" +
			"  rolecall env PROFILE --shell powershell | Invoke-Expression",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeProfile(g, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Shell != "" && !slices.Contains(session.Shells, opts.Shell) {
				return usageError{fmt.Errorf("unknown shell %q; use one of %s", opts.Shell, strings.Join(session.Shells, ", "))}
			}
			opts.sessionDeps, opts.Profile, opts.Getenv = g.sessionDeps(true), args[0], g.Getenv
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEnv(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Shell, "shell", "", "shell syntax: "+strings.Join(session.Shells, ", ")+" (default from $SHELL)")
	cmd.RegisterFlagCompletionFunc("shell", cobra.FixedCompletions(session.Shells, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runEnv prints the export lines: the secrets go to stdout because the user
// asked for exactly that.
func runEnv(ctx context.Context, opts *EnvOptions) error {
	h, err := handoff(ctx, opts.sessionDeps, opts.Profile)
	if err != nil {
		return err
	}
	shell := opts.Shell
	if shell == "" {
		shell = session.ShellFromEnv(opts.Getenv)
	}
	lines, err := h.ExportLines(shell)
	if err != nil {
		return err
	}
	_, err = io.WriteString(opts.Stdout, lines)
	return err
}

// handoff assumes the profile (or reuses its cached session) and pairs it
// with the region it is handed on with.
func handoff(ctx context.Context, d sessionDeps, profile string) (session.Handoff, error) {
	_, mgr, err := d.open()
	if err != nil {
		return session.Handoff{}, err
	}
	s, err := mgr.Assume(ctx, profile)
	if err != nil {
		return session.Handoff{}, err
	}
	// env's stdout is for the shell to evaluate: notes go to stderr.
	printNotes(d, s)
	return mgr.Handoff(s), nil
}
