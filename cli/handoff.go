package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// handoffOptions are what the hand-off commands need: the session
// options plus the streams and environment a child process inherits.
type handoffOptions struct {
	sessionOptions
	Stdin   io.Reader
	Getenv  func(string) string
	Environ []string // base environment of exec and shell
	// Credentials locates the credentials file without loading anything
	// (use --clear).
	Credentials func() (string, error)
}

func handoffOptionsFor(g *globalOptions) handoffOptions {
	return handoffOptions{
		sessionOptions: sessionOptionsFor(g, false),
		Stdin:          g.Stdin,
		Getenv:         g.Getenv,
		Environ:        os.Environ(),
		Credentials: func() (string, error) {
			f, err := profiles.Locate(g.Config, g.Credentials, g.Getenv)
			return f.Credentials, err
		},
	}
}

func newUseCmd(g *globalOptions) *cobra.Command {
	var force, clear bool
	cmd := &cobra.Command{
		Use:   "use PROFILE [--force] | use --clear",
		Short: "Write the session into [default] of the credentials file",
		Long: "use assumes PROFILE (or reuses its cached session) and writes the keys into\n" +
			"[default] of the credentials file, so every AWS tool without a profile uses them.\n" +
			"Only [default]'s own lines change; the file is replaced atomically under a lock.\n" +
			"If [default] holds long-term keys, use refuses; --force first copies them to a\n" +
			"backup profile. --clear removes what rolecall wrote and nothing else.",
		Example: "  rolecall use prod-admin\n  rolecall use --clear",
		Args:    cobra.RangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case clear && len(args) > 0:
				return usageError{errors.New("use --clear takes no PROFILE (see 'rolecall use --help')")}
			case clear && force:
				return usageError{errors.New("use --clear and --force do not go together")}
			case clear:
				return runUseClear(handoffOptionsFor(g))
			case len(args) == 0:
				return usageError{errors.New("use needs a PROFILE, or --clear (see 'rolecall use --help')")}
			}
			return runUse(cmd.Context(), handoffOptionsFor(g), args[0], force)
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite long-term keys in [default] after copying them to a backup profile")
	cmd.Flags().BoolVar(&clear, "clear", false, "remove the session rolecall wrote into [default]")
	return cmd
}

// runUse writes the profile's session into [default].
func runUse(ctx context.Context, opts handoffOptions, profile string, force bool) error {
	set, err := opts.Load()
	if err != nil {
		return err
	}
	res, err := opts.Manager(set).Use(ctx, profile, force)
	if err != nil {
		return err
	}
	if res.BackupProfile != "" {
		fmt.Fprintf(opts.Stdout, "Copied the old keys of [default] to [%s].\n", res.BackupProfile)
	}
	what := profile + "'s session"
	if res.Session.AssumedRoleARN != "" {
		what += " (" + res.Session.AssumedRoleARN + ")"
	}
	fmt.Fprintf(opts.Stdout, "[default] in %s now holds %s, expiring %s.\n",
		set.Files.Credentials, what, expiryText(res.Session.Expiration, opts.Now()))
	for _, w := range res.Warnings {
		fmt.Fprintln(opts.Stderr, "warning: "+w)
	}
	return nil
}

// runUseClear removes rolecall's session from [default].
func runUseClear(opts handoffOptions) error {
	path, err := opts.Credentials()
	if err != nil {
		return err
	}
	was, err := profiles.ClearDefault(path, profiles.DefaultOptions{})
	if err != nil {
		return err
	}
	if !was.Ours() {
		fmt.Fprintf(opts.Stdout, "Nothing to clear: [default] in %s holds no session from rolecall.\n", path)
		return nil
	}
	fmt.Fprintf(opts.Stdout, "Removed %s's session from [default] in %s.\n", was.Profile, path)
	return nil
}

func newEnvCmd(g *globalOptions) *cobra.Command {
	var shell string
	cmd := &cobra.Command{
		Use:   "env PROFILE [--shell bash|zsh|fish|powershell|cmd]",
		Short: "Print export lines for a shell",
		Long: "env prints the session's variables as lines for your shell (from $SHELL, or\n" +
			"--shell), and unsets AWS_PROFILE so that it does not override them. Evaluate them:\n" +
			"  eval \"$(rolecall env PROFILE)\"            bash, zsh\n" +
			"  rolecall env PROFILE | source              fish\n" +
			"  rolecall env PROFILE --shell powershell | Invoke-Expression",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if shell != "" && !slices.Contains(session.Shells, shell) {
				return usageError{fmt.Errorf("unknown shell %q; use one of %s", shell, strings.Join(session.Shells, ", "))}
			}
			return runEnv(cmd.Context(), handoffOptionsFor(g), args[0], shell)
		},
	}
	cmd.Flags().StringVar(&shell, "shell", "", "shell syntax: "+strings.Join(session.Shells, ", ")+" (default from $SHELL)")
	cmd.RegisterFlagCompletionFunc("shell", cobra.FixedCompletions(session.Shells, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runEnv prints the export lines: the secrets go to stdout because the user
// asked for exactly that.
func runEnv(ctx context.Context, opts handoffOptions, profile, shell string) error {
	s, err := opts.assume(ctx, profile)
	if err != nil {
		return err
	}
	if shell == "" {
		shell = session.ShellFromEnv(opts.Getenv)
	}
	lines, err := session.ExportLines(shell, s)
	if err != nil {
		return err
	}
	_, err = io.WriteString(opts.Stdout, lines)
	return err
}

func (o handoffOptions) assume(ctx context.Context, profile string) (*session.Session, error) {
	set, err := o.Load()
	if err != nil {
		return nil, err
	}
	return o.Manager(set).Assume(ctx, profile)
}

func newExecCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "exec PROFILE -- CMD [ARGS...]",
		Short: "Run one command with the session's variables",
		Long: "exec runs CMD with the session's variables set and AWS_PROFILE removed, passes\n" +
			"signals on to it, and exits with its exit code. Flags of rolecall go before PROFILE.",
		Example: "  rolecall exec prod-admin -- aws s3 ls\n  rolecall --region eu-west-1 exec dev -- terraform plan",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Flag parsing stops at PROFILE, so a "--" after it is still here.
			argv := args[1:]
			if argv[0] == "--" {
				argv = argv[1:]
			}
			if at := cmd.ArgsLenAtDash(); at > 1 || len(argv) == 0 {
				return usageError{errors.New("exec needs PROFILE -- CMD [ARGS...] (see 'rolecall exec --help')")}
			}
			return runExec(cmd.Context(), handoffOptionsFor(g), args[0], argv)
		},
	}
	// Everything after PROFILE belongs to the command, flags included.
	cmd.Flags().SetInterspersed(false)
	return cmd
}

// runExec runs one command in the session's environment.
func runExec(ctx context.Context, opts handoffOptions, profile string, argv []string) error {
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return fmt.Errorf("command %q not found; check its name or give its full path", argv[0])
	}
	s, err := opts.assume(ctx, profile)
	if err != nil {
		return err
	}
	c := exec.Command(path, argv[1:]...)
	c.Env = session.Environ(opts.Environ, s)
	return runChild(c, opts)
}

func newShellCmd(g *globalOptions) *cobra.Command {
	var shell string
	cmd := &cobra.Command{
		Use:   "shell PROFILE",
		Short: "Start $SHELL with the session's variables",
		Long: "shell starts your shell ($SHELL, else /bin/sh; %COMSPEC% on Windows) with the\n" +
			"session's variables set, AWS_PROFILE removed and ROLECALL_PROFILE naming the\n" +
			"profile for your prompt. Exit the shell to return; rolecall exits with its code.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runShell(cmd.Context(), handoffOptionsFor(g), args[0], shell)
		},
	}
	cmd.Flags().StringVar(&shell, "shell", "", "shell to start, by path or name; \"powershell\" finds pwsh or powershell")
	return cmd
}

// runShell starts the user's shell in the session's environment.
func runShell(ctx context.Context, opts handoffOptions, profile, shell string) error {
	s, err := opts.assume(ctx, profile)
	if err != nil {
		return err
	}
	c := session.ShellCommandFor(s, opts.Environ, opts.Getenv, shell)
	if _, err := exec.LookPath(c.Path); err != nil {
		return fmt.Errorf("shell %q not found; set $SHELL or pass --shell", c.Path)
	}
	fmt.Fprintf(opts.Stderr, "rolecall: %s with %s's session, expiring %s; exit to return\n",
		c.Path, profile, expiryText(s.Expiration, opts.Now()))
	return runChild(c, opts)
}

// runChild runs c on the options' streams, forwards SIGINT, SIGTERM and
// SIGHUP to it, and turns a non-zero exit into exitCodeError.
func runChild(c *exec.Cmd, opts handoffOptions) error {
	c.Stdin, c.Stdout, c.Stderr = opts.Stdin, opts.Stdout, opts.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)
	if err := c.Start(); err != nil {
		return fmt.Errorf("start %s: %v", c.Path, errors.Unwrap(err))
	}
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case sig := <-sigs:
				c.Process.Signal(sig)
			case <-done:
				return
			}
		}
	}()
	err := c.Wait()
	if err == nil {
		return nil
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code := exit.ExitCode()
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			code = 128 + int(ws.Signal())
		}
		return exitCodeError{code}
	}
	return fmt.Errorf("run %s: %v", c.Path, err)
}

func newCredentialProcessCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "credential-process PROFILE",
		Short: "Print the session as credential_process JSON",
		Long: "credential-process prints the session as the JSON the AWS CLI and SDKs read from\n" +
			"a credential_process command, and nothing else on stdout. It reuses the cached\n" +
			"session while more than 15 minutes are left. In ~/.aws/config:\n" +
			"  [profile prod-cli]\n" +
			"  credential_process = rolecall credential-process prod-admin",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runCredentialProcess(cmd.Context(), credentialProcessOptionsFor(g), args[0])
		},
	}
}

// credentialProcessOptionsFor is handoffOptionsFor without a prompt: the
// AWS CLI captures stderr, so nobody would see one. --mfa-code still works.
func credentialProcessOptionsFor(g *globalOptions) handoffOptions {
	opts := handoffOptionsFor(g)
	opts.Manager = func(set *profiles.Set) *session.Manager { return newManager(g, set, nil) }
	return opts
}

// runCredentialProcess prints the credential_process JSON. The cache-hit
// path reads two small files and the cache file, and sets up no SDK client.
func runCredentialProcess(ctx context.Context, opts handoffOptions, profile string) error {
	set, err := opts.Load()
	if err != nil {
		return err
	}
	s, err := opts.Manager(set).FreshFor(ctx, profile, session.CredentialProcessWindow)
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
