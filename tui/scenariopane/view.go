package scenariopane

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// maxFailureLines bounds how many of the selected scenario's failures are
// listed above its denials.
const maxFailureLines = 3

// geometry places the list and the selected scenario's details; y values
// count from the pane's top edge (the border is row 0).
type geometry struct {
	innerW            int
	listTop, listRows int
	failTop, failRows int
	denHeadY          int
	denTop, denRows   int
}

func (m Model) geometry() geometry {
	iw, ih := max(0, m.w-2), max(0, m.h-2)
	g := geometry{innerW: iw, listTop: 1}
	g.listRows = min(len(m.rows), max(1, ih/2))
	rest := ih - g.listRows
	nf := 0
	if r, ok := m.Selected(); ok && r.Result != nil {
		nf = min(len(r.Result.Failures), maxFailureLines)
	}
	g.failTop = g.listTop + g.listRows
	g.failRows = max(0, min(nf, rest-2))
	g.denHeadY = g.failTop + g.failRows
	g.denTop = g.denHeadY + 1
	g.denRows = max(0, rest-g.failRows-1)
	return g
}

// mark is a row's sign and state word.
func (m Model) mark(r Row) (sign, word string) {
	switch r.State {
	case Running:
		return "…", "running…"
	case Stale:
		return "◌", "stale"
	case Passed:
		return "✔", ""
	case Failed:
		return "✘", ""
	}
	return "·", "not run yet"
}

// View draws the pane at its size.
func (m Model) View() string {
	if m.w < 4 || m.h < 3 {
		return strings.Join(common.Lines(nil, m.w, m.h), "\n")
	}
	s := m.c.Styles
	g := m.geometry()
	body := make([]string, 0, m.h-2)
	if len(m.rows) == 0 {
		body = append(body, s.Dim.Render("No scenario file: t opens one (or --scenarios FILE)."))
		return m.c.Frame("Scenarios", "", body, m.w, m.h, m.focused)
	}
	for i := m.off; i < len(m.rows) && i < m.off+g.listRows; i++ {
		r := m.rows[i]
		sign, word := m.mark(r)
		st := s.Dim
		switch r.State {
		case Passed:
			st = s.OK
		case Failed:
			st = s.Error
		case Running:
			st = s.Busy
		}
		line := st.Render(sign) + " " + s.Text.Render(r.Name)
		if word != "" {
			line += "  " + s.Dim.Render(word)
		} else if r.State == Failed && r.Result != nil && len(r.Result.Failures) > 0 {
			line += "  " + s.Error.Render(firstLine(r.Result.Failures[0]))
		}
		line = ansi.Truncate(line, g.innerW-2, "…")
		if i == m.cursor {
			cs := s.Cursor
			if m.focused && m.col == ColList {
				cs = s.Selected
			}
			line = cs.Render("▸") + " " + line
		} else {
			line = "  " + line
		}
		body = append(body, line)
	}
	for len(body) < g.listRows {
		body = append(body, "")
	}
	if r, ok := m.Selected(); ok && r.Result != nil {
		for _, f := range r.Result.Failures[:g.failRows] {
			body = append(body, s.Error.Render(ansi.Truncate("  "+firstLine(f), g.innerW, "…")))
		}
		ds := r.Result.Denials
		head := fmt.Sprintf("Denials · %d", len(ds))
		if m.col == ColDenials && m.focused {
			head = s.TitleFocused.Render("▸ " + head)
		} else {
			head = s.Label.Render("  " + head)
		}
		if g.denRows > 0 {
			body = append(body, head)
		}
		for i := 0; i < len(ds) && i < g.denRows-1; i++ {
			d := ds[i]
			would := ""
			if d.Audit {
				would = "would " // audit mode: the call ran
			}
			line := ansi.Truncate(fmt.Sprintf("%s → %s%s", call(d.Syscall, d.ArgText), would, d.Outcome), g.innerW-2, "…")
			if i == m.den && m.col == ColDenials {
				cs := s.Cursor
				if m.focused {
					cs = s.Selected
				}
				line = cs.Render(line)
			}
			body = append(body, "  "+line)
		}
	}
	return m.c.Frame("Scenarios", m.summary(), body, m.w, m.h, m.focused)
}

// summary is the frame's note: how many pass, or that a batch runs.
func (m Model) summary() string {
	pass, fail, running := 0, 0, false
	for _, r := range m.rows {
		switch r.State {
		case Passed:
			pass++
		case Failed:
			fail++
		case Running:
			running = true
		}
	}
	if m.progress != "" {
		return m.progress
	}
	note := fmt.Sprintf("%d/%d pass", pass, len(m.rows))
	if fail > 0 {
		note += fmt.Sprintf(" · %d fail", fail)
	}
	if running {
		note += " · running…"
	}
	return note
}

// call words a denial: the runner's ArgText names the call already.
func call(name, args string) string {
	if strings.HasPrefix(args, name) {
		return args
	}
	return name + args
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
