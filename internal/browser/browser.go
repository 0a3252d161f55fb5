// Package browser opens URLs in the user's browser: a command given with
// --browser, else $BROWSER, else the platform's opener (xdg-open or
// wslview, open, rundll32). It also builds the ext+container: URLs of
// Firefox's "Open external links in a container" add-on.
//
// It runs the openers itself rather than through a library such as
// github.com/cli/browser, which sends the opener's output to the
// process's own stdout and stderr (over a running terminal UI) and cannot
// be cancelled.
package browser

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// settle is how long an opener may take to fail. One still running after
// that (a browser started in the foreground) has opened the page.
const settle = 3 * time.Second

// Opener opens URLs. The zero value uses the platform's opener.
type Opener struct {
	// Command is the browser command (--browser): a program and its
	// arguments, with %s standing for the URL (appended when absent).
	Command string
	// Getenv reads $BROWSER; nil reads nothing.
	Getenv func(string) string
	// Run starts a program; nil runs it for real. Tests replace it.
	Run func(ctx context.Context, name string, args ...string) error
}

// Open opens u and says with what ("firefox", "xdg-open", ...). Its
// errors never hold the URL, which may carry a sign-in token.
func (o Opener) Open(ctx context.Context, u string) (string, error) {
	var tried []string
	for _, argv := range o.commands(u) {
		err := o.run(ctx, argv[0], argv[1:]...)
		if err == nil {
			return argv[0], nil
		}
		tried = append(tried, fmt.Sprintf("%s (%v)", argv[0], err))
	}
	if len(tried) == 0 {
		return "", errors.New("no browser command: set BROWSER or pass --browser")
	}
	return "", fmt.Errorf("no browser opened: tried %s", strings.Join(tried, ", "))
}

// commands lists the command lines to try, in order.
func (o Opener) commands(u string) [][]string {
	if o.Command != "" {
		return [][]string{expand(o.Command, u)}
	}
	if o.Getenv != nil {
		if env := o.Getenv("BROWSER"); env != "" {
			var out [][]string
			// $BROWSER is a colon-separated list of commands to try.
			for _, c := range strings.Split(env, string(listSep())) {
				if strings.TrimSpace(c) != "" {
					out = append(out, expand(c, u))
				}
			}
			return out
		}
	}
	return platform(runtime.GOOS, u)
}

func listSep() rune {
	if runtime.GOOS == "windows" {
		return ';'
	}
	return ':'
}

// expand splits a command on spaces and puts u where %s is, or last.
func expand(cmd, u string) []string {
	f := strings.Fields(cmd)
	placed := false
	for i, a := range f {
		if strings.Contains(a, "%s") {
			f[i] = strings.ReplaceAll(a, "%s", u)
			placed = true
		}
	}
	if !placed {
		f = append(f, u)
	}
	return f
}

// platform is the system's own opener.
func platform(goos, u string) [][]string {
	switch goos {
	case "darwin":
		return [][]string{{"open", u}}
	case "windows":
		return [][]string{{"rundll32", "url.dll,FileProtocolHandler", u}}
	}
	return [][]string{{"xdg-open", u}, {"wslview", u}}
}

// run starts a program with no terminal I/O and waits until it exits or
// settle passes, whichever is first.
func (o Opener) run(ctx context.Context, name string, args ...string) error {
	if o.Run != nil {
		return o.Run(ctx, name, args...)
	}
	path, err := exec.LookPath(name)
	if err != nil {
		return errors.New("not installed")
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return errors.New("could not start")
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return fmt.Errorf("exit status %d", exit.ExitCode())
		}
		if err != nil {
			return errors.New("failed")
		}
		return nil
	case <-time.After(settle):
		return nil // still running: a browser in the foreground
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ContainerURL wraps u for Firefox's "Open external links in a container"
// add-on: ext+container:name=NAME&url=URL, both query-encoded.
func ContainerURL(name, u string) string {
	return "ext+container:name=" + url.QueryEscape(name) + "&url=" + url.QueryEscape(u)
}

// ContainerBrowser is the command that opens ext+container: URLs when
// none is given: Firefox itself, since the system opener does not know
// the scheme.
func ContainerBrowser(goos string) string {
	if goos == "darwin" {
		return "open -a Firefox"
	}
	return "firefox"
}
