package cli

import (
	"os"

	"github.com/charmbracelet/x/term"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// loadProfiles locates and reads the two files, honouring the flags.
func loadProfiles(g *globalOptions) (*profiles.Set, error) {
	files, err := profiles.Locate(g.Config, g.Credentials, g.Getenv)
	if err != nil {
		return nil, err
	}
	return profiles.Load(files)
}

// newManager builds the session manager every subcommand and the TUI share.
func newManager(g *globalOptions, set *profiles.Set, prompt session.MFAPrompt) *session.Manager {
	return session.New(set, managerOptions(g, prompt))
}

func managerOptions(g *globalOptions, prompt session.MFAPrompt) session.Options {
	return session.Options{
		Region:   g.Region,
		MFACode:  g.MFACode,
		Prompt:   prompt,
		Duration: g.Duration,
		Getenv:   g.Getenv,
	}
}

func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }
