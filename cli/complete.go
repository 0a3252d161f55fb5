package cli

import (
	"sort"
	"strings"

	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/profiles"
	"github.com/spf13/cobra"
)

// completeProfile completes a command's PROFILE argument with the names
// of the profiles in the files the command would read (--config and
// --credentials included): role profiles first, as the TUI lists them,
// each with a short description. After PROFILE, then completes what
// follows; nil means nothing does.
func completeProfile(g *globalOptions, then cobra.CompletionFunc) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			if then != nil {
				return then(cmd, args, toComplete)
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		set, err := g.load()
		if err != nil {
			// A file that cannot be read completes nothing rather than
			// file names; the command itself will say what is wrong.
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return profileCompletions(set, toComplete), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
	}
}

// profileCompletions lists the profiles whose name starts with prefix:
// role profiles first, then the others, each group by name, as
// "name\tdescription".
func profileCompletions(set *profiles.Set, prefix string) []cobra.Completion {
	var list []*profiles.Profile
	for _, p := range set.Profiles {
		// A name a shell could not take as one word is left out.
		if strings.HasPrefix(p.Name, prefix) && termsafe.Safe(p.Name) && !strings.ContainsAny(p.Name, " \t") {
			list = append(list, p)
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if a, b := list[i].AssumesRole(), list[j].AssumesRole(); a != b {
			return a
		}
		return list[i].Name < list[j].Name
	})
	out := make([]cobra.Completion, 0, len(list))
	for _, p := range list {
		out = append(out, cobra.CompletionWithDesc(p.Name, describe(p)))
	}
	return out
}

// describe is a profile in a few words, for shells that show
// descriptions next to completions.
func describe(p *profiles.Profile) string {
	var parts []string
	switch {
	case p.Err != nil:
		parts = append(parts, "broken")
	default:
		parts = append(parts, string(p.Kind))
	}
	if p.AccountID() != "" {
		parts = append(parts, p.AccountID())
	}
	if p.Region() != "" {
		parts = append(parts, p.Region())
	}
	// Descriptions go to the terminal through the shell: no control
	// characters, and no tab, which separates them from the name.
	return strings.ReplaceAll(termsafe.Clean(strings.Join(parts, " ")), `\t`, " ")
}

// completeCommand completes what follows exec's PROFILE: the command and
// its arguments, which the shell knows best.
func completeCommand(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveDefault
}
