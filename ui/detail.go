package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/rolecall/rolecall/profiles"
	"github.com/rolecall/rolecall/session"
)

// detailModel is the details pane: the selected profile's chain hop by
// hop with the file:line of each value, its MFA, external id, duration,
// session and problems.
type detailModel struct {
	c             *common
	set           *profiles.Set
	width, height int
}

func newDetail(c *common, set *profiles.Set) detailModel {
	return detailModel{c: c, set: set}
}

// SetSize sets the outer size of the pane, border included.
func (d *detailModel) SetSize(w, h int) { d.width, d.height = w, h }

// View renders the pane for r (nil renders an empty pane).
func (d detailModel) View(r *row, inDefault bool) string {
	st := d.c.styles
	inner := max(d.width-4, 10)
	lines := d.lines(r, inner, inDefault)
	if room := d.height - 2; room > 0 && len(lines) > room {
		lines = append(lines[:room-1], st.Dim.Render("…"))
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, inner, "…")
	}
	return st.Pane.Width(d.width).Height(max(d.height, 3)).Render(strings.Join(lines, "\n"))
}

// short shows a position as file:line with the file's base name; the
// header names the full paths.
func short(p profiles.Pos) string {
	if p.File == "" {
		return ""
	}
	return (profiles.Pos{File: filepath.Base(p.File), Line: p.Line}).String()
}

func (d detailModel) lines(r *row, width int, inDefault bool) []string {
	st := d.c.styles
	if r == nil {
		return []string{st.Dim.Render("No profile selected.")}
	}
	p := r.p
	var out []string
	add := func(s string) { out = append(out, s) }
	field := func(label, value string, pos profiles.Pos) {
		s := st.Label.Render(fmt.Sprintf("%-12s", label)) + " " + st.Value.Render(value)
		if ps := short(pos); ps != "" {
			s += "  " + st.Pos.Render(ps)
		}
		add(s)
	}

	add(st.PaneTitle.Render(p.Name) + "  " + st.Dim.Render(string(p.Kind)+" · "+short(p.Pos)))
	if p.Chain != nil {
		add("")
		add(st.Label.Render("Chain"))
		root := p.Chain.Root
		what := r.source
		if root.AccessKeyID != "" {
			what += " " + session.MaskKey(root.AccessKeyID)
		}
		hop := fmt.Sprintf(" 1 %s  %s", orDash(root.Profile), what)
		add(st.Value.Render(hop) + "  " + st.Pos.Render(short(root.Pos)))
		for i, h := range p.Chain.Roles {
			add(st.Value.Render(fmt.Sprintf(" %d → %s", i+2, h.Profile)) + "  " + st.Pos.Render(short(h.Pos)))
			add(st.Dim.Render("     " + h.RoleARN))
			if h.ExternalID != "" {
				add(st.Dim.Render("     external id " + h.ExternalID))
			}
			if h.MFASerial != "" {
				add(st.Dim.Render("     MFA " + h.MFASerial))
			}
		}
		add("")
	}
	if p.RoleARN != "" {
		field("Role", p.RoleARN, p.Props.Get("role_arn").Pos)
	}
	if s := d.mfaSerial(p); s != "" {
		field("MFA", s, d.mfaPos(p))
	} else if p.Kind == profiles.KindRole {
		field("MFA", "none", profiles.Pos{})
	}
	if p.ExternalID != "" {
		field("External id", p.ExternalID, p.Props.Get("external_id").Pos)
	}
	if p.Kind == profiles.KindRole {
		dur := "1h (STS default)"
		if p.DurationSeconds > 0 {
			dur = (time.Duration(p.DurationSeconds) * time.Second).String()
		}
		field("Duration", dur, p.Props.Get("duration_seconds").Pos)
		if chained(p) {
			add(st.Warning.Render("             chained: STS caps it at 1h"))
		}
	}
	if p.Region != "" {
		field("Region", p.Region, p.Props.Get("region").Pos)
	}
	if p.RoleSessionName != "" {
		field("Session name", p.RoleSessionName, p.Props.Get("role_session_name").Pos)
	}
	out = append(out, d.sessionLines(r)...)
	if inDefault {
		add(st.MarkDefault.Render("◆ [default] of the credentials file holds this session"))
	}
	if p.Err != nil {
		add("")
		add(st.Problem.Render("Problem"))
		for _, l := range wrap(p.Err.Error(), width-2) {
			add(st.Problem.Render("  " + l))
		}
	}
	if r.err != nil && p.Err == nil {
		add("")
		add(st.Problem.Render("Last call failed"))
		for _, l := range wrap(r.err.Error(), width-2) {
			add(st.Problem.Render("  " + l))
		}
	}
	return out
}

func (d detailModel) sessionLines(r *row) []string {
	st := d.c.styles
	var out []string
	if r.sess == nil {
		if r.p.Err == nil {
			out = append(out, st.Label.Render(fmt.Sprintf("%-12s", "Session"))+" "+st.Dim.Render("none · enter assumes"))
		}
		return out
	}
	s := r.sess
	state := "no expiry"
	if !expiresNever(s) {
		state = formatLeft(s.Expiration.Sub(d.c.now())) + " left · expires " + s.Expiration.In(d.c.now().Location()).Format("15:04:05")
	}
	out = append(out, st.Label.Render(fmt.Sprintf("%-12s", "Session"))+" "+st.Value.Render(state))
	if s.AssumedRoleARN != "" {
		out = append(out, st.Dim.Render("             "+s.AssumedRoleARN))
	}
	if s.Creds.AccessKeyID != "" {
		out = append(out, st.Dim.Render("             key "+session.MaskKey(s.Creds.AccessKeyID)))
	}
	if r.autoRenew {
		out = append(out, st.Dim.Render("             auto-renew on"))
	}
	for _, n := range s.Notes {
		out = append(out, st.Warning.Render("             "+n))
	}
	return out
}

// mfaSerial is the MFA device the chain asks for, wherever it sits.
func (d detailModel) mfaSerial(p *profiles.Profile) string {
	if p.MFASerial != "" {
		return p.MFASerial
	}
	if p.Chain != nil {
		for _, h := range p.Chain.Roles {
			if h.MFASerial != "" {
				return h.MFASerial
			}
		}
		return p.Chain.Root.MFASerial
	}
	return ""
}

func (d detailModel) mfaPos(p *profiles.Profile) profiles.Pos {
	if v, ok := p.Props.Lookup("mfa_serial"); ok {
		return v.Pos
	}
	if p.Chain != nil && d.set != nil {
		for _, name := range p.Chain.Names() {
			if q := d.set.Get(name); q != nil {
				if v, ok := q.Props.Lookup("mfa_serial"); ok {
					return v.Pos
				}
			}
		}
	}
	return profiles.Pos{}
}

// chained reports whether the role is assumed with role credentials, for
// which STS caps the session at one hour.
func chained(p *profiles.Profile) bool {
	if p.Chain == nil {
		return false
	}
	if p.Chain.MultiHop() {
		return true
	}
	k := p.Chain.Root.Kind
	return k == profiles.RootIMDS || k == profiles.RootECS
}

// wrap breaks s into lines of at most w cells.
func wrap(s string, w int) []string {
	return strings.Split(ansi.Wrap(s, max(w, 10), " /"), "\n")
}
