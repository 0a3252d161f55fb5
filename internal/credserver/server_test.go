package credserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/endpointcreds"
	"github.com/rolecall/rolecall/session"
)

var ctx = context.Background()

// clock is a clock the test moves.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// fakeSource hands out numbered credentials that live life from the
// moment they are retrieved. It has no Rules: the server applies
// session.ServePolicy itself.
type fakeSource struct {
	mu    sync.Mutex
	clock *clock
	life  time.Duration
	n     int
	err   error
	gate  chan struct{} // when set, Retrieve waits until it is closed
	calls int
}

func (f *fakeSource) Retrieve(ctx context.Context) (aws.Credentials, error) {
	f.mu.Lock()
	gate := f.gate
	f.calls++
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return aws.Credentials{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return aws.Credentials{}, f.err
	}
	f.n++
	c := aws.Credentials{AccessKeyID: fmt.Sprintf("ASIAFAKE%04d", f.n), SecretAccessKey: "secret-not-real", SessionToken: "token-not-real",
		AccountID: "123456789012"}
	if f.life > 0 {
		c.CanExpire, c.Expires = true, f.clock.Now().Add(f.life).Truncate(time.Second)
	}
	return c, nil
}

func (f *fakeSource) set(fn func(*fakeSource)) {
	f.mu.Lock()
	fn(f)
	f.mu.Unlock()
}

func start(t *testing.T, src aws.CredentialsProvider, opts Options) *Server {
	t.Helper()
	s, err := Start(ctx, src, opts)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// get asks the endpoint as an SDK would, after edit changes the request.
func get(t *testing.T, s *Server, edit func(*http.Request)) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL(), nil)
	req.Header.Set("Authorization", s.Token())
	if edit != nil {
		edit(req)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", s.URL(), err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func keyOf(t *testing.T, body string) string {
	t.Helper()
	var w wire
	if err := json.Unmarshal([]byte(body), &w); err != nil || w.AccessKeyID == "" {
		t.Fatalf("not credentials: %q (%v)", body, err)
	}
	return w.AccessKeyID
}

func TestTheGoSDKReadsTheAnswer(t *testing.T) {
	c := &clock{now: time.Now()}
	s := start(t, &fakeSource{clock: c, life: time.Hour}, Options{Now: c.Now})
	got, err := endpointcreds.New(s.URL(), func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token() }).Retrieve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.AccessKeyID != "ASIAFAKE0001" || got.SecretAccessKey != "secret-not-real" || got.SessionToken != "token-not-real" ||
		got.AccountID != "123456789012" || !got.CanExpire || !got.Expires.Equal(c.Now().Add(time.Hour).Truncate(time.Second)) {
		t.Errorf("the SDK read %+v", got)
	}
	// Without the token the SDK fails, with the endpoint's message.
	_, err = endpointcreds.New(s.URL()).Retrieve(ctx)
	if err == nil || !strings.Contains(err.Error(), "refused by rolecall's credentials endpoint: no token") {
		t.Errorf("without the token: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	c := &clock{now: time.Now()}
	var log bytes.Buffer
	s := start(t, &fakeSource{clock: c, life: time.Hour}, Options{Name: "dev", Now: c.Now, Log: &syncWriter{w: &log}})
	tests := []struct {
		name   string
		edit   func(*http.Request)
		status int
	}{
		{"no token", func(r *http.Request) { r.Header.Del("Authorization") }, 401},
		{"wrong token", func(r *http.Request) { r.Header.Set("Authorization", strings.Repeat("0", 64)) }, 403},
		{"token with one character changed", func(r *http.Request) {
			tok := []byte(s.Token())
			tok[len(tok)-1] ^= 1
			r.Header.Set("Authorization", string(tok))
		}, 403},
		{"foreign Host (DNS rebinding)", func(r *http.Request) { r.Host = "attacker.example:80" }, 403},
		{"foreign Host that resolves to loopback is still a name", func(r *http.Request) { r.Host = "localtest.me" }, 403},
		{"a browser's Origin", func(r *http.Request) { r.Header.Set("Origin", "https://attacker.example") }, 403},
		{"POST", func(r *http.Request) { r.Method = http.MethodPost }, 404},
		{"another path", func(r *http.Request) { r.URL.Path = "/role-arn/x" }, 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := get(t, s, tc.edit)
			if leaked := strings.Contains(body, "AccessKeyId"); status != tc.status || leaked {
				t.Errorf("status %d, credentials in the answer: %v; want %d and none", status, leaked, tc.status)
			}
		})
	}
	for _, host := range []string{"localhost", "127.0.0.1", "[::1]:8080", "127.0.0.2:1"} {
		if status, _ := get(t, s, func(r *http.Request) { r.Host = host }); status != 200 {
			t.Errorf("Host %s: status %d, want 200", host, status)
		}
	}
	st := s.Stats()
	if st.NoToken != 1 || st.BadToken != 2 || st.BadHost != 2 || st.Browser != 1 || st.Other != 2 || st.Served != 4 {
		t.Errorf("stats %+v", st)
	}
	s.Close()
	out := log.String()
	if strings.Contains(out, s.Token()) || strings.Contains(out, "secret-not-real") {
		t.Fatalf("the log holds a secret:\n%s", out)
	}
	for _, want := range []string{"refused a request with no token from 127.0.0.1:", "refused 8 request(s) in all: 1 without the token, 2 with a wrong one, 2 for a Host that is not loopback, 1 from a browser, 2 other"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(out, "refused a request with a wrong token"); n != 1 {
		t.Errorf("wrong tokens logged %d times, want the first only", n)
	}
}

// syncWriter lets the server's goroutines and the test share a buffer.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestEachEndpointHasItsOwnToken(t *testing.T) {
	c := &clock{now: time.Now()}
	a := start(t, &fakeSource{clock: c, life: time.Hour}, Options{Now: c.Now})
	b := start(t, &fakeSource{clock: c, life: time.Hour}, Options{Now: c.Now})
	if a.Token() == b.Token() || len(a.Token()) != 64 || a.URL() == b.URL() {
		t.Fatalf("tokens %d and %d hex digits, equal %v; URLs %s %s", len(a.Token()), len(b.Token()), a.Token() == b.Token(), a.URL(), b.URL())
	}
	if status, _ := get(t, a, func(r *http.Request) { r.Header.Set("Authorization", b.Token()) }); status != 403 {
		t.Errorf("one endpoint took the other's token: %d", status)
	}
}

func TestADueRenewalDoesNotHoldUpRequests(t *testing.T) {
	c := &clock{now: time.Now()}
	src := &fakeSource{clock: c, life: time.Hour}
	s := start(t, src, Options{Now: c.Now})
	_, body := get(t, s, nil)
	first := keyOf(t, body)
	gate := make(chan struct{})
	src.set(func(f *fakeSource) { f.gate = gate })
	c.Add(46 * time.Minute) // due: 14 minutes left
	for i := 0; i < 3; i++ {
		done := make(chan string, 1)
		go func() { _, b := get(t, s, nil); done <- b }()
		select {
		case b := <-done:
			if keyOf(t, b) != first {
				t.Fatalf("served another key while the renewal was held")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a request waited for the renewal although the held credentials were servable")
		}
	}
	close(gate)
	waitFor(t, func() bool { _, b := get(t, s, nil); return keyOf(t, b) != first })
	src.mu.Lock()
	calls := src.calls
	src.mu.Unlock()
	if calls != 2 {
		t.Errorf("%d retrievals, want 2: one at start, one renewal for all requests", calls)
	}
}

func TestExpiredCredentialsWaitForTheRenewal(t *testing.T) {
	c := &clock{now: time.Now()}
	src := &fakeSource{clock: c, life: time.Hour}
	s := start(t, src, Options{Now: c.Now})
	gate := make(chan struct{})
	src.set(func(f *fakeSource) { f.gate = gate })
	c.Add(2 * time.Hour) // the laptop slept through the due time
	done := make(chan string, 1)
	go func() { _, b := get(t, s, nil); done <- b }()
	select {
	case <-done:
		t.Fatal("answered before the renewal finished although what it held had expired")
	case <-time.After(100 * time.Millisecond):
	}
	close(gate)
	if key := keyOf(t, <-done); key != "ASIAFAKE0002" {
		t.Errorf("served %s, want the renewed ASIAFAKE0002", key)
	}
}

func TestRenewalFailures(t *testing.T) {
	c := &clock{now: time.Now()}
	src := &fakeSource{clock: c, life: time.Hour}
	var log bytes.Buffer
	s := start(t, src, Options{Name: "dev", Now: c.Now, Log: &syncWriter{w: &log}, Wait: time.Second,
		UserHint: "run 'rolecall renew dev' in a terminal"})
	_, body := get(t, s, nil)
	first := keyOf(t, body)
	src.set(func(f *fakeSource) {
		f.err = &session.Error{Kind: session.KindUnreachable, Msg: "profile dev: STS at https://sts.example is not reachable.\nCheck the network."}
	})
	c.Add(50 * time.Minute)
	// While the held credentials live, they are served despite failures.
	for i := 0; i < 3; i++ {
		if status, b := get(t, s, nil); status != 200 || keyOf(t, b) != first {
			t.Fatalf("status %d while a servable session is held", status)
		}
	}
	waitFor(t, func() bool { return strings.Contains(log.String(), "not reachable") })
	// Once they expire, the SDK gets an error that says why, in one line.
	c.Add(20 * time.Minute)
	_, err := endpointcreds.New(s.URL(), func(o *endpointcreds.Options) { o.AuthorizationToken = s.Token(); o.Retryer = aws.NopRetryer{} }).Retrieve(ctx)
	if err == nil || !strings.Contains(err.Error(), "rolecall: dev: profile dev: STS at https://sts.example is not reachable. Check the network.") {
		t.Errorf("the SDK got %v", err)
	}
	src.mu.Lock()
	calls := src.calls
	src.mu.Unlock()
	// A renewal that needs the user says what to do, to the SDK and in
	// the log, once.
	src.set(func(f *fakeSource) {
		f.err = &session.Error{Kind: session.KindNeedMFA, Err: session.ErrMFARequired, Msg: "profile dev: an MFA code is needed."}
	})
	c.Add(2 * time.Minute) // past the backoff
	for i := 0; i < 2; i++ {
		status, b := get(t, s, nil)
		if status != 503 || !strings.Contains(b, "renewing needs a new MFA code: run 'rolecall renew dev' in a terminal") {
			t.Errorf("status %d, %q", status, b)
		}
	}
	src.mu.Lock()
	if src.calls-calls > 1 {
		t.Errorf("%d retrievals for two requests inside the backoff, want 1", src.calls-calls)
	}
	src.mu.Unlock()
	if n := strings.Count(log.String(), "renewing needs a new MFA code"); n != 1 {
		t.Errorf("logged %d times, want once:\n%s", n, log.String())
	}
	// The user renews: the next try serves again.
	src.set(func(f *fakeSource) { f.err = nil })
	c.Add(10 * time.Second)
	if status, _ := get(t, s, nil); status != 200 {
		t.Errorf("status %d after the source recovered", status)
	}
	if !strings.Contains(log.String(), "renewed after") {
		t.Errorf("no line says the endpoint recovered:\n%s", log.String())
	}
	if strings.Count(strings.TrimSpace(log.String()), "\n") != 2 {
		t.Errorf("want three lines (two failures, one recovery):\n%s", log.String())
	}
}

func TestRenewsInTheBackgroundWithoutRequests(t *testing.T) {
	// Real time: a session due a moment after it is served.
	src := &fakeSource{clock: &clock{now: time.Now()}, life: time.Hour}
	s := start(t, &rulesSource{fakeSource: src, dueIn: 200 * time.Millisecond}, Options{})
	waitFor(t, func() bool {
		src.mu.Lock()
		defer src.mu.Unlock()
		return src.calls >= 2
	})
	if st := s.Stats(); st.Served != 0 {
		t.Errorf("served %d: the renewal ran without requests", st.Served)
	}
}

// rulesSource is a fakeSource with Rules: due dueIn after each retrieval.
type rulesSource struct {
	*fakeSource
	dueIn time.Duration
	mu    sync.Mutex
	due   time.Time
}

func (r *rulesSource) Retrieve(ctx context.Context) (aws.Credentials, error) {
	c, err := r.fakeSource.Retrieve(ctx)
	r.mu.Lock()
	r.due = time.Now().Add(r.dueIn)
	r.mu.Unlock()
	return c, err
}

func (r *rulesSource) RenewAt(aws.Credentials) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.due
}

func (r *rulesSource) Servable(c aws.Credentials, now time.Time) bool { return c.Expires.After(now) }

func TestStartRefuses(t *testing.T) {
	c := &clock{now: time.Now()}
	if _, err := Start(ctx, &fakeSource{clock: c}, Options{Name: "base"}); err == nil || !strings.Contains(err.Error(), "base gives long-term keys") {
		t.Errorf("long-term keys: %v", err)
	}
	if _, err := Start(ctx, &fakeSource{clock: c, life: 30 * time.Second}, Options{Now: c.Now}); err == nil || !strings.Contains(err.Error(), "too soon to serve") {
		t.Errorf("credentials about to expire: %v", err)
	}
	boom := errors.New("no session")
	if _, err := Start(ctx, &fakeSource{clock: c, life: time.Hour, err: boom}, Options{}); !errors.Is(err, boom) {
		t.Errorf("a failing source: %v", err)
	}
	s := start(t, &fakeSource{clock: c, life: time.Hour}, Options{Now: c.Now})
	port := s.URL()[len("http://127.0.0.1:") : len(s.URL())-1]
	var p int
	fmt.Sscan(port, &p)
	if _, err := Start(ctx, &fakeSource{clock: c, life: time.Hour}, Options{Now: c.Now, Port: p}); err == nil || !strings.Contains(err.Error(), "pick another --port") {
		t.Errorf("a port in use: %v", err)
	}
}

func TestClosedEndpointIsGone(t *testing.T) {
	c := &clock{now: time.Now()}
	s := start(t, &fakeSource{clock: c, life: time.Hour}, Options{Now: c.Now})
	if status, _ := get(t, s, nil); status != 200 {
		t.Fatalf("status %d", status)
	}
	s.Close()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(s.URL()); err == nil {
		resp.Body.Close()
		t.Errorf("the closed endpoint answered %d", resp.StatusCode)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
