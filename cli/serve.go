package cli

import (
	"context"
	"fmt"
	"io"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// ServeOptions are the inputs of rolecall serve.
type ServeOptions struct {
	sessionDeps
	endpointDeps
	Profile string
	// Port is the loopback port to listen on; 0 picks a free one.
	Port int
	// Shell is the syntax of the printed lines; "" means the user's.
	Shell  string
	Getenv func(string) string
}

func newServeCmd(g *globalOptions, runF func(context.Context, *ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{}
	cmd := &cobra.Command{
		Use:   "serve PROFILE [--port N] [--shell bash|zsh|fish|powershell|cmd]",
		Short: "Serve the session on a local credentials endpoint for other terminals",
		Long: "serve runs a credentials endpoint on 127.0.0.1 in the foreground and prints the\n" +
			"lines that point AWS SDKs and the AWS CLI at it, for your shell (from $SHELL, or\n" +
			"--shell). Run them in any number of terminals: they share one session, which the\n" +
			"endpoint renews before it expires, asking here for an MFA code when one is due.\n" +
			"The lines hold the endpoint's token: treat them as a secret. Stop with Ctrl-C.",
		Example: "  rolecall serve prod-admin\n  rolecall serve prod-admin --port 9911 --shell fish",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Shell != "" && !slices.Contains(session.Shells, opts.Shell) {
				return usageError{fmt.Errorf("unknown shell %q; use one of %s", opts.Shell, strings.Join(session.Shells, ", "))}
			}
			if opts.Port < 0 || opts.Port > 65535 {
				return usageError{fmt.Errorf("--port %d is not a port; use 1 to 65535, or leave it out for a free one", opts.Port)}
			}
			opts.sessionDeps, opts.endpointDeps, opts.Profile, opts.Getenv = g.sessionDeps(true), g.endpointDeps(), args[0], g.Getenv
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runServe(cmd.Context(), opts)
		},
	}
	cmd.Flags().IntVar(&opts.Port, "port", 0, "loopback port to listen on (default a free one)")
	cmd.Flags().StringVar(&opts.Shell, "shell", "", "syntax of the printed lines: "+strings.Join(session.Shells, ", ")+" (default from $SHELL)")
	cmd.RegisterFlagCompletionFunc("shell", cobra.FixedCompletions(session.Shells, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runServe serves the session until ctx ends (Ctrl-C, SIGTERM, a closed
// terminal). The export lines go to stdout, because the user asked for
// exactly them; what it does goes to stderr.
func runServe(ctx context.Context, opts *ServeOptions) error {
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	shell := opts.Shell
	if shell == "" {
		shell = session.ShellFromEnv(opts.Getenv)
	}
	ep, err := startEndpoint(ctx, opts.sessionDeps, opts.endpointDeps, opts.Profile, opts.Port, true)
	if err != nil {
		return err
	}
	defer ep.Close()
	lines, err := ep.handoff.ExportLines(shell)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.Stderr, "rolecall: serving %s's session at %s, renewed before it expires; Ctrl-C stops it.\n"+
		"rolecall: in each terminal that should use it, run these lines (%s):\n", opts.Profile, ep.srv.URL(), shell)
	if _, err := io.WriteString(opts.Stdout, lines); err != nil {
		return err
	}
	<-ctx.Done()
	ep.Close()
	fmt.Fprintf(opts.Stderr, "rolecall: stopped; the terminals that used %s get no more credentials from it\n", ep.srv.URL())
	return nil
}
