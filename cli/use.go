package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/profiles"
	"github.com/spf13/cobra"
)

// UseOptions are the inputs of rolecall use.
type UseOptions struct {
	sessionDeps
	Profile string
	Force   bool
	Clear   bool
	// Restore puts the keys of the newest default-backup-… section back
	// into [default].
	Restore bool
	// CredentialsPath locates the credentials file without loading
	// anything (use --clear).
	CredentialsPath func() (string, error)
}

func newUseCmd(g *globalOptions, runF func(context.Context, *UseOptions) error) *cobra.Command {
	opts := &UseOptions{}
	cmd := &cobra.Command{
		Use:   "use PROFILE [--force] | use --clear | use --restore",
		Short: "Write the session into [default] of the credentials file",
		Long: "use assumes PROFILE (or reuses its cached session) and writes the keys into\n" +
			"[default] of the credentials file, so every AWS tool without a profile uses them.\n" +
			"Only [default]'s own lines change; the file is replaced atomically under a lock.\n" +
			"If [default] holds long-term keys, use refuses; --force first copies them to a\n" +
			"backup profile. --clear removes what rolecall wrote and nothing else; --restore\n" +
			"puts the keys of the newest backup profile back into [default].",
		Example:           "  rolecall use prod-admin\n  rolecall use --clear\n  rolecall use --restore",
		Args:              cobra.RangeArgs(0, 1),
		ValidArgsFunction: completeProfile(g, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Clear && len(args) > 0:
				return usageError{errors.New("use --clear takes no PROFILE (see 'rolecall use --help')")}
			case opts.Restore && len(args) > 0:
				return usageError{errors.New("use --restore takes no PROFILE: it restores the keys rolecall use --force moved aside (see 'rolecall use --help')")}
			case (opts.Clear || opts.Restore) && opts.Force:
				return usageError{errors.New("use --clear and --restore do not go with --force")}
			case !opts.Clear && !opts.Restore && len(args) == 0:
				return usageError{errors.New("use needs a PROFILE, or --clear (see 'rolecall use --help')")}
			case len(args) == 1:
				opts.Profile = args[0]
			}
			opts.sessionDeps = g.sessionDeps(true)
			opts.CredentialsPath = func() (string, error) {
				f, err := g.files()
				return f.Credentials, err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			if opts.Restore {
				// --clear --restore is --restore: it replaces the session.
				return runUseRestore(opts)
			}
			if opts.Clear {
				return runUseClear(opts)
			}
			return runUse(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite long-term keys in [default] after copying them to a backup profile")
	cmd.Flags().BoolVar(&opts.Clear, "clear", false, "remove the session rolecall wrote into [default]")
	cmd.Flags().BoolVar(&opts.Restore, "restore", false, "put the keys of the newest default-backup-… profile back into [default]")
	return cmd
}

// runUse writes the profile's session into [default].
func runUse(ctx context.Context, opts *UseOptions) error {
	set, mgr, err := opts.open()
	if err != nil {
		return err
	}
	res, err := mgr.Use(ctx, opts.Profile, opts.Force)
	if err != nil {
		return err
	}
	if res.BackupProfile != "" {
		fmt.Fprintf(opts.Stdout, "Copied the old keys of [default] to [%s].\n", termsafe.Clean(res.BackupProfile))
	}
	what := opts.Profile + "'s session"
	if res.Session.AssumedRoleARN != "" {
		what += " (" + res.Session.AssumedRoleARN + ")"
	}
	fmt.Fprintf(opts.Stdout, "[default] in %s now holds %s, expiring %s.\n",
		termsafe.Clean(set.Files.Credentials), termsafe.Clean(what), expiryText(res.Session.Expires(), opts.Now()))
	printNotes(opts.sessionDeps, res.Session)
	for _, w := range res.Warnings {
		fmt.Fprintln(opts.Stderr, "warning: "+termsafe.Lines(w))
	}
	return nil
}

// runUseClear removes rolecall's session from [default].
func runUseClear(opts *UseOptions) error {
	path, err := opts.CredentialsPath()
	if err != nil {
		return err
	}
	// The decision is made under the writer's lock: a [default] that is
	// someone else's is refused there, naming what it holds.
	was, err := profiles.ClearDefault(path, profiles.DefaultOptions{})
	if err != nil {
		return err
	}
	if !was.Ours() {
		fmt.Fprintf(opts.Stdout, "Nothing to clear: [default] in %s holds no session from rolecall.\n", termsafe.Clean(path))
	} else {
		fmt.Fprintf(opts.Stdout, "Removed %s's session from [default] in %s.\n", termsafe.Clean(was.Profile), termsafe.Clean(path))
	}
	// [default] holds no keys now: the keys use --force moved aside may be
	// what the user wants back.
	if was.Holder == profiles.DefaultEmpty || was.Ours() {
		if backup, err := profiles.NewestBackup(path); err == nil && backup != "" {
			fmt.Fprintf(opts.Stdout, "The keys [default] held before are kept in [%s]; 'rolecall use --restore' puts them back.\n", termsafe.Clean(backup))
		}
	}
	return nil
}

// runUseRestore moves the newest backup's keys back into [default].
func runUseRestore(opts *UseOptions) error {
	path, err := opts.CredentialsPath()
	if err != nil {
		return err
	}
	res, err := profiles.RestoreDefault(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.Stdout, "[default] in %s holds the keys of [%s] again", termsafe.Clean(path), termsafe.Clean(res.Backup))
	if res.Replaced != "" {
		fmt.Fprintf(opts.Stdout, ", in place of %s's session", termsafe.Clean(res.Replaced))
	}
	fmt.Fprintf(opts.Stdout, "; [%s] keeps a copy until you delete it.\n", termsafe.Clean(res.Backup))
	return nil
}
