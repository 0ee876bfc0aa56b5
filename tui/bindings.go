package tui

// The workbench's keys as rows: each row is a binding (keys and help
// text), the help group it is listed in, whether it works in the current
// state, and what it does. Dispatch, the footer and the help screen are
// all read from the same rows, so a key that does nothing now is not
// offered.

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
)

// Help groups of the rows.
const (
	groupWorkbench = iota
	groupSelection
	groupProfile
	groupRuns
)

func helpGroups(s Scope) []string {
	return []string{"Workbench", "Set the selection (" + s.String() + ")", "Profile", "Runs"}
}

type row struct {
	key   key.Binding
	group int
	// footer: listed in the footer's short help (when enabled).
	footer bool
	// enabled says whether the row works now; nil is always. A key whose
	// row is disabled goes on to the focused pane.
	enabled func(Model) bool
	run     func(Model, tea.KeyPressMsg) (Model, tea.Cmd)
}

// Conditions rows share.
func running(m Model) bool { return m.ses != nil }

func hasSelection(m Model) bool { _, _, ok := m.selected(); return ok }

func inOutput(m Model) bool { return m.focus == paneRun && m.run.Column() == runpane.ColOutput }

// setKey is the handler of an action key: it sets the selected syscall's
// action (pick: ask which errno first).
func setKey(act profile.Action, pick bool) func(Model, tea.KeyPressMsg) (Model, tea.Cmd) {
	return func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) {
		name, scope, ok := m.selected()
		if !ok {
			return m, nil
		}
		if pick {
			return m.openErrnoMenu(name, scope)
		}
		errno := uint(0)
		if act == profile.ActErrno {
			errno = m.ed.Profile().DefaultErrno()
		}
		return m.applyTo(name, scope, act, errno)
	}
}

// opens is the handler of a key that opens a dialog.
func opens(f func(Model) dialog) func(Model, tea.KeyPressMsg) (Model, tea.Cmd) {
	return func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) {
		m.push(f(m))
		return m, nil
	}
}

// just adapts a step that needs no command.
func just(f func(*Model)) func(Model, tea.KeyPressMsg) (Model, tea.Cmd) {
	return func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) {
		f(&m)
		return m, nil
	}
}

// keyRows are the workbench-wide keys, in the order they are matched:
// the first enabled row whose binding matches handles the key.
func keyRows(k KeyMap) []row {
	return []row{
		{key: k.Allow, group: groupSelection, footer: true, enabled: hasSelection, run: setKey(profile.ActAllow, false)},
		{key: k.Deny, group: groupSelection, footer: true, enabled: hasSelection, run: setKey(profile.ActErrno, false)},
		{key: k.Errno, group: groupSelection, enabled: hasSelection, run: setKey(profile.ActErrno, true)},
		{key: k.Kill, group: groupSelection, enabled: hasSelection, run: setKey(profile.ActKillProcess, false)},
		{key: k.Log, group: groupSelection, enabled: hasSelection, run: setKey(profile.ActLog, false)},
		{key: k.Trap, group: groupSelection, enabled: hasSelection, run: setKey(profile.ActTrap, false)},
		{key: k.Notify, group: groupSelection, enabled: hasSelection, run: setKey(profile.ActNotify, false)},
		{key: k.Scope, group: groupSelection, run: just(func(m *Model) {
			m.scope = (m.scope + 1) % scopeCount
			m.catalog.SetNote("scope: " + m.scope.String())
			m.setStatus("actions now apply to the selected %s", m.scope)
		})},
		{key: k.Default, group: groupSelection, run: opens(defaultDialog)},
		{key: k.Command, group: groupRuns, footer: true, run: opens(func(m Model) dialog { return commandDialog(m, runner.ModeWatch, "") })},
		{key: k.Rerun, group: groupRuns, footer: true, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m.rerun() }},
		{key: k.Stop, group: groupRuns, footer: true, enabled: running, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m, m.stopRun() }},
		{key: k.Record, group: groupRuns, run: opens(func(m Model) dialog { return commandDialog(m, runner.ModeRecord, "") })},
		{key: k.Learn, group: groupRuns, run: opens(func(m Model) dialog { return commandDialog(m, runner.ModeLearn, "") })},
		{key: k.Mode, group: groupRuns, run: just(func(m *Model) {
			m.mode = nextMode(m.mode)
			m.run.SetNote(m.modeNote())
			if m.mode == runner.ModeAudit {
				m.setStatus("runs now use audit mode: nothing is denied, calls the profile would deny are listed")
				return
			}
			m.setStatus("runs now use %s mode", m.mode)
		})},
		{key: k.Scenarios, group: groupRuns, run: opens(scenariosDialog)},
		{key: k.Minimize, group: groupRuns, enabled: canMinimize, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m.startMinimize() }},
		{key: k.Stop, group: groupRuns, enabled: minimizing, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m.stopMinimize() }},
		{key: k.Save, group: groupProfile, footer: true, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m.save(false) }},
		{key: k.SaveAs, group: groupProfile, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m.save(true) }},
		{key: k.Open, group: groupProfile, run: opens(func(m Model) dialog {
			return dialog{box: pathBox(m.c, "Open a profile", []string{"A file path, or preset:NAME."}, "", ""), on: openPath}
		})},
		{key: k.Preset, group: groupProfile, run: opens(presetDialog)},
		{key: k.Export, group: groupProfile, run: opens(exportDialog)},
		{key: k.Diff, group: groupProfile, run: opens(diffDialog)},
		{key: k.Undo, group: groupProfile, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) {
			return m.undoOr(m.ed.Undo, "undone", "nothing to undo")
		}},
		{key: k.Redo, group: groupProfile, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) {
			return m.undoOr(m.ed.Redo, "redone", "nothing to redo")
		}},
		{key: k.Findings, group: groupProfile, enabled: func(m Model) bool { return len(m.findings) > 0 }, run: opens(findingsDialog)},
		{key: k.NextPane, group: groupWorkbench, footer: true, run: just(func(m *Model) { m.setFocus(m.focus + 1) })},
		{key: k.PrevPane, group: groupWorkbench, run: just(func(m *Model) { m.setFocus(m.focus - 1) })},
		{key: k.GoPane, group: groupWorkbench, run: func(m Model, kp tea.KeyPressMsg) (Model, tea.Cmd) {
			m.setFocus(int(kp.String()[0] - '1'))
			return m, nil
		}},
		{key: k.Search, group: groupWorkbench, enabled: inOutput, run: opens(outputSearchDialog)},
		{key: k.Search, group: groupWorkbench, enabled: func(m Model) bool { return m.focus != paneCatalog },
			run: func(m Model, kp tea.KeyPressMsg) (Model, tea.Cmd) {
				// Search from anywhere: the catalog takes the keyboard.
				m.setFocus(paneCatalog)
				cmd := m.catalog.Handle(kp)
				return m, cmd
			}},
		{key: k.Help, group: groupWorkbench, footer: true, run: opens(helpDialog)},
		{key: k.Interrupt, group: groupWorkbench, enabled: running, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m, m.stopRun() }},
		{key: k.Interrupt, group: groupWorkbench, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m.requestQuit() }},
		{key: k.Quit, group: groupWorkbench, footer: true, run: func(m Model, _ tea.KeyPressMsg) (Model, tea.Cmd) { return m.requestQuit() }},
	}
}

// openPath is the open prompt's outcome.
func openPath(r dialogs.Result) action {
	if !r.OK {
		return nil
	}
	return openAction{r.Value}
}

// nextMode is the mode key's cycle of the modes for ordinary runs:
// watch, enforce, audit.
func nextMode(m runner.Mode) runner.Mode {
	switch m {
	case runner.ModeWatch:
		return runner.ModeEnforce
	case runner.ModeEnforce:
		return runner.ModeAudit
	}
	return runner.ModeWatch
}
