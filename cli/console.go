package cli

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"github.com/rolecall/rolecall/internal/browser"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// consoleTimeout bounds the whole command: assume, federation, browser.
const consoleTimeout = 2 * time.Minute

// ConsoleOptions are the inputs of rolecall console.
type ConsoleOptions struct {
	sessionDeps
	Profile     string
	Print       bool
	Destination string
	Container   string
	Browser     string
	// Open opens a URL in a browser and says which; the real opener
	// unless a test replaces it.
	Open func(ctx context.Context, url string) (string, error)
}

func newConsoleCmd(g *globalOptions, runF func(context.Context, *ConsoleOptions) error) *cobra.Command {
	opts := &ConsoleOptions{}
	cmd := &cobra.Command{
		Use:   "console PROFILE",
		Short: "Open the AWS console signed in as a profile's session",
		Long: "Open the AWS web console signed in as the profile's session (assumed first when\n" +
			"none is cached). Long-term IAM user keys sign in through a federation session.\n" +
			"The browser is --browser, else $BROWSER, else the system's opener; with\n" +
			"--container the page opens in that Firefox container (the \"Open external links\n" +
			"in a container\" add-on). --print writes the sign-in URL instead: it signs in\n" +
			"whoever opens it for 15 minutes.",
		Example: "  rolecall console prod-admin\n  rolecall console prod-admin --destination s3 --region eu-west-1\n" +
			"  rolecall console prod-admin --container prod\n  rolecall console dev --print",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.sessionDeps, opts.Profile = g.sessionDeps(true), args[0]
			if opts.Open == nil {
				o := browser.Opener{Command: opts.Browser, Getenv: g.Getenv}
				if opts.Container != "" && o.Command == "" && g.Getenv("BROWSER") == "" {
					o.Command = browser.ContainerBrowser(runtime.GOOS)
				}
				opts.Open = o.Open
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runConsole(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Print, "print", false, "print the sign-in URL instead of opening it")
	f.StringVar(&opts.Destination, "destination", "", "console page: a service (s3, ec2, iam, ...) or a console URL")
	f.StringVar(&opts.Container, "container", "", "open in this Firefox container (needs the \"Open external links in a container\" add-on)")
	f.StringVar(&opts.Browser, "browser", "", "browser command, e.g. firefox or \"chromium --incognito\" (default $BROWSER, then the system's)")
	return cmd
}

// runConsole signs the profile in to the console and opens (or prints)
// the URL. The URL never goes to stderr: it is printed on stdout only
// when asked for, or when no browser could take it.
func runConsole(ctx context.Context, opts *ConsoleOptions) error {
	ctx, cancel := context.WithTimeout(ctx, consoleTimeout)
	defer cancel()
	_, mgr, err := opts.open()
	if err != nil {
		return err
	}
	c, err := mgr.Console(ctx, opts.Profile, session.ConsoleOptions{Destination: opts.Destination})
	if err != nil {
		return err
	}
	u := c.URL
	if opts.Container != "" {
		u = browser.ContainerURL(opts.Container, u)
	}
	if opts.Print {
		fmt.Fprintln(opts.Stdout, u)
		return nil
	}
	how, err := opts.Open(ctx, u)
	if err != nil {
		fmt.Fprintf(opts.Stderr, "rolecall: %s; open this URL yourself (it signs in for 15 minutes, keep it to yourself):\n", err)
		fmt.Fprintln(opts.Stdout, u)
		return nil
	}
	what := "the AWS console"
	if c.Federated {
		what += " (federation session of the IAM user)"
	}
	fmt.Fprintf(opts.Stderr, "Opened %s for %s in %s: %s\n", what, termsafe.Clean(opts.Profile), termsafe.Clean(how), termsafe.Clean(c.Destination))
	return nil
}
