package ui

import (
	"context"
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/internal/termsafe"
	"github.com/rolecall/rolecall/session"
)

// loginModel is the modal of an IAM Identity Center login: it shows the
// page to open (and the code the page shows, in the device flow) while
// the login waits for the browser; esc cancels it. The call that needed
// the login (op, with its MFA codes) starts again when it is done.
type loginModel struct {
	c       *common
	seq     int // which login the results belong to
	profile string
	op      op
	codes   map[string]string
	ctx     context.Context // ends when the login is cancelled
	cancel  context.CancelFunc
	login   *session.Login
	opened  string // the browser it was opened in
	openErr error
}

func newLogin(c *common) loginModel { return loginModel{c: c} }

// Open resets the modal for a login of profile that op waits for.
func (l *loginModel) Open(ctx context.Context, profile string, o op, codes map[string]string) int {
	l.Close()
	l.seq++
	l.ctx, l.cancel = context.WithCancel(ctx)
	l.profile, l.op, l.codes = profile, o, codes
	l.login, l.opened, l.openErr = nil, "", nil
	return l.seq
}

// Close cancels the login under way, if any, and frees its listener.
func (l *loginModel) Close() {
	if l.cancel != nil {
		l.cancel()
		l.cancel = nil
	}
	if l.login != nil {
		l.login.Close()
	}
}

// View renders the modal box.
func (l loginModel) View(width int) string {
	st := l.c.styles
	inner := min(max(width-8, 30), 76)
	var b strings.Builder
	b.WriteString(st.ModalTitle.Render("IAM Identity Center login for " + l.profile))
	b.WriteString("\n")
	if l.login == nil {
		b.WriteString("\n" + st.Dim.Render("starting the login…") + "\n\n")
		b.WriteString(st.Help.Render("esc cancel"))
		return st.Modal.Width(inner + modalFrame).Render(b.String())
	}
	b.WriteString(st.Dim.Render(termsafe.Clean(l.login.Name)+" · "+string(l.login.Flow)) + "\n\n")
	if l.login.UserCode != "" {
		b.WriteString(st.Label.Render("code  ") + st.Title.Render(termsafe.Clean(l.login.UserCode)) + "\n")
		b.WriteString(st.Dim.Render("check that the page shows this code, then allow access") + "\n\n")
	} else {
		b.WriteString(st.Dim.Render("allow access on the page; it comes back to rolecall by itself") + "\n\n")
	}
	switch {
	case l.openErr != nil:
		b.WriteString(st.Problem.Render(ansi.Truncate("no browser opened ("+firstLine(l.openErr.Error())+")", inner, "…")) + "\n")
		b.WriteString(st.Dim.Render("open this URL yourself:") + "\n")
	case l.opened != "":
		b.WriteString(st.Dim.Render("opened in "+termsafe.Clean(l.opened)+"; or open:") + "\n")
	default:
		b.WriteString(st.Dim.Render("opening the browser… or open:") + "\n")
	}
	b.WriteString(st.Value.Render(strings.Join(wrapHard(termsafe.Clean(l.login.URL), inner), "\n")) + "\n\n")
	b.WriteString(st.Help.Render("waiting for the browser · esc cancel"))
	return st.Modal.Width(inner + modalFrame).Render(b.String())
}

// modalFrame is what the modal style's border (1+1) and padding (2+2)
// take of its width.
const modalFrame = 6

// wrapHard cuts s into lines of w cells: URLs have no spaces to wrap at,
// and a cut URL cannot be copied.
func wrapHard(s string, w int) []string {
	var out []string
	for ansi.StringWidth(s) > w {
		out = append(out, ansi.Truncate(s, w, ""))
		s = ansi.TruncateLeft(s, w, "")
	}
	return append(out, s)
}
