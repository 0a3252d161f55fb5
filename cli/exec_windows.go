//go:build windows

package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
)

// runChildProcess runs c in rolecall's console. Ctrl-C reaches every
// process of the console, the child included, so rolecall only ignores it
// and waits for the child; nothing is passed on.
func runChildProcess(c *exec.Cmd) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	if err := c.Start(); err != nil {
		return fmt.Errorf("start %s: %v", c.Path, errors.Unwrap(err))
	}
	return c.Wait()
}
