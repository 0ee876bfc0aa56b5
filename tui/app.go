// Package tui is the seccomp workbench's terminal interface, built on
// Bubble Tea v2.
//
// The root model (this package) owns focus, layout, the profile being
// edited and the run in progress, and routes everything else. A key goes
// to the top dialog of the stack (stack.go), else to the catalog's search
// line, else to the first enabled row of the workbench's key rows
// (bindings.go: binding, help group, enabled, handler; the footer and
// the help screen are read from the same rows), else to the focused pane
// through the one interface all panes share (paneUI). A dialog's outcome
// becomes an action carrying its own context (the syscall an errno is
// for, the question an answer goes to), which the root applies. Work that
// takes time happens in commands and comes back as messages:
//
//	key ─▶ Update ─▶ edit (profile.Editor) ─▶ states, badges (at once)
//	                     └─▶ compileCmd(gen) ─▶ compiledMsg ─▶ header, detail, lint
//	                     └─▶ impactCmd(gen) ─▶ impactMsg ─▶ "this edit would deny …"
//	                     └─▶ recovery write ─▶ recoveryDoneMsg
//	c/r ─▶ startRunCmd(id) ─▶ runStartedMsg ─▶ waitEvents(id) ─▶ runEventsMsg ─┐
//	                                              ▲───────────── re-issued ◀────┘
//
// Commands never touch the model; results from an older generation or run
// id are dropped. To add a key: a row in keyRows. A dialog: a function
// that returns a dialog (its box and what its Result means), pushed by
// whoever opens it. A pane: a package whose pointer satisfies paneUI, and
// its place in Model.pane and the layout.
package tui

import (
	"fmt"
	"os"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
	"github.com/seccomp-workbench/seccomp-workbench/profile/source"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/scenario"
	"github.com/seccomp-workbench/seccomp-workbench/tui/catalogpane"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/detailpane"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
	"github.com/seccomp-workbench/seccomp-workbench/tui/scenariopane"
	"github.com/seccomp-workbench/seccomp-workbench/tui/styles"
)

// Options configure a workbench.
type Options struct {
	// Profile is the profile to edit; Source names it (a path or
	// preset:NAME). Path is the file saves go to ("" for a preset).
	Profile *profile.Profile
	Source  string
	Path    string
	// Env is the host the profile is resolved for; zero means this host.
	Env profile.Env
	// StateDir holds the recovery file; "" means
	// $XDG_STATE_HOME/seccomp-workbench (or ~/.local/state/...).
	StateDir string
	// Command is an initial command line for the run pane.
	Command string
	// Shim overrides how the runner starts its shim (nil: this binary).
	Shim []string
	// RunTimeout bounds each run (0: no limit).
	RunTimeout time.Duration
	// Scenarios is a scenario file to show and re-run after every
	// verified edit ("" for none; a key opens one later).
	Scenarios string
	// Import is how Profile was opened (profile/source), nil for a
	// Docker file or a preset given directly: a profile read from
	// another format is saved as Docker JSON to a new file.
	Import *source.Opened
}

// Panes.
const (
	paneCatalog = iota
	paneDetail
	paneRun
	paneScenarios // only while a scenario file is open
	paneCount
)

// Model is the root model.
type Model struct {
	c      *common.Common
	keys   KeyMap
	rows   []row // keyRows(keys), built once: the handlers are stateless
	layout Layout
	focus  int

	catalog   catalogpane.Model
	detail    detailpane.Model
	run       runpane.Model
	scenarios scenariopane.Model
	help      help.Model

	// The open dialogs, the top one has the keyboard.
	stack stack

	// The profile.
	ed     *profile.Editor
	source string
	path   string
	// imported is the file the profile was read from when it is not
	// Docker JSON (a SeccompProfile, a systemd unit ...): saves never go
	// there; saveStem is what save-as suggests instead.
	imported, saveStem string
	loaded             *profile.Profile // as opened, for the diff
	forcedDirty        bool             // restored or recorded: unsaved though Editor is clean
	eff                *profile.Effective
	states             map[string]common.State
	scope              Scope

	// The compiled filter.
	compiling   bool
	compiledGen int
	prog        *compile.Program
	progErr     error
	findings    []lint.Finding

	// Runs.
	runs    *tracker
	ses     *session // the run in progress, nil when none
	last    *lastRun // the last finished run, for the impact preview
	runID   int
	mode    runner.Mode // watch, enforce or audit for ordinary runs
	cmdline string
	history []string
	shim    []string
	timeout time.Duration

	// Scenarios: the open file, the generation of the newest verified
	// profile they are (to be) run under, and the batch going on.
	scen      *scenario.File
	scenGen   int
	batch     *scenBatch
	scenStart string  // Options.Scenarios, loaded by Init
	min       *minJob // the minimisation going on
	minID     int

	// Recovery file.
	stateDir string
	rec      *recoveryStore
	recSeq   uint64

	// cwd is the working directory, read once at start: relative paths
	// are named from it without asking the system again in Update.
	cwd string

	status    string
	statusErr bool
	quitting  bool
}

// New builds the root model.
func New(o Options) (Model, error) {
	cat, err := catalog.Default()
	if err != nil {
		return Model{}, err
	}
	env := o.Env
	if env.Host == "" {
		env = profile.HostEnv()
	}
	p := o.Profile
	if p == nil {
		if p, err = profile.Open("preset:docker-default"); err != nil {
			return Model{}, err
		}
		o.Source = "preset:docker-default"
	}
	c := common.New(cat, env)
	m := Model{
		c:         c,
		keys:      DefaultKeyMap(),
		catalog:   catalogpane.New(c),
		detail:    detailpane.New(c),
		run:       runpane.New(c),
		scenarios: scenariopane.New(c),
		scenStart: o.Scenarios,
		help:      help.New(),
		mode:      runner.ModeWatch,
		cmdline:   o.Command,
		shim:      o.Shim,
		timeout:   o.RunTimeout,
		runs:      &tracker{},
		stateDir:  o.StateDir,
		rec:       &recoveryStore{},
		// Init starts the first compile.
		compiling: true,
	}
	if m.stateDir == "" {
		m.stateDir = defaultStateDir()
	}
	m.rows = keyRows(m.keys)
	m.cwd, _ = os.Getwd()
	m.help.Styles = c.Styles.Help
	m.setProfile(p, o.Source, o.Path)
	m.setFocus(paneCatalog)
	m.resize(80, 24)
	m.setImport(o.Import)
	return m, nil
}

// setProfile starts editing p (a new Editor: undo history starts over).
func (m *Model) setProfile(p *profile.Profile, source, path string) {
	m.ed = profile.NewEditor(p)
	m.loaded = m.ed.Profile()
	m.source, m.path = source, path
	m.forcedDirty = false
	m.prog, m.progErr, m.findings = nil, nil, nil
	m.compiledGen = -1
	m.refresh()
	m.catalog.SetBaseline(m.states)
}

// Init asks for the background colour and starts the first compile and
// the recovery check.
func (m Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.compileCmd(), m.checkRecoveryCmd()}
	if m.scenStart != "" {
		cmds = append(cmds, loadScenariosCmd(m.scenStart))
	}
	return tea.Batch(cmds...)
}

// Update is the root of all updates.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) { return m.update(msg) }

func (m Model) update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case tea.BackgroundColorMsg:
		m.setDark(msg.IsDark())
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.MouseMsg:
		return m.handleMouse(msg)
	case tea.PasteMsg:
		return m.routeToInput(msg)

	case dialogs.Result:
		st, d, ok := m.stack.take(msg.ID)
		if !ok {
			return m, nil // a dialog closed already
		}
		m.stack = st
		if d.on == nil {
			return m, nil
		}
		if a := d.on(msg); a != nil {
			return a.apply(m)
		}
		return m, nil
	case compiledMsg:
		return m.handleCompiled(msg)
	case openedMsg:
		return m.handleOpened(msg)
	case savedMsg:
		return m.handleSaved(msg)
	case exportedMsg:
		return m.handleExported(msg)
	case diffMsg:
		return m.handleDiff(msg)
	case recoveryFoundMsg:
		return m.handleRecoveryFound(msg)
	case recoveryDoneMsg:
		return m.handleRecoveryDone(msg)

	case runpane.ViewOutputMsg:
		m.push(outputDialog(m.c, msg))
		return m, nil
	case runpane.ViewDenialMsg:
		m.push(denialDialog(m, msg.Denial))
		m.catalog.Select(msg.Denial.Syscall)
		m.syncSelection()
		return m, nil
	case runStartedMsg:
		return m.handleRunStarted(msg)
	case runEventsMsg:
		return m.handleRunEvents(msg)
	case askMsg:
		return m.handleAsk(msg)
	case runStoppedMsg:
		return m.handleRunStopped(msg)
	case impactMsg:
		return m.handleImpact(msg)
	case scenLoadedMsg:
		return m.handleScenLoaded(msg)
	case scenTickMsg:
		return m.handleScenTick(msg)
	case scenResultsMsg:
		return m.handleScenResults(msg)
	case minProgressMsg:
		return m.handleMinProgress(msg)
	case minDoneMsg:
		return m.handleMinDone(msg)
	}
	return m.routeToInput(msg)
}

// routeToInput gives other messages (paste, cursor, a path completion)
// to whatever has a text input open: the top dialog or the catalog's
// search line.
func (m Model) routeToInput(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch {
	case m.stack.open():
		m.stack, cmd = m.stack.step(msg)
	case m.catalog.Searching():
		cmd = m.catalog.Handle(msg)
		m.syncSelection()
	}
	return m, cmd
}

// paneUI is what the root asks of every pane.
type paneUI interface {
	View() string
	SetSize(w, h int)
	SetFocused(bool)
	ShortHelp() []key.Binding
	FullHelp() [][]key.Binding
	Handle(tea.Msg) tea.Cmd
	Wheel(x, d int)
	Press(x, y int)
}

// pane is pane i of the layout (paneCatalog, paneDetail, paneRun).
func (m *Model) pane(i int) paneUI {
	switch i {
	case paneDetail:
		return &m.detail
	case paneRun:
		return &m.run
	case paneScenarios:
		return &m.scenarios
	}
	return &m.catalog
}

func (m *Model) setDark(dark bool) {
	if m.c.Styles.IsDark == dark {
		return
	}
	m.c.Styles = styles.New(dark)
	m.help.Styles = m.c.Styles.Help
	m.catalog.RefreshStyles()
	m.detail.RefreshStyles()
}

func (m *Model) resize(w, h int) {
	m.c.Width, m.c.Height = w, h
	m.layout = computeLayout(w, h)
	if m.scen != nil {
		m.layout = m.layout.withScenarios()
	}
	for i := range paneCount {
		r := m.layout.pane(i)
		m.pane(i).SetSize(r.W, r.H)
	}
	m.help.SetWidth(w)
	m.stack = m.stack.sized(w, h)
}

func (m *Model) setFocus(p int) {
	n := m.panes()
	m.focus = (p + n) % n
	for i := range paneCount {
		m.pane(i).SetFocused(i == m.focus)
	}
}

// panes is how many panes are shown: the scenarios pane only with a
// scenario file.
func (m Model) panes() int {
	if m.scen == nil {
		return paneScenarios
	}
	return paneCount
}

// dirty reports unsaved edits.
func (m Model) dirty() bool { return m.ed.Dirty() || m.forcedDirty }

// syncSelection shows the catalog's selection in the detail pane.
func (m *Model) syncSelection() {
	if e := m.catalog.Selected(); e != nil {
		m.detail.SetSyscall(e, m.states[e.Name], m.eff)
	}
}

func (m Model) modeNote() string {
	if m.ses != nil {
		return modeWords(m.ses.mode)
	}
	return "mode: " + modeWords(m.mode)
}

func (m *Model) setStatus(format string, a ...any) {
	m.status, m.statusErr = fmt.Sprintf(format, a...), false
}

func (m *Model) setError(err error) {
	m.status, m.statusErr = err.Error(), true
}

// handleKey routes a key press: the top dialog first, then the search
// line, then the workbench's rows, then the focused pane. It takes the
// model by pointer: update's copy is the one changed (a Model is large,
// and every copy that reaches a pane through paneUI is made on the heap).
func (m *Model) handleKey(kp tea.KeyPressMsg) (Model, tea.Cmd) {
	if d, ok := m.stack.top(); ok {
		if d.keys != nil {
			if m2, cmd, ok := d.keys(*m, kp); ok {
				return m2, cmd
			}
		}
		var cmd tea.Cmd
		m.stack, cmd = m.stack.step(kp)
		return *m, cmd
	}
	if m.focus == paneCatalog && m.catalog.Searching() {
		cmd := m.catalog.Handle(kp)
		m.syncSelection()
		return *m, cmd
	}
	for _, r := range m.rows {
		if (r.enabled == nil || r.enabled(*m)) && key.Matches(kp, r.key) {
			return r.run(*m, kp)
		}
	}
	cmd := m.pane(m.focus).Handle(kp)
	m.syncSelection()
	return *m, cmd
}

// requestQuit quits, asking first when there are unsaved edits.
func (m Model) requestQuit() (Model, tea.Cmd) {
	if m.dirty() {
		m.push(askDialog(m.c, "Unsaved edits", []string{"The profile has edits that are not saved."}, []dialogs.Item{
			{Key: "s", Label: "save, then quit", Value: "save"},
			{Key: "d", Label: "discard the edits and quit", Value: "discard"},
			{Key: "c", Label: "cancel", Value: "cancel"},
		}, func(v string) action {
			switch v {
			case "save":
				return do(func(m Model) (Model, tea.Cmd) {
					m2, cmd := m.save(false)
					m2.quitting = true
					return m2, cmd
				})
			case "discard":
				return do(Model.quit)
			}
			return nil
		}))
		return m, nil
	}
	return m.quit()
}

// quit stops a run still going, removes the recovery file (the edits are
// saved or deliberately dropped) and ends the program.
func (m Model) quit() (Model, tea.Cmd) {
	m.quitting = true
	var steps []tea.Cmd
	if m.ses != nil {
		m.ses.cancel()
		if r := m.ses.run; r != nil {
			steps = append(steps, func() tea.Msg { r.Stop(); return nil })
		}
	}
	steps = append(steps, m.clearRecoveryCmd(), tea.Quit)
	return m, tea.Sequence(steps...)
}
