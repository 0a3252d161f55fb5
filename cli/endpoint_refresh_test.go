package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/rolecall/rolecall/internal/sandbox"
	"github.com/rolecall/rolecall/internal/testenv"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// The refresh proof runs on the sandbox's STS emulator with sessions of
// refreshLife, for longer than two of them: every client must see the key
// change at least twice and never an error. A one-hour role under a
// two-hour job is the same story with longer numbers: renewed 15 minutes
// before each end (session.ServePolicy), so nothing handed out is ever
// expired.
const (
	refreshLife     = 30 * time.Second
	refreshRun      = 2*refreshLife + 10*time.Second
	refreshInterval = 2 * time.Second
)

// call is one GetCallerIdentity a client made through the endpoint.
type call struct {
	T   float64 `json:"t"`
	OK  bool    `json:"ok"`
	Key string  `json:"key"` // the access key id the call was signed with
	Arn string  `json:"arn"`
	Err string  `json:"err"`
}

// loopSecondsEnv makes the test binary run TestHelperEndpointLoop.
const loopSecondsEnv = "ROLECALL_TEST_LOOP_SECONDS"

// TestHelperEndpointLoop is the Go client of TestEndpointRefreshWithRealClients,
// not a test of its own: a long-running Go program on the SDK's default
// chain (config.LoadDefaultConfig), calling GetCallerIdentity every
// refreshInterval and printing each call as a JSON line.
func TestHelperEndpointLoop(t *testing.T) {
	secs, _ := strconv.ParseFloat(os.Getenv(loopSecondsEnv), 64)
	if secs == 0 {
		return
	}
	ctx := context.Background()
	enc := json.NewEncoder(os.Stdout)
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		enc.Encode(call{Err: err.Error()})
		os.Exit(1)
	}
	var signedWith string
	client := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.APIOptions = append(o.APIOptions, func(st *middleware.Stack) error {
			return st.Finalize.Add(middleware.FinalizeMiddlewareFunc("rolecallTestSignedWith",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					if req, ok := in.Request.(*smithyhttp.Request); ok {
						signedWith = signingKey(req.Header.Get("Authorization"))
					}
					return next.HandleFinalize(ctx, in)
				}), middleware.After)
		})
	})
	end := time.Now().Add(time.Duration(secs * float64(time.Second)))
	for time.Now().Before(end) {
		c := call{T: float64(time.Now().UnixNano()) / 1e9}
		out, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			c.Err = err.Error()
		} else {
			c.OK, c.Key, c.Arn = true, signedWith, *out.Arn
		}
		enc.Encode(c)
		time.Sleep(refreshInterval)
	}
	os.Exit(0)
}

var credentialRE = regexp.MustCompile(`Credential=([A-Z0-9]+)/`)

func signingKey(authorization string) string {
	if m := credentialRE.FindStringSubmatch(authorization); m != nil {
		return m[1]
	}
	return ""
}

// boto3Loop is the boto3 client: one long-lived session and client, as a
// Python program would hold them.
const boto3Loop = `
import boto3, json, re, sys, time
end = time.time() + float(sys.argv[1])
client = boto3.session.Session().client("sts")
signed = {}
def grab(request, **kwargs):
    auth = request.headers.get("Authorization", "")
    if isinstance(auth, bytes):
        auth = auth.decode()
    m = re.search(r"Credential=([A-Z0-9]+)/", auth)
    signed["key"] = m.group(1) if m else ""
client.meta.events.register("before-send.sts.GetCallerIdentity", grab)
while time.time() < end:
    c = {"t": time.time()}
    try:
        c["arn"] = client.get_caller_identity()["Arn"]
        c["ok"], c["key"] = True, signed.get("key", "")
    except Exception as e:
        c["err"] = str(e)[:300]
    print(json.dumps(c), flush=True)
    time.sleep(float(sys.argv[2]))
`

func TestEndpointRefreshWithRealClients(t *testing.T) {
	if testing.Short() {
		t.Skip("runs for over a minute")
	}
	sb, err := sandbox.Start(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	sb.SetSessionLifetime(refreshLife)

	// rolecall serve, in-process, on the sandbox. Its manager accepts the
	// emulator's 30-second sessions (AWS issues 15 minutes at least).
	getenv := sb.Getenv(func(string) string { return "" }, false)
	var errOut lockedBuffer
	outR, outW := io.Pipe()
	g := &globalOptions{Stdin: strings.NewReader(""), Stdout: outW, Stderr: &errOut, Getenv: getenv}
	opts := &ServeOptions{sessionDeps: g.sessionDeps(false), Profile: "prod-admin", Shell: "bash", Getenv: getenv,
		endpointDeps: endpointDeps{EndpointManager: func(set *profiles.Set, prompt session.MFAPrompt) *session.Manager {
			o := g.managerOptions(false)
			o.MinLife, o.Prompt = 5*time.Second, prompt
			return session.New(set, o)
		}}}
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- runServe(ctx, opts); outW.Close() }()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	var lines strings.Builder
	for sc := bufio.NewScanner(outR); sc.Scan(); {
		lines.WriteString(sc.Text() + "\n")
		if strings.HasPrefix(sc.Text(), "export ROLECALL_PROFILE=") {
			break
		}
	}
	go io.Copy(io.Discard, outR)
	vars := exportedVars(lines.String())
	if vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] == "" {
		t.Fatalf("serve printed no endpoint; stderr:\n%s", errOut.String())
	}

	// The clients' world: the sandbox's files and STS, the exported lines.
	env := sb.Environ([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true"})
	if v := os.Getenv("PYENV_ROOT"); v != "" {
		env = append(env, "PYENV_ROOT="+v) // the AWS CLI may be a pyenv shim
	}
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	secs := fmt.Sprint(refreshRun.Seconds())
	clients := map[string]func() ([]call, error){
		"aws-cli": func() ([]call, error) { return awsCLILoop(env) },
		"boto3": func() ([]call, error) {
			return jsonLines(exec.Command("python3", "-c", boto3Loop, secs, fmt.Sprint(refreshInterval.Seconds())), env)
		},
		"go-sdk": func() ([]call, error) {
			return jsonLines(exec.Command(os.Args[0], "-test.run=^TestHelperEndpointLoop$"), append(env, loopSecondsEnv+"="+secs))
		},
	}
	// A client whose tool is missing is skipped, with a message (failed
	// under ROLECALL_REQUIRE_TOOLS=1).
	missing := map[string]func(*testing.T){}
	if _, err := exec.LookPath("aws"); err != nil {
		missing["aws-cli"] = func(t *testing.T) { testenv.RequireTool(t, "aws") }
	}
	if _, err := exec.LookPath("python3"); err != nil {
		missing["boto3"] = func(t *testing.T) { testenv.RequireTool(t, "python3") }
	} else if exec.Command("python3", "-c", "import boto3").Run() != nil {
		missing["boto3"] = func(t *testing.T) {
			msg := "boto3 is not installed for python3; this test needs it (pip install boto3)"
			if os.Getenv("ROLECALL_REQUIRE_TOOLS") == "1" {
				t.Fatal(msg + " [ROLECALL_REQUIRE_TOOLS=1]")
			}
			t.Skip(msg)
		}
	}
	results := map[string][]call{}
	errs := map[string]error{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, run := range clients {
		if missing[name] != nil {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			calls, err := run()
			mu.Lock()
			results[name], errs[name] = calls, err
			mu.Unlock()
		}()
	}
	wg.Wait()

	for _, name := range []string{"aws-cli", "boto3", "go-sdk"} {
		t.Run(name, func(t *testing.T) {
			if skip := missing[name]; skip != nil {
				skip(t)
			}
			if errs[name] != nil {
				t.Fatalf("the client failed: %v", errs[name])
			}
			checkRefresh(t, results[name])
		})
	}
	if t.Failed() {
		t.Logf("rolecall serve said:\n%s", errOut.String())
	}
}

// checkRefresh wants calls that span more than two session lifetimes,
// none failed, and the key changing at least twice.
func checkRefresh(t *testing.T, calls []call) {
	t.Helper()
	if len(calls) < 2 {
		t.Fatalf("%d calls", len(calls))
	}
	changes := 0
	for i, c := range calls {
		if !c.OK || !strings.Contains(c.Arn, "assumed-role/Admin/") || !strings.HasPrefix(c.Key, "ASIA") {
			t.Errorf("call %d at +%.1fs failed: %s (arn %q, key %q)", i+1, c.T-calls[0].T, c.Err, c.Arn, c.Key)
		}
		if i > 0 && c.Key != calls[i-1].Key {
			changes++
		}
	}
	span := time.Duration((calls[len(calls)-1].T - calls[0].T) * float64(time.Second))
	if span <= 2*refreshLife {
		t.Errorf("the calls span %s, not more than two %s sessions", span.Round(time.Second), refreshLife)
	}
	if changes < 2 {
		t.Errorf("the key changed %d times in %d calls over %s, want at least 2", changes, len(calls), span.Round(time.Second))
	}
	t.Logf("%d calls over %s, key changed %d times, no error", len(calls), span.Round(time.Second), changes)
}

// awsCLILoop runs `aws sts get-caller-identity` again and again, one
// process a call as people run it, and reads the key each call was signed
// with from its debug log.
func awsCLILoop(env []string) ([]call, error) {
	var calls []call
	end := time.Now().Add(refreshRun)
	for time.Now().Before(end) {
		c := call{T: float64(time.Now().UnixNano()) / 1e9}
		cmd := exec.Command("aws", "--debug", "sts", "get-caller-identity", "--output", "json")
		cmd.Env = env
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		var id struct{ Arn string }
		switch {
		case err != nil:
			c.Err = lastLine(stderr.String())
		case json.Unmarshal(out, &id) != nil:
			c.Err = "not JSON"
		default:
			c.OK, c.Arn, c.Key = true, id.Arn, signingKey(stderr.String())
		}
		calls = append(calls, c)
		time.Sleep(refreshInterval / 2) // the CLI's own start-up takes the rest
	}
	return calls, nil
}

func lastLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	return s
}

// jsonLines runs a client that prints a call per line.
func jsonLines(cmd *exec.Cmd, env []string) ([]call, error) {
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var calls []call
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var c call
		if json.Unmarshal([]byte(line), &c) == nil {
			calls = append(calls, c)
		}
	}
	if err != nil {
		return calls, fmt.Errorf("%v: %s", err, lastLine(stderr.String()))
	}
	return calls, nil
}
