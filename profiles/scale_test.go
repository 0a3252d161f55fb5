package profiles

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/profilegen"
)

// TestLongChainIsCutAtMaxChainHops: a 5,000-role chain resolves up to
// MaxChainHops and every deeper profile gets a short error instead of a
// chain as long as the config, while the profiles beside it are unharmed.
func TestLongChainIsCutAtMaxChainHops(t *testing.T) {
	set, err := parseLoad(t, string(profilegen.Chain(5000)))
	if err != nil {
		t.Fatal(err)
	}
	if p := set.Get("unrelated"); p.Err != nil || len(p.Chain.Roles) != 1 {
		t.Fatalf("unrelated: %v", p.Err)
	}
	last := fmt.Sprintf("h%d", MaxChainHops-1)
	if p := set.Get(last); p.Err != nil || len(p.Chain.Roles) != MaxChainHops {
		t.Fatalf("%s: error %v, want a chain of %d roles", last, p.Err, MaxChainHops)
	}
	for _, name := range []string{fmt.Sprintf("h%d", MaxChainHops), "h4999"} {
		p := set.Get(name)
		if p.Err == nil || p.Chain != nil {
			t.Fatalf("%s resolved past the cap", name)
		}
		msg := p.Err.Error()
		if !strings.Contains(msg, fmt.Sprintf("longer than %d", MaxChainHops)) || len(msg) > 400 {
			t.Errorf("%s: %d-byte error %q, want a short one naming the cap", name, len(msg), msg)
		}
	}
}

// TestLoopMessagesStayShort: a loop through hundreds of profiles is
// reported on each of them with the path cut short.
func TestLoopMessagesStayShort(t *testing.T) {
	var b strings.Builder
	const n = 40
	for i := range n {
		fmt.Fprintf(&b, "[profile c%d]\nrole_arn = arn:aws:iam::123456789012:role/c\nsource_profile = c%d\n", i, (i+1)%n)
	}
	set, err := parseLoad(t, b.String())
	if err != nil {
		t.Fatal(err)
	}
	msg := set.Get("c0").Err.Error()
	if !strings.Contains(msg, "source_profile loop: c0 -> c1") || !strings.Contains(msg, "more)") || !strings.Contains(msg, "-> c0 (end the chain") {
		t.Errorf("loop message %q", msg)
	}
}

// TestHopsHeldAreBounded: a long trunk shared by many leaves cannot make
// the Set hold trunk × leaves hops; the leaves past the bound say why.
func TestHopsHeldAreBounded(t *testing.T) {
	const leaves = 30000
	set, err := parseLoad(t, string(profilegen.Fan(MaxChainHops-1, leaves)))
	if err != nil {
		t.Fatal(err)
	}
	held, deep, refused := 0, 0, 0
	for _, p := range set.Profiles {
		if p.Chain != nil {
			held += len(p.Chain.Roles)
			if len(p.Chain.Roles) > shortChain {
				deep += len(p.Chain.Roles)
			}
		} else if p.Err != nil && strings.Contains(p.Err.Error(), "shorten the long chains") {
			refused++
		}
	}
	if limit := (shortChain+deepHopsPerProfile)*len(set.Profiles) + hopsSpare; held > limit {
		t.Errorf("the Set holds %d hops, more than %d", held, limit)
	}
	// The chains longer than shortChain share deepHopsPerProfile hops per
	// profile plus hopsSpare, however the profiles are split to resolve
	// them; the budget is used up to less than one leaf's chain per half
	// (the config is large enough to be resolved in two).
	budget := deepHopsPerProfile*len(set.Profiles) + hopsSpare
	if deep > budget || deep < budget-2*(MaxChainHops+1) {
		t.Errorf("the chains of more than %d roles hold %d hops, want the budget of %d hops used up", shortChain, deep, budget)
	}
	if refused == 0 {
		t.Error("no leaf was refused")
	}
	// Short chains resolve whatever the long ones took, though the
	// leaves sort before them.
	if p := set.Get(fmt.Sprintf("t%d", shortChain-1)); p.Err != nil {
		t.Errorf("a chain of %d roles was refused: %v", shortChain, p.Err)
	}
}

func TestFileSizeLimit(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "config")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	line := []byte("# a comment line that fills the file up to the limit and past it\n")
	for written := 0; written <= MaxFileSize; written += len(line) {
		f.Write(line)
	}
	f.Close()
	_, err = Load(Files{Config: big})
	if err == nil || !strings.Contains(err.Error(), "larger than 16 MiB") || !strings.Contains(err.Error(), big) {
		t.Fatalf("Load of a %d-byte file: %v", MaxFileSize+len(line), err)
	}
	// A stream that reports no size is cut at the limit too.
	if _, err := os.Stat("/dev/zero"); err == nil {
		if _, err := readSettled("/dev/zero"); !errors.Is(err, errTooLarge) {
			t.Errorf("readSettled(/dev/zero): %v", err)
		}
	}
}

// parseLoad writes config to a temp dir and loads it.
func parseLoad(t testing.TB, config string) (*Set, error) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return Load(Files{Config: path})
}

// TestHopBudgetEdges: a chain longer than shortChain is kept while it fits
// in what is left of the budget, exactly to the last hop; once the budget
// is spent, longer chains get the error; chains of up to shortChain roles
// never count against it.
func TestHopBudgetEdges(t *testing.T) {
	hops := func(n int) []*Profile {
		h := make([]*Profile, n)
		for i := range h {
			h[i] = &Profile{Name: fmt.Sprintf("p%d", i), Props: Props{{Key: keyRoleARN, Value: Value{Pos: Pos{File: "config", Line: i + 1}}}}}
		}
		return h
	}
	root := &Root{Kind: RootStatic, Profile: "base"}
	r := &resolver{budget: 2 * (shortChain + 1)}
	for i := range 2 {
		if _, err := r.chain(root, hops(shortChain+1)); err != nil {
			t.Fatalf("chain %d of %d roles within the budget: %v", i+1, shortChain+1, err)
		}
	}
	if r.budget != 0 {
		t.Fatalf("budget left %d, want 0", r.budget)
	}
	if _, err := r.chain(root, hops(shortChain+1)); err == nil || !strings.Contains(err.Error(), "shorten the long chains") {
		t.Errorf("a chain of %d roles past the budget: %v, want it refused", shortChain+1, err)
	}
	if c, err := r.chain(root, hops(shortChain)); err != nil || len(c.Roles) != shortChain {
		t.Errorf("a chain of %d roles with the budget spent: %v, want it kept", shortChain, err)
	}
}
