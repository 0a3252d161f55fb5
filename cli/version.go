package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

// Stamped by release builds through the linker:
//
//	-X github.com/rolecall/rolecall/cli.version=0.1.0
//	-X github.com/rolecall/rolecall/cli.commit=<full commit id>
//	-X github.com/rolecall/rolecall/cli.date=<RFC 3339 build time>
//
// Left empty, the version comes from the build information Go records.
var (
	version string
	commit  string
	date    string
)

// buildVersion is what rolecall knows of its own build.
type buildVersion struct {
	Version  string // "0.1.0"; "" when unknown
	Commit   string // full commit id, "" when unknown
	Date     string // commit or build time, RFC 3339
	Modified bool   // built from a checkout with uncommitted changes
}

// currentVersion is the running binary's version: the stamped one, else
// what the Go toolchain recorded (the module version for go install, the
// VCS revision for a build in a checkout).
func currentVersion() buildVersion {
	info, _ := debug.ReadBuildInfo()
	return versionOf(version, commit, date, info)
}

// versionOf decides the version from the stamped values and the build
// information (nil when the binary has none).
func versionOf(stampedVersion, stampedCommit, stampedDate string, info *debug.BuildInfo) buildVersion {
	if stampedVersion != "" {
		return buildVersion{Version: strings.TrimPrefix(stampedVersion, "v"), Commit: stampedCommit, Date: stampedDate}
	}
	var v buildVersion
	if info == nil {
		return v
	}
	if mv := info.Main.Version; mv != "" && mv != "(devel)" {
		v.Version = strings.TrimPrefix(mv, "v")
	}
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.Date = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one line that --version and the version command print,
// without the program's name: "0.1.0 (commit 0123456789ab, 2026-11-30T10:00:00Z)".
func (v buildVersion) String() string {
	s := v.Version
	if s == "" {
		s = "(devel)"
	}
	var details []string
	if v.Commit != "" {
		c := v.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		details = append(details, "commit "+c)
	}
	if v.Date != "" {
		details = append(details, v.Date)
	}
	if v.Modified {
		details = append(details, "modified")
	}
	if len(details) > 0 {
		s += " (" + strings.Join(details, ", ") + ")"
	}
	return s
}

// addVersion gives root a --version flag and a version command that print
// the same line.
func addVersion(root *cobra.Command, g *globalOptions) {
	v := currentVersion().String()
	root.Version = v
	root.SetVersionTemplate("{{.Name}} version {{.Version}}\n")
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print rolecall's version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintf(g.Stdout, "%s version %s\n", root.Name(), v)
			return err
		},
	})
}
