// Package dialogs holds the workbench's modal boxes: a menu of choices
// (errno, preset, export format, default action, and the questions: quit
// with unsaved edits, restore a recovery file, learn mode's allow or deny),
// a one-line prompt with history (paths, the command line) and a
// scrollable text viewer (the diff). Each reports its outcome as a Result
// message from a command, tagged with the ID the caller gave it.
package dialogs

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// Result is what a dialog sends when it closes.
type Result struct {
	ID string
	// OK is false when the dialog was cancelled (esc).
	OK bool
	// Value is the chosen item's Value, or the prompt's text.
	Value string
	// Action is the List key that chose it ("" for enter).
	Action string
}

func result(id string, ok bool, v string) tea.Cmd {
	return func() tea.Msg { return Result{ID: id, OK: ok, Value: v} }
}

// Item is one choice of a Menu.
type Item struct {
	// Key, when set, picks the item with one key press ("y", "n").
	Key    string
	Label  string
	Detail string
	Value  string
}

// Keys are the keys every dialog understands.
type Keys struct {
	Nav common.NavKeys
	// Arrows is Nav without letters, for a menu whose filter line takes
	// what is typed.
	Arrows common.NavKeys
	Choose key.Binding
	Cancel key.Binding
}

// DefaultKeys returns the dialog keys.
func DefaultKeys(nav common.NavKeys) Keys {
	arrows := nav
	arrows.Up = key.NewBinding(key.WithKeys("up"))
	arrows.Down = key.NewBinding(key.WithKeys("down"))
	arrows.Home = key.NewBinding(key.WithKeys("home"))
	arrows.End = key.NewBinding(key.WithKeys("end"))
	return Keys{
		Nav:    nav,
		Arrows: arrows,
		Choose: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "choose")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
	}
}

// Menu is a list of choices with an optional type-to-filter line.
type Menu struct {
	c       *common.Common
	keys    Keys
	ID      string
	Title   string
	Message []string
	items   []Item
	picks   []key.Binding // per item: its Key, when it has one
	shown   []int         // indexes into items that pass the filter
	cursor  int
	offset  int
	filter  textinput.Model
	filters bool
	maxRows int
	maxW    int
}

// NewMenu builds a menu. With filterable set, typing narrows the items
// (for long lists such as errno names); otherwise item keys pick at once.
func NewMenu(c *common.Common, id, title string, message []string, items []Item, filterable bool) Menu {
	m := Menu{c: c, keys: DefaultKeys(c.Nav), ID: id, Title: title, Message: message, items: items, filters: filterable, maxRows: 12, maxW: 80}
	if filterable {
		m.filter = c.NewInput("filter: ", "type to narrow")
		m.filter.Focus()
	} else {
		m.picks = make([]key.Binding, len(items))
		for i, it := range items {
			if it.Key != "" { // a zero Binding matches nothing
				m.picks[i] = key.NewBinding(key.WithKeys(it.Key))
			}
		}
	}
	m.apply()
	return m
}

// ShortHelp is the menu's keys for the footer.
func (m Menu) ShortHelp() []key.Binding { return []key.Binding{m.keys.Choose, m.keys.Cancel} }

// SetCancelHelp says what esc does in this menu ("cancel" by default).
func (m *Menu) SetCancelHelp(desc string) {
	m.keys.Cancel.SetHelp("esc", desc)
}

// SetCursor puts the cursor on the item whose Value is v.
func (m *Menu) SetCursor(v string) {
	for i, ix := range m.shown {
		if m.items[ix].Value == v {
			m.cursor = i
			m.offset = common.Scroll(m.offset, m.cursor, m.maxRows, len(m.shown))
		}
	}
}

// Selected returns the item under the cursor.
func (m Menu) Selected() (Item, bool) {
	if m.cursor < 0 || m.cursor >= len(m.shown) {
		return Item{}, false
	}
	return m.items[m.shown[m.cursor]], true
}

func (m *Menu) apply() {
	q := ""
	if m.filters {
		q = strings.ToLower(strings.TrimSpace(m.filter.Value()))
	}
	m.shown = make([]int, 0, len(m.items)) // fresh: copies of the menu must not share it
	for i, it := range m.items {
		if q == "" || strings.Contains(strings.ToLower(it.Label+" "+it.Detail+" "+it.Value), q) {
			m.shown = append(m.shown, i)
		}
	}
	m.cursor = common.Clamp(m.cursor, 0, len(m.shown)-1)
	m.offset = common.Scroll(m.offset, m.cursor, m.maxRows, len(m.shown))
}

// Update handles a key; enter, esc or an item key close the menu through
// a Result.
func (m Menu) Update(msg tea.Msg) (Menu, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(kp, m.keys.Cancel):
		return m, result(m.ID, false, "")
	case key.Matches(kp, m.keys.Choose):
		if it, ok := m.Selected(); ok {
			return m, result(m.ID, true, it.Value)
		}
		return m, nil
	}
	nav := m.keys.Nav
	if m.filters {
		nav = m.keys.Arrows // letters go to the filter line
	}
	if d, ok := nav.Step(kp, m.maxRows, len(m.shown)); ok {
		m.cursor = common.Clamp(m.cursor+d, 0, len(m.shown)-1)
		m.offset = common.Scroll(m.offset, m.cursor, m.maxRows, len(m.shown))
		return m, nil
	}
	if m.filters {
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(kp)
		m.apply()
		return m, cmd
	}
	for i, b := range m.picks {
		if key.Matches(kp, b) {
			return m, result(m.ID, true, m.items[i].Value)
		}
	}
	return m, nil
}

// Click picks the item at row y of the box (0 is the top border).
func (m Menu) Click(y int) (Menu, tea.Cmd) {
	first := 1 + len(m.Message)
	if len(m.Message) > 0 {
		first++
	}
	if m.filters {
		first++
	}
	i := y - first + m.offset
	if y < first || i < 0 || i >= len(m.shown) || i >= m.offset+m.maxRows {
		return m, nil
	}
	m.cursor = i
	return m, result(m.ID, true, m.items[m.shown[i]].Value)
}

// width is the box's width: wide enough for the longest item, within
// the screen.
func (m Menu) width() int {
	w := ansi.StringWidth(m.Title) + 6
	for _, l := range m.Message {
		w = max(w, ansi.StringWidth(l)+4)
	}
	for _, it := range m.items {
		w = max(w, ansi.StringWidth(itemText(it))+6)
	}
	return common.Clamp(w, 24, max(24, min(m.maxW-4, 76)))
}

// SetBounds limits the box to the screen's size.
func (m *Menu) SetBounds(maxW, maxH int) {
	m.maxW = maxW
	if m.filters {
		m.filter.SetWidth(max(4, m.width()-4-len(m.filter.Prompt)-1))
	}
	m.maxRows = common.Clamp(maxH-6-len(m.Message), 3, 12)
	if m.filters {
		m.maxRows = max(3, m.maxRows-1)
	}
	m.offset = common.Scroll(m.offset, m.cursor, m.maxRows, len(m.shown))
}

// View draws the box within the bounds given to SetBounds.
func (m Menu) View() string {
	s := m.c.Styles
	w := m.width()
	rows := m.maxRows
	var body []string
	for _, l := range m.Message {
		body = append(body, common.Wrap(l, w-4)...)
	}
	if len(m.Message) > 0 {
		body = append(body, "")
	}
	if m.filters {
		body = append(body, m.filter.View())
	}
	off := m.offset
	for i := off; i < len(m.shown) && i < off+rows; i++ {
		it := m.items[m.shown[i]]
		line := common.Fit(" "+itemText(it), w-2)
		if i == m.cursor {
			line = s.Selected.Render(line)
		}
		body = append(body, line)
	}
	if len(m.shown) == 0 {
		body = append(body, s.Dim.Render(" nothing matches"))
	}
	body = append(body, s.Dim.Render(" enter choose · esc "+m.keys.Cancel.Help().Desc))
	return dialogFrame(m.c, m.Title, body, w)
}

func itemText(it Item) string {
	t := it.Label
	if it.Key != "" {
		t = "[" + it.Key + "] " + t
	}
	if it.Detail != "" {
		t += "  " + it.Detail
	}
	return t
}

// dialogFrame draws a dialog's body in a focused frame of width w.
func dialogFrame(c *common.Common, title string, body []string, w int) string {
	return c.Frame(title, "", body, w, len(body)+2, true)
}
