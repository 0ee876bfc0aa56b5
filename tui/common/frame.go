package common

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// Frame draws body inside a rounded border that is exactly w×h cells, with
// title (and an optional right-hand note) set into the top edge. The body
// is cut or padded to (w-2)×(h-2).
func (c *Common) Frame(title, note string, body []string, w, h int, focused bool) string {
	if w < 2 || h < 2 {
		return strings.Join(Lines(nil, max(w, 0), max(h, 0)), "\n")
	}
	bs, ts := c.Styles.Border, c.Styles.Title
	if focused {
		bs, ts = c.Styles.BorderFocused, c.Styles.TitleFocused
	}
	inner := w - 2
	var b strings.Builder
	// Top edge: ╭─ title ──── note ─╮
	top := ""
	if title != "" && inner >= 4 {
		t := ansi.Truncate(title, inner-3, "…")
		top = bs.Render("─") + " " + ts.Render(t) + " "
	}
	rest := inner - ansi.StringWidth(top)
	if note != "" && rest >= ansi.StringWidth(note)+4 {
		n := " " + note + " "
		top += bs.Render(strings.Repeat("─", rest-ansi.StringWidth(n)-1)) + ts.Render(n) + bs.Render("─")
	} else if rest > 0 {
		top += bs.Render(strings.Repeat("─", rest))
	}
	b.WriteString(bs.Render("╭"))
	b.WriteString(top)
	b.WriteString(bs.Render("╮"))
	side := bs.Render("│")
	for _, l := range Lines(body, inner, h-2) {
		b.WriteByte('\n')
		b.WriteString(side)
		b.WriteString(l)
		b.WriteString(side)
	}
	b.WriteByte('\n')
	b.WriteString(bs.Render("╰" + strings.Repeat("─", inner) + "╯"))
	return b.String()
}
