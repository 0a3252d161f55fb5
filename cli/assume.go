package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// AssumeOptions are the inputs of rolecall assume.
type AssumeOptions struct {
	sessionDeps
	Profile string
	JSON    bool
}

func newAssumeCmd(g *globalOptions, runF func(context.Context, *AssumeOptions) error) *cobra.Command {
	opts := &AssumeOptions{}
	cmd := &cobra.Command{
		Use:   "assume PROFILE",
		Short: "Assume (or reuse a cached) session and print its expiry",
		Long: "assume gets a session for PROFILE: the cached one while it is valid, else a new one\n" +
			"from STS through the profile's chain. It prints the role, account and expiry, never\n" +
			"the keys; hand them on with env, exec, shell, use or credential-process.",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeProfile(g, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.sessionDeps, opts.Profile = g.sessionDeps(true), args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runAssume(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON with an RFC 3339 expiration (no secrets)")
	return cmd
}

// runAssume assumes the profile, or reuses its cached session.
func runAssume(ctx context.Context, opts *AssumeOptions) error {
	set, mgr, err := opts.open()
	if err != nil {
		return err
	}
	s, err := mgr.Assume(ctx, opts.Profile)
	if err != nil {
		return err
	}
	return printSession(opts.sessionDeps, set, mgr.Handoff(s), opts.JSON)
}

// printSession shows a session as assume and renew do: a table of who and
// until when, or JSON; notes go to stderr.
func printSession(d sessionDeps, set *profiles.Set, h session.Handoff, asJSON bool) error {
	now := d.Now()
	if asJSON {
		return writeJSON(d.Stdout, toJSON(h, set, now))
	}
	s := h.Session
	tw := tabwriter.NewWriter(d.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "profile\t%s\n", termsafe.Clean(s.Profile))
	if s.AssumedRoleARN != "" {
		fmt.Fprintf(tw, "role\t%s\n", termsafe.Clean(s.AssumedRoleARN))
	}
	if s.AccountID != "" {
		fmt.Fprintf(tw, "account\t%s\n", termsafe.Clean(s.AccountID))
	}
	fmt.Fprintf(tw, "region\t%s\n", termsafe.Clean(dash(h.Region)))
	fmt.Fprintf(tw, "expires\t%s\n", expiryText(s.Expires(), now))
	fmt.Fprintf(tw, "source\t%s\n", sourceText(s))
	if err := tw.Flush(); err != nil {
		return err
	}
	printNotes(d, s)
	return nil
}

// printNotes writes a session's notes to stderr, escaped.
func printNotes(d sessionDeps, s *session.Session) {
	for _, n := range s.Notes {
		fmt.Fprintln(d.Stderr, "note: "+termsafe.Lines(n))
	}
}
