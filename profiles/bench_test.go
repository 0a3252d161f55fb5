package profiles

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rolecall/rolecall/internal/profilegen"
)

// BenchmarkLoad10k reads, parses and resolves 10,000 generated profiles
// from disk, as `rolecall list` does.
func BenchmarkLoad10k(b *testing.B) {
	cfg, cred := profilegen.Generate(10000)
	dir := b.TempDir()
	files := Files{Config: filepath.Join(dir, "config"), Credentials: filepath.Join(dir, "credentials")}
	if err := os.WriteFile(files.Config, cfg, 0o600); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(files.Credentials, cred, 0o600); err != nil {
		b.Fatal(err)
	}
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
