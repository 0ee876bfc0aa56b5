package detailpane

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

const labelW = 12

// View draws the pane at its size.
func (m Model) View() string {
	if m.w < 4 || m.h < 3 {
		return strings.Join(common.Lines(nil, m.w, m.h), "\n")
	}
	title := "Detail"
	if m.entry != nil {
		title = m.entry.Name
	}
	note := "[syscall]  program"
	if m.tab == TabProgram {
		note = " syscall  [program]"
	}
	var body []string
	if m.tab == TabProgram {
		body = m.programView()
	} else {
		off := common.Clamp(m.offset[TabSyscall], 0, max(0, len(m.text)-m.rows()))
		body = m.text[off:min(len(m.text), off+m.rows())]
	}
	return m.c.Frame(title, note, body, m.w, m.h, m.focused)
}

// rebuild renders the syscall tab's text for the current width; the
// program tab is drawn lazily (only the visible window).
func (m *Model) rebuild() {
	m.text = m.syscallLines(max(10, m.w-3))
	m.clampOffsets()
}

func (m Model) field(out []string, label string, text string, w int) []string {
	s := m.c.Styles
	wrapped := common.Wrap(text, max(4, w-labelW))
	for i, l := range wrapped {
		lab := strings.Repeat(" ", labelW)
		if i == 0 {
			lab = s.Label.Render(fmt.Sprintf("%-*s", labelW, label))
		}
		out = append(out, lab+l)
	}
	if len(wrapped) == 0 {
		out = append(out, s.Label.Render(fmt.Sprintf("%-*s", labelW, label)))
	}
	return out
}

func (m Model) syscallLines(w int) []string {
	s := m.c.Styles
	e := m.entry
	if e == nil {
		return []string{s.Dim.Render("Select a syscall in the catalog.")}
	}
	var out []string
	head := s.Heading.Render(e.Name) + "  " + s.Risk(e.Risk).Render(strings.ToUpper(string(e.Risk))+" risk") +
		s.Dim.Render(fmt.Sprintf("  %s · since %s · man %s", e.Category, orDash(e.Since), orDash(e.Man)))
	out = append(out, head)
	for _, l := range common.Wrap(e.Description, w) {
		out = append(out, s.Text.Render(l))
	}
	if e.Rationale != "" {
		out = append(out, "")
		for _, l := range common.Wrap("Why "+string(e.Risk)+": "+e.Rationale, w) {
			out = append(out, s.Text.Render(l))
		}
	}
	out = append(out, "")
	out = m.profileLines(out, w)
	out = append(out, "")
	fam := strings.Join(e.Family, ", ")
	if len(e.Family) < 2 {
		fam = "none (no other call does the same job)"
	} else if m.state.Split {
		fam += "  — " + common.MarkSplit + " not all treated alike: a program can use another member"
	}
	out = m.field(out, "Family", fam, w)
	out = m.field(out, "Numbers", numbers(e), w)
	groups := strings.Join(e.SystemdGroups, " ")
	out = m.field(out, "systemd", orDash(groups), w)
	dock := string(e.Docker)
	if e.DockerWhy != "" {
		dock += " — " + e.DockerWhy
	}
	out = m.field(out, "Docker", dock, w)
	out = m.field(out, "Capability", orDash(e.Capability), w)
	return out
}

// profileLines say what the profile and its compiled filter do.
func (m Model) profileLines(out []string, w int) []string {
	s := m.c.Styles
	e := m.entry
	host := m.c.Env.Host
	badge := s.Action(m.state.Action).Render(m.state.Badge())
	if m.state.Args != "" {
		// What the arguments get comes first: the badge alone is only
		// what a call no argument rule matches gets.
		badge = s.Text.Render(m.state.Args) + s.Dim.Render(" · otherwise ") + badge
	}
	why := "the default action"
	switch {
	case m.state.Rule == profile.RuleNewer:
		why = "newer than every call the profile names: the ENOSYS stub lets libc fall back"
	case m.state.Rule >= 0:
		why = fmt.Sprintf("rule #%d", m.state.Rule+1)
	}
	if m.state.Conditional {
		why += "; a rule with argument conditions comes first"
	}
	out = append(out, s.Label.Render(fmt.Sprintf("%-*s", labelW, "Profile"))+badge+s.Dim.Render("  ("+why+")"))
	if m.eff != nil && m.state.OnHost && m.state.Conditional {
		out = m.field(out, "", profile.DescribeSyscall(m.eff, host, e.Name), w)
	}
	if m.eff != nil {
		for i, r := range m.eff.Rules {
			if !slices.Contains(r.Names, e.Name) {
				continue
			}
			d := profile.Decision{Action: r.Action, Errno: r.Errno}
			txt := fmt.Sprintf("#%d %s for %s", i+1, d, common.Count(len(r.Names), "name", "names"))
			if len(r.Args) > 0 {
				txt += " when " + profile.FormatConditions(r.Args, host)
			}
			if r.Comment != "" {
				txt += " — " + r.Comment
			}
			out = m.field(out, "Rule", txt, w)
		}
	}
	switch {
	case !m.state.OnHost:
		out = m.field(out, "Filter", fmt.Sprintf("%s has no %s; see the numbers for the ABIs that do", host, e.Name), w)
	case m.progErr != nil:
		out = m.field(out, "Filter", "not compiled: "+m.progErr.Error(), w)
	case m.prog == nil:
		out = m.field(out, "Filter", "compiling…", w)
	case m.explErr != nil:
		out = m.field(out, "Filter", m.explErr.Error(), w)
	case m.expl != nil:
		x := m.expl
		txt := fmt.Sprintf("%s (args 0): %s after %d instructions", host, x.Decision, len(x.Steps))
		if m.stale {
			txt += " — recompiling after your edit"
		}
		out = m.field(out, "Filter", txt, w)
		out = m.field(out, "", "see the program tab (]) for the path", w)
	}
	if m.eff != nil && len(m.eff.Arches) > 1 {
		var parts []string
		for _, a := range m.eff.Arches {
			if a == host {
				continue
			}
			if d, ok := m.eff.DecideName(a, e.Name, [6]uint64{}, profile.Options{}); ok {
				parts = append(parts, fmt.Sprintf("%s %s", a, d))
			}
		}
		if len(parts) > 0 {
			out = m.field(out, "Other ABIs", strings.Join(parts, " · "), w)
		}
	}
	return out
}

func (m Model) programView() []string {
	s := m.c.Styles
	rows := m.rows()
	switch {
	case m.progErr != nil:
		var out []string
		for _, l := range common.Wrap("The filter did not compile or verify: "+m.progErr.Error(), max(10, m.w-3)) {
			out = append(out, s.Error.Render(l))
		}
		return out
	case m.prog == nil:
		return []string{s.Busy.Render("compiling…")}
	}
	var out []string
	summary := fmt.Sprintf("%d instructions", len(m.asm))
	if m.expl != nil {
		summary += fmt.Sprintf(" · ▶ %s executes %d, result %s · n: step %d/%d", m.expl.Syscall, len(m.expl.Steps), m.expl.Decision, m.stepAt+1, len(m.expl.Steps))
	}
	if m.stale {
		summary += " · recompiling"
	}
	out = append(out, s.Dim.Render(summary))
	off := common.Clamp(m.offset[TabProgram], 0, max(0, len(m.asm)-m.tabRows(TabProgram)))
	step := m.StepPC()
	pcw := len(fmt.Sprint(max(len(m.asm)-1, 0)))
	for i := off; i < len(m.asm) && len(out) < rows; i++ {
		l := m.asm[i]
		text := fmt.Sprintf("%*d: %-28s", pcw, l.PC, l.Text)
		if l.Comment != "" {
			text += " ; " + l.Comment
		}
		switch {
		case l.PC == step:
			// The step cursor: where n has got to on the call's path.
			out = append(out, s.Selected.Render("▸ "+text))
		case m.executed[l.PC]:
			out = append(out, s.AsmHit.Render("▶ "+text))
		default:
			out = append(out, "  "+s.AsmPC.Render(text))
		}
	}
	return out
}

// numbers lists the call's number on the first ABIs of the catalog's
// order (the common hosts and their companions) and counts the rest.
func numbers(e *catalog.Entry) string {
	const shown = 8
	var parts []string
	more := 0
	for i, a := range catalog.Arches() {
		n, ok := e.Number(a)
		switch {
		case i >= shown:
			if ok {
				more++
			}
		case ok:
			parts = append(parts, fmt.Sprintf("%s %d", a, n))
		default:
			parts = append(parts, fmt.Sprintf("%s —", a))
		}
	}
	if more > 0 {
		parts = append(parts, fmt.Sprintf("and %d more ABIs", more))
	}
	return strings.Join(parts, " · ")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
