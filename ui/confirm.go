package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/internal/termsafe"
)

// confirmKeyMap is what a confirmation answers to: the key that asked
// again, or anything else to keep things as they are.
type confirmKeyMap struct {
	Confirm key.Binding
	Cancel  key.Binding
}

// confirmedMsg says the user confirmed a [default] write; force moves
// long-term keys to a backup profile first.
type confirmedMsg struct {
	profile string
	force   bool
}

// confirmCancelMsg says the user kept [default] as it was.
type confirmCancelMsg struct{ profile string }

// confirmModel asks once before a [default] write that replaces what the
// user may still want: another profile's live session, or keys another
// tool wrote. The key that started the write confirms it; any other key
// keeps [default] as it is. It is drawn where the banner goes.
type confirmModel struct {
	c        *common
	keys     confirmKeyMap
	profile  string
	force    bool
	question string
	width    int
}

func newConfirm(c *common) confirmModel {
	return confirmModel{c: c, keys: confirmKeyMap{
		Confirm: key.NewBinding(key.WithKeys(c.keys.Default.Keys()...), key.WithHelp(c.keys.Default.Help().Key, "confirm")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc/any key", "keep [default] as it is")),
	}}
}

// Open asks question about writing profile's session into [default].
func (m *confirmModel) Open(profile, question string, force bool) {
	m.profile, m.question, m.force = profile, termsafe.Lines(question), force
}

// SetSize sets the width the question wraps at.
func (m *confirmModel) SetSize(w, _ int) { m.width = w }

// Update confirms on the asking key and cancels on any other.
func (m confirmModel) Update(msg tea.Msg) (confirmModel, tea.Cmd) {
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	if key.Matches(k, m.keys.Confirm) {
		out := confirmedMsg{profile: m.profile, force: m.force}
		return m, func() tea.Msg { return out }
	}
	out := confirmCancelMsg{profile: m.profile}
	return m, func() tea.Msg { return out }
}

// ShortHelp implements help.KeyMap.
func (m confirmModel) ShortHelp() []key.Binding { return bindings(m.keys.Confirm, m.keys.Cancel) }

// FullHelp implements help.KeyMap.
func (m confirmModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View renders the question, wrapped to the width.
func (m confirmModel) View() string {
	var out []string
	for _, l := range strings.Split(m.question, "\n") {
		for _, w := range wrapText(l, m.width) {
			out = append(out, m.c.styles.Confirm.Render(w))
		}
	}
	return strings.Join(out, "\n")
}
