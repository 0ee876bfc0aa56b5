package tui

// Minimize from the scenarios pane: scenario.Minimize runs in a command
// with the scenario file as its oracle; its progress comes back through
// a channel that keeps only the newest report (a report is a snapshot:
// older ones are worth nothing once a newer exists), and the result as
// a last message, offered to open in the workbench.

import (
	"context"
	"fmt"
	"runtime"

	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/scenario"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
)

// minJob is the minimisation going on.
type minJob struct {
	id       int
	cancel   context.CancelFunc
	progress chan scenario.MinimizeProgress // capacity 1: the newest report
	done     chan minDoneMsg
}

// minProgressMsg: where minimisation id is.
type minProgressMsg struct {
	id int
	p  scenario.MinimizeProgress
}

// minDoneMsg: minimisation id ended.
type minDoneMsg struct {
	id  int
	res *scenario.MinimizeResult
	err error
}

func minimizing(m Model) bool { return m.min != nil }

func canMinimize(m Model) bool {
	return m.focus == paneScenarios && m.scen != nil && m.min == nil
}

// startMinimize minimises the live profile against the scenario file.
func (m Model) startMinimize() (Model, tea.Cmd) {
	m.minID++
	ctx, cancel := context.WithCancel(context.Background())
	job := &minJob{id: m.minID, cancel: cancel, progress: make(chan scenario.MinimizeProgress, 1), done: make(chan minDoneMsg, 1)}
	m.min = job
	m.scenarios.SetProgress("minimize: starting…")
	m.setStatus("minimizing %s against %s: esc stops", m.source, m.scenarios.Path())
	f, eff := m.scen, m.eff
	run := func() tea.Msg {
		report := func(p scenario.MinimizeProgress) {
			select {
			case <-job.progress: // drop the older report
			default:
			}
			job.progress <- p
		}
		res, err := scenario.Minimize(ctx, eff, scenario.ScenarioOracle(f, scenario.Options{}),
			scenario.MinimizeOptions{Jobs: runtime.NumCPU(), Progress: report})
		job.done <- minDoneMsg{id: job.id, res: res, err: err}
		return nil
	}
	return m, tea.Batch(run, waitMinimize(job))
}

// waitMinimize delivers the next progress report or the result; the
// result wins when both are there.
func waitMinimize(job *minJob) tea.Cmd {
	return func() tea.Msg {
		select {
		case d := <-job.done:
			return d
		default:
		}
		select {
		case d := <-job.done:
			return d
		case p := <-job.progress:
			return minProgressMsg{id: job.id, p: p}
		}
	}
}

func (m Model) handleMinProgress(msg minProgressMsg) (Model, tea.Cmd) {
	if m.min == nil || msg.id != m.min.id {
		return m, nil
	}
	p := msg.p
	m.scenarios.SetProgress(fmt.Sprintf("minimize: %d/%d kept · %d runs · ~%d to go (%s)",
		p.Left, p.Elements, p.Runs, p.EstRuns, p.EstTime.Round(1e8)))
	return m, waitMinimize(m.min)
}

func (m Model) handleMinDone(msg minDoneMsg) (Model, tea.Cmd) {
	if m.min == nil || msg.id != m.min.id {
		return m, nil
	}
	m.min.cancel()
	m.min = nil
	m.scenarios.SetProgress("")
	if msg.err != nil {
		m.setError(fmt.Errorf("minimize: %s", oneLine(msg.err.Error())))
		return m, nil
	}
	r := msg.res
	text := []string{fmt.Sprintf("Every scenario still passes with %d fewer allowed (%d runs, %s).",
		len(r.Removed), r.Runs, r.Duration.Round(1e8))}
	if len(r.Flaky) > 0 {
		text = append(text, fmt.Sprintf("⚠ %d kept because a scenario gave different answers for the same profile (first: %s in %s).",
			len(r.Flaky), r.Flaky[0].Element, r.Flaky[0].Scenario))
	}
	m.setStatus("minimize: %d fewer allowed, %d runs", len(r.Removed), r.Runs)
	p := r.Profile
	m.push(askDialog(m.c, "Minimized", text, []dialogs.Item{
		{Key: "o", Label: "open it in the workbench (unsaved; u does not undo it)", Value: "open"},
		{Key: "c", Label: "keep the current profile", Value: "keep"},
	}, func(v string) action {
		if v != "open" {
			return nil
		}
		return do(func(m Model) (Model, tea.Cmd) {
			return guardDirty(m, func(m Model) (Model, tea.Cmd) {
				m.openDerived(p, "minimized "+m.source, "minimized")
				m.setStatus("opened the minimized profile: s saves it")
				return m, m.compileCmd()
			})
		})
	}))
	return m, nil
}

// stopMinimize cancels the minimisation going on; its result (an error:
// cancelled) still arrives and ends it.
func (m Model) stopMinimize() (Model, tea.Cmd) {
	if m.min != nil {
		m.min.cancel()
		m.setStatus("stopping minimize…")
	}
	return m, nil
}
