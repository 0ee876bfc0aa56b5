// Package catalogpane is the workbench's syscall list: every call of the
// catalog grouped by risk tier (collapsible, with counts), each with the
// profile's current action as a badge and marks for argument conditions
// and split families, narrowed by a fuzzy search.
package catalogpane

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// Model is the catalog pane.
type Model struct {
	c    *common.Common
	keys KeyMap

	w, h    int
	focused bool
	note    string

	states map[string]common.State
	base   map[string]common.State // as loaded, for the "changed" filter
	tiers  [][]*catalog.Entry      // by Risk.Rank()
	folded []bool

	input     textinput.Model
	searching bool // the search line has the keyboard
	filter    string
	query     query
	queryErr  error
	matches   []catalog.Match

	rows   []row
	cursor int
	offset int
}

type row struct {
	tier  int // index into catalog.Risks()
	entry *catalog.Entry
	pos   []int // matched rune positions
}

func (r row) header() bool { return r.entry == nil }

// tierOf is the index in tiers of e's risk tier.
func (m Model) tierOf(e *catalog.Entry) int { return min(e.Risk.Rank(), len(m.tiers)-1) }

// New builds the pane over the whole catalog.
func New(c *common.Common) Model {
	m := Model{
		c:      c,
		keys:   DefaultKeyMap(c.Nav),
		tiers:  make([][]*catalog.Entry, len(catalog.Risks())),
		folded: make([]bool, len(catalog.Risks())),
		input:  c.NewInput("/ ", "name or words · risk:high · @group · denied · changed"),
	}
	for _, e := range c.Catalog.All() {
		t := m.tierOf(e)
		m.tiers[t] = append(m.tiers[t], e)
	}
	m.rebuild("")
	// Start on the first syscall, not on the first tier header.
	m.cursor = min(1, len(m.rows)-1)
	return m
}

// SetSize sets the pane's outer size (frame included).
func (m *Model) SetSize(w, h int) {
	m.w, m.h = w, h
	m.input.SetWidth(max(1, w-6))
	m.offset = common.Scroll(m.offset, m.cursor, m.listHeight(), len(m.rows))
}

// SetFocused tells the pane whether it has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// SetNote sets the text shown at the right of the pane's title.
func (m *Model) SetNote(s string) { m.note = s }

// SetStates gives the pane the profile's current outcome per syscall.
func (m *Model) SetStates(s map[string]common.State) {
	m.states = s
	if m.filter != "" && m.query.onStates() {
		keep := m.selectedName()
		m.setFilter(m.filter)
		m.rebuild(keep)
	}
}

// SetBaseline gives the pane the states of the profile as it was opened;
// the "changed" filter compares with them.
func (m *Model) SetBaseline(s map[string]common.State) { m.base = s }

// QueryError is why the search line's filter words could not be read.
func (m Model) QueryError() error { return m.queryErr }

// RefreshStyles picks up new styles after a background colour change.
func (m *Model) RefreshStyles() { m.input.SetStyles(m.c.InputStyles()) }

// Selected returns the syscall under the cursor, or nil on a tier header.
func (m Model) Selected() *catalog.Entry {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return nil
	}
	return m.rows[m.cursor].entry
}

// SelectedTier returns the tier of the row under the cursor.
func (m Model) SelectedTier() (catalog.Risk, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return "", false
	}
	return catalog.Risks()[m.rows[m.cursor].tier], true
}

// Searching reports whether the search line has the keyboard (the root
// then sends it every key, q and tab included).
func (m Model) Searching() bool { return m.searching }

// Filter returns the kept search text.
func (m Model) Filter() string { return m.filter }

// Select moves the cursor to the named syscall, unfolding its tier and
// clearing a filter that hides it. It reports whether the name is known.
func (m *Model) Select(name string) bool {
	e, ok := m.c.Catalog.Lookup(name)
	if !ok {
		return false
	}
	if m.find(name) < 0 {
		// Hidden by a folded tier or by the filter (whose rows are only
		// its matches): show it.
		m.folded[m.tierOf(e)] = false
		if m.filter != "" {
			m.setFilter("")
		}
		m.rebuild(name)
	}
	if i := m.find(name); i >= 0 {
		m.cursor = i
	}
	m.offset = common.Scroll(m.offset, m.cursor, m.listHeight(), len(m.rows))
	return true
}

func (m Model) find(name string) int {
	for i, r := range m.rows {
		if r.entry != nil && r.entry.Name == name {
			return i
		}
	}
	return -1
}

// Update handles keys (when focused) and the search line.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		if m.searching {
			var cmd tea.Cmd
			m.input, cmd = m.input.Update(msg)
			return m, cmd
		}
		return m, nil
	}
	if m.searching {
		return m.updateSearch(kp)
	}
	page := m.listHeight()
	if d, ok := m.keys.Nav.Step(kp, page, len(m.rows)); ok {
		m.moveCursor(d)
		return m, nil
	}
	switch {
	case key.Matches(kp, m.keys.Search):
		// A new search starts from an empty line, as in less or vim.
		m.searching = true
		if m.filter != "" {
			keep := m.selectedName()
			m.setFilter("")
			m.rebuild(keep)
		}
		m.input.SetValue("")
		return m, m.input.Focus()
	case key.Matches(kp, m.keys.Toggle):
		if m.cursor < len(m.rows) && m.rows[m.cursor].header() && m.filter == "" {
			m.toggle(m.rows[m.cursor].tier, !m.folded[m.rows[m.cursor].tier])
		}
	case key.Matches(kp, m.keys.Collapse):
		if m.cursor < len(m.rows) && m.filter == "" {
			m.toggle(m.rows[m.cursor].tier, true)
		}
	case key.Matches(kp, m.keys.Expand):
		if m.cursor < len(m.rows) && m.filter == "" {
			m.toggle(m.rows[m.cursor].tier, false)
		}
	case key.Matches(kp, m.keys.Clear) && m.filter != "":
		m.setFilter("")
		m.rebuild(m.selectedName())
	}
	return m, nil
}

func (m Model) updateSearch(kp tea.KeyPressMsg) (Model, tea.Cmd) {
	switch {
	case key.Matches(kp, m.keys.Keep):
		m.searching = false
		m.input.Blur()
		return m, nil
	case key.Matches(kp, m.keys.Clear):
		m.searching = false
		m.input.Blur()
		m.setFilter("")
		m.rebuild(m.selectedName())
		return m, nil
	case key.Matches(kp, m.keys.Prev):
		m.moveCursor(-1)
		return m, nil
	case key.Matches(kp, m.keys.Next):
		m.moveCursor(1)
		return m, nil
	}
	var cmd tea.Cmd
	m.input, cmd = m.input.Update(kp)
	if v := m.input.Value(); v != m.filter {
		m.setFilter(v)
		m.rebuild("")
		m.cursor = 0
		if len(m.rows) > 0 && m.rows[0].header() {
			m.cursor = min(1, len(m.rows)-1)
		}
		m.offset = 0
	}
	return m, cmd
}

func (m *Model) setFilter(s string) {
	m.filter = strings.TrimSpace(s)
	m.matches, m.queryErr = nil, nil
	if m.filter != "" {
		m.query, m.queryErr = parseQuery(m.filter)
		if m.queryErr == nil {
			m.matches = search(m.c.Catalog, m.query, m.states, m.base)
		}
	}
	if s == "" {
		m.input.SetValue("")
	}
}

func (m Model) selectedName() string {
	if e := m.Selected(); e != nil {
		return e.Name
	}
	return ""
}

func (m *Model) toggle(tier int, fold bool) {
	if m.folded[tier] == fold {
		return
	}
	m.folded[tier] = fold
	keep := m.selectedName()
	if fold {
		keep = ""
	}
	m.rebuild(keep)
	if fold {
		for i, r := range m.rows {
			if r.header() && r.tier == tier {
				m.cursor = i
			}
		}
	}
	m.offset = common.Scroll(m.offset, m.cursor, m.listHeight(), len(m.rows))
}

// rebuild recomputes the rows and keeps the cursor on keep when present.
func (m *Model) rebuild(keep string) {
	// A fresh slice: a copy of the model must not see this one's rows.
	m.rows = make([]row, 0, len(m.c.Catalog.All())+len(m.tiers))
	if m.filter != "" {
		for _, mt := range m.matches {
			m.rows = append(m.rows, row{tier: m.tierOf(mt.Entry), entry: mt.Entry, pos: mt.Positions})
		}
	} else {
		for t, es := range m.tiers {
			m.rows = append(m.rows, row{tier: t})
			if m.folded[t] {
				continue
			}
			for _, e := range es {
				m.rows = append(m.rows, row{tier: t, entry: e})
			}
		}
	}
	if keep != "" {
		if i := m.find(keep); i >= 0 {
			m.cursor = i
		}
	}
	m.cursor = common.Clamp(m.cursor, 0, len(m.rows)-1)
	m.offset = common.Scroll(m.offset, m.cursor, m.listHeight(), len(m.rows))
}

func (m *Model) moveCursor(d int) {
	m.cursor = common.Clamp(m.cursor+d, 0, len(m.rows)-1)
	m.offset = common.Scroll(m.offset, m.cursor, m.listHeight(), len(m.rows))
}

// Scroll moves the view by d rows (mouse wheel), dragging the cursor
// along so that it stays visible.
func (m *Model) Scroll(d int) {
	h := m.listHeight()
	m.offset = common.Clamp(m.offset+d, 0, max(0, len(m.rows)-h))
	m.cursor = common.Clamp(m.cursor, m.offset, min(len(m.rows)-1, m.offset+h-1))
}

// Click selects the row at y cells below the pane's top edge; a click on
// a tier header folds or unfolds it.
func (m *Model) Click(y int) {
	i := y - 1 - m.searchLines() + m.offset
	if y < 1+m.searchLines() || i < 0 || i >= len(m.rows) || y >= m.h-1 {
		return
	}
	m.cursor = i
	if m.rows[i].header() && m.filter == "" {
		m.toggle(m.rows[i].tier, !m.folded[m.rows[i].tier])
	}
}

func (m Model) searchLines() int {
	if m.searching || m.filter != "" {
		return 1
	}
	return 0
}

func (m Model) listHeight() int { return max(1, m.h-2-m.searchLines()) }

// ShortHelp is the pane's key help for the footer.
func (m Model) ShortHelp() []key.Binding {
	if m.searching {
		return []key.Binding{m.keys.Keep, m.keys.Clear, m.keys.Prev, m.keys.Next}
	}
	k := m.keys
	return []key.Binding{k.Search, k.Nav.Up, k.Nav.Down, k.Toggle}
}

// FullHelp lists all of the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{k.Nav.Bindings(), {k.Search, k.Keep, k.Clear, k.Toggle, k.Collapse, k.Expand}}
}

// counts returns how many calls a tier has and how many the profile
// allows.
func (m Model) counts(t int) (total, allowed int) {
	for _, e := range m.tiers[t] {
		if st, ok := m.states[e.Name]; ok && st.Action == profile.ActAllow {
			allowed++
		}
	}
	return len(m.tiers[t]), allowed
}

// title is the pane title with the number of rows shown.
func (m Model) title() string {
	if m.filter != "" {
		return "Syscalls · " + common.Count(len(m.matches), "match", "matches")
	}
	return fmt.Sprintf("Syscalls · %d", m.c.Catalog.Len())
}

// Handle is Update for the root's pane interface.
func (m *Model) Handle(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.Update(msg)
	return cmd
}

// Wheel scrolls by d rows (the mouse wheel at column x).
func (m *Model) Wheel(_, d int) { m.Scroll(d) }

// Press is a click at (x, y) of the pane.
func (m *Model) Press(_, y int) { m.Click(y) }
