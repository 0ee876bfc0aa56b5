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
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/catalogpane"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/detailpane"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
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

// Scope says what the action keys change.
type Scope int

const (
	ScopeSyscall Scope = iota
	ScopeFamily
	ScopeTier
)

func (s Scope) String() string {
	switch s {
	case ScopeFamily:
		return "family"
	case ScopeTier:
		return "tier"
	}
	return "syscall"
}

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
	pending pending

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
	prog        *profile.Program
	progErr     error
	findings    []profile.Finding

	// Runs.
	runs    *tracker
	ses     *session // the run in progress, nil when none
	runID   int
	mode    string // watch or enforce for ordinary runs
	cmdline string
	history []string
	shim    []string
	timeout time.Duration

	// Recovery file.
	stateDir string
	rec      *recoveryStore
	recSeq   uint64

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
		mode:     "watch",
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
}

// Init asks for the background colour and starts the first compile and
// the recovery check.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.compileCmd(), m.checkRecoveryCmd())
}

// Update is the root of all updates.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m2, cmd := m.update(msg)
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

	case runpane.AllowMsg:
		return m.applyTo(msg.Syscall, ScopeSyscall, profile.ActAllow, 0)
	case runpane.ErrnoMsg:
		return m.openErrnoMenu(msg.Syscall, ScopeSyscall)
	case runStartedMsg:
		return m.handleRunStarted(msg)
	case runEventsMsg:
		return m.handleRunEvents(msg)
	case askMsg:
		return m.handleAsk(msg)
	case runStoppedMsg:
		return m.handleRunStopped(msg)
	}
	return m.routeToInput(msg)
}

// routeToInput gives other messages (paste, cursor) to whatever has a
// text input open.
func (m Model) routeToInput(msg tea.Msg) (Model, tea.Cmd) {
	var cmd tea.Cmd
	switch {
	case m.prompt != nil:
		d := *m.prompt
		d, cmd = d.Update(msg)
		m.prompt = &d
	case m.menu != nil:
		d := *m.menu
		d, cmd = d.Update(msg)
		m.menu = &d
	case m.catalog.Searching():
		m.catalog, cmd = m.catalog.Update(msg)
		m.syncSelection()
	}
	return m, cmd
}

func (m *Model) setDark(dark bool) {
	if m.c.Styles.IsDark == dark {
		return
	}
	m.c.Styles = newStyles(dark)
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
}

func (m *Model) setFocus(p int) {
	m.focus = (p + paneCount) % paneCount
	m.catalog.SetFocused(m.focus == paneCatalog)
	m.detail.SetFocused(m.focus == paneDetail)
	m.run.SetFocused(m.focus == paneRun)
}

// dirty reports unsaved edits.
func (m Model) dirty() bool { return m.ed.Dirty() || m.forcedDirty }

// refresh recomputes what depends on the profile: the effective profile,
// the per-syscall states (badges) and the detail pane. It is a single
// pass over the rules, cheap enough for Update; compiling is not, and
// runs in compileCmd.
func (m *Model) refresh() {
	m.eff = m.ed.Profile().Effective(m.c.Env)
	m.states = common.States(m.eff, m.c.Catalog)
	m.catalog.SetStates(m.states)
	m.catalog.SetNote("scope: " + m.scope.String())
	m.run.SetNote(m.modeNote())
	m.syncSelection()
	m.detail.SetStale(m.compiledGen != m.ed.Generation())
}

// syncSelection shows the catalog's selection in the detail pane.
func (m *Model) syncSelection() {
	if e := m.catalog.Selected(); e != nil {
		m.detail.SetSyscall(e, m.states[e.Name], m.eff)
	}
}

func (m Model) modeNote() string {
	if m.ses != nil {
		return m.ses.mode
	}
	return "mode: " + m.mode
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
	var cmd tea.Cmd
	switch {
	case m.menu != nil:
		d := *m.menu
		d, cmd = d.Update(kp)
		m.menu = &d
		return m, cmd
	case m.prompt != nil:
		d := *m.prompt
		d, cmd = d.Update(kp)
		m.prompt = &d
		return m, cmd
	case m.viewer != nil:
		d := *m.viewer
		d, cmd = d.Update(kp)
		m.viewer = &d
		return m, cmd
	case m.focus == paneCatalog && m.catalog.Searching():
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
	switch {
	case key.Matches(kp, k.NextPane):
		m.setFocus(m.focus + 1)
	case key.Matches(kp, k.PrevPane):
		m.setFocus(m.focus - 1)
	case key.Matches(kp, k.Help):
		m.openHelp()
	case key.Matches(kp, k.Search) && m.focus != paneCatalog:
		// Search from anywhere: the catalog takes the keyboard.
		m.setFocus(paneCatalog)
		var cmd tea.Cmd
		m.catalog, cmd = m.catalog.Update(kp)
		return m, cmd, true
	case key.Matches(kp, k.Interrupt):
		if m.ses != nil {
			return m, m.stopRun(), true
		}
		m2, cmd := m.requestQuit()
		return m2, cmd, true
	case key.Matches(kp, k.Quit):
		m2, cmd := m.requestQuit()
		return m2, cmd, true
	case key.Matches(kp, k.Stop) && m.ses != nil:
		return m, m.stopRun(), true
	case key.Matches(kp, k.Stop) && m.focus == paneCatalog && m.catalog.Filter() != "":
		return m, nil, false // the catalog clears its filter
	case key.Matches(kp, k.Scope):
		m.scope = (m.scope + 1) % 3
		m.catalog.SetNote("scope: " + m.scope.String())
		m.setStatus("actions now apply to the selected %s", m.scope)
	case key.Matches(kp, k.Undo):
		if m.ed.Undo() {
			m2, cmd := m.afterEdit("undone")
			return m2, cmd, true
		}
		m.setStatus("nothing to undo")
	case key.Matches(kp, k.Redo):
		if m.ed.Redo() {
			m2, cmd := m.afterEdit("redone")
			return m2, cmd, true
		}
		m.setStatus("nothing to redo")
	case key.Matches(kp, k.Default):
		m.openDefaultMenu()
	case key.Matches(kp, k.Preset):
		m.openPresetMenu()
	case key.Matches(kp, k.Open):
		m.openPrompt(pendOpen, "Open a profile", []string{"A file path, or preset:NAME."}, "", "path or preset:NAME", nil)
	case key.Matches(kp, k.Save):
		m2, cmd := m.save(false)
		return m2, cmd, true
	case key.Matches(kp, k.SaveAs):
		m2, cmd := m.save(true)
		return m2, cmd, true
	case key.Matches(kp, k.Export):
		m.openExportMenu()
	case key.Matches(kp, k.Diff):
		m.openDiffMenu()
	case key.Matches(kp, k.Command):
		m.openCommandPrompt("watch")
	case key.Matches(kp, k.Rerun):
		m2, cmd := m.rerun()
		return m2, cmd, true
	case key.Matches(kp, k.Record):
		m.openCommandPrompt("record")
	case key.Matches(kp, k.Learn):
		m.openCommandPrompt("learn")
	case key.Matches(kp, k.Mode):
		if m.mode == "watch" {
			m.mode = "enforce"
		} else {
			m.mode = "watch"
		}
		m.run.SetNote(m.modeNote())
		m.setStatus("runs now use %s mode", m.mode)
	default:
		return m.actionKey(kp)
	}
	return m, nil, true
}

// actionKey handles the keys that set an action. In the run pane, a and
// e belong to the pane (they act on the selected denial); the others act
// on the denial's syscall too.
func (m Model) actionKey(kp tea.KeyPressMsg) (Model, tea.Cmd, bool) {
	k := m.keys
	var act profile.Action
	switch {
	case key.Matches(kp, k.Allow):
		act = profile.ActAllow
	case key.Matches(kp, k.Deny):
		act = profile.ActErrno
	case key.Matches(kp, k.Errno):
		act = "pick"
	case key.Matches(kp, k.Kill):
		act = profile.ActKillProcess
	case key.Matches(kp, k.Log):
		act = profile.ActLog
	case key.Matches(kp, k.Trap):
		act = profile.ActTrap
	case key.Matches(kp, k.Notify):
		act = profile.ActNotify
	default:
		return m, nil, false
	}
	name, scope := "", m.scope
	switch m.focus {
	case paneRun:
		if act == profile.ActAllow || act == "pick" {
			return m, nil, false // the run pane's own a and e
		}
		d, ok := m.run.SelectedDenial()
		if !ok {
			m.setStatus("select a denial first (→ then ↑↓)")
			return m, nil, true
		}
		name, scope = d.Syscall, ScopeSyscall
	default:
		if e := m.catalog.Selected(); e != nil {
			name = e.Name
		} else if tier, ok := m.catalog.SelectedTier(); ok {
			name, scope = string(tier), ScopeTier
		}
	}
	if name == "" {
		return m, nil, true
	}
	if act == "pick" {
		m2, cmd := m.openErrnoMenu(name, scope)
		return m2, cmd, true
	}
	errno := uint(0)
	if act == profile.ActErrno {
		errno = m.ed.Profile().DefaultErrno()
	}
	m2, cmd := m.applyTo(name, scope, act, errno)
	return m2, cmd, true
}

// applyTo sets name's action (or its family's, or its tier's: for
// ScopeTier name may be the tier itself).
func (m Model) applyTo(name string, scope Scope, act profile.Action, errno uint) (Model, tea.Cmd) {
	var err error
	what := name
	switch scope {
	case ScopeFamily:
		err = m.ed.SetFamily(name, act, errno)
		if e, ok := m.c.Catalog.Lookup(name); ok && len(e.Family) > 1 {
			what = fmt.Sprintf("%s and its family (%d calls)", name, len(e.Family))
		}
	case ScopeTier:
		risk := catalog.Risk(name)
		if e, ok := m.c.Catalog.Lookup(name); ok {
			risk = e.Risk
		}
		err = m.ed.SetRisk(risk, act, errno)
		what = "every " + string(risk) + "-risk call"
	default:
		err = m.ed.SetSyscall(name, act, errno)
	}
	if err != nil {
		m.setError(err)
		return m, nil
	}
	return m.afterEdit(what + ": " + common.Badge(act, errno))
}

// afterEdit refreshes everything that depends on the profile and starts
// the compile and the recovery write.
func (m Model) afterEdit(what string) (Model, tea.Cmd) {
	m.refresh()
	m.setStatus("%s", what)
	var cmds []tea.Cmd
	if !m.compiling {
		cmds = append(cmds, m.compileCmd())
		m.compiling = true
	}
	cmds = append(cmds, m.recoveryCmd())
	return m, tea.Batch(cmds...)
}

// compileCmd compiles and verifies the current profile in the background.
func (m Model) compileCmd() tea.Cmd {
	gen, p, env := m.ed.Generation(), m.ed.Profile(), m.c.Env
	return func() tea.Msg {
		eff := p.Effective(env)
		msg := compiledMsg{gen: gen, findings: profile.LintEffective(eff)}
		msg.prog, msg.err = profile.Build(eff, profile.Options{})
		if msg.err == nil {
			msg.asm = profile.Disassemble(msg.prog)
		}
		return msg
	}
}

// handleCompiled takes a compile result; one for an older generation is
// dropped and the current generation compiled instead, so at most one
// compile runs at a time however fast the edits come.
func (m Model) handleCompiled(msg compiledMsg) (Model, tea.Cmd) {
	m.compiling = false
	if msg.gen != m.ed.Generation() {
		m.compiling = true
		return m, m.compileCmd()
	}
	m.compiledGen = msg.gen
	m.prog, m.progErr, m.findings = msg.prog, msg.err, msg.findings
	m.detail.SetProgram(msg.prog, msg.asm, msg.err, false)
	return m, nil
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
		r := m.ses.run
		m.ses.cancel()
		steps = append(steps, func() tea.Msg {
			if r != nil {
				r.Stop()
			}
			return nil
		})
	}
	steps = append(steps, m.clearRecoveryCmd(), tea.Quit)
	return m, tea.Sequence(steps...)
}
