// Package common is what every pane of the workbench shares: the styles,
// the catalog, the host environment and the navigation keys, passed around
// by pointer, plus small text helpers that keep every pane's output exactly
// the size it was given.
package common

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/styles"
)

// Common is shared, read-mostly state. The root model owns it and replaces
// Styles when the terminal reports its background colour.
type Common struct {
	Styles  *styles.Styles
	Catalog *catalog.Catalog
	// Env is the host the profile is resolved for (arch, kernel, caps).
	Env profile.Env
	// Width and Height are the terminal's size.
	Width, Height int
	Nav           NavKeys
}

// New returns a Common for a dark terminal (until told otherwise).
func New(cat *catalog.Catalog, env profile.Env) *Common {
	return &Common{Styles: styles.New(true), Catalog: cat, Env: env, Nav: DefaultNavKeys()}
}

// NavKeys move a cursor or scroll a view; every pane uses the same ones.
type NavKeys struct {
	Up, Down, PageUp, PageDown, Home, End key.Binding
}

// DefaultNavKeys are arrows and j/k, PgUp/PgDn, Home/End.
func DefaultNavKeys() NavKeys {
	return NavKeys{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Home:     key.NewBinding(key.WithKeys("home", "g"), key.WithHelp("home/g", "first")),
		End:      key.NewBinding(key.WithKeys("end", "G"), key.WithHelp("end/G", "last")),
	}
}

// Bindings lists the navigation keys for full help.
func (n NavKeys) Bindings() []key.Binding {
	return []key.Binding{n.Up, n.Down, n.PageUp, n.PageDown, n.Home, n.End}
}

// Step returns how far a navigation key moves a cursor: ±1, ±page, or to
// either end (as ±total). ok is false for any other key.
func (n NavKeys) Step(k tea.KeyPressMsg, page, total int) (delta int, ok bool) {
	if page < 1 {
		page = 1
	}
	switch {
	case key.Matches(k, n.Up):
		return -1, true
	case key.Matches(k, n.Down):
		return 1, true
	case key.Matches(k, n.PageUp):
		return -page, true
	case key.Matches(k, n.PageDown):
		return page, true
	case key.Matches(k, n.Home):
		return -total - 1, true
	case key.Matches(k, n.End):
		return total + 1, true
	}
	return 0, false
}

// WheelDelta is how many rows a notch of the mouse wheel scrolls: 3 up
// (negative) or down, 0 for a sideways wheel.
func WheelDelta(w tea.MouseWheelMsg) int {
	switch w.Button {
	case tea.MouseWheelUp:
		return -3
	case tea.MouseWheelDown:
		return 3
	}
	return 0
}

// Clamp limits v to [lo, hi]; when hi < lo it returns lo.
func Clamp(v, lo, hi int) int {
	if v > hi {
		v = hi
	}
	if v < lo {
		v = lo
	}
	return v
}

// Scroll returns the first visible row that keeps cursor on a page of
// height rows, moving off as little as possible.
func Scroll(off, cursor, height, total int) int {
	if height <= 0 {
		return 0
	}
	if cursor < off {
		off = cursor
	}
	if cursor >= off+height {
		off = cursor - height + 1
	}
	return Clamp(off, 0, max(0, total-height))
}

// Fit truncates s (which may hold ANSI styling) to w cells, with an
// ellipsis when cut, and pads it with spaces to exactly w cells.
func Fit(s string, w int) string {
	if w <= 0 {
		return ""
	}
	sw := ansi.StringWidth(s)
	if sw > w {
		s = ansi.Truncate(s, w, "…")
		sw = ansi.StringWidth(s)
	}
	if sw < w {
		s += strings.Repeat(" ", w-sw)
	}
	return s
}

// Lines makes text exactly h lines of exactly w cells.
func Lines(lines []string, w, h int) []string {
	out := make([]string, h)
	for i := range out {
		if i < len(lines) {
			out[i] = Fit(lines[i], w)
		} else {
			out[i] = strings.Repeat(" ", max(0, w))
		}
	}
	return out
}

// Wrap breaks plain text into lines of at most w cells at spaces (and
// inside words longer than w).
func Wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		wrapped := ansi.Hardwrap(ansi.Wordwrap(para, w, ""), w, true)
		out = append(out, strings.Split(wrapped, "\n")...)
	}
	return out
}

// At returns lines[i], or "" when i is out of range.
func At(lines []string, i int) string {
	if i >= 0 && i < len(lines) {
		return lines[i]
	}
	return ""
}

// Count says how many of something there are: "1 line", "3 lines".
func Count(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// Marks drawn after a syscall's name (the catalog) and in its detail.
const (
	MarkConditional = "◇" // a rule with argument conditions applies
	MarkSplit       = "≠" // the family is not treated alike
)

// NewInput returns a one-line text input styled for the workbench, with a
// steady (non-blinking) cursor so that views are reproducible.
func (c *Common) NewInput(prompt, placeholder string) textinput.Model {
	in := textinput.New()
	in.Prompt = prompt
	in.Placeholder = placeholder
	in.SetStyles(c.InputStyles())
	return in
}

// InputStyles are text input styles from the current Styles.
func (c *Common) InputStyles() textinput.Styles {
	st := textinput.DefaultStyles(c.Styles.IsDark)
	st.Focused.Prompt = c.Styles.Heading
	st.Blurred.Prompt = c.Styles.Dim
	st.Focused.Placeholder = c.Styles.Dim
	st.Blurred.Placeholder = c.Styles.Dim
	st.Cursor.Blink = false
	return st
}
