// Package detailpane explains the selected syscall: what it does, why it
// is risky, its family, numbers, systemd groups, Docker's verdict, the
// rule the profile has for it and what the compiled filter does with it.
// A second tab shows the compiled program with the instructions the
// selected call executes highlighted.
package detailpane

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
)

// Tabs of the pane.
const (
	TabSyscall = iota
	TabProgram
)

// KeyMap is the detail pane's keys.
type KeyMap struct {
	Nav      common.NavKeys
	NextTab  key.Binding
	PrevTab  key.Binding
	NextStep key.Binding
}

// DefaultKeyMap returns the detail pane's keys.
func DefaultKeyMap(nav common.NavKeys) KeyMap {
	return KeyMap{
		Nav:      nav,
		NextTab:  key.NewBinding(key.WithKeys("]"), key.WithHelp("]", "next tab")),
		PrevTab:  key.NewBinding(key.WithKeys("["), key.WithHelp("[", "prev tab")),
		NextStep: key.NewBinding(key.WithKeys("n"), key.WithHelp("n", "next executed insn")),
	}
}

// Model is the detail pane.
type Model struct {
	c       *common.Common
	keys    KeyMap
	w, h    int
	focused bool
	tab     int
	offset  [2]int

	entry *catalog.Entry
	state common.State
	eff   *profile.Effective

	// The compiled program, its listing and the explanation of the
	// selected call. stale: the profile changed since it was compiled.
	prog     *compile.Program
	asm      []cbpf.AsmLine
	stale    bool
	progErr  error
	expl     *compile.Explanation
	explErr  error
	executed map[int]bool
	stepAt   int // index into expl.Steps for "next executed"

	// text is the syscall tab, rendered for the current width and
	// rebuilt on change; the program tab is drawn from asm on demand.
	text []string
}

// New returns an empty detail pane.
func New(c *common.Common) Model {
	return Model{c: c, keys: DefaultKeyMap(c.Nav)}
}

// SetSize sets the pane's outer size.
func (m *Model) SetSize(w, h int) {
	rewrap := w != m.w
	m.w, m.h = w, h
	if rewrap {
		m.rebuild()
	}
	m.clampOffsets()
}

// SetFocused tells the pane whether it has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Entry is the syscall the pane shows (nil when none).
func (m Model) Entry() *catalog.Entry { return m.entry }

// Tab returns the current tab.
func (m Model) Tab() int { return m.tab }

// SetSyscall shows another syscall (or the same with a new state). The
// root calls it after every key the catalog handles; when nothing changed
// there is nothing to explain or render again.
func (m *Model) SetSyscall(e *catalog.Entry, st common.State, eff *profile.Effective) {
	if e == m.entry && st == m.state && eff == m.eff {
		return
	}
	changed := e != m.entry
	m.entry, m.state, m.eff = e, st, eff
	if changed {
		m.offset[TabSyscall] = 0
	}
	m.explain(changed)
	m.rebuild()
}

// SetProgram gives the pane a new compiled program (nil with err when the
// compile or verification failed) and says whether it is stale.
func (m *Model) SetProgram(p *compile.Program, asm []cbpf.AsmLine, err error, stale bool) {
	m.prog, m.asm, m.progErr, m.stale = p, asm, err, stale
	m.explain(true)
	m.rebuild()
}

// SetStale marks the program as older than the profile (an edit is being
// compiled).
func (m *Model) SetStale(stale bool) {
	if m.stale != stale {
		m.stale = stale
		m.rebuild()
	}
}

// RefreshStyles re-renders after a style change.
func (m *Model) RefreshStyles() { m.rebuild() }

// explain runs the program on the selected call with zero arguments and
// records the executed instructions. It is a short walk through an
// in-memory BPF program, cheap enough to do on every selection.
func (m *Model) explain(scroll bool) {
	m.expl, m.explErr, m.executed = nil, nil, nil
	if m.prog == nil || m.entry == nil || !m.state.OnHost {
		return
	}
	x, err := compile.ExplainName(m.prog, m.c.Env.Host, m.entry.Name, [6]uint64{})
	if err != nil {
		m.explErr = err
		return
	}
	m.expl = x
	m.executed = make(map[int]bool, len(x.Steps))
	for _, s := range x.Steps {
		m.executed[s.PC] = true
	}
	if scroll {
		m.stepAt = m.focusStep()
		m.offset[TabProgram] = m.centre(x.Steps[m.stepAt].PC)
	}
}

// focusStep picks the step worth showing first: the last comparison of the
// syscall number before the return, which is where this call's path
// leaves the shared prelude.
func (m Model) focusStep() int {
	if m.expl == nil || len(m.expl.Steps) == 0 {
		return 0
	}
	return max(0, len(m.expl.Steps)-2)
}

func (m Model) centre(pc int) int {
	rows := m.tabRows(TabProgram)
	return common.Clamp(pc-rows/2, 0, max(0, len(m.asm)-rows))
}

func (m Model) rows() int { return max(1, m.h-2) }

// tabRows is how many lines of tab t's text are visible: the program
// tab gives its first row to the summary.
func (m Model) tabRows(t int) int {
	if t == TabProgram {
		return max(1, m.rows()-1)
	}
	return m.rows()
}

// StepPC is the instruction the program cursor (n) is on, -1 when none.
func (m Model) StepPC() int {
	if m.expl == nil || m.stepAt < 0 || m.stepAt >= len(m.expl.Steps) {
		return -1
	}
	return m.expl.Steps[m.stepAt].PC
}

// length is the number of lines tab t scrolls over.
func (m Model) length(t int) int {
	if t == TabProgram {
		return len(m.asm)
	}
	return len(m.text)
}

func (m *Model) clampOffsets() {
	for t := range m.offset {
		m.offset[t] = common.Clamp(m.offset[t], 0, max(0, m.length(t)-m.tabRows(t)))
	}
}

// Update handles keys when the pane is focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(kp, m.keys.NextTab), key.Matches(kp, m.keys.PrevTab):
		m.tab = 1 - m.tab
		return m, nil
	case key.Matches(kp, m.keys.NextStep) && m.tab == TabProgram && m.expl != nil && len(m.expl.Steps) > 0:
		m.stepAt = (m.stepAt + 1) % len(m.expl.Steps)
		m.offset[TabProgram] = m.centre(m.expl.Steps[m.stepAt].PC)
		return m, nil
	}
	if d, ok := m.keys.Nav.Step(kp, m.tabRows(m.tab), m.length(m.tab)); ok {
		m.Scroll(d)
	}
	return m, nil
}

// Scroll moves the current tab's text by d lines.
func (m *Model) Scroll(d int) {
	m.offset[m.tab] = common.Clamp(m.offset[m.tab]+d, 0, max(0, m.length(m.tab)-m.tabRows(m.tab)))
}

// SwitchTab shows the other tab.
func (m *Model) SwitchTab() { m.tab = 1 - m.tab }

// ShortHelp is the pane's key help for the footer.
func (m Model) ShortHelp() []key.Binding {
	if m.tab == TabProgram {
		return []key.Binding{m.keys.NextTab, m.keys.NextStep, m.keys.Nav.Down, m.keys.Nav.PageDown}
	}
	return []key.Binding{m.keys.NextTab, m.keys.Nav.Down, m.keys.Nav.PageDown}
}

// FullHelp lists all of the pane's keys.
func (m Model) FullHelp() [][]key.Binding {
	return [][]key.Binding{m.keys.Nav.Bindings(), {m.keys.NextTab, m.keys.PrevTab, m.keys.NextStep}}
}

// Handle is Update for the root's pane interface.
func (m *Model) Handle(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	*m, cmd = m.Update(msg)
	return cmd
}

// Wheel scrolls by d rows (the mouse wheel at column x).
func (m *Model) Wheel(_, d int) { m.Scroll(d) }

// Press is a click at (x, y): on the title row it switches tabs.
func (m *Model) Press(_, y int) {
	if y == 0 {
		m.SwitchTab()
	}
}
