package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/rolecall/rolecall/internal/termsafe"
)

// mfaCodeMsg carries the codes collected for a call back to the root,
// with the call they are for (opAssume, opRenew or opDefault).
type mfaCodeMsg struct {
	profile string
	op      op
	force   bool              // a [default] write the user confirmed
	codes   map[string]string // by device serial
}

// mfaCancelMsg says the user pressed esc in the MFA modal.
type mfaCancelMsg struct{}

// mfaKeyMap is what the MFA modal answers to besides digits.
type mfaKeyMap struct {
	Confirm key.Binding
	Cancel  key.Binding
}

func defaultMFAKeyMap() mfaKeyMap {
	return mfaKeyMap{
		Confirm: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
		Cancel:  key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// mfaModel is the modal that asks for a 6-digit code before a call starts.
type mfaModel struct {
	c       *common
	keys    mfaKeyMap
	profile string
	serial  string
	op      op                // the call the code is for
	force   bool              // the call's force, for a [default] write
	codes   map[string]string // codes of other devices the call already has
	input   textinput.Model
	problem string
	width   int
}

func newMFA(c *common) mfaModel {
	ti := textinput.New()
	// The UI composes strings, so the input draws its own cursor.
	ti.SetVirtualCursor(true)
	ti.Prompt = "code › "
	ti.Placeholder = "······"
	ti.CharLimit = 6
	ti.SetWidth(8)
	return mfaModel{c: c, keys: defaultMFAKeyMap(), input: ti}
}

// Open resets the modal for the code of device serial, which op on
// profile needs besides the codes it has, and focuses the input.
func (m *mfaModel) Open(profile, serial string, o op, force bool, codes map[string]string) tea.Cmd {
	m.profile, m.serial, m.op, m.force, m.problem = profile, serial, o, force, ""
	m.codes = codes
	m.input.SetValue("")
	return m.input.Focus()
}

// SetSize sets the room the modal is drawn in.
func (m *mfaModel) SetSize(w, _ int) { m.width = w }

// Update takes digits; enter with six of them sends mfaCodeMsg, esc sends
// mfaCancelMsg.
func (m mfaModel) Update(msg tea.Msg) (mfaModel, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.keys.Cancel):
			m.input.Blur()
			return m, func() tea.Msg { return mfaCancelMsg{} }
		case key.Matches(k, m.keys.Confirm):
			code := m.input.Value()
			if len(code) != 6 {
				m.problem = "the code has 6 digits"
				return m, nil
			}
			m.input.Blur()
			codes := make(map[string]string, len(m.codes)+1)
			for k, v := range m.codes {
				codes[k] = v
			}
			codes[m.serial] = code
			out := mfaCodeMsg{profile: m.profile, op: m.op, force: m.force, codes: codes}
			return m, func() tea.Msg { return out }
		}
		// Only digits go in; anything else printable is refused at once
		// rather than at enter.
		if k.Text != "" && strings.Trim(k.Text, "0123456789") != "" {
			m.problem = "digits only"
			return m, nil
		}
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(msg)
	if len(m.input.Value()) > 0 {
		m.problem = ""
	}
	return m, cmd
}

// ShortHelp implements help.KeyMap.
func (m mfaModel) ShortHelp() []key.Binding { return bindings(m.keys.Confirm, m.keys.Cancel) }

// FullHelp implements help.KeyMap.
func (m mfaModel) FullHelp() [][]key.Binding { return [][]key.Binding{m.ShortHelp()} }

// View renders the modal box.
func (m mfaModel) View() string {
	st := m.c.styles
	w := min(max(m.width-4, 30), 56)
	inner := w - 6 // border and padding
	var b strings.Builder
	b.WriteString(st.ModalTitle.Render(strings.Join(wrapText("MFA code for "+termsafe.Clean(m.profile), inner), "\n")))
	b.WriteString("\n")
	b.WriteString(st.Dim.Render(strings.Join(wrapText(termsafe.Clean(m.serial), inner), "\n")))
	b.WriteString("\n\n")
	b.WriteString(m.input.View())
	b.WriteString("\n")
	if m.problem != "" {
		b.WriteString(st.Problem.Render(m.problem))
	}
	b.WriteString("\n")
	b.WriteString(st.Help.Render("enter confirm · esc cancel"))
	return st.Modal.Width(w).Render(b.String())
}
