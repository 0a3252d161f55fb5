//go:build !windows

package cli

import (
	"io"
	"os"
)

// openTTY opens the controlling terminal, which stays the user's when
// stdin belongs to a child.
func openTTY() (io.ReadWriteCloser, error) {
	return os.OpenFile("/dev/tty", os.O_RDWR, 0)
}
