package ui

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/profiles"
)

// t0 is the fixed time every model test starts at.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// clock is the tests' clock. It reads a settable time, and it holds the
// timers the model arms through common.after (the clock's tick, the
// spinner's frames): they fire only when a test advances the clock, so
// tests run time without waiting for it.
type clock struct {
	now time.Time

	mu     sync.Mutex
	timers []timer
	armed  int // timers armed so far; orders timers due at once
}

// timer is one armed tea.Tick: fn's message is due at at.
type timer struct {
	at  time.Time
	seq int
	fn  func(time.Time) tea.Msg
}

// Now reads the clock; commands running in their own goroutines (a call
// held by the fake's gate) read it too.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// after is tea.Tick on this clock: the timer starts when the command is
// made, as tea.Tick's does, and is armed when the command runs.
func (c *clock) after(d time.Duration, fn func(time.Time) tea.Msg) tea.Cmd {
	at := c.Now().Add(d)
	return func() tea.Msg {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.armed++
		c.timers = append(c.timers, timer{at: at, seq: c.armed, fn: fn})
		return nil
	}
}

// next takes the earliest timer due at or before end, if any.
func (c *clock) next(end time.Time) (timer, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	best := -1
	for i, t := range c.timers {
		if t.at.After(end) {
			continue
		}
		if best < 0 || t.at.Before(c.timers[best].at) || (t.at.Equal(c.timers[best].at) && t.seq < c.timers[best].seq) {
			best = i
		}
	}
	if best < 0 {
		return timer{}, false
	}
	t := c.timers[best]
	c.timers = slices.Delete(c.timers, best, best+1)
	return t, true
}

// pending is how many timers are armed and not yet fired.
func (c *clock) pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.timers)
}

// advance runs the program's time forward by d: each timer that falls due
// fires at its own time, in order, and its message goes to m with all
// that follows from it (a tick re-arms the clock and may start renewals).
// It returns the frame the program shows at the end: the one it drew
// after the last message, at that message's time. A program whose clock
// stopped shows the frame of when it stopped.
func advance(m *Model, c *clock, d time.Duration) (frame string) {
	end := c.Now().Add(d)
	shown := c.Now()
	for {
		t, ok := c.next(end)
		if !ok {
			break
		}
		if t.at.After(c.Now()) {
			c.set(t.at)
		}
		run(m, t.fn(t.at))
		shown = c.Now()
	}
	c.set(shown)
	frame = screen(m)
	c.set(end)
	return frame
}

// newModel is New with the tests' clock: its timers wait for advance.
func newModel(c *clock, opts Options) *Model {
	if opts.Now == nil {
		opts.Now = c.Now
	}
	m := New(opts)
	m.c.after = c.after
	// The inputs' cursors blink on timers of their own, which only a
	// running program waits for; here they stay lit.
	for _, in := range []*textinput.Model{&m.list.filter, &m.mfa.input} {
		st := in.Styles()
		st.Cursor.Blink = false
		in.SetStyles(st)
	}
	return m
}

// boot starts m as the program does: it runs Init's commands (the clock's
// first tick among them) and delivers their messages.
func boot(m *Model) {
	for _, msg := range drain(m.Init()) {
		run(m, msg)
	}
}

// testSet builds a small, realistic set by hand: a user with keys, two
// roles on it, a chained role, an MFA role, an IMDS role and a broken one.
func testSet() *profiles.Set {
	cfg, cred := "/home/u/.aws/config", "/home/u/.aws/credentials"
	pos := func(f string, l int) profiles.Pos { return profiles.Pos{File: f, Line: l} }
	user := &profiles.Profile{Name: "dev-user", Kind: profiles.KindStatic, Pos: pos(cred, 1),
		Props: profiles.Props{{Key: "aws_access_key_id", Value: profiles.Value{Value: "AKIAEXAMPLEUSER0001", Pos: pos(cred, 2)}},
			{Key: "aws_secret_access_key", Value: profiles.Value{Value: "example-secret", Pos: pos(cred, 3)}}}}
	root := &profiles.Root{Kind: profiles.RootStatic, Profile: "dev-user", Pos: pos(cred, 2), AccessKeyID: "AKIAEXAMPLEUSER0001"}
	user.Chain = &profiles.Chain{Root: root}
	role := func(name, arn string, line int, hops ...*profiles.Profile) *profiles.Profile {
		p := &profiles.Profile{Name: name, Kind: profiles.KindRole, Pos: pos(cfg, line),
			Props: profiles.Props{
				{Key: "role_arn", Value: profiles.Value{Value: arn, Pos: pos(cfg, line+1)}},
				{Key: "source_profile", Value: profiles.Value{Value: "dev-user", Pos: pos(cfg, line+2)}},
				{Key: "region", Value: profiles.Value{Value: "eu-west-1", Pos: pos(cfg, line+3)}},
			}}
		p.Chain = &profiles.Chain{Root: root, Roles: append(hops, p)}
		return p
	}
	prod := role("prod-admin", "arn:aws:iam::222222222222:role/Admin", 10)
	prod.Props = append(prod.Props, profiles.Prop{Key: "external_id", Value: profiles.Value{Value: "ext-7788", Pos: pos(cfg, 14)}})
	stage := role("staging-read", "arn:aws:iam::333333333333:role/ReadOnly", 20)
	stage.Props[2].Value.Value = "ap-southeast-2"
	chain := role("audit-chained", "arn:aws:iam::444444444444:role/Audit", 30, prod)
	chain.Props[1].Value.Value = "prod-admin"
	mfa := role("billing-mfa", "arn:aws:iam::555555555555:role/Billing", 40)
	mfa.Props = append(mfa.Props, profiles.Prop{Key: "mfa_serial", Value: profiles.Value{Value: "arn:aws:iam::111111111111:mfa/alice", Pos: pos(cfg, 44)}})
	imds := role("ec2-deploy", "arn:aws:iam::666666666666:role/Deploy", 50)
	imds.Chain.Root = &profiles.Root{Kind: profiles.RootIMDS, Profile: "ec2-deploy", Pos: pos(cfg, 52)}
	broken := &profiles.Profile{Name: "loop-a", Kind: profiles.KindRole, Pos: pos(cfg, 60),
		Props: profiles.Props{{Key: "role_arn", Value: profiles.Value{Value: "arn:aws:iam::777777777777:role/X", Pos: pos(cfg, 61)}}}}
	broken.Err = &profiles.Error{Pos: pos(cfg, 62), Profile: "loop-a", Msg: "source_profile loop: loop-a → loop-b → loop-a"}
	set := &profiles.Set{
		Files:    profiles.Files{Config: cfg, Credentials: cred, ConfigExists: true, CredentialsExists: true},
		Profiles: []*profiles.Profile{chain, mfa, user, imds, broken, prod, stage},
	}
	return set
}

// newTestModel returns a model on testSet with a fake manager and clock.
func newTestModel(w, h int) (*Model, *fakeManager, *clock) {
	c := &clock{now: t0}
	f := newFakeManager(testSet(), c)
	m := newModel(c, Options{Manager: f, Getenv: func(k string) string {
		if k == "HOME" {
			return "/home/u"
		}
		return ""
	}, Environ: []string{}, NoColor: false, Width: w, Height: h})
	boot(m)
	return m, f, c
}

// press sends one key press and runs the returned commands to completion,
// feeding their messages back, the way the program would; timers wait
// for advance.
func press(m *Model, keys ...string) {
	for _, k := range keys {
		run(m, keyMsg(k))
	}
}

func keyMsg(k string) tea.KeyPressMsg {
	switch k {
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "esc":
		return tea.KeyPressMsg{Code: tea.KeyEscape}
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "tab":
		return tea.KeyPressMsg{Code: tea.KeyTab}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	}
	r := []rune(k)[0]
	return tea.KeyPressMsg{Code: r, Text: k}
}

func typeText(m *Model, s string) {
	for _, r := range s {
		run(m, tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// run delivers msg and then the messages of the commands it returns.
func run(m *Model, msg tea.Msg) {
	queue := []tea.Msg{msg}
	for len(queue) > 0 {
		msg, queue = queue[0], queue[1:]
		_, cmd := m.Update(msg)
		queue = append(queue, drain(cmd)...)
	}
}

// drain runs a command tree now, in order, and returns the messages it
// produced. Commands run to completion: the fake manager answers at once
// (unless a test holds it with gate, and then drives the command itself),
// and timers only arm the clock. A command that still blocks is a test
// that forgot to drive it, and drain says so rather than wait for ever.
func drain(cmd tea.Cmd) []tea.Msg {
	if cmd == nil {
		return nil
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(blockedAfter):
		panic(fmt.Sprintf("a command blocked for %s: drive it in the test (gate, only, drainAll) or give it a fake that answers", blockedAfter))
	}
	switch msg := msg.(type) {
	case tea.BatchMsg:
		var out []tea.Msg
		for _, c := range msg {
			out = append(out, drain(c)...)
		}
		return out
	case nil:
		return nil
	default:
		return []tea.Msg{msg}
	}
}

// blockedAfter is how long drain lets a command run before it calls it
// blocked; the commands it runs answer in microseconds.
const blockedAfter = 10 * time.Second

// screen is the current frame without ANSI codes.
func screen(m *Model) string { return ansi.Strip(m.View().Content) }

// unwrapped is a frame's text with every space, line break and border
// character taken out, so that a value the details pane wrapped reads
// as one string again: finding it whole there means nothing was cut.
func unwrapped(frame string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\n', '│', '╭', '╮', '╰', '╯', '─':
			return -1
		}
		return r
	}, frame)
}
