// Command tlsproxy puts TLS in front of a plain-HTTP server (moto_server in
// the benchmarks), so that clients pay for handshakes as they would against
// real STS:
//
//	go build -o tlsproxy ./bench/tlsproxy
//	tlsproxy -target http://127.0.0.1:5000 -ca ca.pem
//
// At start it makes a throw-away certificate authority and writes its PEM to
// the -ca path (clients trust it through AWS_CA_BUNDLE or SSL_CERT_FILE).
// When it is ready it prints two lines on standard output:
//
//	https://127.0.0.1:PORT   an endpoint: point AWS_ENDPOINT_URL_STS at it
//	http://127.0.0.1:PORT    an HTTPS proxy: point HTTPS_PROXY at it, for a
//	                         client that cannot be given an endpoint; every
//	                         CONNECT is answered with a certificate for the
//	                         host asked for, signed by the same authority
//
// Both end in the same server, which forwards every request to -target with
// httputil.ReverseProxy. GET /.tlsproxy/stats on the plain-HTTP address
// answers with what it has counted so far, as JSON: TLS handshakes (and how
// many of them resumed a session), CONNECT tunnels and forwarded requests. A
// benchmark reads it before and after a run to prove the client came through
// the proxy and to see how many connections it opened; asking in plain HTTP
// keeps the question out of the count.
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"flag"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	target := flag.String("target", "", "plain-HTTP server to forward to, e.g. http://127.0.0.1:5000")
	caPath := flag.String("ca", "", "where to write the certificate authority's PEM")
	flag.Parse()
	if err := run(*target, *caPath); err != nil {
		fmt.Fprintln(os.Stderr, "tlsproxy:", err)
		os.Exit(1)
	}
}

func run(target, caPath string) error {
	if target == "" || caPath == "" {
		return errors.New("-target and -ca are both required")
	}
	to, err := url.Parse(target)
	if err != nil || to.Scheme != "http" || to.Host == "" {
		return fmt.Errorf("-target %q: want http://HOST:PORT", target)
	}
	ca, err := newAuthority()
	if err != nil {
		return err
	}
	if err := os.WriteFile(caPath, ca.pem, 0o600); err != nil {
		return err
	}

	var st stats
	upstream := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(to) },
		Transport: &http.Transport{
			MaxIdleConnsPerHost: 64,
			IdleConnTimeout:     90 * time.Second,
		},
	}
	tunnels := newChanListener()
	tlsConf := &tls.Config{
		MinVersion:     tls.VersionTLS12,
		GetCertificate: ca.leafFor,
		VerifyConnection: func(cs tls.ConnectionState) error {
			st.Handshakes.Add(1)
			if cs.DidResume {
				st.Resumed.Add(1)
			}
			return nil
		},
	}
	srv := &http.Server{
		ReadHeaderTimeout: 10 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodConnect {
				tunnel(w, r, tunnels, &st)
				return
			}
			if r.URL.Path == "/.tlsproxy/stats" {
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(st.snapshot())
				return
			}
			st.Requests.Add(1)
			upstream.ServeHTTP(w, r)
		}),
	}

	direct, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	connect, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	errs := make(chan error, 3)
	go func() { errs <- srv.Serve(tls.NewListener(direct, tlsConf)) }()
	go func() { errs <- srv.Serve(tls.NewListener(tunnels, tlsConf)) }()
	// CONNECT arrives in plain HTTP; the tunnel it opens is served as TLS
	// through the tunnels listener by the same server.
	go func() { errs <- srv.Serve(connect) }()
	fmt.Printf("https://%s\nhttp://%s\n", direct.Addr(), connect.Addr())
	return <-errs
}

// stats are what the proxy has seen since it started.
type stats struct {
	Handshakes atomic.Int64
	Resumed    atomic.Int64
	Tunnels    atomic.Int64
	Requests   atomic.Int64
}

func (s *stats) snapshot() map[string]int64 {
	return map[string]int64{
		"handshakes": s.Handshakes.Load(),
		"resumed":    s.Resumed.Load(),
		"tunnels":    s.Tunnels.Load(),
		"requests":   s.Requests.Load(),
	}
}

// tunnel answers a CONNECT and hands the raw connection to the TLS server.
func tunnel(w http.ResponseWriter, r *http.Request, to *chanListener, st *stats) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		http.Error(w, "cannot tunnel", http.StatusInternalServerError)
		return
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	if buf.Reader.Buffered() > 0 {
		// The client spoke before it was answered: not a tunnel we can serve.
		conn.Close()
		return
	}
	if _, err := conn.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n")); err != nil {
		conn.Close()
		return
	}
	st.Tunnels.Add(1)
	to.conns <- conn
}

// chanListener is a net.Listener whose connections come from tunnels.
type chanListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newChanListener() *chanListener {
	return &chanListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *chanListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1)} }

// authority is a certificate authority made at start, and the leaf
// certificates it has signed, one per server name.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte

	mu     sync.Mutex
	leaves map[string]*tls.Certificate
}

func newAuthority() (*authority, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial(),
		Subject:               pkix.Name{CommonName: "rolecall bench CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	return &authority{
		cert:   cert,
		key:    key,
		pem:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		leaves: map[string]*tls.Certificate{},
	}, nil
}

// leafFor implements tls.Config.GetCertificate: a certificate for the name
// the client asked for (SNI), or for 127.0.0.1 and localhost when it sent
// none, as a client that dials an IP address does.
func (a *authority) leafFor(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
	name := hello.ServerName
	a.mu.Lock()
	defer a.mu.Unlock()
	if c, ok := a.leaves[name]; ok {
		return c, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:     []string{"localhost"},
	}
	if name != "" && net.ParseIP(name) == nil {
		tmpl.Subject.CommonName = name
		tmpl.DNSNames = append(tmpl.DNSNames, name)
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, a.cert, &key.PublicKey, a.key)
	if err != nil {
		return nil, err
	}
	c := &tls.Certificate{Certificate: [][]byte{der, a.cert.Raw}, PrivateKey: key}
	a.leaves[name] = c
	return c, nil
}

func serial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		panic(err)
	}
	return n
}
