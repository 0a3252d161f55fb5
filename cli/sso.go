package cli

import (
	"context"
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/profiles"
	"github.com/spf13/cobra"
)

// ssoListTimeout bounds the listing of an organisation's accounts.
const ssoListTimeout = 5 * time.Minute

// SSOProfilesOptions are the inputs of rolecall sso profiles.
type SSOProfilesOptions struct {
	sessionDeps
	SSOSession string
	Write      bool
	Prefix     string
	Template   string
	Region     string
	JSON       bool
}

func newSSOCmd(g *globalOptions, runF func(context.Context, *SSOProfilesOptions) error) *cobra.Command {
	sso := &cobra.Command{
		Use:   "sso",
		Short: "IAM Identity Center: the accounts and roles it gives you",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	opts := &SSOProfilesOptions{}
	profilesCmd := &cobra.Command{
		Use:   "profiles --sso-session NAME",
		Short: "List every account and role of an sso-session as profiles; --write adds them to the config file",
		Long: "List every account and role the logged-in user of an [sso-session] can reach\n" +
			"(log in first with 'rolecall login --sso-session NAME'), as the profiles they\n" +
			"would become. With --write the missing ones are added to the config file in a\n" +
			"block of their own, which a later run rewrites (and nothing else); a profile\n" +
			"of yours with the same name is left alone. --template names them with Go\n" +
			"template fields .AccountName .AccountID .RoleName .Email .SSOSession.",
		Example: "  rolecall sso profiles --sso-session corp\n" +
			"  rolecall sso profiles --sso-session corp --write --prefix corp- --template '{{.AccountName}}.{{.RoleName}}'",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.sessionDeps, opts.Region = g.sessionDeps(false), g.Region
			if opts.SSOSession == "" {
				return usageError{fmt.Errorf("--sso-session NAME is required (see 'rolecall sso profiles --help')")}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runSSOProfiles(cmd.Context(), opts)
		},
	}
	f := profilesCmd.Flags()
	f.StringVar(&opts.SSOSession, "sso-session", "", "the [sso-session] to list")
	f.BoolVar(&opts.Write, "write", false, "add the profiles to the config file")
	f.StringVar(&opts.Prefix, "prefix", "", "put this before every profile name")
	f.StringVar(&opts.Template, "template", profiles.DefaultSSOTemplate, "profile name template")
	f.BoolVar(&opts.JSON, "json", false, "print JSON")
	sso.AddCommand(profilesCmd)
	return sso
}

// ssoProfileJSON is one generated profile in --json output.
type ssoProfileJSON struct {
	Profile string `json:"profile"`
	profiles.SSOAssignment
	// Status is new, kept, skipped (a profile of yours has the name) or,
	// without --write, "" .
	Status string `json:"status,omitempty"`
}

func runSSOProfiles(ctx context.Context, opts *SSOProfilesOptions) error {
	ctx, cancel := context.WithTimeout(ctx, ssoListTimeout)
	defer cancel()
	set, mgr, err := opts.open()
	if err != nil {
		return err
	}
	as, warnings, err := mgr.SSOAssignments(ctx, opts.SSOSession)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(opts.Stderr, "rolecall: "+termsafe.Clean(w))
	}
	gens, err := profiles.SSOProfiles(opts.SSOSession, opts.Region, as, opts.Prefix, opts.Template)
	if err != nil {
		return usageError{err}
	}
	status := map[string]string{}
	var res profiles.GeneratedResult
	if opts.Write {
		res, err = profiles.WriteSSOProfiles(set.Files.Config, opts.SSOSession, gens)
		if err != nil {
			return err
		}
		for _, n := range res.Added {
			status[n] = "new"
		}
		for _, n := range res.Kept {
			status[n] = "kept"
		}
		for _, n := range res.Skipped {
			status[n] = "skipped: yours"
		}
	}
	if opts.JSON {
		out := make([]ssoProfileJSON, 0, len(gens))
		for _, g := range gens {
			out = append(out, ssoProfileJSON{Profile: g.Name, SSOAssignment: g.Assignment, Status: status[g.Name]})
		}
		return writeJSON(opts.Stdout, out)
	}
	tw := tabwriter.NewWriter(opts.Stdout, 0, 8, 2, ' ', 0)
	head := "PROFILE\tACCOUNT\tACCOUNT NAME\tROLE"
	if opts.Write {
		head += "\tWRITTEN"
	}
	fmt.Fprintln(tw, head)
	for _, g := range gens {
		line := fmt.Sprintf("%s\t%s\t%s\t%s", termsafe.Clean(g.Name), g.Assignment.AccountID, termsafe.Clean(g.Assignment.AccountName), termsafe.Clean(g.Assignment.RoleName))
		if opts.Write {
			line += "\t" + status[g.Name]
		}
		fmt.Fprintln(tw, line)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	switch {
	case !opts.Write:
		fmt.Fprintf(opts.Stderr, "%d profiles; --write adds them to %s\n", len(gens), set.Files.Config)
	case !res.Changed:
		fmt.Fprintf(opts.Stderr, "%s already holds these profiles; nothing written\n", set.Files.Config)
	default:
		fmt.Fprintf(opts.Stderr, "%s: %d added, %d rewritten, %d left to your own sections", set.Files.Config, len(res.Added), len(res.Kept), len(res.Skipped))
		if len(res.Removed) > 0 {
			fmt.Fprintf(opts.Stderr, ", %d no longer reachable removed (%s)", len(res.Removed), termsafe.Clean(fmt.Sprint(slices.Clip(res.Removed))))
		}
		fmt.Fprintln(opts.Stderr)
	}
	return nil
}
