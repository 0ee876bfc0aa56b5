package catalogpane

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// View draws the pane, frame included, at its size.
func (m Model) View() string {
	if m.w < 4 || m.h < 3 {
		return strings.Join(common.Lines(nil, m.w, m.h), "\n")
	}
	inner := m.w - 2
	body := make([]string, 0, m.h-2)
	if m.searchLines() > 0 {
		if m.searching {
			body = append(body, m.input.View())
		} else {
			body = append(body, m.c.Styles.Heading.Render("/ ")+m.c.Styles.Text.Render(m.filter)+m.c.Styles.Dim.Render("  (esc clears)"))
		}
	}
	h := m.listHeight()
	switch {
	case m.queryErr != nil:
		body = append(body, m.c.Styles.Error.Render(common.Fit(" "+m.queryErr.Error(), inner)))
	case len(m.rows) == 0:
		body = append(body, m.c.Styles.Dim.Render(" no syscall matches"))
	}
	for i := m.offset; i < len(m.rows) && i < m.offset+h; i++ {
		body = append(body, m.renderRow(m.rows[i], inner, i == m.cursor))
	}
	return m.c.Frame(m.title(), m.note, body, m.w, m.h, m.focused)
}

func (m Model) renderRow(r row, w int, cur bool) string {
	s := m.c.Styles
	if r.header() {
		tier := catalog.Risks()[r.tier]
		arrow := "▾"
		if m.folded[r.tier] {
			arrow = "▸"
		}
		total, allowed := m.counts(r.tier)
		text := fmt.Sprintf("%s %s %d: %d allow, %d deny", arrow, strings.ToUpper(string(tier)), total, allowed, total-allowed)
		line := common.Fit(text, w)
		if cur {
			return s.Selected.Render(line)
		}
		return s.Risk(tier).Render(line)
	}
	e := r.entry
	st := m.states[e.Name]
	badge := st.Summary()
	if m.states == nil {
		badge = "…"
	}
	marks := mark(st.Conditional, common.MarkConditional) + mark(st.Split, common.MarkSplit)
	lead := "  "
	if m.filter != "" {
		lead = string(strings.ToUpper(string(e.Risk))[0]) + " "
	}
	nameW := w - ansi.StringWidth(lead) - 1 - 2 - 1 - ansi.StringWidth(badge)
	if nameW < 4 {
		// Too narrow for everything: keep the name and badge only.
		nameW = max(1, w-ansi.StringWidth(badge)-1)
		lead, marks = "", ""
	}
	name := e.Name
	if ansi.StringWidth(name) > nameW {
		name = ansi.Truncate(name, nameW, "…")
	}
	pad := strings.Repeat(" ", max(0, nameW-ansi.StringWidth(name)))
	if cur {
		line := common.Fit(lead+name+pad+" "+marks+" "+badge, w)
		if m.focused {
			return s.Selected.Render(line)
		}
		return s.Cursor.Render(line)
	}
	var b strings.Builder
	if m.filter != "" {
		b.WriteString(s.Risk(e.Risk).Render(lead[:1]))
		b.WriteString(" ")
	} else {
		b.WriteString(lead)
	}
	b.WriteString(m.renderName(name, r.pos, st.OnHost))
	b.WriteString(pad)
	b.WriteString(" ")
	b.WriteString(s.Mark.Render(marks))
	b.WriteString(" ")
	b.WriteString(s.Action(st.Action).Render(badge))
	return common.Fit(b.String(), w)
}

func mark(on bool, m string) string {
	if on {
		return m
	}
	return " "
}

// renderName highlights the matched characters of a search result; calls
// the host's ABI lacks are dimmed.
func (m Model) renderName(name string, pos []int, onHost bool) string {
	s := m.c.Styles
	base := s.Text
	if !onHost {
		base = s.Dim
	}
	if len(pos) == 0 {
		return base.Render(name)
	}
	hit := make(map[int]bool, len(pos))
	for _, p := range pos {
		hit[p] = true
	}
	var b strings.Builder
	for i, r := range []rune(name) {
		if hit[i] {
			b.WriteString(s.Match.Render(string(r)))
		} else {
			b.WriteString(base.Render(string(r)))
		}
	}
	return b.String()
}
