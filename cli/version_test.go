package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionOf(t *testing.T) {
	checkout := &debug.BuildInfo{
		Main: debug.Module{Path: "github.com/rolecall/rolecall", Version: "v0.0.0-20261130111613-d513738311db+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "d513738311dbe063859af26d7f7868bd708169b1"},
			{Key: "vcs.time", Value: "2026-11-30T11:16:13Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name                  string
		version, commit, date string
		info                  *debug.BuildInfo
		want                  string
	}{
		{
			name:    "release build: the stamped values win",
			version: "0.1.0", commit: "0123456789abcdef0123456789abcdef01234567", date: "2026-11-30T10:00:00Z",
			info: checkout,
			want: "0.1.0 (commit 0123456789ab, 2026-11-30T10:00:00Z)",
		},
		{
			name:    "a stamped tag loses its v",
			version: "v0.1.0",
			want:    "0.1.0",
		},
		{
			name: "go install github.com/rolecall/rolecall@v0.1.0",
			info: &debug.BuildInfo{Main: debug.Module{Path: "github.com/rolecall/rolecall", Version: "v0.1.0", Sum: "h1:x"}},
			want: "0.1.0",
		},
		{
			name: "go build in a checkout with changes",
			info: checkout,
			want: "0.0.0-20261130111613-d513738311db+dirty (commit d513738311db, 2026-11-30T11:16:13Z, modified)",
		},
		{
			name: "go build in a clean checkout of an older toolchain",
			info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
				{Key: "vcs.revision", Value: "d513738311dbe063859af26d7f7868bd708169b1"},
				{Key: "vcs.time", Value: "2026-11-30T11:16:13Z"},
				{Key: "vcs.modified", Value: "false"},
			}},
			want: "(devel) (commit d513738311db, 2026-11-30T11:16:13Z)",
		},
		{
			name: "go run: nothing known",
			info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			want: "(devel)",
		},
		{
			name: "no build information",
			want: "(devel)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := versionOf(tc.version, tc.commit, tc.date, tc.info).String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestVersionFlagAndCommand(t *testing.T) {
	want := "rolecall version " + currentVersion().String() + "\n"
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errOut := runCmd(t, args...)
		if code != exitOK || out != want || errOut != "" {
			t.Errorf("rolecall %s: exit %d, stdout %q, stderr %q; want exit 0 and %q", args[0], code, out, errOut, want)
		}
	}
	if code, _, errOut := runCmd(t, "version", "extra"); code != exitUsage {
		t.Errorf("rolecall version extra: exit %d (stderr %q), want %d", code, errOut, exitUsage)
	}
}

// TestReleaseLdflagsStampTheVersion builds rolecall with the -X flags of
// .goreleaser.yaml and checks that --version prints what they stamp: a
// renamed variable or package would otherwise go unnoticed until a release.
func TestReleaseLdflagsStampTheVersion(t *testing.T) {
	if testing.Short() {
		t.Skip("builds rolecall")
	}
	cfg, err := os.ReadFile(filepath.Join("..", ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	values := map[string]string{
		"{{.Version}}":    "9.8.7",
		"{{.FullCommit}}": "fedcba9876543210fedcba9876543210fedcba98",
		"{{.CommitDate}}": "2026-11-30T12:00:00Z",
	}
	var ldflags []string
	for _, m := range regexp.MustCompile(`-X (\S+)=(\{\{\.\w+\}\})`).FindAllStringSubmatch(string(cfg), -1) {
		v, ok := values[m[2]]
		if !ok {
			t.Fatalf(".goreleaser.yaml stamps %s with %s, which this test does not know", m[1], m[2])
		}
		ldflags = append(ldflags, "-X "+m[1]+"="+v)
	}
	if len(ldflags) != 3 {
		t.Fatalf(".goreleaser.yaml has %d -X flags, want 3 (version, commit, date): %q", len(ldflags), ldflags)
	}
	bin := filepath.Join(t.TempDir(), "rolecall")
	if out, err := exec.Command("go", "build", "-ldflags", strings.Join(ldflags, " "), "-o", bin, "..").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		t.Fatalf("rolecall --version: %v", err)
	}
	if got, want := string(out), "rolecall version 9.8.7 (commit fedcba987654, 2026-11-30T12:00:00Z)\n"; got != want {
		t.Errorf("rolecall --version = %q, want %q", got, want)
	}
}
