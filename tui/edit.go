package tui

// Editing the profile: the action keys, their scope, undo, and the
// compile that follows every edit.

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
)

// Scope says what the action keys change.
type Scope int

const (
	ScopeSyscall Scope = iota
	ScopeFamily
	ScopeTier
	scopeCount
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

// undoOr takes an undo or redo step (step is Editor.Undo or Redo).
func (m Model) undoOr(step func() bool, done, none string) (Model, tea.Cmd) {
	if !step() {
		m.setStatus("%s", none)
		return m, nil
	}
	return m.afterEdit(done)
}

// selected is what the action keys act on, whichever pane supplies it:
// the run pane's selected denial, else the catalog's selection (which
// the detail pane shows); a tier header is the tier. scope is m.scope
// except on a tier header.
func (m Model) selected() (name string, scope Scope, ok bool) {
	if m.focus == paneRun {
		d, ok := m.run.SelectedDenial()
		if !ok || m.run.Column() != runpane.ColDenials {
			return "", m.scope, false
		}
		return d.Syscall, m.scope, true
	}
	if m.focus == paneScenarios {
		// A denial of a scenario's run: allowing it is the run pane's
		// allow, on the same call.
		d, ok := m.scenarios.SelectedDenial()
		return d.Syscall, m.scope, ok
	}
	if e := m.detail.Entry(); m.focus == paneDetail && e != nil {
		return e.Name, m.scope, true // what the pane shows is what d changes
	}
	if e := m.catalog.Selected(); e != nil {
		return e.Name, m.scope, true
	}
	if tier, ok := m.catalog.SelectedTier(); ok {
		return string(tier), ScopeTier, true
	}
	return "", m.scope, false
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

func (m Model) setDefault(a profile.Action, errno uint) (Model, tea.Cmd) {
	if err := m.ed.SetDefault(a, errno); err != nil {
		m.setError(err)
		return m, nil
	}
	return m.afterEdit("default action: " + profile.Decision{Action: a, Errno: errno}.String())
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
	cmds = append(cmds, m.recoveryCmd(), impactCmd(m.ed.Generation(), m.last, m.eff))
	return m, tea.Batch(cmds...)
}

// compileCmd compiles and verifies the current profile in the background.
// It takes the Effective that refresh made for this generation (refresh
// runs whenever the generation moves); an Effective is never changed
// once made, so the command may read it while Update goes on.
func (m Model) compileCmd() tea.Cmd {
	gen, eff := m.ed.Generation(), m.eff
	return func() tea.Msg {
		msg := compiledMsg{gen: gen, findings: lint.LintEffective(eff)}
		msg.prog, msg.err = compile.Build(eff, profile.Options{})
		if msg.err == nil {
			msg.asm = cbpf.Disassemble(msg.prog.Insns)
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
	if msg.err == nil {
		return m.scenariosChanged()
	}
	return m, nil
}
