// Package tui is the seccomp workbench's terminal interface, built on
// Bubble Tea v2.
//
// The root model (this package) owns focus, layout, the profile being
// edited and the run in progress, and routes everything else: key
// presses to the focused pane (catalogpane, detailpane, runpane) or the
// open dialog (dialogs), domain messages to whoever owns them. Work that
// takes time happens in commands and comes back as messages:
//
//	key ─▶ Update ─▶ edit (profile.Editor) ─▶ states, badges (at once)
//	                     └─▶ compileCmd(gen) ─▶ compiledMsg ─▶ header, detail
//	                     └─▶ recovery write ─▶ recoveryDoneMsg
//	c/r ─▶ startRunCmd(id) ─▶ runStartedMsg ─▶ waitEvents(id) ─▶ runEventsMsg ─┐
//	                                              ▲───────────── re-issued ◀────┘
//
// Commands never touch the model; results from an older generation or run
// id are dropped.
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
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/catalogpane"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/detailpane"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
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
}

// Panes.
const (
	paneCatalog = iota
	paneDetail
	paneRun
	paneCount
)

// Model is the root model.
type Model struct {
	c      *common.Common
	keys   KeyMap
	layout Layout
	focus  int

	catalog catalogpane.Model
	detail  detailpane.Model
	run     runpane.Model
	help    help.Model

	// At most one dialog is open; pending says what its result is for.
	menu    *dialogs.Menu
	prompt  *dialogs.Prompt
	viewer  *dialogs.Viewer
	list    *dialogs.List
	pending pending
	// heldAsk is a learn-mode question another dialog covered (a diff
	// that arrived meanwhile, say): the command stays paused on it, so it
	// is shown again as soon as no dialog is open.
	heldAsk *askMsg

	// The profile.
	ed          *profile.Editor
	source      string
	path        string
	loaded      *profile.Profile // as opened, for the diff
	forcedDirty bool             // restored or recorded: unsaved though Editor is clean
	eff         *profile.Effective
	states      map[string]common.State
	scope       Scope

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
	mode    runner.Mode // watch or enforce for ordinary runs
	cmdline string
	history []string
	shim    []string
	timeout time.Duration

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
		c:        c,
		keys:     DefaultKeyMap(),
		catalog:  catalogpane.New(c),
		detail:   detailpane.New(c),
		run:      runpane.New(c),
		help:     help.New(),
		mode:     runner.ModeWatch,
		cmdline:  o.Command,
		shim:     o.Shim,
		timeout:  o.RunTimeout,
		runs:     &tracker{},
		stateDir: o.StateDir,
		rec:      &recoveryStore{},
		// Init starts the first compile.
		compiling: true,
	}
	if m.stateDir == "" {
		m.stateDir = defaultStateDir()
	}
	m.cwd, _ = os.Getwd()
	m.help.Styles = c.Styles.Help
	m.setProfile(p, o.Source, o.Path)
	m.setFocus(paneCatalog)
	m.resize(80, 24)
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
	return tea.Batch(tea.RequestBackgroundColor, m.compileCmd(), m.checkRecoveryCmd())
}

// Update is the root of all updates.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m2, cmd := m.update(msg)
	if m2.heldAsk != nil && !m2.dialogOpen() {
		a := *m2.heldAsk
		m2.heldAsk = nil
		var ask tea.Cmd
		m2, ask = m2.handleAsk(a)
		cmd = tea.Batch(cmd, ask)
	}
	return m2, cmd
}

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
		return m.handleResult(msg)
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
		m.openOutputViewer(msg)
		return m, nil
	case runpane.ViewDenialMsg:
		m.openDenialViewer(msg.Denial)
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
	}
	return m.routeToInput(msg)
}

// routeToInput gives other messages (paste, cursor) to whatever has a
// text input open: the open dialog or the catalog's search line.
func (m Model) routeToInput(msg tea.Msg) (Model, tea.Cmd) {
	if m2, cmd, ok := m.updateDialog(msg); ok {
		return m2, cmd
	}
	var cmd tea.Cmd
	if m.catalog.Searching() {
		m.catalog, cmd = m.catalog.Update(msg)
		m.syncSelection()
	}
	return m, cmd
}

// dialogOpen reports whether a dialog has the keyboard.
func (m Model) dialogOpen() bool {
	return m.menu != nil || m.prompt != nil || m.viewer != nil || m.list != nil
}

// updateDialog gives msg to the open dialog; ok is false when none is.
// The dialog is copied, updated and stored anew, so that an older copy
// of the model never sees the change.
func (m Model) updateDialog(msg tea.Msg) (Model, tea.Cmd, bool) {
	var cmd tea.Cmd
	switch {
	case m.menu != nil:
		d := *m.menu
		d, cmd = d.Update(msg)
		m.menu = &d
	case m.prompt != nil:
		d := *m.prompt
		d, cmd = d.Update(msg)
		m.prompt = &d
	case m.viewer != nil:
		d := *m.viewer
		d, cmd = d.Update(msg)
		m.viewer = &d
	case m.list != nil:
		d := *m.list
		d, cmd = d.Update(msg)
		m.list = &d
	default:
		return m, nil, false
	}
	return m, cmd, true
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
	l := m.layout
	m.catalog.SetSize(l.Catalog.W, l.Catalog.H)
	m.detail.SetSize(l.Detail.W, l.Detail.H)
	m.run.SetSize(l.Run.W, l.Run.H)
	m.help.SetWidth(w)
	if m.menu != nil {
		m.menu.SetBounds(w, h)
	}
	if m.prompt != nil {
		m.prompt.SetBounds(w, h)
	}
	if m.viewer != nil {
		m.viewer.SetBounds(w, h)
	}
	if m.list != nil {
		m.list.SetBounds(w, h)
	}
}

func (m *Model) setFocus(p int) {
	m.focus = (p + paneCount) % paneCount
	m.catalog.SetFocused(m.focus == paneCatalog)
	m.detail.SetFocused(m.focus == paneDetail)
	m.run.SetFocused(m.focus == paneRun)
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
		return string(m.ses.mode)
	}
	return "mode: " + string(m.mode)
}

func (m *Model) setStatus(format string, a ...any) {
	m.status, m.statusErr = fmt.Sprintf(format, a...), false
}

func (m *Model) setError(err error) {
	m.status, m.statusErr = err.Error(), true
}

// handleKey routes a key press: the open dialog first, then the search
// line, then the global keys, then the focused pane.
func (m Model) handleKey(kp tea.KeyPressMsg) (Model, tea.Cmd) {
	if m.menu != nil && m.pending.id == pendLearn {
		// A learn question: ctrl+c leaves learn mode as esc does, q asks
		// first; neither is an answer the command gets to see.
		switch {
		case key.Matches(kp, m.keys.Interrupt):
			return m.leaveLearn()
		case key.Matches(kp, m.keys.Quit):
			ask := m.pending.ask
			m.closeDialogs()
			m.openMenu(pendLearnQuit, "Quit the workbench?", []string{"The command is paused on a learn-mode question; quitting stops it."}, []dialogs.Item{
				{Key: "q", Label: "stop the command and quit", Value: "quit"},
				{Key: "c", Label: "back to the question", Value: "back"},
			}, false)
			m.pending.ask = ask
			return m, nil
		}
	}
	if m2, cmd, ok := m.updateDialog(kp); ok {
		return m2, cmd
	}
	var cmd tea.Cmd
	if m.focus == paneCatalog && m.catalog.Searching() {
		m.catalog, cmd = m.catalog.Update(kp)
		m.syncSelection()
		return m, cmd
	}
	if m2, cmd, ok := m.globalKey(kp); ok {
		return m2, cmd
	}
	switch m.focus {
	case paneCatalog:
		m.catalog, cmd = m.catalog.Update(kp)
		m.syncSelection()
	case paneDetail:
		m.detail, cmd = m.detail.Update(kp)
	case paneRun:
		m.run, cmd = m.run.Update(kp)
	}
	return m, cmd
}

// globalKey handles the workbench-wide keys; ok is false for others.
func (m Model) globalKey(kp tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	k := m.keys
	var cmd tea.Cmd
	switch {
	case key.Matches(kp, k.NextPane):
		m.setFocus(m.focus + 1)
	case key.Matches(kp, k.PrevPane):
		m.setFocus(m.focus - 1)
	case key.Matches(kp, k.GoPane):
		m.setFocus(int(kp.String()[0] - '1'))
	case key.Matches(kp, k.Findings):
		m.openFindings()
	case key.Matches(kp, k.Help):
		m.openHelp()
	case key.Matches(kp, k.Search) && m.focus == paneRun && m.run.Column() == runpane.ColOutput:
		s, _ := m.run.Search()
		m.openPrompt(pendOutSearch, "Search the output", []string{"Find text in the command's output (n: the next older match)."}, s, "text", nil)
	case key.Matches(kp, k.Search) && m.focus != paneCatalog:
		// Search from anywhere: the catalog takes the keyboard.
		m.setFocus(paneCatalog)
		m.catalog, cmd = m.catalog.Update(kp)
	case key.Matches(kp, k.Interrupt) && m.ses != nil, key.Matches(kp, k.Stop) && m.ses != nil:
		cmd = m.stopRun()
	case key.Matches(kp, k.Interrupt), key.Matches(kp, k.Quit):
		m, cmd = m.requestQuit()
	case key.Matches(kp, k.Stop) && m.focus == paneCatalog && m.catalog.Filter() != "":
		return m, nil, false // the catalog clears its filter
	case key.Matches(kp, k.Scope):
		m.scope = (m.scope + 1) % scopeCount
		m.catalog.SetNote("scope: " + m.scope.String())
		m.setStatus("actions now apply to the selected %s", m.scope)
	case key.Matches(kp, k.Undo):
		m, cmd = m.undoOr(m.ed.Undo, "undone", "nothing to undo")
	case key.Matches(kp, k.Redo):
		m, cmd = m.undoOr(m.ed.Redo, "redone", "nothing to redo")
	case key.Matches(kp, k.Default):
		m.openDefaultMenu()
	case key.Matches(kp, k.Preset):
		m.openPresetMenu()
	case key.Matches(kp, k.Open):
		m.openPathPrompt(pendOpen, "Open a profile", []string{"A file path, or preset:NAME."}, "")
	case key.Matches(kp, k.Save):
		m, cmd = m.save(false)
	case key.Matches(kp, k.SaveAs):
		m, cmd = m.save(true)
	case key.Matches(kp, k.Export):
		m.openExportMenu()
	case key.Matches(kp, k.Diff):
		m.openDiffMenu()
	case key.Matches(kp, k.Command):
		m.openCommandPrompt(runner.ModeWatch)
	case key.Matches(kp, k.Rerun):
		m, cmd = m.rerun()
	case key.Matches(kp, k.Record):
		m.openCommandPrompt(runner.ModeRecord)
	case key.Matches(kp, k.Learn):
		m.openCommandPrompt(runner.ModeLearn)
	case key.Matches(kp, k.Mode):
		if m.mode == runner.ModeWatch {
			m.mode = runner.ModeEnforce
		} else {
			m.mode = runner.ModeWatch
		}
		m.run.SetNote(m.modeNote())
		m.setStatus("runs now use %s mode", m.mode)
	default:
		return m.actionKey(kp)
	}
	return m, cmd, true
}

// requestQuit quits, asking first when there are unsaved edits.
func (m Model) requestQuit() (Model, tea.Cmd) {
	if m.dirty() {
		m.openMenu(pendQuit, "Unsaved edits", []string{"The profile has edits that are not saved."}, []dialogs.Item{
			{Key: "s", Label: "save, then quit", Value: "save"},
			{Key: "d", Label: "discard the edits and quit", Value: "discard"},
			{Key: "c", Label: "cancel", Value: "cancel"},
		}, false)
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
