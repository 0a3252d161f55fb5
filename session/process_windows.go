//go:build windows

package session

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a console process group of its own. When
// its context ends it is killed; processes it started that keep its
// output open no longer hold rolecall, thanks to the command's WaitDelay.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: syscall.CREATE_NEW_PROCESS_GROUP}
}
