package session

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// ShellFromEnv picks the export syntax for the user's shell from $SHELL:
// fish, zsh, or bash for every other POSIX shell; powershell on Windows.
// It is the one place the user's shell is decided.
func ShellFromEnv(getenv func(string) string) string {
	switch b := strings.TrimSuffix(filepath.Base(getenv("SHELL")), ".exe"); b {
	case "fish", "zsh", "bash":
		return b
	case "pwsh", "powershell":
		return "powershell"
	}
	if runtime.GOOS == "windows" {
		return "powershell"
	}
	return "bash"
}

// ShellCommand returns the command that starts a shell with the hand-off's
// environment: shell by name or path ("powershell" finds pwsh or
// powershell.exe), or "" for the user's own ($SHELL, else /bin/sh;
// %COMSPEC% on Windows). rolecall shell runs it directly and the TUI
// through tea.ExecProcess.
func (h Handoff) ShellCommand(base []string, getenv func(string) string, shell string) *exec.Cmd {
	return shellCommand(base, getenv, shell, h.Environ)
}

// shellCommand starts shell with the environment env makes of base.
func shellCommand(base []string, getenv func(string) string, shell string, env func([]string) []string) *exec.Cmd {
	if getenv == nil {
		getenv = os.Getenv
	}
	if base == nil {
		base = os.Environ()
	}
	c := exec.Command(shellPath(getenv, shell))
	c.Env = env(base)
	return c
}

func shellPath(getenv func(string) string, shell string) string {
	switch shell {
	case "powershell", "pwsh":
		for _, name := range []string{"pwsh", "powershell"} {
			if p, err := exec.LookPath(name); err == nil {
				return p
			}
		}
		return "powershell"
	case "":
	default:
		return shell
	}
	if runtime.GOOS == "windows" {
		if c := getenv("COMSPEC"); c != "" {
			return c
		}
		return "cmd.exe"
	}
	if sh := getenv("SHELL"); sh != "" {
		return sh
	}
	return "/bin/sh"
}
