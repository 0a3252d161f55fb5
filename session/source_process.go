package session

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/processcreds"
	"github.com/rolecall/rolecall/profiles"
)

// ProcessMarker is the environment variable rolecall sets for every
// credential_process it runs: the profiles whose credential_process is
// running, outermost first, one a line. A rolecall started by such a
// process reads it, so that a profile whose credential_process runs
// rolecall for itself again fails at once instead of nesting forever.
const ProcessMarker = "ROLECALL_CREDENTIAL_PROCESS"

// maxProcessDepth is how many credential_process commands may run inside
// one another through rolecall.
const maxProcessDepth = 4

// The limits of one credential_process run.
const (
	// processTimeout bounds a credential_process that the command's own
	// deadline does not bound (the terminal UI).
	processTimeout = time.Minute
	// processWaitDelay is how long rolecall waits, after the process ended
	// or was killed, for whatever it started to let go of its output.
	processWaitDelay = 2 * time.Second
	// maxProcessOutput bounds what is kept of its stdout (credentials are
	// a few hundred bytes) and maxProcessStderr of its stderr.
	maxProcessOutput = 1 << 20
	maxProcessStderr = 4 << 10
)

// processProvider runs the root's credential_process through the SDK's
// provider, with a command of rolecall's own: in a process group of its
// own that is killed as a whole when the call times out or is cancelled,
// with a bound on its output, and with ProcessMarker set.
func (m *Manager) processProvider(t target, root *profiles.Root) (aws.CredentialsProvider, *processRun, error) {
	outer := processChain(m.getenv(ProcessMarker))
	if slices.Contains(outer, root.Profile) {
		loop := append(outer, root.Profile)
		return nil, nil, profileErr(t.profile, fmt.Sprintf("credential_process loop: %s (the credential_process at %s runs rolecall for a profile that leads back to it)",
			q(strings.Join(loop, " -> ")), root.Pos), nil)
	}
	if len(outer) >= maxProcessDepth {
		return nil, nil, profileErr(t.profile, fmt.Sprintf("credential_process runs nested %d deep through rolecall (%s); rolecall stops at %d",
			len(outer)+1, q(strings.Join(append(outer, root.Profile), " -> ")), maxProcessDepth), nil)
	}
	run := &processRun{command: root.CredentialProcess, interactive: m.opts.Interactive}
	marker := strings.Join(append(outer, root.Profile), "\n")
	build := processcreds.NewCommandBuilderFunc(func(ctx context.Context) (*exec.Cmd, error) {
		return run.command0(ctx, marker), nil
	})
	return processcreds.NewProviderCommand(build, func(o *processcreds.Options) { o.Timeout = processTimeout }), run, nil
}

// processChain splits a ProcessMarker value.
func processChain(v string) []string {
	if v == "" {
		return nil
	}
	return strings.Split(v, "\n")
}

// processRun is one run of a credential_process: what it printed (only
// counted, never shown) and what it wrote on stderr.
type processRun struct {
	command     string
	interactive bool
	stdout      limitedBuffer
	stderr      limitedBuffer
}

// command0 builds the exec.Cmd the SDK's provider starts: through the
// shell, as the AWS CLI runs credential_process.
func (r *processRun) command0(ctx context.Context, marker string) *exec.Cmd {
	var cmd *exec.Cmd
	if runtime.GOOS == "windows" {
		cmd = exec.CommandContext(ctx, "cmd.exe", "/C", r.command)
	} else {
		cmd = exec.CommandContext(ctx, "sh", "-c", r.command)
	}
	cmd.Env = append(withoutVar(os.Environ(), ProcessMarker), ProcessMarker+"="+marker)
	r.stdout.limit, r.stderr.limit = maxProcessOutput, maxProcessStderr
	r.stdout.fail = true
	cmd.Stdout = &r.stdout
	if r.interactive {
		// A user can answer its prompts, and Ctrl-C reaches it with
		// rolecall: it stays in rolecall's process group.
		cmd.Stdin, cmd.Stderr = os.Stdin, os.Stderr
	} else {
		cmd.Stderr = &r.stderr
		ownProcessGroup(cmd)
	}
	cmd.WaitDelay = processWaitDelay
	return cmd
}

func withoutVar(env []string, name string) []string {
	return slices.DeleteFunc(env, func(kv string) bool { return strings.HasPrefix(kv, name+"=") })
}

// errOutputTooLarge stops a credential_process that prints without end.
var errOutputTooLarge = errors.New("output too large")

// limitedBuffer keeps at most limit bytes; past it, it fails the write
// (fail) or drops the rest.
type limitedBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	n     int
	limit int
	fail  bool
}

// Write implements io.Writer.
func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.n += len(p)
	if room := b.limit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(room, len(p))])
	}
	if b.fail && b.n > b.limit {
		return 0, errOutputTooLarge
	}
	return len(p), nil
}

func (b *limitedBuffer) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// firstLine is the first non-empty line written, for a message.
func (b *limitedBuffer) firstLine() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, l := range strings.Split(b.buf.String(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return q(oneLine(l))
		}
	}
	return ""
}

// classifyProcess explains a failed credential_process: what went wrong
// and which command it was. It never quotes the command's stdout, which
// may hold a secret.
func classifyProcess(ctx context.Context, t target, root *profiles.Root, run *processRun, start time.Time, err error) error {
	what := fmt.Sprintf("profile %s: credential_process %s (%s)", q(t.profile), q(quoteCommand(root.CredentialProcess)), root.Pos)
	e := &Error{Kind: KindSource, Profile: t.profile, Err: err}
	stderr := ""
	if run != nil {
		if l := run.stderr.firstLine(); l != "" {
			stderr = "; it said: " + l
		}
	}
	var exitErr *exec.ExitError
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(ctx.Err(), context.Canceled):
		e.Msg = what + ": cancelled"
	case run != nil && run.stdout.count() > maxProcessOutput:
		e.Msg = fmt.Sprintf("%s printed more than %d KiB and was stopped; a credential_process prints one JSON document.", what, maxProcessOutput>>10)
	case ctx.Err() != nil || isTimeout(err) || strings.Contains(err.Error(), "timed out"):
		e.Msg = fmt.Sprintf("%s gave no credentials: timed out after %s and was stopped, with every process it started%s.\nRun it by hand to see where it waits, or give it more time with --timeout.", what, secondsText(time.Since(start)), stderr)
	case errors.Is(err, exec.ErrWaitDelay):
		e.Msg = fmt.Sprintf("%s exited, but a process it started kept its output open; rolecall stopped waiting after %s.\nMake the command close stdout (or redirect it) before it leaves anything running.", what, secondsText(processWaitDelay))
	case errors.As(err, &exitErr):
		e.Msg = fmt.Sprintf("%s failed (%s)%s.\nRun it by hand to see why.", what, q(exitErr.String()), stderr)
	case errors.As(err, &syntax) || errors.As(err, &typ):
		// The SDK's error quotes the output, which may hold a secret.
		e.Err = errors.New("credential_process output is not JSON: " + jsonProblem(err))
		printed := "printed nothing on stdout"
		if n := run.stdout.count(); n > 0 {
			printed = fmt.Sprintf("printed %d bytes on stdout that are not credential_process JSON (%s)", n, q(jsonProblem(err)))
		}
		e.Msg = fmt.Sprintf("%s %s%s.\nIt must print {\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …, \"SessionToken\": …, \"Expiration\": …}.", what, printed, stderr)
	case strings.Contains(err.Error(), "in process output"):
		e.Msg = fmt.Sprintf("%s printed JSON the AWS tools cannot use: %s.\nIt must print {\"Version\": 1, \"AccessKeyId\": …, \"SecretAccessKey\": …, \"SessionToken\": …, \"Expiration\": …}.", what, q(oneLine(cause(err))))
	case errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist):
		e.Msg = fmt.Sprintf("%s could not start: %s.", what, q(oneLine(cause(err))))
	default:
		e.Msg = fmt.Sprintf("%s failed: %s%s", what, q(oneLine(cause(err))), stderr)
	}
	return e
}

// jsonProblem is what a JSON decoder said, without the input.
func jsonProblem(err error) string {
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return syntax.Error()
	}
	var typ *json.UnmarshalTypeError
	if errors.As(err, &typ) {
		return fmt.Sprintf("%s is a %s, not a %s", typ.Field, typ.Value, typ.Type)
	}
	return "not JSON"
}

// quoteCommand shows a command in backquotes, shortened when long.
func quoteCommand(c string) string {
	if len(c) > 120 {
		c = c[:120] + "…"
	}
	return "`" + c + "`"
}
