package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
	"github.com/spf13/cobra"
)

// sessionOptions are what assume, whoami and sessions need: writers, a
// clock, and how to get the profiles and the session manager.
type sessionOptions struct {
	Stdout io.Writer
	Stderr io.Writer
	JSON   bool
	Now    func() time.Time
	Load   func() (*profiles.Set, error)
	// Manager builds the session manager on a loaded set.
	Manager func(*profiles.Set) *session.Manager
}

// sessionOptionsFor wires the global flags and streams into sessionOptions.
// A terminal on stdin gets an MFA prompt on stderr unless --mfa-code was
// given.
func sessionOptionsFor(g *globalOptions, asJSON bool) sessionOptions {
	var prompt session.MFAPrompt
	if g.StdinIsTerminal && g.MFACode == "" {
		prompt = terminalPrompt(g.Stdin, g.Stderr)
	}
	return sessionOptions{
		Stdout:  g.Stdout,
		Stderr:  g.Stderr,
		JSON:    asJSON,
		Now:     time.Now,
		Load:    func() (*profiles.Set, error) { return loadProfiles(g) },
		Manager: func(set *profiles.Set) *session.Manager { return newManager(g, set, prompt) },
	}
}

// terminalPrompt asks for an MFA code on stderr and reads one line.
func terminalPrompt(in io.Reader, out io.Writer) session.MFAPrompt {
	r := bufio.NewReader(in)
	return func(_ context.Context, profile, serial string) (string, error) {
		fmt.Fprintf(out, "MFA code for %s (profile %s): ", serial, profile)
		line, err := r.ReadString('\n')
		if err != nil && line == "" {
			return "", errors.New("no code was typed")
		}
		return strings.TrimSpace(line), nil
	}
}

func newAssumeCmd(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "assume PROFILE",
		Short: "Assume (or reuse a cached) session and print its expiry",
		Long: "assume gets a session for PROFILE: the cached one while it is valid, else a new one\n" +
			"from STS through the profile's chain. It prints the role, account and expiry, never\n" +
			"the keys; hand them on with env, exec, shell, use or credential-process.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAssume(cmd.Context(), sessionOptionsFor(g, asJSON), args[0])
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON with an RFC 3339 expiration (no secrets)")
	return cmd
}

func newWhoamiCmd(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "whoami PROFILE",
		Short: "Show the identity behind a profile's session",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWhoami(cmd.Context(), sessionOptionsFor(g, asJSON), args[0])
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return cmd
}

func newSessionsCmd(g *globalOptions) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List cached sessions and which one [default] holds",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return runSessions(sessionOptionsFor(g, asJSON))
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array (no secrets)")
	return cmd
}

// sessionJSON is a session in --json output. It never holds a secret.
type sessionJSON struct {
	Profile          string   `json:"profile"`
	RoleARN          string   `json:"role_arn,omitempty"`
	Account          string   `json:"account,omitempty"`
	Region           string   `json:"region,omitempty"`
	Expiration       string   `json:"expiration,omitempty"`
	RemainingSeconds int64    `json:"remaining_seconds"`
	Expired          bool     `json:"expired"`
	FromCache        bool     `json:"from_cache"`
	Default          bool     `json:"default"`
	Notes            []string `json:"notes,omitempty"`
}

func toJSON(s *session.Session, now time.Time, isDefault bool) sessionJSON {
	j := sessionJSON{Profile: s.Profile, RoleARN: s.AssumedRoleARN, Account: s.AccountID, Region: s.Region,
		FromCache: s.FromCache, Default: isDefault, Notes: s.Notes}
	if !s.Expiration.IsZero() {
		j.Expiration = s.Expiration.Format(time.RFC3339)
		left := s.Expiration.Sub(now)
		j.RemainingSeconds = max(int64(left/time.Second), 0)
		j.Expired = left <= 0
	}
	return j
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// runAssume assumes the profile, or reuses its cached session.
func runAssume(ctx context.Context, opts sessionOptions, profile string) error {
	set, err := opts.Load()
	if err != nil {
		return err
	}
	s, err := opts.Manager(set).Assume(ctx, profile)
	if err != nil {
		return err
	}
	now := opts.Now()
	if opts.JSON {
		return writeJSON(opts.Stdout, toJSON(s, now, set.Default.Profile == profile))
	}
	tw := tabwriter.NewWriter(opts.Stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "profile\t%s\n", s.Profile)
	if s.AssumedRoleARN != "" {
		fmt.Fprintf(tw, "role\t%s\n", s.AssumedRoleARN)
	}
	if s.AccountID != "" {
		fmt.Fprintf(tw, "account\t%s\n", s.AccountID)
	}
	fmt.Fprintf(tw, "expires\t%s\n", expiryText(s.Expiration, now))
	src := "new session from STS"
	if s.FromCache {
		src = "cached session"
	}
	fmt.Fprintf(tw, "source\t%s\n", src)
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, n := range s.Notes {
		fmt.Fprintln(opts.Stderr, "note: "+n)
	}
	return nil
}

// runWhoami asks STS who the profile's session is.
func runWhoami(ctx context.Context, opts sessionOptions, profile string) error {
	set, err := opts.Load()
	if err != nil {
		return err
	}
	mgr := opts.Manager(set)
	s, err := mgr.Assume(ctx, profile)
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
	fmt.Fprintf(tw, "account\t%s\narn\t%s\nuser id\t%s\n", id.Account, id.ARN, id.UserID)
	return tw.Flush()
}

// runSessions lists the cached sessions. Files it cannot read are warned
// about on stderr and skipped.
func runSessions(opts sessionOptions) error {
	set, err := opts.Load()
	if err != nil {
		return err
	}
	list, warns := opts.Manager(set).Sessions()
	for _, w := range warns {
		fmt.Fprintln(opts.Stderr, "warning: "+w.Error())
	}
	now := opts.Now()
	def := set.Default.Profile
	if opts.JSON {
		out := make([]sessionJSON, 0, len(list))
		for _, s := range list {
			out = append(out, toJSON(s, now, s.Profile == def))
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
		if s.Profile == def {
			mark = "[default]"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.Profile, expiryText(s.Expiration, now), dash(s.AssumedRoleARN), mark)
	}
	return tw.Flush()
}

// expiryText is the local expiry time and how long is left.
func expiryText(exp, now time.Time) string {
	if exp.IsZero() {
		return "never (long-term keys)"
	}
	at := exp.Local().Format("2006-01-02 15:04:05 MST")
	left := exp.Sub(now)
	if left <= 0 {
		return at + " (expired " + roundDuration(-left) + " ago)"
	}
	return at + " (in " + roundDuration(left) + ")"
}

// roundDuration prints 1h 2m, 5m 3s or 42s.
func roundDuration(d time.Duration) string {
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}
