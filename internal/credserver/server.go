// Package credserver is rolecall's local credentials endpoint: the HTTP
// server that AWS SDKs and the AWS CLI read through
// AWS_CONTAINER_CREDENTIALS_FULL_URI and AWS_CONTAINER_AUTHORIZATION_TOKEN,
// as they read a container's credentials. It serves any
// aws.CredentialsProvider (session.Manager.Provider in rolecall), answers
// from memory, renews in the background before the credentials it holds
// are due, and makes a request wait for a renewal only when what it holds
// can no longer be handed out. It listens on 127.0.0.1 alone and answers
// only requests that carry its 256-bit token and a loopback Host.
package credserver

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
)

// Rules are a source's own renewal rules; session.Manager.Provider's value
// has them. A source without them is renewed under session.ServePolicy
// from the moment its credentials arrive, and served while they outlive
// session.MinLife.
type Rules interface {
	// RenewAt is when c becomes due for renewal; zero for never.
	RenewAt(c aws.Credentials) time.Time
	// Servable reports whether c may still be handed out at now.
	Servable(c aws.Credentials, now time.Time) bool
}

// Options configure a Server. Zero values mean the defaults.
type Options struct {
	// Name is what is served, for log lines and errors: the profile.
	Name string
	// Port is the loopback port to listen on; 0 picks a free one.
	Port int
	// Log gets one line for each event worth knowing (a renewal that
	// failed, the first refused request of each kind); nil means none. No
	// line holds a secret.
	Log io.Writer
	// Verbose also logs each renewal (rolecall serve, in its own terminal).
	Verbose bool
	// UserHint says what to do when a renewal needs the user (a new MFA
	// code), e.g. "run 'rolecall renew dev' in a terminal".
	UserHint string
	// RenewTimeout bounds one renewal, a prompt for an MFA code included;
	// 5 minutes by default.
	RenewTimeout time.Duration
	// Wait bounds how long a request waits for a renewal when nothing
	// servable is held; 10 seconds by default.
	Wait time.Duration
	// Now is the clock the rules are read on; time.Now when nil.
	Now func() time.Time
}

// Stats counts what the endpoint answered.
type Stats struct {
	Served   int64 // credentials handed out
	Failed   int64 // requests answered with an error: nothing to serve
	NoToken  int64 // refused: no Authorization header
	BadToken int64 // refused: a wrong token
	BadHost  int64 // refused: a Host that is not loopback (DNS rebinding)
	Browser  int64 // refused: an Origin header, which only browsers send
	Other    int64 // refused: another method or path
}

// Refused is the number of requests refused, all kinds together.
func (s Stats) Refused() int64 { return s.NoToken + s.BadToken + s.BadHost + s.Browser + s.Other }

// Server is a running endpoint. Close stops it.
type Server struct {
	src   aws.CredentialsProvider
	rules Rules
	opts  Options
	token string
	url   string
	srv   *http.Server

	ctx    context.Context
	cancel context.CancelFunc
	wake   chan struct{}
	loop   sync.WaitGroup

	mu       sync.Mutex
	cur      *held
	running  chan struct{} // closed when the renewal under way ends; nil when none is
	failures int
	lastErr  error
	nextTry  time.Time
	logged   string // the failure last logged, so a retry does not repeat it

	served, failed                             atomic.Int64
	noToken, badToken, badHost, browser, other atomic.Int64
	closeOnce                                  sync.Once
}

// held is the credentials in memory and their answer, rendered once.
type held struct {
	creds   aws.Credentials
	renewAt time.Time
	body    []byte
}

// Start gets the first credentials from src, listens on 127.0.0.1 and
// serves until Close; the end of ctx stops its renewals. It fails when src gives none, or
// gives long-term keys, which AWS SDKs do not take from an endpoint.
func Start(ctx context.Context, src aws.CredentialsProvider, opts Options) (*Server, error) {
	if opts.RenewTimeout <= 0 {
		opts.RenewTimeout = 5 * time.Minute
	}
	if opts.Wait <= 0 {
		opts.Wait = 10 * time.Second
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{src: src, opts: opts, token: newToken(), wake: make(chan struct{}, 1)}
	if r, ok := src.(Rules); ok {
		s.rules = r
	}
	first, cancel := context.WithTimeout(ctx, opts.RenewTimeout)
	c, err := src.Retrieve(first)
	cancel()
	if err != nil {
		return nil, err
	}
	if !c.CanExpire {
		return nil, fmt.Errorf("%s gives long-term keys, which never expire; the endpoint serves only sessions (AWS SDKs want an expiry from it): hand them on with 'rolecall exec' (without --server) or 'rolecall env'", s.name())
	}
	if !s.servable(c, opts.Now()) {
		return nil, fmt.Errorf("%s gave credentials that expire at %s, too soon to serve", s.name(), c.Expires.UTC().Format(time.RFC3339))
	}
	s.cur = s.hold(c)

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(opts.Port)))
	if err != nil {
		if opts.Port != 0 {
			return nil, fmt.Errorf("listen on 127.0.0.1:%d: %v; pick another --port, or leave it out for a free one", opts.Port, errors.Unwrap(err))
		}
		return nil, fmt.Errorf("listen on 127.0.0.1: %w", err)
	}
	s.url = "http://" + ln.Addr().String() + "/"
	s.srv = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      opts.Wait + 10*time.Second,
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    16 << 10,
		// A malformed request is the client's business, not a line on
		// the child's terminal.
		ErrorLog: log.New(io.Discard, "", 0),
	}
	s.ctx, s.cancel = context.WithCancel(ctx)
	go func() { _ = s.srv.Serve(ln) }()
	s.loop.Add(1)
	go s.renewLoop()
	return s, nil
}

// URL is the endpoint's address, for AWS_CONTAINER_CREDENTIALS_FULL_URI.
func (s *Server) URL() string { return s.url }

// Token is the secret a request must carry in its Authorization header,
// for AWS_CONTAINER_AUTHORIZATION_TOKEN. Hand it to the child's
// environment and nowhere else.
func (s *Server) Token() string { return s.token }

// Stats returns the counts so far.
func (s *Server) Stats() Stats {
	return Stats{Served: s.served.Load(), Failed: s.failed.Load(), NoToken: s.noToken.Load(), BadToken: s.badToken.Load(),
		BadHost: s.badHost.Load(), Browser: s.browser.Load(), Other: s.other.Load()}
}

// Close stops the endpoint at once: it no longer accepts connections, and
// a renewal under way is cancelled. If it refused requests, it logs how
// many of each kind. It is safe to call more than once.
func (s *Server) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.cancel()
		err = s.srv.Close()
		s.loop.Wait()
		if st := s.Stats(); st.Refused() > 0 {
			s.logf("refused %d request(s) in all: %d without the token, %d with a wrong one, %d for a Host that is not loopback, %d from a browser, %d other",
				st.Refused(), st.NoToken, st.BadToken, st.BadHost, st.Browser, st.Other)
		}
	})
	return err
}

func newToken() string {
	b := make([]byte, 32) // 256 bits
	_, _ = rand.Read(b)   // crypto/rand.Read never fails; it crashes the program instead
	return hex.EncodeToString(b)
}

func (s *Server) name() string {
	if s.opts.Name == "" {
		return "the source"
	}
	return s.opts.Name
}

func (s *Server) logf(format string, args ...any) {
	if s.opts.Log == nil {
		return
	}
	fmt.Fprintln(s.opts.Log, termsafe.Clean("rolecall: endpoint for "+s.name()+": "+fmt.Sprintf(format, args...)))
}

func (s *Server) renewAt(c aws.Credentials, got time.Time) time.Time {
	if s.rules != nil {
		return s.rules.RenewAt(c)
	}
	if !c.CanExpire {
		return time.Time{}
	}
	return session.ServePolicy().DueAt(got, c.Expires)
}

func (s *Server) servable(c aws.Credentials, now time.Time) bool {
	if s.rules != nil {
		return s.rules.Servable(c, now)
	}
	return c.AccessKeyID != "" && (!c.CanExpire || c.Expires.After(now.Add(session.MinLife)))
}

// wire is the answer AWS SDKs and the AWS CLI parse. botocore reads Token
// and Expiration unconditionally, and the SDKs take AccountId when given.
type wire struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string `json:"SecretAccessKey"`
	Token           string `json:"Token"`
	Expiration      string `json:"Expiration"`
	AccountID       string `json:"AccountId,omitempty"`
}

func (s *Server) hold(c aws.Credentials) *held {
	body, _ := json.Marshal(wire{AccessKeyID: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey, Token: c.SessionToken,
		Expiration: c.Expires.UTC().Format(time.RFC3339), AccountID: c.AccountID})
	return &held{creds: c, renewAt: s.renewAt(c, s.opts.Now()), body: body}
}

// renewLoop starts a renewal when the held credentials are due (or the
// backoff after a failure ends). It wakes at least every 30 seconds and
// reads the wall clock, so a laptop that slept past the due time renews
// when it wakes.
func (s *Server) renewLoop() {
	defer s.loop.Done()
	const maxSleep = 30 * time.Second
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		s.mu.Lock()
		sleep := maxSleep
		if s.running == nil {
			due := s.cur.renewAt
			if s.nextTry.After(due) {
				due = s.nextTry
			}
			if !due.IsZero() {
				if wait := due.Sub(s.opts.Now()); wait <= 0 {
					s.startRenewalLocked()
				} else if wait < sleep {
					sleep = wait
				}
			}
		}
		s.mu.Unlock()
		timer.Reset(sleep)
		select {
		case <-s.ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
	}
}

func (s *Server) kick() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// startRenewalLocked starts a renewal unless one is under way, and
// returns the channel closed when it ends.
func (s *Server) startRenewalLocked() chan struct{} {
	if s.running != nil {
		return s.running
	}
	done := make(chan struct{})
	s.running = done
	go s.renew(done)
	return done
}

func (s *Server) renew(done chan struct{}) {
	ctx, cancel := context.WithTimeout(s.ctx, s.opts.RenewTimeout)
	c, err := s.src.Retrieve(ctx)
	cancel()
	now := s.opts.Now()
	s.mu.Lock()
	defer func() {
		s.running = nil
		close(done)
		s.mu.Unlock()
		s.kick()
	}()
	if s.ctx.Err() != nil {
		return
	}
	var next *held
	if err == nil {
		next = s.hold(c)
		switch {
		case !s.servable(c, now):
			err = fmt.Errorf("%s gave credentials that expire at %s, too soon to serve", s.name(), c.Expires.UTC().Format(time.RFC3339))
		case !next.renewAt.IsZero() && !now.Before(next.renewAt):
			// The source gave nothing fresher: serve it, but wait before
			// asking again rather than spin.
			s.cur = next
			err = fmt.Errorf("%s gave no credentials fresher than those it gave before (they expire at %s)", s.name(), c.Expires.UTC().Format(time.RFC3339))
		}
	}
	if err != nil {
		s.failures++
		s.lastErr = err
		s.nextTry = now.Add(session.ServePolicy().RetryAfter(s.failures, err))
		s.logFailureLocked(err, now)
		return
	}
	if s.failures > 0 {
		s.logf("renewed after %d failed attempt(s); expires %s", s.failures, c.Expires.UTC().Format(time.RFC3339))
	} else if s.opts.Verbose {
		s.logf("renewed; expires %s", c.Expires.UTC().Format(time.RFC3339))
	}
	s.cur, s.failures, s.lastErr, s.nextTry, s.logged = next, 0, nil, time.Time{}, ""
}

// logFailureLocked logs a failed renewal in one line, once per distinct
// failure.
func (s *Server) logFailureLocked(err error, now time.Time) {
	msg := s.explain(err)
	if msg == s.logged {
		return
	}
	s.logged = msg
	if s.cur != nil && s.servable(s.cur.creds, now) {
		msg += fmt.Sprintf(" (serving the current credentials meanwhile; they expire at %s)", s.cur.creds.Expires.UTC().Format(time.RFC3339))
	}
	s.logf("%s", msg)
}

// explain turns a renewal's error into one line that says what to do.
func (s *Server) explain(err error) string {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	if errors.Is(err, session.ErrMFARequired) && s.opts.UserHint != "" {
		msg = "renewing needs a new MFA code: " + s.opts.UserHint
	}
	return msg
}

// errStillRenewing answers a request that waited its limit for a renewal.
var errStillRenewing = errors.New("still renewing the session (if rolecall asks for an MFA code on the terminal, type it there)")

// credentials returns the answer for a request: the held credentials while
// they can be served (starting a renewal in the background when they are
// due), else the outcome of a renewal, waited for up to Options.Wait.
func (s *Server) credentials(ctx context.Context) ([]byte, error) {
	now := s.opts.Now()
	s.mu.Lock()
	if cur := s.cur; cur != nil && s.servable(cur.creds, now) {
		if !cur.renewAt.IsZero() && !now.Before(cur.renewAt) && !now.Before(s.nextTry) {
			s.startRenewalLocked()
		}
		s.mu.Unlock()
		return cur.body, nil
	}
	done := s.running
	if done == nil {
		if s.lastErr != nil && now.Before(s.nextTry) {
			// Backing off after a failure: a request must not turn into a
			// call to STS each.
			err := s.lastErr
			s.mu.Unlock()
			return nil, err
		}
		done = s.startRenewalLocked()
	}
	s.mu.Unlock()
	t := time.NewTimer(s.opts.Wait)
	defer t.Stop()
	select {
	case <-done:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		return nil, errStillRenewing
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if cur := s.cur; cur != nil && s.servable(cur.creds, s.opts.Now()) {
		return cur.body, nil
	}
	if s.lastErr != nil {
		return nil, s.lastErr
	}
	return nil, errStillRenewing
}

// ServeHTTP implements http.Handler: GET / with the token and a loopback
// Host gets the credentials; anything else is refused and counted.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	switch {
	case !loopbackHost(r.Host):
		s.refuse(w, r, &s.badHost, http.StatusForbidden, "a Host that is not loopback")
		return
	case r.Header.Get("Origin") != "":
		// AWS SDKs never send Origin; a web page does. No CORS either way.
		s.refuse(w, r, &s.browser, http.StatusForbidden, "an Origin header (a browser)")
		return
	}
	got := r.Header.Get("Authorization")
	switch {
	case got == "":
		s.refuse(w, r, &s.noToken, http.StatusUnauthorized, "no token")
		return
	case subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) != 1:
		s.refuse(w, r, &s.badToken, http.StatusForbidden, "a wrong token")
		return
	case r.Method != http.MethodGet || r.URL.Path != "/":
		s.refuse(w, r, &s.other, http.StatusNotFound, "another method or path")
		return
	}
	body, err := s.credentials(r.Context())
	if err != nil {
		s.failed.Add(1)
		writeError(w, http.StatusServiceUnavailable, "CredentialsUnavailable",
			termsafe.Clean("rolecall: "+s.name()+": "+s.explain(err)))
		return
	}
	s.served.Add(1)
	h.Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// refuse answers a refused request and logs the first of each kind,
// without the token.
func (s *Server) refuse(w http.ResponseWriter, r *http.Request, n *atomic.Int64, status int, why string) {
	if n.Add(1) == 1 {
		s.logf("refused a request with %s from %s (further ones are counted)", why, r.RemoteAddr)
	}
	writeError(w, status, "AccessDenied", "refused by rolecall's credentials endpoint: "+why)
}

// writeError answers in the shape the Go SDK decodes ({"code",
// "message"}, Content-Type exactly application/json); botocore shows the
// body as it is.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": code, "message": msg})
}

// loopbackHost reports whether a Host header names this machine's
// loopback: localhost or a loopback address, with or without a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
