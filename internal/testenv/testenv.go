// Package testenv starts the external tools the tests drive (moto_server,
// the AWS CLI, tmux), finds the AWS SDKs' conformance data, and decides
// whether a missing tool or missing data skips or fails a test: with
// ROLECALL_REQUIRE_TOOLS=1 (set by .ci/run) it fails. Main reports the
// skips of a package in one line.
package testenv

import (
	"fmt"
	"net"
	"net/http"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// RequireTool returns the path of an executable, or skips the test (fails
// it under ROLECALL_REQUIRE_TOOLS=1) when it is not installed.
func RequireTool(tb testing.TB, name string) string {
	tb.Helper()
	return requireTool(tb, &skipped, name)
}

func requireTool(tb testing.TB, l *skipLog, name string) string {
	tb.Helper()
	if path, err := exec.LookPath(name); err == nil {
		return path
	}
	need := toolNeed(name)
	skipOrFail(tb, l, need, fmt.Sprintf("%s is not installed; this test needs it (%s)", name, need.command()))
	return ""
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("no free loopback port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Moto is a running moto_server on loopback.
type Moto struct {
	URL string // http://127.0.0.1:PORT
	cmd *exec.Cmd
}

// StartMoto starts moto_server on a free loopback port, waits until it
// answers, and stops it (by PID) when the test ends.
func StartMoto(tb testing.TB) *Moto {
	tb.Helper()
	bin := RequireTool(tb, "moto_server")
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		port := FreePort(tb)
		cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
		cmd.SysProcAttr = procAttr()
		if err := cmd.Start(); err != nil {
			tb.Fatalf("start moto_server: %v", err)
		}
		m := &Moto{URL: "http://127.0.0.1:" + strconv.Itoa(port), cmd: cmd}
		if lastErr = m.wait(20 * time.Second); lastErr == nil {
			tb.Cleanup(m.Stop)
			return m
		}
		m.Stop()
	}
	tb.Fatalf("moto_server did not start: %v", lastErr)
	return nil
}

func (m *Moto) wait(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(m.URL + "/moto-api/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop kills the server (and its process group) by PID and waits for it.
// It is safe to call more than once.
func (m *Moto) Stop() {
	if m.cmd == nil || m.cmd.Process == nil {
		return
	}
	killGroup(m.cmd.Process.Pid)
	_ = m.cmd.Wait()
	m.cmd = nil
}

// Env returns the variables that point the AWS SDKs and the AWS CLI at
// this server for STS and for the EC2 instance metadata service.
func (m *Moto) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_STS=" + m.URL,
		"AWS_EC2_METADATA_SERVICE_ENDPOINT=" + m.URL,
	}
}
