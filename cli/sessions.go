package cli

import (
	"context"
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/spf13/cobra"
)

// SessionsOptions are the inputs of rolecall sessions.
type SessionsOptions struct {
	sessionDeps
	JSON bool
}

func newSessionsCmd(g *globalOptions, runF func(context.Context, *SessionsOptions) error) *cobra.Command {
	opts := &SessionsOptions{}
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List cached sessions and which one [default] holds",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.sessionDeps = g.sessionDeps(false)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSessions(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON array (no secrets)")
	return cmd
}

// runSessions lists the cached sessions. Files it cannot read are warned
// about on stderr and skipped. A session is marked as [default]'s only
// when [default] holds its very keys.
func runSessions(opts *SessionsOptions) error {
	set, mgr, err := opts.open()
	if err != nil {
		return err
	}
	list, warns := mgr.Sessions()
	for _, w := range warns {
		fmt.Fprintln(opts.Stderr, "warning: "+termsafe.Lines(w.Error()))
	}
	now := opts.Now()
	if opts.JSON {
		out := make([]sessionJSON, 0, len(list))
		for _, s := range list {
			out = append(out, toJSON(mgr.Handoff(s), set, now))
		}
		return writeJSON(opts.Stdout, out)
	}
	if len(list) == 0 {
		_, err := fmt.Fprintln(opts.Stdout, "No cached sessions. Start one with 'rolecall assume PROFILE'.")
		return err
	}
	tw := tabwriter.NewWriter(opts.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PROFILE\tEXPIRES\tROLE\tDEFAULT")
	for _, s := range list {
		mark := ""
		if set.Default.Holds(s.Profile, s.Creds.AccessKeyID) {
			mark = "[default]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", termsafe.Clean(s.Profile), expiryText(s.Expires(), now), termsafe.Clean(dash(s.AssumedRoleARN)), mark)
	}
	return tw.Flush()
}

// RenewOptions are the inputs of rolecall renew.
type RenewOptions struct {
	sessionDeps
	Profile string
	JSON    bool
}

func newRenewCmd(g *globalOptions, runF func(context.Context, *RenewOptions) error) *cobra.Command {
	opts := &RenewOptions{}
	cmd := &cobra.Command{
		Use:   "renew PROFILE",
		Short: "Get a fresh session now, and rewrite [default] if it holds this profile",
		Long: "renew always gets a new session for PROFILE, whatever the cache holds (an MFA\n" +
			"session is reused). When [default] of the credentials file holds this profile's\n" +
			"previous session, it is rewritten with the new one; otherwise [default] is left alone.",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeProfile(g, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.sessionDeps, opts.Profile = g.sessionDeps(true), args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runRenew(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON with an RFC 3339 expiration (no secrets)")
	return cmd
}

// runRenew renews the profile and, when [default] holds it, rewrites it.
func runRenew(ctx context.Context, opts *RenewOptions) error {
	set, mgr, err := opts.open()
	if err != nil {
		return err
	}
	res, err := mgr.RenewAndUse(ctx, opts.Profile)
	if err != nil {
		return err
	}
	if res.Wrote {
		// What the file holds now, for the [default] marker.
		set.Default = res.Default
	}
	if err := printSession(opts.sessionDeps, set, mgr.Handoff(res.Session), opts.JSON); err != nil {
		return err
	}
	if res.Wrote && !opts.JSON {
		fmt.Fprintf(opts.Stdout, "[default] in %s now holds the new session.\n", termsafe.Clean(set.Files.Credentials))
	}
	for _, w := range res.Warnings {
		fmt.Fprintln(opts.Stderr, "warning: "+termsafe.Lines(w))
	}
	return nil
}

// ForgetOptions are the inputs of rolecall forget.
type ForgetOptions struct {
	sessionDeps
	Profile string
	All     bool
}

func newForgetCmd(g *globalOptions, runF func(context.Context, *ForgetOptions) error) *cobra.Command {
	opts := &ForgetOptions{}
	cmd := &cobra.Command{
		Use:   "forget PROFILE | --all",
		Short: "Drop cached sessions",
		Long: "forget removes PROFILE's cached session, so the next call assumes anew. --all removes\n" +
			"every cached session and MFA session. [default] of the credentials file is not touched.",
		Args:              cobra.RangeArgs(0, 1),
		ValidArgsFunction: completeProfile(g, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.All && len(args) > 0:
				return usageError{errors.New("forget takes PROFILE or --all, not both (see 'rolecall forget --help')")}
			case !opts.All && len(args) == 0:
				return usageError{errors.New("forget needs a PROFILE, or --all (see 'rolecall forget --help')")}
			case len(args) == 1:
				opts.Profile = args[0]
			}
			opts.sessionDeps = g.sessionDeps(false)
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runForget(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "drop every cached session and MFA session")
	return cmd
}

func runForget(opts *ForgetOptions) error {
	_, mgr, err := opts.open()
	if err != nil {
		return err
	}
	if opts.All {
		n, err := mgr.ForgetAll()
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(opts.Stdout, "Forgot %d cached %s.\n", n, plural(n, "session", "sessions"))
		return err
	}
	n, err := mgr.Forget(opts.Profile)
	if err != nil {
		return err
	}
	if n == 0 {
		_, err = fmt.Fprintf(opts.Stdout, "Nothing cached for %s.\n", termsafe.Clean(opts.Profile))
		return err
	}
	_, err = fmt.Fprintf(opts.Stdout, "Forgot the cached session of %s.\n", termsafe.Clean(opts.Profile))
	return err
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
