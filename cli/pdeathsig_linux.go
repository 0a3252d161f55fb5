package cli

import "syscall"

// setParentDeathSignal makes the kernel send the child SIGTERM if
// rolecall dies (even by SIGKILL) while it runs.
func setParentDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGTERM }
