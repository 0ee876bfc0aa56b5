package tui

// The scenarios pane's runs: every verified edit re-runs the scenario
// file under the live profile.
//
//	compiledMsg (verified, gen) ─▶ scenGen++, cancel the batch going on,
//	     rows stale ─▶ tea.Tick(scenDebounce) ─▶ scenTickMsg{gen}
//	scenTickMsg (still the newest) ─▶ rows running ─▶ RunAll(ctx) ─▶ scenResultsMsg{gen}
//	scenResultsMsg (still the newest) ─▶ rows ✔/✘
//
// A tick or results of an older generation are dropped; the batch they
// belong to was cancelled when the newer edit was verified.

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/scenario"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
)

// scenDebounce is how long the profile must stay unchanged before the
// scenarios run again: a burst of edits costs one batch.
const scenDebounce = 300 * time.Millisecond

// scenLoadedMsg: a scenario file was read (or failed to be).
type scenLoadedMsg struct {
	path string
	file *scenario.File
	err  error
}

// scenTickMsg: the debounce of generation gen is over.
type scenTickMsg struct{ gen int }

// scenResultsMsg: the batch of generation gen ended.
type scenResultsMsg struct {
	gen     int
	results []scenario.Result
}

// scenBatch is the batch of scenario runs going on.
type scenBatch struct {
	gen    int
	ctx    context.Context
	cancel context.CancelFunc
}

// loadScenariosCmd reads a scenario file.
func loadScenariosCmd(path string) tea.Cmd {
	return func() tea.Msg {
		f, err := scenario.Load(path)
		return scenLoadedMsg{path: path, file: f, err: err}
	}
}

func (m Model) handleScenLoaded(msg scenLoadedMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.setError(fmt.Errorf("scenarios: %s", oneLine(msg.err.Error())))
		return m, nil
	}
	m.scen = msg.file
	m.scenarios.SetFile(msg.file)
	m.resize(m.c.Width, m.c.Height)
	m.setStatus("scenarios: %d from %s", len(msg.file.Scenarios), msg.path)
	if m.compiledGen == m.ed.Generation() && m.progErr == nil && m.prog != nil {
		return m.scenariosChanged()
	}
	return m, nil // the compile under way starts them
}

// scenariosChanged is called when a profile has been verified: whatever
// runs now is stale, and a new batch starts after the debounce.
func (m Model) scenariosChanged() (Model, tea.Cmd) {
	if m.scen == nil {
		return m, nil
	}
	m.scenGen++
	if m.batch != nil {
		m.batch.cancel()
		m.batch = nil
	}
	m.scenarios.SetStale()
	gen := m.scenGen
	return m, tea.Tick(scenDebounce, func(time.Time) tea.Msg { return scenTickMsg{gen: gen} })
}

func (m Model) handleScenTick(msg scenTickMsg) (Model, tea.Cmd) {
	if msg.gen != m.scenGen || m.scen == nil || m.compiledGen != m.ed.Generation() {
		return m, nil // a newer edit has its own tick
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.batch = &scenBatch{gen: msg.gen, ctx: ctx, cancel: cancel}
	m.scenarios.SetRunning()
	f, gen := m.scen, msg.gen
	t := scenario.Target{Name: m.source, Effective: m.eff}
	return m, func() tea.Msg {
		return scenResultsMsg{gen: gen, results: scenario.RunAll(ctx, f, []scenario.Target{t}, scenario.Options{})}
	}
}

func (m Model) handleScenResults(msg scenResultsMsg) (Model, tea.Cmd) {
	if msg.gen != m.scenGen {
		return m, nil // from a profile that has changed since
	}
	if m.batch != nil {
		m.batch.cancel()
		m.batch = nil
	}
	m.scenarios.SetResults(msg.results)
	failed := 0
	for _, r := range msg.results {
		if !r.Passed {
			failed++
		}
	}
	if failed > 0 {
		m.setStatus("scenarios: %d of %d fail", failed, len(msg.results))
	} else {
		m.setStatus("scenarios: all %d pass", len(msg.results))
	}
	return m, nil
}

// scenariosDialog asks for a scenario file to open.
func scenariosDialog(m Model) dialog {
	return dialog{box: pathBox(m.c, "Open a scenario file", []string{"A scenario file (YAML): it runs after every verified edit."}, m.scenarios.Path(), ""),
		on: ok(func(r dialogs.Result) action {
			path := expandHome(r.Value)
			return do(func(m Model) (Model, tea.Cmd) { return m, loadScenariosCmd(path) })
		})}
}
