package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rolecall/rolecall/internal/browser"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// loginStartTimeout bounds the calls before the user is asked (register,
// start the authorization); the wait for the browser has its own limit.
const loginStartTimeout = time.Minute

// LoginOptions are the inputs of rolecall login.
type LoginOptions struct {
	sessionDeps
	Profile    string
	SSOSession string
	DeviceCode bool
	Force      bool
	NoBrowser  bool
	Open       func(ctx context.Context, url string) (string, error)
}

func newLoginCmd(g *globalOptions, runF func(context.Context, *LoginOptions) error) *cobra.Command {
	opts := &LoginOptions{}
	cmd := &cobra.Command{
		Use:   "login [PROFILE | --sso-session NAME]",
		Short: "Log in to IAM Identity Center (SSO); the token is the AWS CLI's",
		Long: "Log in to IAM Identity Center for an SSO profile (or a profile whose chain starts\n" +
			"at one) or an [sso-session]. A token that is still good is kept, one that can be\n" +
			"refreshed is refreshed, else the browser opens: the authorization-code flow for\n" +
			"sso-session profiles (as the AWS CLI does), the device-code flow for legacy ones\n" +
			"or with --device-code. The token goes where 'aws sso login' puts it\n" +
			"(~/.aws/sso/cache), so the AWS CLI and rolecall share it.",
		Example: "  rolecall login sso-dev\n  rolecall login --sso-session corp --device-code",
		Args:    cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.sessionDeps = g.sessionDeps(false)
			if len(args) == 1 {
				opts.Profile = args[0]
			}
			if (opts.Profile == "") == (opts.SSOSession == "") {
				return usageError{errors.New("name a profile or --sso-session NAME, not both (see 'rolecall login --help')")}
			}
			if opts.Open == nil {
				opts.Open = browser.Opener{Getenv: g.Getenv}.Open
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runLogin(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.SSOSession, "sso-session", "", "log in to this [sso-session]")
	f.BoolVar(&opts.DeviceCode, "device-code", false, "use the device-code flow (for a machine without a browser)")
	f.BoolVar(&opts.Force, "force", false, "log in again even when the cached token is good")
	f.BoolVar(&opts.NoBrowser, "no-browser", false, "print the URL, do not open a browser")
	return cmd
}

// runLogin logs in, telling the user on stderr what to open and confirm.
func runLogin(ctx context.Context, opts *LoginOptions) error {
	_, mgr, err := opts.open()
	if err != nil {
		return err
	}
	sctx, cancel := context.WithTimeout(ctx, loginStartTimeout)
	defer cancel()
	l, err := mgr.BeginLogin(sctx, session.SSOTarget{Profile: opts.Profile, SSOSession: opts.SSOSession},
		session.LoginOptions{DeviceCode: opts.DeviceCode, Force: opts.Force})
	if err != nil {
		return err
	}
	defer l.Close()
	name := termsafe.Clean(l.Name)
	if l.NeedsUser() {
		fmt.Fprintf(opts.Stderr, "To log in to %s (%s), open:\n\n  %s\n\n", name, termsafe.Clean(l.StartURL), termsafe.Clean(l.URL))
		if l.UserCode != "" {
			fmt.Fprintf(opts.Stderr, "and check that the page shows the code %s\n\n", termsafe.Clean(l.UserCode))
		}
		if !opts.NoBrowser {
			if how, err := opts.Open(ctx, l.URL); err != nil {
				fmt.Fprintf(opts.Stderr, "(%s: open the URL yourself)\n", err)
			} else {
				fmt.Fprintf(opts.Stderr, "Opened it in %s. ", termsafe.Clean(how))
			}
		}
		fmt.Fprintln(opts.Stderr, "Waiting for the browser... (ctrl+c cancels)")
		if _, err := l.Wait(ctx); err != nil {
			return err
		}
	}
	how := map[session.LoginFlow]string{session.FlowCached: "the cached token is still good", session.FlowRefreshed: "refreshed the token"}[l.Flow]
	if how == "" {
		how = "logged in"
	}
	fmt.Fprintf(opts.Stderr, "%s: %s, until %s.\n", name, how, l.Expires.Local().Format("2006-01-02 15:04 MST"))
	return nil
}
