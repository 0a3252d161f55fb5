package ui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// mfaCodeMsg carries the codes collected for a call back to the root,
// with the call they are for (opAssume, opRenew or opDefault).
type mfaCodeMsg struct {
	profile string
	op      string
	codes   map[string]string // by device serial
}

// mfaCancelMsg says the user pressed esc in the MFA modal.
type mfaCancelMsg struct{}

// mfaModel is the modal that asks for a 6-digit code before a call starts.
type mfaModel struct {
	c       *common
	profile string
	serial  string
	op      string            // the call the code is for
	codes   map[string]string // codes of other devices the call already has
	input   textinput.Model
	problem string
}

func newMFA(c *common) mfaModel {
	ti := textinput.New()
	// The UI composes strings, so the input draws its own cursor.
	ti.SetVirtualCursor(true)
	ti.Prompt = "code › "
	ti.Placeholder = "······"
	ti.CharLimit = 6
	ti.SetWidth(8)
	return mfaModel{c: c, input: ti}
}

// Open resets the modal for the code of device serial, which op on
// profile needs besides the codes it has, and focuses the input.
func (m *mfaModel) Open(profile, serial, op string, codes map[string]string) tea.Cmd {
	m.profile, m.serial, m.op, m.problem = profile, serial, op, ""
	m.codes = codes
	m.input.SetValue("")
	return m.input.Focus()
}

// Update takes digits; enter with six of them sends mfaCodeMsg, esc sends
// mfaCancelMsg.
func (m mfaModel) Update(msg tea.Msg) (mfaModel, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch k.String() {
		case "esc":
			m.input.Blur()
			return m, func() tea.Msg { return mfaCancelMsg{} }
		case "enter":
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
			out := mfaCodeMsg{profile: m.profile, op: m.op, codes: codes}
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

// View renders the modal box.
func (m mfaModel) View(width int) string {
	st := m.c.styles
	var b strings.Builder
	b.WriteString(st.ModalTitle.Render("MFA code for " + m.profile))
	b.WriteString("\n")
	b.WriteString(st.Dim.Render(m.serial))
	b.WriteString("\n\n")
	b.WriteString(m.input.View())
	b.WriteString("\n")
	if m.problem != "" {
		b.WriteString(st.Problem.Render(m.problem))
	}
	b.WriteString("\n")
	b.WriteString(st.Help.Render("enter confirm · esc cancel"))
	return st.Modal.Width(min(max(width-4, 30), 56)).Render(b.String())
}
