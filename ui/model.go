// Package ui is rolecall's terminal UI: the profile list with live session
// countdowns, the details pane, and the prompts, on Bubble Tea. Every
// action calls the same session functions the subcommands use.
package ui

import (
	"context"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/internal/browser"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// Options are what the UI is given; tests replace the manager and clock.
type Options struct {
	Manager Manager
	// Context bounds every call the UI starts.
	Context context.Context
	// Now is the clock the countdowns read; time.Now when nil.
	Now func() time.Time
	// Getenv and Environ are handed to the subshell; os's when nil.
	Getenv  func(string) string
	Environ []string
	// Warnings say why keys written into [default] may be shadowed
	// (profiles.ShadowWarnings).
	Warnings []string
	// Demo labels the header: the files and STS are the sandbox's.
	Demo     bool
	DemoHint string
	// NoColor drops colours and keeps bold and reverse.
	NoColor bool
	// Policy is the renewal policy of the session.Renewer the UI asks on
	// every tick; session.DefaultRenewPolicy when zero.
	Policy session.RenewPolicy
	// Width and Height are the size assumed until the terminal reports one.
	Width, Height int
	// OpenURL opens a URL in a browser and says which (the console key,
	// the login page); $BROWSER or the system's opener when nil.
	OpenURL func(ctx context.Context, url string) (string, error)
	// Clipboard writes the system clipboard (besides the terminal's, which
	// OSC 52 reaches); github.com/atotto/clipboard's when nil.
	Clipboard func(string) error
}

// state is which modal child has the keyboard, if any.
type state int

const (
	stateList    state = iota
	stateMFA           // the MFA code modal
	stateExport        // the export lines, or a URL no browser took
	stateConfirm       // a [default] write waits for d again
	stateLogin         // an IAM Identity Center login
)

// detailsPref is what the user asked of the details pane with i.
type detailsPref int

const (
	// detailsAuto shows the pane when the terminal has room beside or
	// below the list, and not on a small one.
	detailsAuto detailsPref = iota
	detailsShown
	detailsHidden
)

// Model is the root model.
type Model struct {
	c       *common
	opts    Options
	mgr     Manager
	ctx     context.Context
	renewer *session.Renewer // which sessions to renew, and their failures
	open    func(ctx context.Context, url string) (string, error)
	// wakeAt is when the one pending clock tick fires (armClock).
	wakeAt time.Time

	state   state
	list    listModel
	detail  detailModel
	mfa     mfaModel
	export  exportModel
	confirm confirmModel
	login   loginModel
	help    help.Model
	spin    spinner.Model

	byName   map[string]*row
	broken   int // profiles that cannot be used as their files stand
	busy     int // calls running
	spinning bool

	banner  banner
	details detailsPref

	width, height int
	lay           layout
	helpKey       helpKey
	helpCache     string
	headerKey     headerKey
	headerCache   []string
}

// New builds the model. It does no I/O: cached sessions and the
// auto-renew list are read by the commands Init returns.
func New(opts Options) *Model {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Getenv == nil {
		opts.Getenv = os.Getenv
	}
	if opts.Environ == nil {
		opts.Environ = os.Environ()
	}
	if opts.Context == nil {
		opts.Context = context.Background()
	}
	if opts.OpenURL == nil {
		opts.OpenURL = browser.Opener{Getenv: opts.Getenv}.Open
	}
	if opts.Width == 0 || opts.Height == 0 {
		opts.Width, opts.Height = 100, 30
	}
	if opts.Clipboard == nil {
		opts.Clipboard = systemClipboard(opts.Getenv)
	}
	renewer := session.NewRenewer(opts.Manager, opts.Policy, opts.Now)
	c := &common{keys: DefaultKeyMap(), now: opts.Now, after: tea.Tick, isDark: true, noColor: opts.NoColor,
		renewer: renewer, plan: opts.Manager.Plan}
	c.shortPath = func(p string) string { return tilde(p, opts.Getenv("HOME")) }
	c.styles = NewStyles(true, opts.NoColor)

	set := opts.Manager.Set()
	rows := make([]*row, 0, len(set.Profiles))
	broken := 0
	byName := make(map[string]*row, len(set.Profiles))
	for _, p := range set.Profiles {
		r := newRow(p)
		rows = append(rows, r)
		byName[p.Name] = r
		if r.broken() {
			broken++
		}
	}
	m := &Model{
		c: c, opts: opts, mgr: opts.Manager, ctx: opts.Context, renewer: renewer,
		list:    newList(c, rows),
		detail:  newDetail(c, set),
		mfa:     newMFA(c),
		export:  newExport(c),
		confirm: newConfirm(c),
		login:   newLogin(c),
		open:    opts.OpenURL,
		help:    help.New(),
		spin:    spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		byName:  byName,
		broken:  broken,
	}
	m.list.SetDefault(set.Default)
	m.applyStyles()
	m.setSize(opts.Width, opts.Height)
	return m
}

// Init implements tea.Model: the clock, the background colour query, the
// cached sessions and the auto-renew list.
func (m *Model) Init() tea.Cmd {
	var names, sso []string
	for _, r := range m.list.Rows() {
		if r.role && !r.broken() {
			names = append(names, r.p.Name)
		}
		if r.p.Chain != nil && r.p.Chain.Root.Kind == profiles.RootSSO {
			sso = append(sso, r.p.Name)
		}
	}
	return tea.Batch(m.armClock(), tea.RequestBackgroundColor, cachedCmd(m.mgr, names), loginStateCmd(m.mgr, sso), loadAutoCmd(m.mgr))
}

// Update implements tea.Model.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.setSize(msg.Width, msg.Height)
	case tea.BackgroundColorMsg:
		m.c.isDark = msg.IsDark()
		m.applyStyles()
	case tickMsg:
		cmd = m.onTick(time.Time(msg))
	case spinner.TickMsg:
		cmd = m.onSpin(msg)
	case sessionMsg:
		m.onSession(msg)
	case errMsg:
		cmd = m.onError(msg)
	case whoamiMsg:
		m.onWhoAmI(msg)
	case forgotMsg:
		m.onForgot(msg)
	case cachedMsg:
		m.onCached(msg)
	case autoLoadedMsg:
		m.onAutoLoaded(msg)
	case autoSavedMsg:
		m.onAutoSaved(msg)
	case shellDoneMsg:
		m.onShellDone(msg)
	case mfaCodeMsg:
		cmd = m.onMFACode(msg)
	case browserMsg:
		cmd = m.onBrowser(msg)
	case mfaCancelMsg:
		m.state = stateList
		m.setBanner("MFA cancelled: nothing was called", false)
	case confirmedMsg:
		cmd = m.onConfirmed(msg)
	case confirmCancelMsg:
		m.state = stateList
		m.setBanner("[default] left as it was", false)
	case copyRequestMsg:
		cmd = copyCmd(m.opts.Clipboard, msg.profile, msg.text, countLines(msg.text))
	case copiedMsg:
		m.onCopied(msg)
	case exportClosedMsg:
		m.state = stateList
		m.export.Close()
	case detailsClosedMsg:
		m.details = detailsAuto
	case tea.KeyPressMsg:
		cmd = m.onKey(msg)
	default:
		cmd = m.forward(msg)
	}
	m.relayout()
	if wake := m.armClock(); wake != nil {
		cmd = tea.Batch(cmd, wake)
	}
	return m, cmd
}

// forward sends any other message (cursor blinks) to the focused child.
func (m *Model) forward(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	switch {
	case m.state == stateMFA:
		m.mfa, cmd = m.mfa.Update(msg)
	case m.list.Filtering():
		m.list, cmd = m.list.Update(msg)
	}
	return cmd
}

// View implements tea.Model.
func (m *Model) View() tea.View {
	v := tea.NewView(m.render())
	v.AltScreen = true
	v.WindowTitle = "rolecall"
	return v
}

func (m *Model) applyStyles() {
	m.c.styles = NewStyles(m.c.isDark, m.c.noColor)
	m.help.Styles = help.DefaultStyles(m.c.isDark)
	m.spin.Style = m.c.styles.Busy
	m.c.paint = newPainters(m.c)
	if m.c.noColor {
		m.help.Styles = help.Styles{}
	}
}
