package session

import (
	"context"
	"testing"

	"github.com/rolecall/rolecall/internal/testenv"
)

// BenchmarkAssumeCached is the warm path Assume, Cached and
// credential-process rely on: read one cache file, no SDK, no network.
func BenchmarkAssumeCached(b *testing.B) {
	moto := testenv.StartMoto(b)
	m := New(loadSet(b, "moto"), Options{CacheDir: b.TempDir(), Getenv: env{"AWS_ENDPOINT_URL_STS": moto.URL}.get})
	ctx := context.Background()
	if _, err := m.Assume(ctx, "three"); err != nil {
		b.Fatal(err)
	}
	moto.Stop()
	b.ReportAllocs()
	for b.Loop() {
		s, err := m.Assume(ctx, "three")
		if err != nil || !s.FromCache {
			b.Fatal("cache miss")
		}
	}
}

// BenchmarkAssumeCold assumes fresh sessions from moto on loopback.
func BenchmarkAssumeCold(b *testing.B) {
	moto := testenv.StartMoto(b)
	for _, profile := range []string{"one", "three"} {
		b.Run(profile, func(b *testing.B) {
			m := New(loadSet(b, "moto"), Options{CacheDir: b.TempDir(), Getenv: env{"AWS_ENDPOINT_URL_STS": moto.URL}.get})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := m.Renew(ctx, profile); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
