package cli

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofrs/flock"
	"github.com/rolecall/rolecall/internal/testenv"
)

// credSections splits a credentials file into its sections' keys, the
// way a plain INI reader does; enough for the well-formed files here.
func credSections(text string) map[string]map[string]string {
	out := map[string]map[string]string{}
	var cur map[string]string
	for _, line := range strings.Split(text, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(t, "[") && strings.HasSuffix(t, "]"):
			cur = map[string]string{}
			out[strings.TrimSpace(t[1:len(t)-1])] = cur
		case cur != nil && strings.Contains(t, "="):
			k, v, _ := strings.Cut(t, "=")
			cur[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// TestHandoffUseRacesAWSConfigureSet runs `rolecall use` in a loop while
// another loop runs `aws configure set`, which truncates the file and
// rewrites it in place without a lock. No section and no edit of the AWS
// CLI may be lost.
func TestHandoffUseRacesAWSConfigureSet(t *testing.T) {
	awsBin := testenv.RequireTool(t, "aws")
	moto := testenv.StartMoto(t)
	w := newHandoffWorld(t, moto, "credentials")
	var b strings.Builder
	b.WriteString(w.credsText())
	b.WriteString("\n[user]\naws_access_key_id = AKIAUSERSTART0000000\naws_secret_access_key = user-not-a-real-secret\n")
	const teams = 20
	for i := range teams {
		fmt.Fprintf(&b, "\n# team %d\n[team%d]\naws_access_key_id = AKIATEAM%012d\naws_secret_access_key = team-%d-not-a-real-secret\nregion = eu-west-1\n", i, i, i, i)
	}
	if err := os.WriteFile(w.creds, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	want := credSections(b.String())
	sections := len(want)
	for _, p := range []string{"roleA", "roleB"} {
		if code, _, errOut := w.rolecall("assume", p); code != 0 {
			t.Fatalf("assume %s exited %d: %s", p, code, errOut)
		}
	}

	rounds := 100
	if os.Getenv("ROLECALL_LONG_TESTS") == "1" {
		rounds = 400
	}
	// snapshot reads the file while no rolecall writes it, so that a
	// write in flight is never mistaken for a loss.
	lock := flock.New(w.creds + ".lock")
	snapshot := func() map[string]map[string]string {
		t.Helper()
		if err := lock.Lock(); err != nil {
			t.Fatalf("lock: %v", err)
		}
		defer lock.Unlock()
		return credSections(w.credsText())
	}
	missingSections := func(got map[string]map[string]string) []string {
		var out []string
		for name := range want {
			if name != "default" && got[name] == nil {
				out = append(out, name)
			}
		}
		return out
	}

	var done atomic.Bool
	var useRuns, useFailed atomic.Int32
	var firstFailure atomic.Value
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; !done.Load(); i++ {
			c := exec.Command(w.bin, "use", []string{"roleA", "roleB"}[i%2])
			c.Env = w.env
			var errOut bytes.Buffer
			c.Stderr = &errOut
			useRuns.Add(1)
			if err := c.Run(); err != nil {
				useFailed.Add(1)
				firstFailure.CompareAndSwap(nil, firstLine(errOut.String()))
			}
			// A short breath, so that on a small machine the AWS CLI
			// still gets a core.
			time.Sleep(time.Duration(rand.IntN(40)) * time.Millisecond)
		}
	})

	lost, maxMissing := 0, 0
	last := want["user"]["aws_access_key_id"]
	start := time.Now()
	for i := range rounds {
		got := snapshot()
		if got["user"]["aws_access_key_id"] != last {
			lost++
		}
		maxMissing = max(maxMissing, len(missingSections(got)))
		last = fmt.Sprintf("AKIAEDIT%012d", i)
		c := exec.Command(awsBin, "configure", "set", "aws_access_key_id", last, "--profile", "user")
		c.Env = w.env
		if out, err := c.CombinedOutput(); err != nil {
			done.Store(true)
			wg.Wait()
			t.Fatalf("aws configure set failed: %v: %s", err, firstLine(string(out)))
		}
	}
	done.Store(true)
	wg.Wait()
	final := snapshot()
	if final["user"]["aws_access_key_id"] != last {
		lost++
	}
	missing := missingSections(final)
	maxMissing = max(maxMissing, len(missing))
	t.Logf("%d aws configure set rounds and %d rolecall use runs in %v: %d edits lost, at most %d of %d sections missing, %d use runs failed",
		rounds, useRuns.Load(), time.Since(start).Round(time.Second), lost, maxMissing, sections, useFailed.Load())
	if lost > 0 {
		t.Errorf("%d of %d aws configure set edits were lost", lost, rounds)
	}
	if maxMissing > 0 {
		t.Errorf("sections were lost (at most %d at once; missing at the end: %v)", maxMissing, missing)
	}
	for name, keys := range want {
		if name == "default" || name == "user" || final[name] == nil {
			continue
		}
		for k, v := range keys {
			if final[name][k] != v {
				t.Errorf("[%s] %s changed", name, k)
			}
		}
	}
	if n := useFailed.Load(); n > 0 {
		t.Errorf("%d of %d rolecall use runs failed; first: %v", n, useRuns.Load(), firstFailure.Load())
	}
	if p := final["default"]["rolecall_profile"]; p != "roleA" && p != "roleB" {
		t.Errorf("[default] holds %q at the end, want a rolecall session", p)
	}
}

// `use --clear` decides under the lock whose keys [default] holds: long-term
// keys typed in with `aws configure set` over rolecall's lines stay.
func TestHandoffUseClearKeepsForeignKeys(t *testing.T) {
	path := filepath.Join(t.TempDir(), "credentials")
	before := "[default]\naws_access_key_id = AKIATYPEDINLATER001\naws_secret_access_key = typed-not-a-real-secret\n" +
		"aws_session_token = rolecalls-old-token\nrolecall_profile = roleA\nrolecall_access_key_id = ASIAWRITTENBYROLECALL\n"
	if err := os.WriteFile(path, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runIn(nil, "", false, "--config", filepath.Join(t.TempDir(), "config"), "--credentials", path, "use", "--clear")
	if code != exitFailed || !strings.Contains(errOut, "was not written by rolecall") || !strings.Contains(errOut, "long-term keys (AKIA…R001)") {
		t.Errorf("exit %d, stdout %q, stderr %q; want a refusal naming the long-term keys", code, out, errOut)
	}
	if strings.Contains(errOut, "typed-not-a-real-secret") || strings.Contains(errOut, "rolecalls-old-token") {
		t.Errorf("the refusal reveals a secret")
	}
	if got, _ := os.ReadFile(path); string(got) != before {
		t.Errorf("use --clear changed the file")
	}
}
