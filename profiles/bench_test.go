package profiles

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/rolecall/rolecall/internal/profilegen"
)

// BenchmarkLoad10k reads, parses and resolves 10,000 generated profiles
// from disk, as `rolecall list` does.
func BenchmarkLoad10k(b *testing.B) {
	cfg, cred := profilegen.Generate(10000)
	config, credentials, err := profilegen.WriteFiles(b.TempDir(), cfg, cred)
	if err != nil {
		b.Fatal(err)
	}
	files := Files{Config: config, Credentials: credentials}
	b.SetBytes(int64(len(cfg) + len(cred)))
	b.ReportAllocs()
	for b.Loop() {
		set, err := Load(files)
		if err != nil || len(set.Profiles) != 10000 {
			b.Fatalf("Load: %v", err)
		}
	}
}

// BenchmarkParse10k is the reader alone on the same text.
func BenchmarkParse10k(b *testing.B) {
	cfg, cred := profilegen.Generate(10000)
	c, k := string(cfg), string(cred)
	b.SetBytes(int64(len(cfg) + len(cred)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := parseBoth(c, "config", k, "credentials", parseOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad5000Hops loads a config holding a chain of 5,000 roles
// next to an unrelated profile: resolution must stay linear in the size
// of the config (milliseconds), not quadratic in the chain's length.
func BenchmarkLoad5000Hops(b *testing.B) {
	set, err := parseLoad(b, string(profilegen.Chain(5000)))
	if err != nil || set.Get("unrelated").Err != nil {
		b.Fatalf("Load: %v", err)
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "config")
	os.WriteFile(path, profilegen.Chain(5000), 0o600)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(Files{Config: path}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseBuild400k parses and resolves 400,000 generated profiles
// (a 67 MB config) in memory: the cost per profile behind MaxFileSize.
// Load itself refuses a file that large (BenchmarkLoadRefused).
func BenchmarkParseBuild400k(b *testing.B) {
	cfg, cred := profilegen.Generate(400000)
	c, k := string(cfg), string(cred)
	b.SetBytes(int64(len(cfg) + len(cred)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := parseBoth(c, "config", k, "credentials", parseOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if set := build(m); len(set.Profiles) != 400000 {
			b.Fatalf("%d profiles", len(set.Profiles))
		}
	}
}

// BenchmarkLoadRefused is Load of the 400,000-profile config, which is
// over MaxFileSize: refused from its size, without reading it.
func BenchmarkLoadRefused(b *testing.B) {
	cfg, _ := profilegen.Generate(400000)
	path := filepath.Join(b.TempDir(), "config")
	os.WriteFile(path, cfg, 0o600)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(Files{Config: path}); err == nil {
			b.Fatal("a 67 MB config was loaded")
		}
	}
}

// BenchmarkParseBuildPerProfile parses and resolves 10,000, 100,000 and
// 400,000 generated profiles in memory and reports the cost per profile:
// listing stays linear while ns/profile at 400,000 stays within 1.2× of
// that at 10,000.
func BenchmarkParseBuildPerProfile(b *testing.B) {
	for _, n := range []int{10000, 100000, 400000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			cfg, cred := profilegen.Generate(n)
			c, k := string(cfg), string(cred)
			b.ReportAllocs()
			for b.Loop() {
				m, err := parseBoth(c, "config", k, "credentials", parseOptions{})
				if err != nil {
					b.Fatal(err)
				}
				if set := build(m); len(set.Profiles) != n {
					b.Fatalf("%d profiles", len(set.Profiles))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/profile")
		})
	}
}
