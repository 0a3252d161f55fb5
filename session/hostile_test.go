package session

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolecall/rolecall/internal/stsfake"
)

// quick is the per-call deadline the tests of misbehaving endpoints use,
// so that each waits a fraction of a second, not the default's seconds.
const quick = 300 * time.Millisecond

// assumeVia assumes dev through the STS at url and returns the error and
// how long it took.
func assumeVia(t *testing.T, ctx context.Context, url string) (*Error, time.Duration) {
	t.Helper()
	w := newWorld(t)
	m := w.manager(env{"AWS_ENDPOINT_URL_STS": url}, Options{CallTimeout: quick})
	start := time.Now()
	_, err := m.Assume(ctx, "dev")
	took := time.Since(start)
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("assume through %s: %v, want a session error", url, err)
	}
	return e, took
}

// timedOutAbout reports a message that says "timed out after" d (or a
// little more, on a busy machine).
func timedOutAbout(msg string, d time.Duration) bool {
	for _, extra := range []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond} {
		if strings.Contains(msg, "timed out after "+secondsText(d+extra)) {
			return true
		}
	}
	return false
}

// counting serves h and counts the requests.
func counting(t *testing.T, h http.HandlerFunc) (string, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// TestStalledBodyTimesOut: STS sends its headers, then stalls in the
// middle of the body. The call gives up after its deadline, once, and
// says so with the endpoint.
func TestStalledBodyTimesOut(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	url, _ := counting(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>`)
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	e, took := assumeVia(t, context.Background(), url)
	// A timed-out attempt is not tried again: a retry would double this.
	// (An attempt that fails at once, as a connection the transport
	// closes under it, may be.)
	if took > 2*quick-50*time.Millisecond {
		t.Errorf("took %s with a %s call deadline: tried again after the timeout?", took, quick)
	}
	if e.Kind != KindUnreachable || !timedOutAbout(e.Msg, quick) || !strings.Contains(e.Msg, url) ||
		!strings.Contains(e.Msg, "accepted the connection") {
		t.Errorf("message %q", e.Msg)
	}
}

// TestBlackHoleIsNotCalledUnreachable: an endpoint that accepts the
// connection and never answers is reported as such, after one attempt.
func TestBlackHoleIsNotCalledUnreachable(t *testing.T) {
	url := stsfake.Unreachable(t)
	e, took := assumeVia(t, context.Background(), url)
	if took > 2*quick-50*time.Millisecond {
		t.Errorf("took %s with a %s call deadline: tried again after the timeout?", took, quick)
	}
	if strings.Contains(e.Msg, "not reachable") || !strings.Contains(e.Msg, "accepted the connection but gave no complete answer: timed out after") ||
		!strings.Contains(e.Msg, url) {
		t.Errorf("message %q", e.Msg)
	}
}

// TestDialTimeoutSaysItCouldNotConnect: a call that times out before
// the connection is made says it could not connect, not that the
// endpoint took the connection and went quiet (the other way round from
// TestBlackHoleIsNotCalledUnreachable).
func TestDialTimeoutSaysItCouldNotConnect(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	// A real dial error from the net package: the deadline has passed.
	_, dialErr := (&net.Dialer{}).DialContext(ctx, "tcp", "192.0.2.1:443")
	var opErr *net.OpError
	if !errors.As(dialErr, &opErr) || opErr.Op != "dial" {
		t.Fatalf("dial past the deadline: %v, want a dial error", dialErr)
	}
	const ep = "https://sts.example.test"
	err := classify(newOp("dev", "assume role", ep), &url.Error{Op: "Post", URL: ep, Err: dialErr})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindUnreachable {
		t.Fatalf("classify(dial timeout) = %v, want an unreachable error", err)
	}
	if !strings.Contains(e.Msg, "could not connect to STS at "+ep+": timed out after") || strings.Contains(e.Msg, "accepted the connection") {
		t.Errorf("message %q, want it to say it could not connect", e.Msg)
	}
}

// TestRefusedConnectionGivesTheSystemsCause: an endpoint that refuses
// the connection is reported with the system's own words for the step
// that failed ("connect: connection refused" on Linux), as a direct
// dial to it reports them.
func TestRefusedConnectionGivesTheSystemsCause(t *testing.T) {
	ep := stsfake.Refusing(t)
	_, dialErr := net.DialTimeout("tcp", strings.TrimPrefix(ep, "http://"), 5*time.Second)
	var opErr *net.OpError
	if !errors.As(dialErr, &opErr) || opErr.Err == nil {
		t.Fatalf("dial %s: %v, want a refused connection", ep, dialErr)
	}
	e, _ := assumeVia(t, context.Background(), ep)
	if want := "is not reachable (" + opErr.Err.Error() + ")"; e.Kind != KindUnreachable || !strings.Contains(e.Msg, want) {
		t.Errorf("message %q, want it to hold %q", e.Msg, want)
	}
}

// TestServerErrorsAreRetriedThenReported: 500s are tried again (they are
// quick) and then reported with the status.
func TestServerErrorsAreRetriedThenReported(t *testing.T) {
	url, n := counting(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "<html>gateway exploded</html>", http.StatusInternalServerError)
	})
	e, _ := assumeVia(t, context.Background(), url)
	if !strings.Contains(e.Msg, "failed with HTTP 500, even after retries") {
		t.Errorf("message %q", e.Msg)
	}
	if got := n.Load(); got != maxAttempts {
		t.Errorf("%d attempts, want %d", got, maxAttempts)
	}
}

// TestCommandDeadlineEndsTheCall: the caller's deadline ends a call long
// before the per-call one, and the message says how long it waited.
func TestCommandDeadlineEndsTheCall(t *testing.T) {
	w := newWorld(t)
	m := w.manager(env{"AWS_ENDPOINT_URL_STS": stsfake.Unreachable(t)}, Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := m.Assume(ctx, "dev")
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("took %s with a 200ms deadline", took)
	}
	if err == nil || !timedOutAbout(err.Error(), 200*time.Millisecond) {
		t.Errorf("error %v", err)
	}
}

// TestExpiredCredentialsFromTheContainerEndpoint: credentials that come
// back already expired are refused with what to check.
func TestExpiredCredentialsFromTheContainerEndpoint(t *testing.T) {
	url, _ := counting(t, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"AccessKeyId":"ASIAEXPIRED000000001","SecretAccessKey":"x","Token":"y","Expiration":%q}`,
			time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	})
	w := newWorld(t)
	w.write("[profile task]\nrole_arn = arn:aws:iam::111111111111:role/t\ncredential_source = EcsContainer\n", "")
	m := w.manager(env{"AWS_CONTAINER_CREDENTIALS_FULL_URI": url + "/creds"}, Options{CallTimeout: quick})
	_, err := m.Assume(context.Background(), "task")
	if err == nil || !strings.Contains(err.Error(), "expired") {
		t.Errorf("error %v, want the expired credentials refused", err)
	}
}

func TestValidationErrorSaysWhatToCheck(t *testing.T) {
	w := newWorld(t)
	w.write("[profile user]\n[profile bad]\nrole_arn = arn:aws:iam::111111111111:user/not-a-role\nsource_profile = user\n", worldCreds)
	_, err := w.manager(nil, Options{}).Assume(context.Background(), "bad")
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindProfile || !strings.Contains(e.Msg, "Check role_arn at "+w.files.Config+":3:") ||
		strings.Contains(e.Msg, "ValidationError:") {
		t.Errorf("error %v", err)
	}
}

func TestIPv6EndpointSaysWhatToDo(t *testing.T) {
	w := newWorld(t)
	_, err := w.manager(env{"AWS_ENDPOINT_URL_STS": "http://[::1]:80"}, Options{CallTimeout: quick}).Assume(context.Background(), "dev")
	if err == nil || !strings.Contains(err.Error(), "Leave the port out") || strings.Contains(err.Error(), "not reachable") {
		t.Errorf("error %v", err)
	}
}

// TestExpiredSSOTokenSaysLogIn: an SSO token past its expiry tells the
// user the command that logs in again.
func TestExpiredSSOTokenSaysLogIn(t *testing.T) {
	w := newWorld(t)
	const start = "https://corp.awsapps.com/start"
	w.write("[profile portal]\nsso_start_url = "+start+"\nsso_region = eu-west-1\nsso_account_id = 111111111111\nsso_role_name = Dev\n", "")
	home := t.TempDir()
	sum := sha1.Sum([]byte(start))
	path := filepath.Join(home, ".aws", "sso", "cache", hex.EncodeToString(sum[:])+".json")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(`{"accessToken":"expired-token","expiresAt":"2020-01-01T00:00:00Z","region":"eu-west-1","startUrl":"`+start+`"}`), 0o600)
	_, err := w.manager(env{"HOME": home}, Options{CallTimeout: quick}).Assume(context.Background(), "portal")
	if err == nil || !strings.Contains(err.Error(), "aws sso login --profile portal") {
		t.Errorf("error %v", err)
	}
}

// processWorld is a world whose profile proc runs command.
func processWorld(t *testing.T, command string) *world {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the commands are POSIX shell")
	}
	w := newWorld(t)
	w.write("[profile proc]\ncredential_process = "+command+"\n", "")
	return w
}

func processErr(t *testing.T, w *world, ctx context.Context, e env) (string, time.Duration) {
	t.Helper()
	start := time.Now()
	_, err := w.manager(e, Options{}).Assume(ctx, "proc")
	if err == nil {
		t.Fatal("the credential_process gave credentials")
	}
	return err.Error(), time.Since(start)
}

// TestProcessTimeoutKillsItsGroup: a credential_process whose shell waits
// on a child is killed with that child when the deadline passes, and a
// child holding the pipe cannot keep rolecall waiting.
func TestProcessTimeoutKillsItsGroup(t *testing.T) {
	w := processWorld(t, "sleep 987.6; echo never")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	msg, took := processErr(t, w, ctx, nil)
	if took > processWaitDelay {
		t.Errorf("took %s", took)
	}
	if !strings.Contains(msg, "`sleep 987.6; echo never`") || !strings.Contains(msg, "timed out after") {
		t.Errorf("message %q", msg)
	}
	if runtime.GOOS == "linux" {
		deadline := time.Now().Add(2 * time.Second)
		for sleepRunning("987.6") {
			if time.Now().After(deadline) {
				t.Fatal("the credential_process's sleep outlived it")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// sleepRunning reports a process whose command line holds arg.
func sleepRunning(arg string) bool {
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, d := range dirs {
		b, _ := os.ReadFile(d)
		if strings.Contains(string(b), "sleep\x00"+arg) {
			return true
		}
	}
	return false
}

// TestProcessLeavingAChildBehindDoesNotHold: the shell exits at once but
// leaves a background child holding its stdout.
func TestProcessLeavingAChildBehindDoesNotHold(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out the process wait delay (2 s); runs without -short")
	}
	w := processWorld(t, "sleep 30 & echo '{}'")
	msg, took := processErr(t, w, context.Background(), nil)
	// Without the wait delay it would take the child's 30 s.
	if took > processWaitDelay+5*time.Second {
		t.Errorf("took %s", took)
	}
	if !strings.Contains(msg, "kept its output open") {
		t.Errorf("message %q", msg)
	}
}

func TestProcessBadOutputSaysWhatWasWrong(t *testing.T) {
	// The secret is made by the command, so that only its output holds it.
	const secret = "secret-value"
	const makeSecret = "$(echo c2VjcmV0LXZhbHVl | base64 -d)"
	tests := []struct{ command, want string }{
		{`echo "{\"Version\": 1, \"AccessKeyId\": \"AKIAEXAMPLE\", \"SecretAccessKey\": \"` + makeSecret + `\""`, "bytes on stdout that are not credential_process JSON (unexpected end of JSON input)"},
		{"true", "printed nothing on stdout"},
		{`echo '{"Version": 2}'`, "cannot use: wrong version in process output (not 1)"},
		{`echo '{"Version": 1, "AccessKeyId": "AKIAEXAMPLE"}'`, "cannot use: missing SecretAccessKey"},
		{"echo 'token expired, run login' >&2; exit 3", "failed (exit status 3); it said: token expired, run login"},
		{"yes " + makeSecret, "printed more than 1024 KiB and was stopped"},
	}
	for _, tc := range tests {
		t.Run(tc.command, func(t *testing.T) {
			w := processWorld(t, tc.command)
			msg, _ := processErr(t, w, context.Background(), nil)
			if !strings.Contains(msg, tc.want) || !strings.Contains(msg, "credential_process `") {
				t.Errorf("message %q, want %q", msg, tc.want)
			}
			if strings.Contains(msg, secret) {
				t.Error("the message quotes the process's output")
			}
		})
	}
}

// TestProcessReentryIsALoop: rolecall running the credential_process of a
// profile that is already running it (ProcessMarker) fails at once,
// naming the loop; the process itself gets the marker.
func TestProcessReentryIsALoop(t *testing.T) {
	w := processWorld(t, `printf '{"Version":1,"AccessKeyId":"%s","SecretAccessKey":"x"}' "$(printf %s "$`+ProcessMarker+`" | tr '\n' ,)"`)
	msg, _ := processErr(t, w, context.Background(), env{ProcessMarker: "outer\nproc"})
	if !strings.Contains(msg, "credential_process loop: outer -> proc -> proc") {
		t.Errorf("message %q", msg)
	}
	msg, _ = processErr(t, w, context.Background(), env{ProcessMarker: "a\nb\nc\nd"})
	if !strings.Contains(msg, "nested 5 deep") {
		t.Errorf("message %q", msg)
	}
	s, err := w.manager(env{ProcessMarker: "outer"}, Options{}).Assume(context.Background(), "proc")
	if err != nil {
		t.Fatal(err)
	}
	if s.Creds.AccessKeyID != "outer,proc" {
		t.Errorf("the process saw %s=%q", ProcessMarker, s.Creds.AccessKeyID)
	}
}

// TestNestingIsNoted: inside 'rolecall shell dev', a profile whose
// credential_source is Environment uses dev's session; the session says so.
func TestNestingIsNoted(t *testing.T) {
	w := newWorld(t)
	w.write("[profile envrole]\nrole_arn = arn:aws:iam::111111111111:role/e\ncredential_source = Environment\n", "")
	w.sts.AddUser("ASIAOUTERSESSION0001", "999999999999", "outer")
	inner := env{"AWS_ACCESS_KEY_ID": "ASIAOUTERSESSION0001", "AWS_SECRET_ACCESS_KEY": "x"}
	s, err := w.manager(inner, Options{}).Assume(context.Background(), "envrole")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Notes) != 0 {
		t.Errorf("keys the user exported got a note: %q", s.Notes)
	}
	inner["ROLECALL_PROFILE"] = "dev"
	for _, what := range []string{"new", "cached"} {
		m := w.manager(inner, Options{})
		get := m.Assume
		if what == "new" {
			get = m.Renew
		}
		s, err := get(context.Background(), "envrole")
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Notes) != 1 || !strings.Contains(s.Notes[0], "holds profile dev's session") {
			t.Errorf("%s session: notes %q", what, s.Notes)
		}
	}
}

// TestSmallFilesAreReadWithALimit: a cache or token file that never ends
// (a device, a planted file) is refused, not read into memory.
func TestSmallFilesAreReadWithALimit(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	if _, err := readSmallFile("/dev/zero", maxCacheFile); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("larger than %d KiB", maxCacheFile>>10)) {
		t.Errorf("readSmallFile(/dev/zero): %v", err)
	}
	if _, err := tokenFile("/dev/zero").GetIdentityToken(); err == nil {
		t.Error("a token file that never ends was read")
	}
}

// TestTokenFileLimitIsInclusive: a token file of exactly the limit is
// read whole; one byte more is refused with the limit in the message.
func TestTokenFileLimitIsInclusive(t *testing.T) {
	dir := t.TempDir()
	at, over := filepath.Join(dir, "at"), filepath.Join(dir, "over")
	if err := os.WriteFile(at, bytes.Repeat([]byte("a"), maxTokenFile), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(over, bytes.Repeat([]byte("a"), maxTokenFile+1), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := tokenFile(at).GetIdentityToken(); err != nil || len(b) != maxTokenFile {
		t.Errorf("a token file of exactly %d bytes: %d bytes read, error %v; want it read whole", maxTokenFile, len(b), err)
	}
	if _, err := tokenFile(over).GetIdentityToken(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("larger than %d KiB", maxTokenFile>>10)) {
		t.Errorf("a token file of %d bytes: %v, want it refused as larger than the limit", maxTokenFile+1, err)
	}
}
