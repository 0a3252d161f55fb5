package cli

import (
	"io"
	"os"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// globalOptions are the flags every command shares, plus the process's
// streams, environment and clock, so tests can replace them. Commands
// build their own Options from it.
type globalOptions struct {
	Config      string
	Credentials string
	Region      string
	MFACode     string
	Duration    time.Duration

	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// Environ is the environment a child process starts from (exec,
	// shell); os.Environ when nil.
	Environ []string
	// StdinIsTerminal reports whether MFA codes can be prompted for.
	StdinIsTerminal bool
	// OpenTTY opens the controlling terminal, where a credentials
	// endpoint asks for MFA codes while a child has stdin; nil when there
	// is none.
	OpenTTY func() (io.ReadWriteCloser, error)
	Now     func() time.Time
}

func (g *globalOptions) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

func (g *globalOptions) environ() []string {
	if g.Environ != nil {
		return g.Environ
	}
	return os.Environ()
}

// files locates the two files, honouring the flags.
func (g *globalOptions) files() (profiles.Files, error) {
	return profiles.Locate(g.Config, g.Credentials, g.Getenv)
}

// load locates and reads the two files.
func (g *globalOptions) load() (*profiles.Set, error) {
	files, err := g.files()
	if err != nil {
		return nil, err
	}
	return profiles.Load(files)
}

// manager builds the session manager on a loaded set. A terminal on stdin
// gets an MFA prompt on stderr unless --mfa-code was given or prompt is
// false (credential-process: the AWS CLI captures stderr, so nobody would
// see one).
func (g *globalOptions) manager(set *profiles.Set, prompt bool) *session.Manager {
	return session.New(set, g.managerOptions(prompt))
}

func (g *globalOptions) managerOptions(prompt bool) session.Options {
	o := session.Options{
		Region:   g.Region,
		MFACode:  g.MFACode,
		Duration: g.Duration,
		Getenv:   g.Getenv,
		Now:      g.Now,
	}
	if prompt && g.StdinIsTerminal && g.MFACode == "" {
		o.Prompt = terminalPrompt(g.Stdin, g.Stderr)
	}
	return o
}

// sessionDeps are what every command that works on sessions needs: its
// streams, the clock, and how to load the profiles and build a manager.
// Tests fill them in directly.
type sessionDeps struct {
	Stdout io.Writer
	Stderr io.Writer
	Now    func() time.Time
	Load   func() (*profiles.Set, error)
	// Manager builds the session manager on a loaded set.
	Manager func(*profiles.Set) *session.Manager
}

func (g *globalOptions) sessionDeps(prompt bool) sessionDeps {
	return sessionDeps{
		Stdout:  g.Stdout,
		Stderr:  g.Stderr,
		Now:     g.now,
		Load:    g.load,
		Manager: func(set *profiles.Set) *session.Manager { return g.manager(set, prompt) },
	}
}

// open loads the profiles and builds the manager.
func (d sessionDeps) open() (*profiles.Set, *session.Manager, error) {
	set, err := d.Load()
	if err != nil {
		return nil, nil, err
	}
	return set, d.Manager(set), nil
}

func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }
