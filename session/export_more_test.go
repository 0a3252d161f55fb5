package session

import (
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEnvironKeepsTheUsersRegion: a hand-off with a region of its own
// sets it; one without keeps the region the user's environment chose.
func TestEnvironKeepsTheUsersRegion(t *testing.T) {
	base := []string{"AWS_REGION=ap-south-1", "AWS_DEFAULT_REGION=ap-south-1", "PATH=/bin"}
	with := handSession("s", "t")
	without := with
	without.Region = ""
	if got := with.Environ(base); !slices.Contains(got, "AWS_REGION=eu-west-1") || slices.Contains(got, "AWS_REGION=ap-south-1") {
		t.Errorf("with a region: %q", got)
	}
	if got := without.Environ(base); !slices.Contains(got, "AWS_REGION=ap-south-1") || !slices.Contains(got, "AWS_DEFAULT_REGION=ap-south-1") {
		t.Errorf("without a region the user's is gone: %q", got)
	}
}

// TestEnvironNamesAreCaseSensitiveOffWindows: on Linux and macOS
// aws_profile is another variable than AWS_PROFILE, and stays.
func TestEnvironNamesAreCaseSensitiveOffWindows(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows names ignore case")
	}
	got := handSession("s", "t").Environ([]string{"aws_profile=mine", "AWS_PROFILE=dev"})
	if !slices.Contains(got, "aws_profile=mine") || slices.Contains(got, "AWS_PROFILE=dev") {
		t.Errorf("environment %q", got)
	}
}

// TestNULCannotBeExported: a value with a NUL, at its start too, is
// refused by every shell's export lines.
func TestNULCannotBeExported(t *testing.T) {
	for _, region := range []string{"\x00eu-west-1", "eu\x00-west-1"} {
		h := handSession("s", "t")
		h.Region = region
		for _, sh := range []string{"bash", "fish", "powershell", "cmd"} {
			if _, err := h.ExportLines(sh); err == nil || !strings.Contains(err.Error(), "NUL") {
				t.Errorf("%s, region %q: %v, want a refusal", sh, region, err)
			}
		}
	}
}

// TestMessagesStayOnOneLine: what a failure quotes from elsewhere keeps
// its first line, 200 characters at most.
func TestMessagesStayOnOneLine(t *testing.T) {
	long := strings.Repeat("x", 200)
	for in, want := range map[string]string{
		"first\nsecond":  "first",
		"\nsecond":       "",
		long:             long,
		long + "y":       long + "…",
		"  padded \n x ": "padded",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestTimeoutsInSeconds: a timeout reads in seconds, with a tenth below
// one.
func TestTimeoutsInSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		400 * time.Millisecond: "0.4 s", 949 * time.Millisecond: "0.9 s", 950 * time.Millisecond: "1 s",
		5 * time.Second: "5 s", 30*time.Second + 400*time.Millisecond: "30 s",
	} {
		if got := secondsText(d); got != want {
			t.Errorf("secondsText(%s) = %q, want %q", d, got, want)
		}
	}
}
