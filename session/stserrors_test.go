package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/stsfake"
)

// TestSTSRefusalsNameWhatToFix: when STS refuses an AssumeRole, the
// message says which setting of the profile to check, and where the
// profile is, in the words of the error's class.
func TestSTSRefusalsNameWhatToFix(t *testing.T) {
	w := newWorld(t)
	// dev's role_arn is on line 5 of the world's config.
	at := fmt.Sprintf("the profile whose role_arn is at %s:5", w.files.Config)
	tests := []struct {
		name     string
		fail     stsfake.Failure
		wantKind ErrorKind
		want     []string
	}{
		{"role session name", stsfake.Failure{Status: 400, Code: "ValidationError", Message: "1 validation error detected: Value at 'roleSessionName' failed to satisfy constraint"},
			KindProfile, []string{"refused the request as invalid", "Check role_session_name in " + at}},
		{"external id", stsfake.Failure{Status: 400, Code: "ValidationError", Message: "Value at 'externalId' failed to satisfy constraint"},
			KindProfile, []string{"Check external_id in " + at}},
		{"mfa serial", stsfake.Failure{Status: 400, Code: "ValidationError", Message: "Value at 'serialNumber' failed to satisfy constraint"},
			KindProfile, []string{"Check mfa_serial in " + at}},
		{"token code", stsfake.Failure{Status: 400, Code: "ValidationError", Message: "Value at 'tokenCode' failed to satisfy constraint"},
			KindProfile, []string{"the 6 digits your device shows"}},
		{"duration", stsfake.Failure{Status: 400, Code: "ValidationError", Message: "Value at 'durationSeconds' failed to satisfy constraint"},
			KindProfile, []string{"Check duration_seconds in " + at, "--duration"}},
		{"something else invalid", stsfake.Failure{Status: 400, Code: "InvalidParameterValue", Message: "the policy is wrong"},
			KindProfile, []string{"(the policy is wrong)", "Check role_arn, role_session_name, external_id, mfa_serial and duration_seconds in " + at}},
		{"region without STS", stsfake.Failure{Status: 403, Code: "RegionDisabledException", Message: "STS is not activated in this region"},
			KindProfile, []string{"STS is not enabled in this region", "--region"}},
		{"a code rolecall does not know", stsfake.Failure{Status: 400, Code: "PackedPolicyTooLarge", Message: "packed policy too large"},
			KindOther, []string{"profile dev: assume arn:aws:iam::111111111111:role/dev", "PackedPolicyTooLarge: packed policy too large"}},
		{"denied", stsfake.Failure{Status: 403, Code: "AccessDenied", Message: "not authorized to perform: sts:AssumeRole"},
			KindAccessDenied, []string{"access denied (not authorized to perform: sts:AssumeRole)", "trust policy", "external_id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w.sts.Fail = func(c stsfake.Call) *stsfake.Failure {
				if c.Action == "AssumeRole" {
					return &tc.fail
				}
				return nil
			}
			_, err := w.manager(nil, Options{CacheDir: t.TempDir()}).Assume(ctx, "dev")
			var e *Error
			if !errors.As(err, &e) || e.Kind != tc.wantKind {
				t.Fatalf("err %v, want kind %s", err, tc.wantKind)
			}
			for _, want := range tc.want {
				if !strings.Contains(e.Msg, want) {
					t.Errorf("message %q does not say %q", e.Msg, want)
				}
			}
			if strings.Count(e.Msg, "\n") > 1 || e.Profile != "dev" {
				t.Errorf("message %q (profile %q): want two lines at most, for dev", e.Msg, e.Profile)
			}
		})
	}
	w.sts.Fail = nil
}

// TestCancelledCallSaysSo: a call the user cancels (esc in the TUI, ^C)
// ends with a message that says so, not as a failure of STS.
func TestCancelledCallSaysSo(t *testing.T) {
	w := newWorld(t)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := w.manager(nil, Options{}).Assume(c, "dev")
	var e *Error
	if !errors.As(err, &e) || !errors.Is(err, context.Canceled) || !strings.HasSuffix(e.Msg, ": cancelled") || e.Kind == KindUnreachable {
		t.Errorf("err %v, want a cancelled call", err)
	}
	if calls := w.sts.Calls(); len(calls) != 0 {
		t.Errorf("STS answered %v after the cancel", stsfake.Actions(calls))
	}
}

// TestShellCommandFindsPowerShell: asked for PowerShell, the subshell is
// pwsh where it is installed, else Windows PowerShell, else the name for
// the system to find.
func TestShellCommandFindsPowerShell(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the stand-in shells are shell scripts")
	}
	h := handSession("s", "t")
	for _, tc := range []struct {
		name      string
		installed []string
		want      string // the base name of the command, or "powershell" when none is installed
	}{
		{"pwsh", []string{"pwsh", "powershell"}, "pwsh"},
		{"Windows PowerShell", []string{"powershell"}, "powershell"},
		{"none", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for _, name := range tc.installed {
				if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			t.Setenv("PATH", dir)
			for _, ask := range []string{"powershell", "pwsh"} {
				c := h.ShellCommand([]string{}, func(string) string { return "" }, ask)
				want := filepath.Join(dir, tc.want)
				if tc.want == "" {
					want = "powershell"
				}
				if c.Args[0] != want && c.Path != want {
					t.Errorf("asked for %s: runs %q (%q), want %s", ask, c.Path, c.Args[0], want)
				}
			}
		})
	}
}

// TestChainFailureNamesTheHop: when a role in the middle of a chain is
// refused, the message names that role and the profile it comes from;
// the profile's own role needs no such name.
func TestChainFailureNamesTheHop(t *testing.T) {
	w := newWorld(t)
	for _, tc := range []struct{ refuse, want, not string }{
		{"role/dev", "profile chained: assume arn:aws:iam::111111111111:role/dev (profile dev): access denied", ""},
		{"role/chained", "profile chained: assume arn:aws:iam::222222222222:role/chained: access denied", "(profile chained)"},
	} {
		w.sts.Fail = func(c stsfake.Call) *stsfake.Failure {
			if strings.HasSuffix(c.Form["RoleArn"], tc.refuse) {
				return &stsfake.Failure{Status: 403, Code: "AccessDenied", Message: "not authorized to perform: sts:AssumeRole"}
			}
			return nil
		}
		_, err := w.manager(nil, Options{CacheDir: t.TempDir()}).Assume(ctx, "chained")
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) || (tc.not != "" && strings.Contains(err.Error(), tc.not)) {
			t.Errorf("refusing %s: got %v, want %q", tc.refuse, err, tc.want)
		}
	}
	w.sts.Fail = nil
}
