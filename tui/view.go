package tui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
)

// View draws the screen. Terminal modes live here too: the alternate
// screen and mouse reporting are on while the workbench runs and Bubble
// Tea turns them off on every exit.
func (m Model) View() tea.View {
	v := tea.NewView(m.Render())
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = "seccomp-workbench · " + m.source
	return v
}

// Render is the screen's text (View's content).
func (m Model) Render() string {
	l := m.layout
	if l.Mode == TooSmall {
		msg := fmt.Sprintf("Terminal too small (%d×%d): the workbench needs at least %d×%d.", l.W, l.H, tabbedMinW, tabbedMinH)
		return strings.Join(common.Lines(common.Wrap(msg, max(1, l.W)), l.W, l.H), "\n")
	}
	rows := make([]string, 0, l.H)
	rows = append(rows, m.headerLines(l.W)...)
	if l.Mode == Wide {
		left := strings.Split(m.catalog.View(), "\n")
		top := strings.Split(m.detail.View(), "\n")
		bottom := strings.Split(m.run.View(), "\n")
		right := append(top, bottom...)
		if m.scen != nil {
			right = append(right, strings.Split(m.scenarios.View(), "\n")...)
		}
		for i := 0; i < l.Catalog.H; i++ {
			rows = append(rows, common.At(left, i)+common.At(right, i))
		}
	} else {
		rows = append(rows, m.tabBar(l.W))
		rows = append(rows, strings.Split(m.pane(m.focus).View(), "\n")...)
	}
	rows = append(rows, m.footerLines(l.W)...)
	screen := strings.Join(rows, "\n")
	if d, ok := m.stack.top(); ok {
		screen = overlay(screen, d.box.View(), l.W, l.H)
	}
	return screen
}

// headerLines: the profile and its default and arches; then the filter's
// state, the run mode and the action scope.
func (m Model) headerLines(w int) []string {
	s := m.c.Styles
	p := m.ed.Profile()
	sep := s.Dim.Render(" │ ")
	name := s.ProfileRef.Render(m.source)
	if m.dirty() {
		name += " " + s.Dirty.Render("● unsaved")
	}
	def := profile.Decision{Action: p.DefaultAction, Errno: p.DefaultErrno()}
	arches := make([]string, 0, len(m.eff.Arches))
	for _, a := range m.eff.Arches {
		arches = append(arches, string(a))
	}
	line1 := name + sep +
		s.Label.Render("default ") + s.Action(def.Action).Render(def.String()) + sep +
		s.Label.Render("arches ") + s.Text.Render(strings.Join(arches, " "))
	if len(m.eff.Unsupported) > 0 {
		line1 += s.Warn.Render(" (+" + strings.Join(m.eff.Unsupported, " ") + " unsupported)")
	}
	if w >= wideMinW {
		line1 = s.Heading.Render("seccomp-workbench") + sep + line1
	}

	var filter string
	switch {
	case m.progErr != nil:
		filter = s.Error.Render("✘ filter not usable: " + oneLine(m.progErr.Error()))
	case m.compiledGen != m.ed.Generation() || m.prog == nil:
		filter = s.Busy.Render("… compiling and verifying")
	default:
		filter = s.OK.Render(fmt.Sprintf("✔ compiled & verified, %d instructions", m.prog.Stats.Instructions))
	}
	if errs, warns := m.lintCounts(); errs+warns > 0 && m.progErr == nil {
		if errs > 0 {
			// An error is not hidden behind the green tick: the filter
			// compiles, but the profile does not say what it means.
			filter = s.Error.Render("✘ lint: "+common.Count(errs, "error", "errors")) + s.Dim.Render(" (! lists them)") + sep + filter
			if warns > 0 {
				filter += sep + s.Warn.Render("lint: "+common.Count(warns, "warning", "warnings"))
			}
		} else {
			filter += sep + s.Warn.Render("lint: "+common.Count(warns, "warning", "warnings")) + s.Dim.Render(" (!)")
		}
	}
	run := "run: " + string(m.mode)
	if m.ses != nil {
		run = "running (" + string(m.ses.mode) + ")"
	}
	line2 := filter + sep + s.Label.Render(run) + sep + s.Label.Render("scope: "+m.scope.String())
	return []string{common.Fit(line1, w), common.Fit(line2, w)}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// tabNames are the tab bar's labels, one per pane.
func (m Model) tabNames() []string {
	return []string{"Syscalls", "Detail", "Run", "Scenarios"}[:m.panes()]
}

// Each tab is drawn " N Name " (or "[N Name]" when active): its name and
// four cells, then one cell between tabs.
func tabWidth(name string) int { return len(name) + 4 }

func (m Model) tabBar(w int) string {
	s := m.c.Styles
	var parts []string
	for i, n := range m.tabNames() {
		t := fmt.Sprintf(" %d %s ", i+1, n)
		if i == m.focus {
			parts = append(parts, s.TabActive.Render("["+strings.TrimSpace(t)+"]"))
		} else {
			parts = append(parts, s.Tab.Render(t))
		}
	}
	return common.Fit(strings.Join(parts, " ")+s.Dim.Render("   tab switches"), w)
}

// footerLines: the status line, then the focused pane's short help and
// the most used global keys.
func (m *Model) footerLines(w int) []string {
	s := m.c.Styles
	status := m.status
	st := s.Status
	if m.statusErr {
		st = s.Error
	}
	if status == "" {
		status = "? shows every key"
		st = s.Dim
	}
	if m.stack.open() {
		// The dialog has the keyboard: only its keys do anything.
		return []string{common.Fit(st.Render(oneLine(status)), w), common.Fit(m.help.ShortHelpView(m.stack.help()), w)}
	}
	bindings := m.pane(m.focus).ShortHelp()
	for _, r := range m.rows {
		if r.footer && (r.enabled == nil || r.enabled(*m)) {
			bindings = append(bindings, r.key)
		}
	}
	return []string{common.Fit(st.Render(oneLine(status)), w), common.Fit(m.help.ShortHelpView(bindings), w)}
}

// dialogRect is where the open dialog is drawn: centred.
func dialogRect(box string, w, h int) Rect {
	bw, bh := lipgloss.Size(box)
	return Rect{X: max(0, (w-bw)/2), Y: max(0, (h-bh)/2), W: bw, H: bh}
}

// overlay draws box centred over screen.
func overlay(screen, box string, w, h int) string {
	r := dialogRect(box, w, h)
	base := lipgloss.NewLayer(screen)
	top := lipgloss.NewLayer(box).X(r.X).Y(r.Y).Z(1)
	return lipgloss.NewCompositor(base, top).Render()
}

// handleMouse: the wheel scrolls the pane under the pointer; a click
// focuses a pane and selects what is under it.
func (m Model) handleMouse(msg tea.MouseMsg) (Model, tea.Cmd) {
	mouse := msg.Mouse()
	var cmd tea.Cmd
	if d, ok := m.stack.top(); ok {
		r := dialogRect(d.box.View(), m.c.Width, m.c.Height)
		switch msg := msg.(type) {
		case tea.MouseClickMsg:
			if mn, ok := d.box.(dialogs.Menu); ok && r.Contains(msg.X, msg.Y) {
				mn, cmd = mn.Click(msg.Y - r.Y)
				m.stack = m.stack.withTop(mn)
			}
		case tea.MouseWheelMsg:
			m.stack, cmd = m.stack.step(msg)
		}
		return m, cmd
	}
	l := m.layout
	pane := -1
	var r Rect
	if l.Mode == Tabbed {
		if l.Tabs.Contains(mouse.X, mouse.Y) {
			if _, ok := msg.(tea.MouseClickMsg); ok {
				m.setFocus(m.tabAt(mouse.X))
			}
			return m, nil
		}
		if l.Catalog.Contains(mouse.X, mouse.Y) {
			pane, r = m.focus, l.Catalog
		}
	} else {
		for i := range paneCount {
			if pr := l.pane(i); pr.Contains(mouse.X, mouse.Y) {
				pane, r = i, pr
			}
		}
	}
	if pane < 0 {
		return m, nil
	}
	x, y := mouse.X-r.X, mouse.Y-r.Y
	switch msg := msg.(type) {
	case tea.MouseWheelMsg:
		m.pane(pane).Wheel(x, common.WheelDelta(msg))
	case tea.MouseClickMsg:
		if msg.Button != tea.MouseLeft {
			return m, nil
		}
		m.setFocus(pane)
		m.pane(pane).Press(x, y)
	}
	m.syncSelection()
	return m, nil
}

// tabAt is the tab under column x of the tab bar (see tabBar); the cell
// after a tab counts as the tab's.
func (m Model) tabAt(x int) int {
	end := 0
	for i, n := range m.tabNames() {
		end += tabWidth(n) + 1
		if x < end {
			return i
		}
	}
	return m.panes() - 1
}
