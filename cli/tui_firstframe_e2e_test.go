package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolecall/rolecall/internal/testenv"
)

// TestTUIFirstFrameBeforeProgram opens the real binary in tmux with the
// renderer slowed to one frame a second: the profile list is on the screen
// before the renderer has drawn anything (it sets the pane's title on its
// first frame), the renderer's frame is the same screen, colours included,
// and on quit the terminal is back on its main screen.
func TestTUIFirstFrameBeforeProgram(t *testing.T) {
	tmux := testenv.RequireTool(t, "tmux")
	bin := rolecallBinary(t)
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	creds := filepath.Join(dir, "credentials")
	if err := os.WriteFile(config, []byte("[profile base-user]\nregion = us-east-1\n\n"+
		"[profile first-role]\nrole_arn = arn:aws:iam::123456789012:role/first\nsource_profile = base-user\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte("[base-user]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"+
		"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{
		"HOME=" + dir, "PATH=" + os.Getenv("PATH"), "TERM=xterm-256color",
		"AWS_CONFIG_FILE=" + config, "AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"ROLECALL_CACHE_DIR=" + filepath.Join(dir, "cache"), "ROLECALL_FPS=1",
	}
	s := startTUI(t, tmux, bin, env, "")
	title := func() string {
		out, _ := s.run("display-message", "-p", "-t", "e2e", "#{pane_title}")
		return strings.TrimSpace(out)
	}
	colours := func() string {
		out, _ := s.run("capture-pane", "-p", "-e", "-t", "e2e")
		return out
	}
	var early, earlyColours string
	s.waitFor("the first frame", func(scr string) string {
		if strings.Contains(scr, "first-role") {
			early, earlyColours = scr, colours()
			return "shown"
		}
		return ""
	})
	if got := title(); got == "rolecall" {
		t.Fatal("the list appeared only with the renderer's first frame (the pane's title was already set)")
	}
	// The renderer clears the ends of lines where the first frame wrote
	// spaces, which tmux keeps apart: the colours are compared as
	// sequences, the text as text.
	if !strings.Contains(earlyColours, "\x1b[38;5;147m") {
		t.Errorf("the first frame is not in the terminal's 256 colours:\n%q", earlyColours)
	}
	s.waitFor("the renderer's first frame", func(string) string {
		if title() == "rolecall" {
			return "drawn"
		}
		return ""
	})
	if late := s.screen(); late != early {
		t.Errorf("the renderer's frame differs from the first one painted:\n%s\nthen\n%s", early, late)
	}
	s.quit()
	if out, _ := s.run("display-message", "-p", "-t", "e2e", "#{alternate_on}"); strings.TrimSpace(out) != "0" {
		t.Errorf("after quitting the pane is still on the alternate screen (alternate_on=%s)", strings.TrimSpace(out))
	}
}
