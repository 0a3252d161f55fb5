//go:build !windows

package cli

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"syscall"

	"golang.org/x/sys/unix"
)

// runChildProcess runs c as a shell runs a job: in a process group of its
// own, given the terminal when rolecall has it. Then every signal the
// terminal sends (Ctrl-C, Ctrl-\, Ctrl-Z) goes to the child alone, once,
// and every signal rolecall gets (INT, QUIT, TERM, HUP sent to rolecall or
// to its own group) can only have come to rolecall, so it is passed on,
// once. SIGQUIT is caught, so it never dumps rolecall's goroutines and
// leaves the child behind. When the child stops (Ctrl-Z), rolecall takes
// the terminal back and stops too, so the shell sees the job stop; when
// the shell continues it, rolecall hands the terminal back and continues
// the child. On Linux the child gets SIGTERM if rolecall is killed.
func runChildProcess(c *exec.Cmd) error {
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGTERM, syscall.SIGHUP)
	defer signal.Stop(sigs)

	tty := foregroundTerminal()
	if tty != nil {
		defer tty.Close()
		c.SysProcAttr = &syscall.SysProcAttr{Foreground: true, Ctty: int(tty.Fd())}
	} else {
		c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	}
	// The parent-death signal is tied to the thread that started the
	// child: keep that thread until the child is gone.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	setParentDeathSignal(c.SysProcAttr)
	if err := c.Start(); err != nil {
		return fmt.Errorf("start %s: %v", c.Path, errors.Unwrap(err))
	}
	pgid := c.Process.Pid
	done := make(chan struct{})
	defer close(done)
	go func() {
		for {
			select {
			case sig := <-sigs:
				_ = syscall.Kill(-pgid, sig.(syscall.Signal))
			case <-done:
				return
			}
		}
	}()

	var ws syscall.WaitStatus
	for {
		_, err := syscall.Wait4(c.Process.Pid, &ws, syscall.WUNTRACED, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("wait for %s: %v", c.Path, err)
		}
		if !ws.Stopped() {
			break
		}
		// The child stopped: stop with it, as its job, and carry on
		// together when the shell continues rolecall.
		if tty != nil {
			setForeground(tty, syscall.Getpgrp())
		}
		_ = syscall.Kill(os.Getpid(), syscall.SIGSTOP)
		if tty != nil && foreground(tty) {
			setForeground(tty, pgid)
		}
		_ = syscall.Kill(-pgid, syscall.SIGCONT)
	}
	if tty != nil {
		setForeground(tty, syscall.Getpgrp())
	}
	// Release what exec.Cmd holds (pipes, copying goroutines); the child
	// was reaped above, so its own wait fails and is ignored.
	_ = c.Wait()
	switch {
	case ws.Exited() && ws.ExitStatus() == 0:
		return nil
	case ws.Exited():
		return exitCodeError{ws.ExitStatus()}
	case ws.Signaled():
		return exitCodeError{128 + int(ws.Signal())}
	}
	return exitCodeError{1}
}

// foregroundTerminal is the controlling terminal when rolecall's process
// group is in its foreground, else nil.
func foregroundTerminal() *os.File {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil
	}
	if !foreground(tty) {
		tty.Close()
		return nil
	}
	return tty
}

func foreground(tty *os.File) bool {
	pgrp, err := unix.IoctlGetInt(int(tty.Fd()), unix.TIOCGPGRP)
	return err == nil && pgrp == syscall.Getpgrp()
}

// setForeground gives the terminal to process group pgrp. A process not
// in the foreground group that does so gets SIGTTOU, which would stop
// it: ignore that signal meanwhile.
func setForeground(tty *os.File, pgrp int) {
	signal.Ignore(syscall.SIGTTOU)
	defer signal.Reset(syscall.SIGTTOU)
	_ = unix.IoctlSetPointerInt(int(tty.Fd()), unix.TIOCSPGRP, pgrp)
}
