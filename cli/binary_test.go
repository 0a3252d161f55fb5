package cli

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/rolecall/rolecall/internal/testenv"
)

// builtBinary is the rolecall binary the end-to-end tests run, built once
// per test run and removed after it.
var builtBinary struct {
	once      sync.Once
	dir, path string
	err       error
}

// rolecallBinary builds rolecall (once) and returns its path.
func rolecallBinary(t *testing.T) string {
	t.Helper()
	builtBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "rolecall-test-bin-")
		if err != nil {
			builtBinary.err = err
			return
		}
		builtBinary.dir = dir
		builtBinary.path = filepath.Join(dir, "rolecall")
		if out, err := exec.Command("go", "build", "-o", builtBinary.path, "..").CombinedOutput(); err != nil {
			builtBinary.err = errors.New(string(out))
		}
	})
	if builtBinary.err != nil {
		t.Fatalf("go build: %v", builtBinary.err)
	}
	return builtBinary.path
}

func TestMain(m *testing.M) {
	code := testenv.Run(m)
	if builtBinary.dir != "" {
		os.RemoveAll(builtBinary.dir)
	}
	removeCounter()
	os.Exit(code)
}
