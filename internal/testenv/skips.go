package testenv

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
)

// requireEnv names the variable that turns a missing tool or missing data
// into a failure; .ci/run sets it.
const requireEnv = "ROLECALL_REQUIRE_TOOLS"

// missing is something a test needs that is not on this machine.
type missing struct {
	what string // "tmux", "the AWS SDKs' conformance data"
	// how gets it: a package installer and its argument (merged with the
	// other missing things of the same installer), or a sentence.
	installer, pkg string
	alt            string // a second installer ("brew install"), same package
	how            string
}

// installs are the ways to get the tools the tests drive.
var installs = map[string]missing{
	"moto_server": {installer: "pip install", pkg: "'moto[server]'"},
	"aws":         {installer: "pip install", pkg: "awscli"},
	"tmux":        {installer: "apt-get install", pkg: "tmux", alt: "brew install"},
	"zsh":         {installer: "apt-get install", pkg: "zsh", alt: "brew install"},
	"fish":        {installer: "apt-get install", pkg: "fish", alt: "brew install"},
}

// command says how to get m.
func (m missing) command() string {
	if m.installer == "" {
		return m.how
	}
	c := m.installer + " " + m.pkg
	if m.alt != "" {
		c += ", or " + m.alt + " " + m.pkg
	}
	return c
}

func toolNeed(name string) missing {
	m, ok := installs[name]
	if !ok {
		m = missing{how: "install " + name}
	}
	m.what = name
	return m
}

// skipLog collects what a package's tests skipped for, so that Main can
// report it once.
type skipLog struct {
	mu    sync.Mutex
	needs []missing           // in the order first met
	tests map[string]struct{} // names of the tests that skipped
}

// skipped is the log of this test binary: the tests of one package.
var skipped skipLog

func (l *skipLog) add(test string, m missing) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.tests == nil {
		l.tests = map[string]struct{}{}
	}
	l.tests[test] = struct{}{}
	if !slices.ContainsFunc(l.needs, func(n missing) bool { return n.what == m.what }) {
		l.needs = append(l.needs, m)
	}
}

// summary is one line saying how many tests of pkg skipped, for want of
// what, and how to get it; "" when none skipped.
func (l *skipLog) summary(pkg string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.tests) == 0 {
		return ""
	}
	// Things from the same installer merge into one command.
	var whats, cmds []string
	var merged []missing
	for _, m := range l.needs {
		whats = append(whats, m.what)
		i := slices.IndexFunc(merged, func(o missing) bool { return m.installer != "" && o.installer == m.installer })
		if i < 0 {
			merged = append(merged, m)
			continue
		}
		merged[i].pkg += " " + m.pkg
		if merged[i].alt == "" {
			merged[i].alt = m.alt
		}
	}
	for _, m := range merged {
		cmds = append(cmds, m.command())
	}
	tests, them := "tests", "them"
	if len(l.tests) == 1 {
		tests, them = "test", "it"
	}
	return fmt.Sprintf("%s: %d %s skipped, missing %s; to run %s: %s",
		pkg, len(l.tests), tests, strings.Join(whats, ", "), them, strings.Join(cmds, "; "))
}

// skipOrFail skips the test for want of m, or fails it under
// ROLECALL_REQUIRE_TOOLS=1, with msg as the one line of explanation.
func skipOrFail(tb testing.TB, l *skipLog, m missing, msg string) {
	tb.Helper()
	if os.Getenv(requireEnv) == "1" {
		tb.Fatal(msg + " [" + requireEnv + "=1]")
		return
	}
	l.add(tb.Name(), m)
	tb.Skip(msg)
}

// Main runs a package's tests and exits; a package whose tests call
// RequireTool, StartMoto or ConformanceDir calls it from TestMain:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
func Main(m *testing.M) { os.Exit(Run(m)) }

// Run runs a package's tests and returns their exit code, for a TestMain
// that has work of its own to do afterwards. When tests skipped for want
// of a tool or of data, it writes one line saying so to stderr. go test
// ./... shows a passing package's output only with -v, so the line also
// goes straight to the terminal, if there is one.
func Run(m *testing.M) int {
	code := m.Run()
	line := skipped.summary(packagePath())
	if line == "" {
		return code
	}
	fmt.Fprintln(os.Stderr, line)
	if code == 0 && !testing.Verbose() {
		// A failing or verbose run prints stderr already.
		writeTerminal(line)
	}
	return code
}

// writeTerminal writes line to the process's controlling terminal, if it
// has one; go test does not hand it its own output.
func writeTerminal(line string) {
	if runtime.GOOS == "windows" {
		return
	}
	tty, err := os.OpenFile("/dev/tty", os.O_WRONLY, 0)
	if err != nil {
		return
	}
	fmt.Fprintln(tty, line)
	tty.Close()
}

// packagePath names the package under test: go test runs its binary in
// the package's directory.
func packagePath() string {
	dir, err := os.Getwd()
	if err != nil {
		return "?"
	}
	root, mod, err := moduleRoot(dir)
	if err != nil {
		return dir
	}
	rel, err := relSlash(root, dir)
	if err != nil || rel == "." {
		return mod
	}
	return mod + "/" + rel
}
