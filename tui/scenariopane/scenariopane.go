// Package scenariopane is the workbench's scenarios pane: every scenario
// of a scenario file with its last result under the live profile (✔, ✘
// and the failing expectation, running…, stale), and for the selected
// scenario its failures and the calls its run had denied. The root model
// runs the scenarios and hands the results in; the pane only shows them
// and says which denial is selected (the root's allow key acts on it).
package scenariopane

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/scenario"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// State is where a scenario's row is.
type State int

const (
	// Pending: never run under this workbench's profile yet.
	Pending State = iota
	// Running: a run for the current profile is going on.
	Running
	// Stale: the profile changed since the result shown.
	Stale
	Passed
	Failed
)

// Columns that can have the keyboard.
const (
	ColList    = iota // the scenarios
	ColDenials        // the selected scenario's denials
)

// Row is one scenario and what is known of it.
type Row struct {
	Name   string
	State  State
	Result *scenario.Result // the last result, nil before the first
}

// KeyMap is the pane's own keys.
type KeyMap struct {
	Nav   common.NavKeys
	Left  key.Binding
	Right key.Binding
}

// DefaultKeyMap returns the pane's keys.
func DefaultKeyMap(nav common.NavKeys) KeyMap {
	return KeyMap{
		Nav:   nav,
		Left:  key.NewBinding(key.WithKeys("left"), key.WithHelp("←", "scenarios")),
		Right: key.NewBinding(key.WithKeys("right", "enter"), key.WithHelp("→/enter", "its denials")),
	}
}

// Model is the pane.
type Model struct {
	c       *common.Common
	keys    KeyMap
	w, h    int
	focused bool

	path   string
	rows   []Row
	cursor int // selected scenario
	off    int
	col    int
	den    int // selected denial of the selected scenario
	// progress is a long job's line (minimize), shown over the list.
	progress string
}

// New returns an empty pane (no scenario file).
func New(c *common.Common) Model {
	return Model{c: c, keys: DefaultKeyMap(c.Nav)}
}

// SetFile shows the scenarios of f, none of them run yet.
func (m *Model) SetFile(f *scenario.File) {
	m.path = f.Path
	m.rows = make([]Row, len(f.Scenarios))
	for i, s := range f.Scenarios {
		m.rows[i] = Row{Name: s.Name}
	}
	m.cursor, m.off, m.col, m.den = 0, 0, ColList, 0
}

// SetProgress shows a line about a job on the scenarios ("" hides it).
func (m *Model) SetProgress(s string) { m.progress = s }

// Progress is the job line shown.
func (m Model) Progress() string { return m.progress }

// Path is the scenario file shown ("" for none).
func (m Model) Path() string { return m.path }

// Rows are the scenarios' rows.
func (m Model) Rows() []Row { return m.rows }

// SetStale marks every result as older than the profile.
func (m *Model) SetStale() { m.setAll(Stale) }

// SetRunning marks every scenario as being run again.
func (m *Model) SetRunning() { m.setAll(Running) }

func (m *Model) setAll(st State) {
	for i := range m.rows {
		m.rows[i].State = st
	}
}

// SetResults shows a batch's results (RunAll's, one target: the live
// profile). A scenario with no result in rs keeps its row as it is.
func (m *Model) SetResults(rs []scenario.Result) {
	for i := range rs {
		r := &rs[i]
		if r.Scenario == nil {
			continue
		}
		for j := range m.rows {
			if m.rows[j].Name != r.Scenario.Name {
				continue
			}
			m.rows[j].Result = r
			m.rows[j].State = Failed
			if r.Passed {
				m.rows[j].State = Passed
			}
		}
	}
	m.clamp()
}

// Selected is the selected scenario's row.
func (m Model) Selected() (Row, bool) {
	if m.cursor < 0 || m.cursor >= len(m.rows) {
		return Row{}, false
	}
	return m.rows[m.cursor], true
}

func (m Model) denials() []runner.Denial {
	if r, ok := m.Selected(); ok && r.Result != nil {
		return r.Result.Denials
	}
	return nil
}

// SelectedDenial is the denial under the cursor while the denials column
// has the keyboard: what the allow key acts on.
func (m Model) SelectedDenial() (runner.Denial, bool) {
	ds := m.denials()
	if m.col != ColDenials || m.den < 0 || m.den >= len(ds) {
		return runner.Denial{}, false
	}
	return ds[m.den], true
}

// Column is the column that has the keyboard.
func (m Model) Column() int { return m.col }

// SetSize sets the pane's size.
func (m *Model) SetSize(w, h int) { m.w, m.h = w, h; m.clamp() }

// SetFocused says whether the pane has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Update handles keys when the pane is focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(kp, m.keys.Left):
		m.col = ColList
		return m, nil
	case key.Matches(kp, m.keys.Right):
		if len(m.denials()) > 0 {
			m.col = ColDenials
		}
		return m, nil
	}
	g := m.geometry()
	if m.col == ColDenials {
		if d, ok := m.keys.Nav.Step(kp, g.denRows, len(m.denials())); ok {
			m.den = common.Clamp(m.den+d, 0, len(m.denials())-1)
		}
		return m, nil
	}
	if d, ok := m.keys.Nav.Step(kp, g.listRows, len(m.rows)); ok {
		c := common.Clamp(m.cursor+d, 0, len(m.rows)-1)
		if c != m.cursor {
			m.den = 0
		}
		m.cursor = c
		m.off = common.Scroll(m.off, m.cursor, g.listRows, len(m.rows))
	}
	return m, nil
}

func (m *Model) clamp() {
	m.cursor = common.Clamp(m.cursor, 0, max(0, len(m.rows)-1))
	m.den = common.Clamp(m.den, 0, max(0, len(m.denials())-1))
	if len(m.denials()) == 0 {
		m.col = ColList
	}
	m.off = common.Scroll(m.off, m.cursor, max(1, m.geometry().listRows), len(m.rows))
}

// ShortHelp is the pane's key help for the footer.
func (m Model) ShortHelp() []key.Binding {
	if m.col == ColDenials {
		return []key.Binding{m.keys.Left, m.keys.Nav.Down}
	}
	if len(m.denials()) > 0 {
		return []key.Binding{m.keys.Nav.Down, m.keys.Right}
	}
	return []key.Binding{m.keys.Nav.Down}
}

// FullHelp lists all of the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.keys.Nav.Bindings(), {m.keys.Left, m.keys.Right}}
}

// Handle is Update for the root's pane interface.
func (m *Model) Handle(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.Update(msg)
	return cmd
}

// Wheel moves the selection in the list.
func (m *Model) Wheel(_, d int) {
	if len(m.rows) == 0 {
		return
	}
	m.cursor = common.Clamp(m.cursor+d, 0, len(m.rows)-1)
	m.clamp()
}

// Press selects the scenario or denial under (x, y).
func (m *Model) Press(_, y int) {
	g := m.geometry()
	switch {
	case y >= g.listTop && y < g.listTop+g.listRows:
		if i := m.off + y - g.listTop; i < len(m.rows) {
			m.cursor, m.col, m.den = i, ColList, 0
		}
	case y >= g.denTop && y < g.denTop+g.denRows:
		if i := y - g.denTop; i < len(m.denials()) {
			m.col, m.den = ColDenials, i
		}
	}
}
