package runpane

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// geometry places the two columns inside the pane; y values count from
// the pane's top edge (the border is row 0).
type geometry struct {
	side                        bool
	outX, outW, outTop, outRows int
	denX, denW, denTop, denRows int
	outHeadY, denHeadY, innerW  int
	top                         int // rows above the columns: banner, impact
}

// sideBySideMin is the inner width from which output and denials sit next
// to each other; below it they are stacked.
const sideBySideMin = 90

func (m Model) geometry() geometry {
	iw, ih := max(0, m.w-2), max(0, m.h-2)
	g := geometry{innerW: iw, top: 1}
	if m.impact != "" {
		g.top = 2 // the impact preview under the banner
	}
	rows := max(0, ih-g.top) // the banner takes the first row
	if iw >= sideBySideMin {
		g.side = true
		g.outX, g.outW = 1, iw*11/20
		g.denX, g.denW = g.outX+g.outW+1, iw-g.outW-1
		g.outHeadY, g.denHeadY = g.top+1, g.top+1
		g.outTop, g.denTop = g.top+2, g.top+2
		g.outRows, g.denRows = max(0, rows-1), max(0, rows-1)
		return g
	}
	g.outX, g.outW, g.denX, g.denW = 1, iw, 1, iw
	half := rows / 2
	g.outHeadY, g.outTop, g.outRows = g.top+1, g.top+2, max(0, half-1)
	g.denHeadY = g.top + 1 + half
	g.denTop, g.denRows = g.denHeadY+1, max(0, rows-half-1)
	return g
}

func (m Model) outRows() int { return max(1, m.geometry().outRows) }
func (m Model) denRows() int { return max(1, m.geometry().denRows) }

func (m Model) columnAt(x, y int) int {
	g := m.geometry()
	if g.side {
		if x >= g.denX {
			return ColDenials
		}
		return ColOutput
	}
	if y >= g.denHeadY {
		return ColDenials
	}
	return ColOutput
}

// View draws the pane at its size.
func (m Model) View() string {
	if m.w < 4 || m.h < 3 {
		return strings.Join(common.Lines(nil, m.w, m.h), "\n")
	}
	s := m.c.Styles
	g := m.geometry()
	ih := m.h - 2
	body := make([]string, ih)
	body[0] = m.bannerView(g.innerW)
	if m.impact != "" && ih > 1 {
		body[1] = s.Warn.Render(ansi.Truncate("Δ "+m.impact, g.innerW, "…"))
	}
	outHead := m.heading("Output · "+common.Count(m.lines, "line", "lines"), m.col == ColOutput)
	if m.lostBytes > 0 {
		outHead += s.Warn.Render(fmt.Sprintf(" · %d bytes lost", m.lostBytes))
	}
	if m.search != "" {
		outHead += s.Dim.Render(fmt.Sprintf(" · /%s %d", m.search, len(m.matches)))
	}
	if m.hoff > 0 {
		outHead += s.Dim.Render(fmt.Sprintf(" · from col %d", m.hoff+1))
	}
	if !m.follow {
		outHead += s.Dim.Render(" · scrolled (" + m.keys.Follow.Help().Key + " follows)")
	}
	den := "Denials"
	if m.audit {
		den = "Would deny (audit: nothing is denied)"
	}
	denHead := m.heading(fmt.Sprintf("%s · %d", den, len(m.denials)), m.col == ColDenials)
	outCol := m.outputLines(g.outW, g.outRows)
	denCol := m.denialLines(g.denW, g.denRows)
	if g.side {
		sep := s.Border.Render("│")
		for y := g.top; y < ih; y++ {
			l, r := outHead, denHead
			if y != g.outHeadY-1 {
				l, r = common.At(outCol, y-(g.outTop-1)), common.At(denCol, y-(g.denTop-1))
			}
			body[y] = common.Fit(l, g.outW) + sep + common.Fit(r, g.denW)
		}
	} else {
		for y := g.top; y < ih; y++ {
			switch {
			case y == g.outHeadY-1:
				body[y] = outHead
			case y == g.denHeadY-1:
				body[y] = denHead
			case y >= g.outTop-1 && y < g.denHeadY-1:
				if i := y - (g.outTop - 1); i < len(outCol) {
					body[y] = outCol[i]
				}
			case y >= g.denTop-1:
				if i := y - (g.denTop - 1); i < len(denCol) {
					body[y] = denCol[i]
				}
			}
		}
	}
	return m.c.Frame("Run", m.note, body, m.w, m.h, m.focused)
}

func (m Model) heading(t string, active bool) string {
	if active && m.focused {
		return m.c.Styles.TitleFocused.Render("▸ " + t)
	}
	return m.c.Styles.Title.Render("  " + t)
}

func (m Model) bannerView(w int) string {
	s := m.c.Styles
	st := s.BannerIdle
	switch m.banner.Kind {
	case Running:
		st = s.BannerRunning
	case Pass:
		st = s.BannerPass
	case PassDenied:
		st = s.BannerWarn
	case Fail:
		st = s.BannerFail
	}
	return st.Render(ansi.Truncate(m.banner.Text, w, "…"))
}

func (m Model) outputLines(w, rows int) []string {
	s := m.c.Styles
	if len(m.out) == 0 {
		return []string{s.Dim.Render("  (no output)")}
	}
	off := common.Clamp(m.offset, 0, max(0, m.total()-rows))
	cur := -1
	if len(m.matches) > 0 {
		cur = m.matches[m.match]
	}
	var out []string
	for i := off; i < m.total() && len(out) < rows; i++ {
		l := m.row(i)
		text := l.Text
		if m.hoff > 0 {
			text = ansi.Cut(text, m.hoff, m.hoff+max(0, w-2)+1)
		}
		text = ansi.Truncate(text, max(0, w-2), "…")
		if i == cur {
			out = append(out, s.Cursor.Render(common.Fit("› "+text, w)))
			continue
		}
		switch l.Stream {
		case Stderr:
			out = append(out, s.Stderr.Render("! "+text))
		case Info:
			out = append(out, s.Info.Render("· "+text))
		default:
			out = append(out, "  "+s.Stdout.Render(text))
		}
	}
	return out
}

func (m Model) denialLines(w, rows int) []string {
	s := m.c.Styles
	if len(m.denials) == 0 {
		return []string{s.Dim.Render("  (none)")}
	}
	off := common.Clamp(m.doff, 0, max(0, len(m.denials)-rows))
	var out []string
	for i := off; i < len(m.denials) && len(out) < rows; i++ {
		d := m.denials[i]
		outcome := d.Outcome
		switch {
		case d.Logged:
			outcome = "logged"
		case d.Audit:
			outcome = "would " + outcome
		}
		tail := fmt.Sprintf(" %s ×%d", outcome, d.Count)
		if w >= 50 {
			tail += fmt.Sprintf(" pid %d", d.Pid)
		}
		callW := max(4, w-2-ansi.StringWidth(tail))
		call := d.Args
		if !strings.HasPrefix(call, d.Syscall) {
			call = d.Syscall + call
		}
		call = ansi.Truncate(call, callW, "…")
		pad := strings.Repeat(" ", max(0, callW-ansi.StringWidth(call)))
		if i == m.cursor && m.col == ColDenials {
			line := common.Fit("› "+call+pad+tail, w)
			if m.focused {
				out = append(out, s.Selected.Render(line))
			} else {
				out = append(out, s.Cursor.Render(line))
			}
			continue
		}
		out = append(out, "  "+s.Text.Render(call)+pad+s.Action(d.Action).Render(tail))
	}
	return out
}

// sanitize makes a child's output safe to draw: escape sequences are
// dropped (they would move our cursor or change our colours), tabs become
// spaces and other control characters are shown as '?'.
func sanitize(s string) string {
	if printableASCII(s) {
		return s // nothing to drop or replace
	}
	s = ansi.Strip(s)
	if strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && r != ' ' }) < 0 {
		return s
	}
	var b strings.Builder
	col := 0
	for _, r := range s {
		switch {
		case r == '\t':
			n := 8 - col%8
			b.WriteString(strings.Repeat(" ", n))
			col += n
			continue
		case r == '\r':
			continue
		case r < 0x20 || r == 0x7f || !unicode.IsPrint(r) && r != ' ':
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
		col++
	}
	return b.String()
}

// printableASCII reports whether s is only printable ASCII characters
// (space to '~'), which sanitize leaves as they are. Eight bytes are
// checked at a time: a byte with its high bit set, one below 0x20 or one
// equal to 0x7f shows as a high bit in the word tests.
func printableASCII(s string) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		del := x ^ (0x7f * ones)
		if (x|(x-0x20*ones)|(del-ones)&^del)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}
