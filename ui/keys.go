package ui

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap is every key the main screen answers to: moving in the list and
// the actions on the selected profile. The children that take focus (the
// filter, the details pane, the MFA, export and confirmation modals) have
// key maps of their own.
type KeyMap struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding

	Filter    key.Binding
	ShowAll   key.Binding
	Details   key.Binding
	Assume    key.Binding
	AutoRenew key.Binding
	Default   key.Binding
	Shell     key.Binding
	// ServerShell opens the subshell with a local credentials endpoint
	// that renews the session, instead of keys.
	ServerShell key.Binding
	Export      key.Binding
	WhoAmI      key.Binding
	Forget      key.Binding
	Console     key.Binding
	Help        key.Binding
	Esc         key.Binding
	Quit        key.Binding
	// ForceQuit works whatever has focus, the filter's input included.
	ForceQuit key.Binding
	// ScrollDetailsUp and ScrollDetailsDown scroll the details pane while
	// the list keeps the arrows.
	ScrollDetailsUp, ScrollDetailsDown key.Binding
}

// DefaultKeyMap returns a fresh KeyMap; callers may change their copy.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:                key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:              key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:            key.NewBinding(key.WithKeys("pgup", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown:          key.NewBinding(key.WithKeys("pgdown", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Home:              key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("g/home", "first")),
		End:               key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("G/end", "last")),
		Filter:            key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		ShowAll:           key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "roles/all")),
		Details:           key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "details")),
		Assume:            key.NewBinding(key.WithKeys("enter", "r"), key.WithHelp("enter/r", "assume/renew")),
		AutoRenew:         key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "auto-renew")),
		Default:           key.NewBinding(key.WithKeys("d"), key.WithHelp("d", "→ [default]")),
		Shell:             key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "subshell")),
		ServerShell:       key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "renewing subshell")),
		Export:            key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export")),
		WhoAmI:            key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "whoami")),
		Forget:            key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "forget")),
		Console:           key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "console")),
		Help:              key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Esc:               key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel/clear")),
		Quit:              key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit:         key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		ScrollDetailsUp:   key.NewBinding(key.WithKeys("K", "shift+up"), key.WithHelp("K/J", "scroll details")),
		ScrollDetailsDown: key.NewBinding(key.WithKeys("J", "shift+down"), key.WithHelp("K/J", "scroll details")),
	}
}

// ShortHelp implements help.KeyMap: the help bar of the list.
func (k KeyMap) ShortHelp() []key.Binding {
	return []key.Binding{k.Assume, k.AutoRenew, k.Default, k.Shell, k.Export, k.Console, k.WhoAmI, k.Forget, k.Filter, k.Details}
}

// FullHelp implements help.KeyMap: the ? screen of the list.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Home, k.End},
		{k.Assume, k.AutoRenew, k.Default, k.Forget, k.WhoAmI},
		{k.Shell, k.ServerShell, k.Export, k.Console, k.Filter, k.ShowAll, k.Details, k.ScrollDetailsDown},
	}
}

// globalKeys are the keys the root answers to whatever child has focus,
// except a text input: help and quit.
func (k KeyMap) globalKeys() []key.Binding { return []key.Binding{k.Esc, k.Help, k.Quit} }
