package session

import (
	"encoding/pem"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
)

// tlsSTS puts the fake STS behind TLS, as real STS is, records which
// connection served each request, and writes its certificate where
// AWS_CA_BUNDLE can name it. A new connection is accepted only after a
// pause, as a TLS handshake to a real endpoint takes tens of
// milliseconds (pause): a client that keeps its connection never waits
// for it.
func tlsSTS(t testing.TB, w *world, pause time.Duration) (url, bundle string, served *servedBy) {
	t.Helper()
	served = &servedBy{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		served.add(r.RemoteAddr)
		w.sts.ServeHTTP(rw, r)
	}))
	srv.Listener = &slowListener{Listener: srv.Listener, pause: pause}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // refused handshakes are the point of TestCABundle
	srv.StartTLS()
	t.Cleanup(srv.Close)
	bundle = filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	return srv.URL, bundle, served
}

// servedBy records the client address of each request, in order.
type servedBy struct {
	mu    sync.Mutex
	addrs []string
}

func (s *servedBy) add(a string) {
	s.mu.Lock()
	s.addrs = append(s.addrs, a)
	s.mu.Unlock()
}

func (s *servedBy) connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for _, a := range s.addrs {
		seen[a] = true
	}
	return len(seen)
}

// slowListener accepts its first connection at once and every later one
// after a pause.
type slowListener struct {
	net.Listener
	pause time.Duration
	n     atomic.Int32
}

func (l *slowListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil && l.n.Add(1) > 1 {
		time.Sleep(l.pause)
	}
	return c, err
}

// TestAChainMakesOneConnection: the hops of a chain, and later calls of
// the same process, go over one kept-alive TLS connection instead of a
// handshake each.
func TestAChainMakesOneConnection(t *testing.T) {
	w := newWorld(t)
	url, bundle, served := tlsSTS(t, w, 300*time.Millisecond)
	m := w.manager(env{"AWS_ENDPOINT_URL_STS": url, "AWS_CA_BUNDLE": bundle}, Options{})
	if _, err := m.Assume(ctx, "chained"); err != nil { // user → dev → chained: two AssumeRole
		t.Fatal(err)
	}
	if got := stsfake.Actions(w.sts.Calls()); len(got) != 2 {
		t.Fatalf("calls %v, want two hops", got)
	}
	if n := served.connections(); n != 1 {
		t.Errorf("the two hops of a chain went over %d connections, want 1", n)
	}
	if _, err := m.Renew(ctx, "dev"); err != nil {
		t.Fatal(err)
	}
	if n := served.connections(); n != 1 {
		t.Errorf("a later call of the same process used a new connection (%d in all)", n)
	}
}

func TestCABundle(t *testing.T) {
	w := newWorld(t)
	url, bundle, _ := tlsSTS(t, w, 300*time.Millisecond)
	// Without the bundle the test server's certificate is not trusted.
	if _, err := w.manager(env{"AWS_ENDPOINT_URL_STS": url}, Options{}).Assume(ctx, "dev"); err == nil {
		t.Fatal("a certificate no root signed was accepted")
	}
	if _, err := w.manager(env{"AWS_ENDPOINT_URL_STS": url, "AWS_CA_BUNDLE": bundle}, Options{}).Assume(ctx, "dev"); err != nil {
		t.Fatalf("with AWS_CA_BUNDLE: %v", err)
	}
	notPEM := filepath.Join(t.TempDir(), "bundle")
	os.WriteFile(notPEM, []byte("not a certificate"), 0o600)
	for _, b := range []string{notPEM, filepath.Join(t.TempDir(), "missing.pem")} {
		_, err := w.manager(env{"AWS_ENDPOINT_URL_STS": url, "AWS_CA_BUNDLE": b}, Options{}).Renew(ctx, "dev")
		if err == nil || !strings.Contains(err.Error(), "AWS_CA_BUNDLE") {
			t.Errorf("AWS_CA_BUNDLE=%s: %v, want an error naming it", b, err)
		}
	}
}

// threeHops adds a third role on top of chained (user → dev → chained →
// third).
const threeHops = `
[profile third]
role_arn = arn:aws:iam::555555555555:role/third
source_profile = chained
`

// BenchmarkAssumeColdTLS is a cold process's assume over TLS: a new
// Manager (so a new connection and handshake) and a fresh session each
// time, one hop (dev) against three (third). The three-hop case should
// cost well under 1.5× the one-hop one, as its later hops reuse the
// first hop's connection; handshakes/op says how many connections a run
// opened.
func BenchmarkAssumeColdTLS(b *testing.B) {
	w := newWorld(b)
	w.write(worldConfig+threeHops, worldCreds)
	url, bundle, served := tlsSTS(b, w, 0)
	for _, tc := range []struct{ name, profile string }{{"one-hop", "dev"}, {"three-hop", "third"}} {
		b.Run(tc.name, func(b *testing.B) {
			before := served.connections()
			b.ReportAllocs()
			for b.Loop() {
				m := w.manager(env{"AWS_ENDPOINT_URL_STS": url, "AWS_CA_BUNDLE": bundle}, Options{CacheDir: b.TempDir()})
				if _, err := m.Renew(ctx, tc.profile); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(served.connections()-before)/float64(b.N), "handshakes/op")
		})
	}
}
