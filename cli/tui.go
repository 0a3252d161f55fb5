package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	xterm "github.com/charmbracelet/x/term"
	"github.com/rolecall/rolecall/internal/sandbox"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
	"github.com/rolecall/rolecall/ui"
	"github.com/spf13/cobra"
)

// TUIOptions are the inputs of rolecall without a command (the TUI on the
// user's files) and of rolecall demo (the TUI on the built-in sandbox):
// the global flags, and which of the two.
type TUIOptions struct {
	Global *globalOptions
	Demo   bool
}

func newDemoCmd(g *globalOptions, runF func(context.Context, *TUIOptions) error) *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Open the UI on a built-in sandbox (no AWS account needed)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts := &TUIOptions{Global: g, Demo: true}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runTUI(cmd.Context(), opts)
		},
	}
}

// runTUI opens the terminal UI; in the demo it runs on the built-in
// sandbox.
func runTUI(ctx context.Context, o *TUIOptions) error {
	g, demo := o.Global, o.Demo
	opts := *g
	environ := os.Environ()
	warnGetenv := g.Getenv
	hint := ""
	var openURL func(context.Context, string) (string, error)
	// A closed terminal or a kill must still end the program through its
	// context, so that the deferred clean-up (the demo's files) runs.
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGHUP, syscall.SIGTERM)
	defer stop()
	if demo {
		sb, err := sandbox.Start(nil)
		if err != nil {
			return err
		}
		defer sb.Close()
		restore := setProcessEnv(sb.Env())
		defer restore()
		opts.Config, opts.Credentials = sb.ConfigFile, sb.CredentialsFile
		opts.Getenv = sb.Getenv(g.Getenv, true)
		warnGetenv = sb.Getenv(g.Getenv, false)
		environ = sb.Environ(environ)
		hint = sandbox.MFAHint
		openURL = sb.OpenURL
	}
	resume := holdCollector() // until the first frame is painted
	set, err := opts.load()
	if err != nil {
		resume()
		return err
	}
	// The UI asks for MFA codes in its own modal, so the manager gets no
	// terminal prompt.
	mo := opts.managerOptions(false)
	mo.ShellGetenv = warnGetenv
	mgr := session.New(set, mo)
	noColor := g.Getenv("NO_COLOR") != ""
	term := openTerminal(noColor)
	model := ui.New(ui.Options{
		Manager:  mgr,
		Context:  ctx,
		Now:      time.Now,
		Getenv:   warnGetenv,
		Environ:  environ,
		Warnings: profiles.ShadowWarnings(set, warnGetenv),
		Demo:     demo,
		DemoHint: hint,
		NoColor:  noColor,
		OpenURL:  openURL,
		Width:    term.width,
		Height:   term.height,
	})
	painted := term.paint && model.PaintFirstFrame(os.Stdout, term.profile) == nil
	resume()
	// Signals end the program through ctx alone. Bubble Tea's own handler
	// answers SIGTERM by sending a QuitMsg that nothing reads once ctx has
	// ended the event loop, and its shutdown then waits for that handler
	// for ever: a killed TUI stayed behind, about one time in three.
	popts := []tea.ProgramOption{tea.WithContext(ctx), tea.WithoutSignalHandler(),
		tea.WithFPS(framesPerSecond(g.Getenv, term.paint))}
	if term.profile != colorprofile.NoTTY {
		popts = append(popts, tea.WithColorProfile(term.profile))
	}
	var root tea.Model = model
	var screen *ui.Screen
	if term.paint {
		// Frames go to the terminal as soon as they are built, not on the
		// renderer's next tick.
		screen = ui.NewScreen(os.Stdout, term.profile, term.width, term.height, os.Environ(), painted)
		root = screen.Model(model)
		popts = append(popts, tea.WithOutput(screen))
	}
	p := tea.NewProgram(root, popts...)
	if term.askTmux {
		go upgradeFromTmux(ctx, p, term.profile)
	}
	_, err = p.Run()
	if screen != nil {
		screen.Stop() // no frame may follow the program's last words
	}
	if err != nil && painted {
		// The program may have stopped before its renderer took the
		// screen over (raw mode refused, a kill in the first
		// milliseconds), and then nothing leaves the alternate screen the
		// first frame entered. Leaving it twice does no harm.
		_, _ = io.WriteString(os.Stdout, ansi.ResetModeAltScreenSaveCursor+ansi.SetModeTextCursorEnable)
	}
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("the terminal UI stopped: %w", err)
	}
	return nil
}

// terminal is what the TUI knows of the terminal before the program
// starts: its size, its colour profile, and whether the first frame can
// be painted at once (ui.Model.PaintFirstFrame).
type terminal struct {
	width, height int
	profile       colorprofile.Profile // NoTTY: left to Bubble Tea
	paint         bool
	askTmux       bool // ask tmux for true colour once the program runs
}

// openTerminal looks at stdin and stdout as Bubble Tea will. The colour
// profile is Bubble Tea's own detection (colorprofile.Detect: the
// environment and terminfo) less its question to tmux: inside tmux that
// starts "tmux info" and waits for its answer, 10 to 15 ms before the
// first frame. upgradeFromTmux asks the same question once the first
// frame is on the screen.
func openTerminal(noColor bool) terminal {
	var t terminal
	if !isTerminal(os.Stdin) || !isTerminal(os.Stdout) {
		// Bubble Tea opens the TTY itself, or there is no screen: it
		// decides everything, as before.
		if noColor {
			t.profile = colorprofile.ASCII
		}
		return t
	}
	env := os.Environ()
	inTmux := false
	noTmux := make([]string, 0, len(env))
	for _, kv := range env {
		if strings.HasPrefix(kv, "TMUX=") {
			inTmux = kv != "TMUX="
			continue
		}
		noTmux = append(noTmux, kv)
	}
	t.profile = colorprofile.Detect(os.Stdout, noTmux)
	if noColor {
		t.profile = min(t.profile, colorprofile.ASCII)
	}
	t.askTmux = inTmux && t.profile > colorprofile.ASCII && t.profile < colorprofile.TrueColor
	if w, h, err := xterm.GetSize(os.Stdout.Fd()); err == nil && w > 0 && h > 0 {
		t.width, t.height = w, h
		t.paint = t.profile > colorprofile.NoTTY
	}
	return t
}

// upgradeFromTmux asks tmux whether the terminal outside it takes true
// colour, as colorprofile.Detect does, and if so switches the renderer to
// it and redraws the screen in the richer colours.
func upgradeFromTmux(ctx context.Context, p *tea.Program, have colorprofile.Profile) {
	if ctx.Err() != nil {
		return
	}
	if got := colorprofile.Tmux(os.Environ()); got > have {
		p.Send(tea.ColorProfileMsg{Profile: got})
		p.Send(tea.ClearScreen())
	}
}

// setProcessEnv points the whole process at the sandbox, so that no code
// path that reads the environment itself (the AWS SDK's own defaults)
// can reach the real AWS or ~/.aws; it returns the undo.
func setProcessEnv(env map[string]string) func() {
	type old struct {
		v  string
		ok bool
	}
	saved := map[string]old{}
	for k, v := range env {
		ov, ok := os.LookupEnv(k)
		saved[k] = old{ov, ok}
		if v == "" {
			_ = os.Unsetenv(k)
		} else {
			_ = os.Setenv(k, v)
		}
	}
	return func() {
		for k, o := range saved {
			if o.ok {
				_ = os.Setenv(k, o.v)
			} else {
				_ = os.Unsetenv(k)
			}
		}
	}
}

// framesPerSecond is how often Bubble Tea's renderer runs. Where the UI
// draws its own frames (ui.Screen), the renderer only sets the terminal's
// modes and passes on queries and clipboard writes: 30 times a second is
// plenty, a quarter of the wake-ups. Where it draws every frame, 120, so
// that a key reaches the screen within 8 ms. ROLECALL_FPS (1 to 120) sets
// it, lower on battery, say.
func framesPerSecond(getenv func(string) string, drawsItself bool) int {
	if n, err := strconv.Atoi(getenv("ROLECALL_FPS")); err == nil && n >= 1 && n <= 120 {
		return n
	}
	if drawsItself {
		return 30
	}
	return 120
}
