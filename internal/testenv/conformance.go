package testenv

import (
	"bufio"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// conformanceEnv names a directory holding the AWS SDKs' conformance data.
const conformanceEnv = "ROLECALL_CONFORMANCE_DIR"

// conformanceNeed is how to get the conformance data when it is missing.
var conformanceNeed = missing{
	what: "the AWS SDKs' conformance data",
	how:  "put a copy in ../shared/conformance beside the repository or set " + conformanceEnv + " (README.md, Contributing, lists its sources)",
}

// ConformanceDir returns the directory of the AWS SDKs' shared
// conformance data: $ROLECALL_CONFORMANCE_DIR, else ../shared/conformance
// next to the module. When it is not there the test skips (fails under
// ROLECALL_REQUIRE_TOOLS=1); a ROLECALL_CONFORMANCE_DIR that names no
// directory always fails, as a mistake in the set-up.
func ConformanceDir(tb testing.TB) string {
	tb.Helper()
	return conformanceDir(tb, &skipped)
}

func conformanceDir(tb testing.TB, l *skipLog) string {
	tb.Helper()
	if dir := os.Getenv(conformanceEnv); dir != "" {
		if !isDir(dir) {
			tb.Fatalf("%s=%s is not a directory", conformanceEnv, dir)
		}
		return dir
	}
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	root, _, err := moduleRoot(wd)
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(filepath.Dir(root), "shared", "conformance")
	if isDir(dir) {
		return dir
	}
	skipOrFail(tb, l, conformanceNeed, "the AWS SDKs' conformance data is not in "+dir+": "+conformanceNeed.how)
	return ""
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// moduleRoot walks up from dir to the directory holding go.mod and
// returns it with the module path that go.mod declares.
func moduleRoot(dir string) (root, module string, err error) {
	dir, err = filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	for {
		f, err := os.Open(filepath.Join(dir, "go.mod"))
		if err == nil {
			defer f.Close()
			s := bufio.NewScanner(f)
			for s.Scan() {
				if rest, ok := strings.CutPrefix(strings.TrimSpace(s.Text()), "module "); ok {
					return dir, strings.Trim(strings.TrimSpace(rest), `"`), nil
				}
			}
			return "", "", errors.New(filepath.Join(dir, "go.mod") + " declares no module")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", "", errors.New("no go.mod above the test's directory")
		}
		dir = parent
	}
}

// relSlash is filepath.Rel with forward slashes.
func relSlash(base, target string) (string, error) {
	rel, err := filepath.Rel(base, target)
	return filepath.ToSlash(rel), err
}
