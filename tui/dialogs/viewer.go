package dialogs

import (
	"fmt"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// Viewer shows read-only text (the diff, full help) in a scrollable box.
type Viewer struct {
	c      *common.Common
	keys   Keys
	ID     string
	Title  string
	lines  []string
	offset int
	w, h   int
	close  key.Binding
}

// NewViewer builds a viewer over pre-styled lines.
func NewViewer(c *common.Common, id, title string, lines []string) Viewer {
	return Viewer{c: c, keys: DefaultKeys(c.Nav), ID: id, Title: title, lines: lines, w: 60, h: 20,
		close: key.NewBinding(key.WithKeys("esc", "q", "enter"), key.WithHelp("esc", "close"))}
}

// SetBounds sizes the box to most of the screen.
func (v *Viewer) SetBounds(maxW, maxH int) {
	v.w = common.Clamp(maxW-4, 20, 110)
	v.h = common.Clamp(maxH-4, 5, len(v.lines)+3)
	v.offset = common.Clamp(v.offset, 0, max(0, len(v.lines)-v.rows()))
}

func (v Viewer) rows() int { return max(1, v.h-3) }

// Update scrolls; esc, q or enter close the viewer.
func (v Viewer) Update(msg tea.Msg) (Viewer, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		if key.Matches(msg, v.close) {
			return v, result(v.ID, true, "")
		}
		if d, ok := v.keys.Nav.Step(msg, v.rows(), len(v.lines)); ok {
			v.Scroll(d)
		}
	case tea.MouseWheelMsg:
		v.Scroll(common.WheelDelta(msg))
	}
	return v, nil
}

// ScrollTo puts line i at the top (as far as the text allows).
func (v *Viewer) ScrollTo(i int) {
	v.offset = common.Clamp(i, 0, max(0, len(v.lines)-v.rows()))
}

// Scroll moves the text by d lines.
func (v *Viewer) Scroll(d int) {
	v.offset = common.Clamp(v.offset+d, 0, max(0, len(v.lines)-v.rows()))
}

// View draws the box.
func (v Viewer) View() string {
	s := v.c.Styles
	end := min(len(v.lines), v.offset+v.rows())
	body := append([]string(nil), v.lines[v.offset:end]...)
	for len(body) < v.rows() {
		body = append(body, "")
	}
	pos := ""
	if len(v.lines) > v.rows() {
		pos = fmt.Sprintf(" · lines %d–%d of %d", v.offset+1, end, len(v.lines))
	}
	body = append(body, s.Dim.Render(" ↑↓ pgup pgdn scroll · esc close"+pos))
	return v.c.Frame(v.Title, "", body, v.w, len(body)+2, true)
}
