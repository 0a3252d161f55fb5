package testenv

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

// fakeTB records what a helper does to a test instead of doing it.
type fakeTB struct {
	testing.TB
	name            string
	skipped, failed string
}

func (f *fakeTB) Helper()                   {}
func (f *fakeTB) Name() string              { return f.name }
func (f *fakeTB) Skip(args ...any)          { f.skipped = fmt.Sprint(args...) }
func (f *fakeTB) Fatal(args ...any)         { f.failed = fmt.Sprint(args...) }
func (f *fakeTB) Fatalf(s string, a ...any) { f.failed = fmt.Sprintf(s, a...) }

func TestRequireToolSkipsOrFails(t *testing.T) {
	bin := t.TempDir()
	t.Setenv("PATH", bin)
	tests := []struct {
		name, tool, require string
		skip, fail          string // substrings; "" for none
	}{
		{"skips with the install command", "tmux", "", "tmux is not installed; this test needs it (apt-get install tmux, or brew install tmux)", ""},
		{"pip tools", "moto_server", "", "(pip install 'moto[server]')", ""},
		{"unknown tool", "frobnicate", "", "(install frobnicate)", ""},
		{"fails when required", "zsh", "1", "", "zsh is not installed; this test needs it (apt-get install zsh, or brew install zsh) [ROLECALL_REQUIRE_TOOLS=1]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(requireEnv, tc.require)
			var l skipLog
			tb := &fakeTB{name: "TestX"}
			if got := requireTool(tb, &l, tc.tool); got != "" {
				t.Fatalf("returned %q for a missing tool", got)
			}
			if !strings.Contains(tb.skipped, tc.skip) || (tc.skip == "") != (tb.skipped == "") {
				t.Errorf("skip = %q, want %q", tb.skipped, tc.skip)
			}
			if !strings.Contains(tb.failed, tc.fail) || (tc.fail == "") != (tb.failed == "") {
				t.Errorf("failure = %q, want %q", tb.failed, tc.fail)
			}
			if logged := l.summary("p") != ""; logged != (tc.fail == "") {
				t.Errorf("logged = %v; only a skip is logged", logged)
			}
		})
	}
	t.Run("found", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("PATHEXT rules")
		}
		path := filepath.Join(bin, "tmux")
		if err := os.WriteFile(path, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
		var l skipLog
		tb := &fakeTB{name: "TestX"}
		if got := requireTool(tb, &l, "tmux"); got != path || tb.skipped != "" || tb.failed != "" {
			t.Errorf("got %q (skip %q, failure %q), want %s", got, tb.skipped, tb.failed, path)
		}
	})
}

func TestConformanceDir(t *testing.T) {
	// A module with a package two levels down, and nothing beside it.
	top := t.TempDir()
	mod := filepath.Join(top, "rolecall")
	pkg := filepath.Join(mod, "internal", "pkg")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(mod, "go.mod"), []byte("module example.com/m\n\ngo 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	beside := filepath.Join(top, "shared", "conformance")
	elsewhere := t.TempDir()
	t.Chdir(pkg)

	check := func(t *testing.T, want, skip, fail string) {
		t.Helper()
		var l skipLog
		tb := &fakeTB{name: "TestConformanceX"}
		got := conformanceDir(tb, &l)
		if tb.skipped != "" || tb.failed != "" {
			got = ""
		}
		if got != want {
			t.Errorf("dir = %q, want %q", got, want)
		}
		if !strings.Contains(tb.skipped, skip) || (skip == "") != (tb.skipped == "") {
			t.Errorf("skip = %q, want %q", tb.skipped, skip)
		}
		if !strings.Contains(tb.failed, fail) || (fail == "") != (tb.failed == "") {
			t.Errorf("failure = %q, want %q", tb.failed, fail)
		}
		if strings.Contains(tb.skipped+tb.failed, "\n") {
			t.Errorf("the explanation is more than one line: %q", tb.skipped+tb.failed)
		}
	}
	t.Run("missing skips", func(t *testing.T) {
		t.Setenv(conformanceEnv, "")
		t.Setenv(requireEnv, "")
		check(t, "", "conformance data is not in "+beside+": put a copy in ../shared/conformance beside the repository or set ROLECALL_CONFORMANCE_DIR", "")
	})
	t.Run("missing fails when required", func(t *testing.T) {
		t.Setenv(conformanceEnv, "")
		t.Setenv(requireEnv, "1")
		check(t, "", "", "conformance data is not in "+beside)
	})
	t.Run("a wrong ROLECALL_CONFORMANCE_DIR fails", func(t *testing.T) {
		t.Setenv(conformanceEnv, filepath.Join(elsewhere, "nope"))
		t.Setenv(requireEnv, "")
		check(t, "", "", "ROLECALL_CONFORMANCE_DIR="+filepath.Join(elsewhere, "nope")+" is not a directory")
	})
	t.Run("ROLECALL_CONFORMANCE_DIR", func(t *testing.T) {
		t.Setenv(conformanceEnv, elsewhere)
		check(t, elsewhere, "", "")
	})
	if err := os.MkdirAll(beside, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Run("beside the module", func(t *testing.T) {
		t.Setenv(conformanceEnv, "")
		t.Setenv(requireEnv, "1")
		check(t, beside, "", "")
	})
}

func TestSkipSummary(t *testing.T) {
	var l skipLog
	if got := l.summary("example.com/m/cli"); got != "" {
		t.Errorf("summary with no skips = %q, want none", got)
	}
	l.add("TestA", toolNeed("moto_server"))
	l.add("TestB", toolNeed("tmux"))
	l.add("TestB", toolNeed("aws")) // one test, two tools
	l.add("TestC/zsh", toolNeed("zsh"))
	l.add("TestD", toolNeed("moto_server"))
	l.add("TestE", conformanceNeed)
	want := "example.com/m/cli: 5 tests skipped, missing moto_server, tmux, aws, zsh, the AWS SDKs' conformance data; " +
		"to run them: pip install 'moto[server]' awscli; apt-get install tmux zsh, or brew install tmux zsh; " +
		"put a copy in ../shared/conformance beside the repository or set ROLECALL_CONFORMANCE_DIR (README.md, Contributing, lists its sources)"
	if got := l.summary("example.com/m/cli"); got != want {
		t.Errorf("summary:\n got %s\nwant %s", got, want)
	}
	var one skipLog
	one.add("TestA", toolNeed("aws"))
	if got, want := one.summary("p"), "p: 1 test skipped, missing aws; to run it: pip install awscli"; got != want {
		t.Errorf("summary:\n got %s\nwant %s", got, want)
	}
}

func TestPackagePath(t *testing.T) {
	if got, want := packagePath(), "github.com/rolecall/rolecall/internal/testenv"; got != want {
		t.Errorf("packagePath() = %q, want %q", got, want)
	}
}

// TestEveryToolTestReportsSkips checks that each package whose tests can
// skip for want of a tool or data reports it: its TestMain runs Main or Run.
func TestEveryToolTestReportsSkips(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root, _, err := moduleRoot(wd)
	if err != nil {
		t.Fatal(err)
	}
	uses := regexp.MustCompile(`\b(testenv\.)?(RequireTool|StartMoto|ConformanceDir)\(`)
	reports := regexp.MustCompile(`\b(testenv\.)?(Main|Run)\(m\)`)
	pkgs := map[string][2]bool{} // dir → uses, reports
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "dist") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		st := pkgs[filepath.Dir(path)]
		st[0] = st[0] || uses.Match(src)
		st[1] = st[1] || reports.Match(src)
		pkgs[filepath.Dir(path)] = st
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for dir, st := range pkgs {
		if st[0] {
			checked++
			if !st[1] {
				rel, _ := relSlash(root, dir)
				t.Errorf("%s: tests need tools or data but no TestMain calls testenv.Main(m) or testenv.Run(m), so their skips go unreported", rel)
			}
		}
	}
	if checked == 0 {
		t.Fatal("found no test that needs a tool: the scan is broken")
	}
}
