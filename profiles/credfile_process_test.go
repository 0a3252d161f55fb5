package profiles

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
)

// helperEnv makes the test binary a writer process instead of running the
// tests: "write" writes the sessions of ROLECALL_HELPER_PROFILES (comma
// separated) into ROLECALL_HELPER_PATH one after the other; "loop" keeps
// doing so until it is killed.
const helperEnv = "ROLECALL_CREDFILE_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode))
	}
	testenv.Main(m)
}

func runHelper(mode string) int {
	path := os.Getenv("ROLECALL_HELPER_PATH")
	profiles := strings.Split(os.Getenv("ROLECALL_HELPER_PROFILES"), ",")
	for i := 0; mode == "loop" || i < len(profiles); i++ {
		if _, err := WriteDefault(path, sessionFor(profiles[i%len(profiles)]), DefaultOptions{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return 0
}

// helper starts the test binary as a writer process.
func helper(t *testing.T, mode, path string, profiles ...string) *exec.Cmd {
	t.Helper()
	c := exec.Command(os.Args[0])
	c.Env = append(os.Environ(), helperEnv+"="+mode, "ROLECALL_HELPER_PATH="+path, "ROLECALL_HELPER_PROFILES="+strings.Join(profiles, ","))
	return c
}

// teamsFile is a credentials file with long-term keys in many sections.
func teamsFile(n int) string {
	var b strings.Builder
	b.WriteString("# long-term keys: not a byte of them may be lost\n[base]\naws_access_key_id = AKIABASE0000000000\naws_secret_access_key = base-secret\n")
	for i := range n {
		fmt.Fprintf(&b, "\n; team %d\n[team%d]\naws_access_key_id = AKIATEAM%010d\naws_secret_access_key = team-%d-secret\nregion = eu-west-1\n", i, i, i, i)
	}
	return b.String()
}

// Killed at any moment of a write, a writer leaves the file exactly as it
// was or exactly as it would have written it, never anything in between.
func TestCredfileSurvivesKillMidWrite(t *testing.T) {
	orig := teamsFile(20)
	path := credFile(t, orig)
	valid := map[string]string{"the original": orig}
	data := orig
	for _, p := range []string{"one", "two"} {
		out, _, err := writeDefault(path, data, sessionFor(p), DefaultOptions{}, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		valid[p+"'s"], data = out, out
	}
	iterations := 30
	switch {
	case os.Getenv("ROLECALL_LONG_TESTS") == "1":
		iterations = 300
	case testing.Short():
		iterations = 5
	}
	killed := 0
	for i := range iterations {
		c := helper(t, "loop", path, "one", "two")
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(rand.N(250 * time.Millisecond))
		c.Process.Kill()
		if err := c.Wait(); err != nil {
			killed++
		}
		got := readString(t, path)
		found := ""
		for name, v := range valid {
			if got == v {
				found = name
			}
		}
		if found == "" {
			t.Fatalf("after kill %d the file is neither the old nor a new content (%d bytes)", i+1, len(got))
		}
	}
	t.Logf("%d of %d writers were killed mid-way", killed, iterations)
	if killed == 0 {
		t.Errorf("no writer was killed before it finished; the test proved nothing")
	}
	// The next writer cleans up after the killed ones (their temp files
	// are young, so they stay for now) and still works.
	if _, err := WriteDefault(path, sessionFor("three"), DefaultOptions{}); err != nil {
		t.Fatal(err)
	}
	if withoutDefault(readString(t, path)) != withoutDefault(orig) {
		t.Errorf("bytes outside [default] changed")
	}
}

// Writer processes at once: each waits for the lock and succeeds, and the
// file ends with one of their sessions and every other byte kept.
func TestCredfileConcurrentProcesses(t *testing.T) {
	orig := teamsFile(5)
	path := credFile(t, orig)
	const writers = 8
	var wg sync.WaitGroup
	outs := make([]string, writers)
	for i := range writers {
		wg.Go(func() {
			c := helper(t, "write", path, fmt.Sprintf("w%da", i), fmt.Sprintf("w%db", i))
			if out, err := c.CombinedOutput(); err != nil {
				outs[i] = fmt.Sprintf("%v: %s", err, out)
			}
		})
	}
	wg.Wait()
	for i, o := range outs {
		if o != "" {
			t.Errorf("writer %d failed: %s", i, o)
		}
	}
	set, err := Load(Files{Credentials: path})
	if err != nil || len(set.Problems) > 0 {
		t.Fatalf("the file does not load cleanly: %v %v", err, set.Problems)
	}
	if p := set.Default.Profile; !set.Default.Ours() || !strings.HasPrefix(p, "w") || !strings.HasSuffix(p, "b") {
		t.Errorf("[default] holds %q, want one writer's last session", set.Default)
	}
	if withoutDefault(readString(t, path)) != orig {
		t.Errorf("bytes outside [default] changed")
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPrefix(path)+"*")); len(left) > 0 {
		t.Errorf("temp files left behind: %v", left)
	}
}
