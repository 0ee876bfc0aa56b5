package dialogs

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// Entry is one element of a List: a head line and wrapped text under it.
type Entry struct {
	Head string // pre-styled
	Body string // plain, wrapped to the box
	// Value is what a Result carries for this entry.
	Value string
	// Actions are the names of the List actions this entry offers.
	Actions []string
}

// ListAction is a key a List offers besides enter (f fix, r revert).
type ListAction struct {
	Name    string
	Binding key.Binding
}

// List is a scrollable list of multi-line entries with a cursor: enter
// reports the entry, an action key reports it with the action's name
// (only for entries that offer the action).
type List struct {
	c       *common.Common
	keys    Keys
	ID      string
	Title   string
	header  []string
	entries []Entry
	actions []ListAction
	enter   string // what enter does, for the hint
	cursor  int
	w, h    int
}

// NewList builds a list; enter is the help text of enter ("jump to it").
func NewList(c *common.Common, id, title string, header []string, entries []Entry, enter string, actions ...ListAction) List {
	keys := DefaultKeys(c.Nav)
	keys.Cancel.SetHelp("esc", "close")
	return List{c: c, keys: keys, ID: id, Title: title, header: header, entries: entries, actions: actions, enter: enter, w: 60, h: 20}
}

// SetBounds sizes the box to most of the screen.
func (l *List) SetBounds(maxW, maxH int) {
	l.w = common.Clamp(maxW-4, 20, 110)
	l.h = common.Clamp(maxH-4, 6, 40)
}

// Cursor is the index of the entry under the cursor.
func (l List) Cursor() int { return l.cursor }

func (l List) offers(i int, action string) bool {
	if i < 0 || i >= len(l.entries) {
		return false
	}
	for _, a := range l.entries[i].Actions {
		if a == action {
			return true
		}
	}
	return false
}

// Update moves the cursor and reports choices.
func (l List) Update(msg tea.Msg) (List, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return l, nil
	}
	switch {
	case key.Matches(kp, l.keys.Cancel):
		return l, result(l.ID, false, "")
	case key.Matches(kp, l.keys.Choose) && len(l.entries) > 0:
		return l, result(l.ID, true, l.entries[l.cursor].Value)
	}
	for _, a := range l.actions {
		if key.Matches(kp, a.Binding) && l.offers(l.cursor, a.Name) {
			v, name, id := l.entries[l.cursor].Value, a.Name, l.ID
			return l, func() tea.Msg { return Result{ID: id, OK: true, Value: v, Action: name} }
		}
	}
	if d, ok := l.keys.Nav.Step(kp, 5, len(l.entries)); ok {
		l.cursor = common.Clamp(l.cursor+d, 0, len(l.entries)-1)
	}
	return l, nil
}

// ShortHelp is the list's keys for the footer: those the entry under the
// cursor offers.
func (l List) ShortHelp() []key.Binding {
	hs := []key.Binding{key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", l.enter))}
	for _, a := range l.actions {
		if l.offers(l.cursor, a.Name) {
			hs = append(hs, a.Binding)
		}
	}
	return append(hs, l.keys.Cancel)
}

// View draws the box: the entries around the cursor, the selected one
// marked.
func (l List) View() string {
	s := l.c.Styles
	tw := max(10, l.w-4)
	body := append([]string(nil), l.header...)
	rows := max(1, l.h-3-len(body))
	// Render every entry, then show a window that holds the cursor's.
	var lines []string
	start, end := 0, 0
	for i, e := range l.entries {
		if i == l.cursor {
			start = len(lines)
		}
		mark := "  "
		if i == l.cursor {
			mark = s.Selected.Render("›") + " "
		}
		lines = append(lines, mark+common.Fit(e.Head, tw-2))
		for _, b := range common.Wrap(e.Body, tw-4) {
			lines = append(lines, "    "+s.Dim.Render(b))
		}
		if i == l.cursor {
			end = len(lines)
		}
	}
	if len(l.entries) == 0 {
		lines = append(lines, s.Dim.Render("  (none)"))
	}
	off := 0
	if end > rows {
		off = min(start, end-rows)
	}
	body = append(body, lines[off:min(len(lines), off+rows)]...)
	for len(body) < rows+len(l.header) {
		body = append(body, "")
	}
	var hint []string
	for _, b := range l.ShortHelp() {
		hint = append(hint, b.Help().Key+" "+b.Help().Desc)
	}
	pos := ""
	if len(l.entries) > 0 {
		pos = fmt.Sprintf(" · %d of %d", l.cursor+1, len(l.entries))
	}
	body = append(body, s.Dim.Render(" "+strings.Join(hint, " · ")+pos))
	return l.c.Frame(l.Title, "", body, l.w, len(body)+2, true)
}
