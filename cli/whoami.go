package cli

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/spf13/cobra"
)

// WhoamiOptions are the inputs of rolecall whoami.
type WhoamiOptions struct {
	sessionDeps
	Profile string
	JSON    bool
}

func newWhoamiCmd(g *globalOptions, runF func(context.Context, *WhoamiOptions) error) *cobra.Command {
	opts := &WhoamiOptions{}
	cmd := &cobra.Command{
		Use:               "whoami PROFILE",
		Short:             "Show the identity behind a profile's session",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeProfile(g, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.sessionDeps, opts.Profile = g.sessionDeps(true), args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runWhoami(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	return cmd
}

// runWhoami asks STS who the profile's session is.
func runWhoami(ctx context.Context, opts *WhoamiOptions) error {
	_, mgr, err := opts.open()
	if err != nil {
		return err
	}
	s, err := mgr.Assume(ctx, opts.Profile)
	if err != nil {
		return err
	}
	id, err := mgr.WhoAmI(ctx, s)
	if err != nil {
		return err
	}
	if opts.JSON {
		return writeJSON(opts.Stdout, id)
	}
	tw := tabwriter.NewWriter(opts.Stdout, 0, 8, 2, ' ', 0)
	// What STS answered is read from the network: escape it.
	fmt.Fprintf(tw, "account\t%s\narn\t%s\nuser id\t%s\n", termsafe.Clean(id.Account), termsafe.Clean(id.ARN), termsafe.Clean(id.UserID))
	return tw.Flush()
}
