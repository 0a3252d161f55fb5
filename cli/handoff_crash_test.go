package cli

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/testenv"
	"github.com/rolecall/rolecall/profiles"
)

// primedWorld is a world in which roleA and roleB have cached sessions, so
// `use` writes without calling STS, with the file contents each one leaves.
func primedWorld(t *testing.T) (w *handoffWorld, valid map[string]string) {
	t.Helper()
	moto := testenv.StartMoto(t)
	w = newHandoffWorld(t, moto, "credentials")
	valid = map[string]string{"original": w.credsText()}
	for _, p := range []string{"roleA", "roleB"} {
		if code, _, errOut := w.rolecall("use", p); code != 0 {
			t.Fatalf("use %s exited %d: %s", p, code, errOut)
		}
		valid[p] = w.credsText()
	}
	if valid["roleA"] == valid["roleB"] {
		t.Fatal("roleA and roleB wrote the same file; the test could not tell them apart")
	}
	return w, valid
}

// checkCredentials fails unless the file is exactly one of the valid
// contents and parses with [default] holding a rolecall session.
func checkCredentials(t *testing.T, w *handoffWorld, valid map[string]string, when string) {
	t.Helper()
	text := w.credsText()
	found := ""
	for name, v := range valid {
		if text == v {
			found = name
		}
	}
	if found == "" {
		t.Fatalf("%s: the credentials file is neither the old nor a new content (%d bytes)", when, len(text))
	}
	set, err := profiles.Load(profiles.Files{Credentials: w.creds})
	if err != nil {
		t.Fatalf("%s: the credentials file does not load: %v", when, err)
	}
	if len(set.Problems) > 0 {
		t.Fatalf("%s: the credentials file has problems: %v", when, set.Problems[0])
	}
	if found != "original" && set.Default.Profile != found {
		t.Fatalf("%s: [default] holds %q, want %q", when, set.Default.Profile, found)
	}
}

func TestHandoffUseSurvivesSIGKILL(t *testing.T) {
	w, valid := primedWorld(t)
	iterations := 30
	if os.Getenv("ROLECALL_LONG_TESTS") == "1" {
		iterations = 250
	}
	// How long one use takes here, so kills land across its whole life.
	var runs []time.Duration
	for i := 0; i < 5; i++ {
		start := time.Now()
		w.rolecall("use", "roleA")
		runs = append(runs, time.Since(start))
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i] < runs[j] })
	span := runs[len(runs)/2] * 3 / 2

	killedMidway := 0
	for i := 0; i < iterations; i++ {
		profile := []string{"roleA", "roleB"}[i%2]
		c := exec.Command(w.bin, "use", profile)
		c.Env = w.env
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(rand.N(span))
		c.Process.Kill() // SIGKILL on Unix
		if err := c.Wait(); err != nil {
			killedMidway++
		}
		checkCredentials(t, w, valid, "after a kill")
	}
	t.Logf("%d of %d runs were killed before they finished", killedMidway, iterations)
	if killedMidway == 0 {
		t.Errorf("no run was killed before it finished; the test proved nothing")
	}
	// The next writer cleans up after the killed ones and still works.
	if code, _, errOut := w.rolecall("use", "roleB"); code != 0 {
		t.Fatalf("use after the kills exited %d: %s", code, errOut)
	}
	checkCredentials(t, w, valid, "after a clean run")
}

// concurrentUse runs 20 `rolecall use` at once, alternating roleA and
// roleB (with extra arguments), and checks that every one succeeded.
func concurrentUse(t *testing.T, w *handoffWorld, extra ...string) {
	t.Helper()
	const writers = 20
	var wg sync.WaitGroup
	codes := make([]int, writers)
	for i := range writers {
		wg.Go(func() {
			c := exec.Command(w.bin, append([]string{"use", []string{"roleA", "roleB"}[i%2]}, extra...)...)
			c.Env = w.env
			if err := c.Run(); err != nil {
				codes[i] = -1 // did not start
				if c.ProcessState != nil {
					codes[i] = c.ProcessState.ExitCode()
				}
			}
		})
	}
	wg.Wait()
	if slices.ContainsFunc(codes, func(c int) bool { return c != 0 }) {
		t.Errorf("exit codes %v; every writer should wait for the lock and succeed", codes)
	}
}

func TestHandoffConcurrentUse(t *testing.T) {
	w, valid := primedWorld(t)
	concurrentUse(t, w)
	checkCredentials(t, w, valid, "after 20 concurrent writers")
	if withoutDefault(w.credsText()) != valid["original"] {
		t.Errorf("bytes outside [default] changed")
	}
}

// Without the lock, a writer that read the file before another one moved
// long-term keys to a backup profile would write that backup away again.
func TestHandoffConcurrentForceKeepsOneBackup(t *testing.T) {
	moto := testenv.StartMoto(t)
	w := newHandoffWorld(t, moto, "credentials-longterm")
	for _, p := range []string{"roleA", "roleB"} {
		if code, _, errOut := w.rolecall("assume", p); code != 0 {
			t.Fatalf("assume %s exited %d: %s", p, code, errOut)
		}
	}
	concurrentUse(t, w, "--force")
	set, err := profiles.Load(profiles.Files{Credentials: w.creds})
	if err != nil || len(set.Problems) > 0 {
		t.Fatalf("the credentials file does not load cleanly: %v %v", err, set.Problems)
	}
	var backups []*profiles.Profile
	for _, p := range set.Profiles {
		if len(p.Name) > 15 && p.Name[:15] == "default-backup-" {
			backups = append(backups, p)
		}
	}
	if len(backups) != 1 {
		t.Fatalf("%d backup profiles, want exactly 1", len(backups))
	}
	if backups[0].Get("aws_access_key_id") != "AKIADEFAULTLONGTERM1" {
		t.Errorf("the backup does not hold the old long-term key id")
	}
	if b := set.Get("base"); b == nil || b.Get("aws_access_key_id") != "AKIAIOSFODNN7EXAMPLE" {
		t.Errorf("[base] was not kept")
	}
	if p := set.Default.Profile; p != "roleA" && p != "roleB" {
		t.Errorf("[default] holds %q", p)
	}
}
