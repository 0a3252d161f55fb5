package profilegen_test

import (
	"bytes"
	"strconv"
	"testing"

	"github.com/rolecall/rolecall/internal/profilegen"
	"github.com/rolecall/rolecall/profiles"
)

func TestGenerate(t *testing.T) {
	for _, n := range []int{10, 1000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			cfg, cred := profilegen.Generate(n)
			cfg2, cred2 := profilegen.Generate(n)
			if !bytes.Equal(cfg, cfg2) || !bytes.Equal(cred, cred2) {
				t.Fatal("Generate is not deterministic")
			}
			config, credentials, err := profilegen.WriteFiles(t.TempDir(), cfg, cred)
			if err != nil {
				t.Fatal(err)
			}
			set, err := profiles.Load(profiles.Files{Config: config, Credentials: credentials})
			if err != nil {
				t.Fatal(err)
			}
			if len(set.Profiles) != n || len(set.Problems) != 0 {
				t.Fatalf("%d profiles and %d problems, want %d and none", len(set.Profiles), len(set.Problems), n)
			}
			kinds := map[profiles.Kind]int{}
			roots := map[profiles.RootKind]int{}
			maxHops := 0
			for _, p := range set.Profiles {
				if p.Err != nil {
					t.Errorf("%s: %v", p.Name, p.Err)
				}
				kinds[p.Kind]++
				if p.Chain != nil {
					roots[p.Chain.Root.Kind]++
					maxHops = max(maxHops, len(p.Chain.Roles))
				}
			}
			if kinds[profiles.KindStatic] == 0 || kinds[profiles.KindRole] == 0 || kinds[profiles.KindSSO] == 0 {
				t.Errorf("kinds = %v, want static, role and sso", kinds)
			}
			if n >= 1000 && (maxHops != 3 || roots[profiles.RootIMDS] == 0 || roots[profiles.RootEnvironment] == 0 || roots[profiles.RootECS] == 0) {
				t.Errorf("max hops %d, roots %v: want chains three deep and every credential_source", maxHops, roots)
			}
		})
	}
}
