package ui

import (
	"fmt"
	"path/filepath"
	"strings"

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
	more := func(s string) { add(st.Dim.Render("             " + s)) }

	add(st.PaneTitle.Render(p.Name) + "  " + st.Dim.Render(string(p.Kind)+" · "+short(p.Pos)))
	plan, planErr := d.c.plan(p.Name)
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
		// Each MFA device shows at the hop that uses it: an MFA session
		// at the profile that names it, a code sent with AssumeRole at
		// its role.
		mfaAt := func(i int, profile string) {
			for _, step := range plan.MFA {
				if step.Hop == i || (step.Session && step.Profile == profile && i <= 0) {
					add(st.Dim.Render("     MFA " + step.Serial))
				}
			}
		}
		mfaAt(-2, root.Profile)
		for i, h := range p.Chain.Roles {
			add(st.Value.Render(fmt.Sprintf(" %d → %s", i+2, h.Profile)) + "  " + st.Pos.Render(short(h.Pos)))
			add(st.Dim.Render("     " + h.RoleARN))
			if h.ExternalID != "" {
				add(st.Dim.Render("     external id " + h.ExternalID))
			}
			mfaAt(i, h.Profile)
		}
		add("")
	}
	if p.RoleARN != "" {
		field("Role", p.RoleARN, p.Props.Get("role_arn").Pos)
	}
	if planErr == nil {
		d.planLines(p, plan, field, more)
	}
	if p.ExternalID != "" {
		field("External id", p.ExternalID, p.Props.Get("external_id").Pos)
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

// planLines shows what the session package's plan says of the profile:
// its MFA devices, the lifetime asked for and any cap, the region.
func (d detailModel) planLines(p *profiles.Profile, plan session.Plan, field func(string, string, profiles.Pos), more func(string)) {
	for i, step := range plan.MFA {
		label := ""
		if i == 0 {
			label = "MFA"
		}
		how := "sent with the role's AssumeRole"
		if step.Session {
			how = "one MFA session, reused by every role on it"
		}
		field(label, step.Serial, d.mfaPos(step.Profile))
		more(how)
	}
	if len(plan.MFA) == 0 && p.Kind == profiles.KindRole {
		field("MFA", "none", profiles.Pos{})
	}
	switch {
	case plan.Requested > 0:
		dur := session.HumanDuration(plan.Requested)
		switch plan.RequestedBy {
		case "":
			dur += " (the default)"
		case "--duration":
			dur += " (--duration)"
		}
		field("Duration", "asks for "+dur, p.Props.Get("duration_seconds").Pos)
		if plan.Capped {
			more("chained: STS grants at most " + session.HumanDuration(profiles.ChainedMax))
		}
	case p.Chain != nil:
		field("Duration", "set by the source", profiles.Pos{})
	}
	switch {
	case plan.Region == "":
		field("Region", "no region set", profiles.Pos{})
	case plan.Region == p.Region:
		field("Region", plan.Region, p.Props.Get("region").Pos)
	default:
		field("Region", plan.Region, profiles.Pos{})
		more("from --region or the environment")
	}
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
	now := d.c.now()
	state := "no expiry"
	if exp := s.Expires(); !exp.IsZero() {
		state = formatLeft(exp.Sub(now)) + " left · expires " + exp.In(now.Location()).Format("15:04:05")
	}
	out = append(out, st.Label.Render(fmt.Sprintf("%-12s", "Session"))+" "+st.Value.Render(state))
	if life := s.Lifetime(); life > 0 {
		out = append(out, st.Dim.Render("             granted "+session.HumanDuration(life)+" · from "+s.Source))
	}
	if s.AssumedRoleARN != "" {
		out = append(out, st.Dim.Render("             "+s.AssumedRoleARN))
	}
	if s.Creds.AccessKeyID != "" {
		out = append(out, st.Dim.Render("             key "+session.MaskKey(s.Creds.AccessKeyID)))
	}
	if auto := d.c.renewer.Status(r.p.Name); auto.Auto {
		line := "auto-renew on"
		switch {
		case auto.NeedsUser:
			line += " · waits for a new MFA code (press r)"
		case auto.Failures > 0:
			line += fmt.Sprintf(" · %d failed in a row", auto.Failures)
		}
		out = append(out, st.Dim.Render("             "+line))
	}
	for _, n := range s.Notes {
		out = append(out, st.Warning.Render("             "+n))
	}
	return out
}

// mfaPos is where profile's mfa_serial is written.
func (d detailModel) mfaPos(profile string) profiles.Pos {
	if d.set == nil {
		return profiles.Pos{}
	}
	if q := d.set.Get(profile); q != nil {
		return q.Props.Get("mfa_serial").Pos
	}
	return profiles.Pos{}
}

// wrap breaks s into lines of at most w cells.
func wrap(s string, w int) []string {
	return strings.Split(ansi.Wrap(s, max(w, 10), " /"), "\n")
}
