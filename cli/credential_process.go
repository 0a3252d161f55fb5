package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// CredentialProcessOptions are the inputs of rolecall credential-process.
type CredentialProcessOptions struct {
	sessionDeps
	Profile string
}

func newCredentialProcessCmd(g *globalOptions, runF func(context.Context, *CredentialProcessOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "credential-process PROFILE",
		Short: "Print the session as credential_process JSON",
		Long: "credential-process prints the session as the JSON the AWS CLI and SDKs read from\n" +
			"a credential_process command, and nothing else on stdout. It reuses the cached\n" +
			"session while more than 15 minutes are left. In ~/.aws/config:\n" +
			"  [profile prod-cli]\n" +
			"  credential_process = rolecall credential-process prod-admin",
		Args:              cobra.ExactArgs(1),
		ValidArgsFunction: completeProfile(g, nil),
		RunE: func(cmd *cobra.Command, args []string) error {
			// No prompt: the AWS CLI captures stderr, so nobody would see
			// one. --mfa-code still works.
			opts := &CredentialProcessOptions{sessionDeps: g.sessionDeps(false), Profile: args[0]}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runCredentialProcess(cmd.Context(), opts)
		},
	}
}

// runCredentialProcess prints the credential_process JSON. The cache-hit
// path reads two small files and the cache file, and sets up no SDK client.
func runCredentialProcess(ctx context.Context, opts *CredentialProcessOptions) error {
	_, mgr, err := opts.open()
	if err != nil {
		return err
	}
	s, err := mgr.FreshFor(ctx, opts.Profile, session.CredentialProcessWindow)
	var se *session.Error
	if errors.As(err, &se) && se.Kind == session.KindNeedMFA && se.Serial != "" {
		// The AWS CLI hides a credential_process's prompts, so none is
		// shown; a session assumed once in a terminal is reused here.
		return &session.Error{Kind: se.Kind, Profile: se.Profile, Serial: se.Serial, Err: err,
			Msg: fmt.Sprintf("profile %s needs an MFA code for %s, and credential-process cannot ask for one (the AWS tools hide its prompts).\n"+
				"Run 'rolecall assume %s' once in a terminal: its session, and the MFA session behind it, are then reused here.", se.Profile, se.Serial, se.Profile)}
	}
	if err != nil {
		return err
	}
	b, err := session.CredentialProcessJSON(s)
	if err != nil {
		return err
	}
	_, err = opts.Stdout.Write(append(b, '\n'))
	return err
}
