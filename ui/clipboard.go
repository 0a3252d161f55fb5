package ui

import (
	"errors"
	"fmt"
	"runtime"

	"github.com/atotto/clipboard"
)

// systemClipboard writes the system clipboard through
// github.com/atotto/clipboard (pbcopy, xclip, xsel, wl-copy, the Windows
// API), which bubbles' text input already uses for pasting. Over SSH or
// on a headless machine there is none to write: the terminal's clipboard,
// which OSC 52 reaches, is the one that counts there.
func systemClipboard(getenv func(string) string) func(string) error {
	return func(s string) error {
		if runtime.GOOS != "darwin" && runtime.GOOS != "windows" && getenv("DISPLAY") == "" && getenv("WAYLAND_DISPLAY") == "" {
			return errors.New("no display here")
		}
		if clipboard.Unsupported {
			return errors.New("no xclip, xsel or wl-copy here")
		}
		if err := clipboard.WriteAll(s); err != nil {
			return fmt.Errorf("the clipboard tool failed (%v)", err)
		}
		return nil
	}
}
