package tui

import (
	tea "charm.land/bubbletea/v2"

	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/scenario"
	"github.com/seccomp-workbench/seccomp-workbench/tui/scenariopane"
)

// handFile is a scenario file made in the test (no file is read).
func handFile() *scenario.File {
	return &scenario.File{Path: "hand.yaml", Scenarios: []*scenario.Scenario{
		{Name: "makes-a-dir", Argv: []string{"mkdir", "x"}},
		{Name: "lists", Argv: []string{"ls"}},
	}}
}

func mkdirFailed(f *scenario.File) scenario.Result {
	return scenario.Result{Scenario: f.Scenarios[0], Profile: "preset:docker-default",
		Failures: []string{`not_denied: mkdir("x", 0777) was denied (errno EPERM)`, "exit: got 1, want 0"},
		Denials: []runner.Denial{{ID: 1, Arch: catalog.X86_64, Nr: 83, Syscall: "mkdir", ArgText: `mkdir("x", 0777)`,
			Outcome: profile.Decision{Action: profile.ActErrno, Errno: 1}, Count: 1}}}
}

// withScenarios is a compiled model showing handFile; it returns the
// model as the debounce of its first verified profile is under way.
func withScenarios(t *testing.T) (Model, *scenario.File) {
	t.Helper()
	m := compiled(t, newTestModel(t))
	f := handFile()
	m, cmd := m.update(scenLoadedMsg{path: f.Path, file: f})
	if cmd == nil || m.scenGen != 1 {
		t.Fatalf("a verified profile and a new file: no debounce started (gen %d)", m.scenGen)
	}
	if st := states(m); st != "stale stale" {
		t.Fatalf("rows %s, want stale", st)
	}
	return m, f
}

// scenariosShown: one scenario failed (mkdir denied), one passed.
func scenariosShown(t *testing.T) Model {
	m, f := withScenarios(t)
	m, _ = m.update(scenTickMsg{gen: 1})
	m, _ = m.update(scenResultsMsg{gen: 1, results: []scenario.Result{mkdirFailed(f), {Scenario: f.Scenarios[1], Passed: true}}})
	m.status = ""
	return m
}

func states(m Model) string {
	var s []string
	for _, r := range m.scenarios.Rows() {
		s = append(s, map[scenariopane.State]string{scenariopane.Pending: "pending", scenariopane.Running: "running",
			scenariopane.Stale: "stale", scenariopane.Passed: "pass", scenariopane.Failed: "fail"}[r.State])
	}
	return strings.Join(s, " ")
}

func TestScenarioResultsFlipRows(t *testing.T) {
	m, f := withScenarios(t)
	m, cmd := m.update(scenTickMsg{gen: 1})
	if cmd == nil || m.batch == nil || states(m) != "running running" {
		t.Fatalf("tick: cmd %v batch %v rows %s", cmd != nil, m.batch, states(m))
	}
	m, _ = m.update(scenResultsMsg{gen: 1, results: []scenario.Result{mkdirFailed(f), {Scenario: f.Scenarios[1], Passed: true}}})
	if states(m) != "fail pass" || m.batch != nil {
		t.Fatalf("results: rows %s, batch %v", states(m), m.batch)
	}
	if m.status != "scenarios: 1 of 2 fail" {
		t.Fatalf("status %q", m.status)
	}
	v := screen(m)
	for _, want := range []string{"✘ makes-a-dir", "not_denied: mkdir(\"x\", 0777) was denied", "✔ lists", "1/2 pass · 1 fail"} {
		if !strings.Contains(v, want) {
			t.Fatalf("screen lacks %q:\n%s", want, v)
		}
	}
}

// A verified edit while a batch runs cancels it; the old batch's tick
// and results are dropped, the new generation's are shown.
func TestScenarioStaleGenerationDropped(t *testing.T) {
	m, f := withScenarios(t)
	m, _ = m.update(scenTickMsg{gen: 1})
	old := m.batch
	m = press(t, m, "/", "mkdir", "enter")
	m, _ = m.update(keyMsg("d")) // an edit: a compile follows
	for _, msg := range runCmd(t, m.compileCmd()) {
		m, _ = m.update(msg)
	}
	if m.scenGen != 2 || m.batch != nil || old.ctx.Err() == nil {
		t.Fatalf("after a verified edit: gen %d, batch %v, old batch cancelled %v", m.scenGen, m.batch, old.ctx.Err() != nil)
	}
	m, cmd := m.update(scenTickMsg{gen: 1})
	if cmd != nil || m.batch != nil {
		t.Fatal("an old generation's tick started a batch")
	}
	m, _ = m.update(scenResultsMsg{gen: 1, results: []scenario.Result{{Scenario: f.Scenarios[0], Passed: true}}})
	if states(m) != "stale stale" {
		t.Fatalf("an old generation's results were shown: %s", states(m))
	}
	m, _ = m.update(scenTickMsg{gen: 2})
	m, _ = m.update(scenResultsMsg{gen: 2, results: []scenario.Result{mkdirFailed(f), {Scenario: f.Scenarios[1], Passed: true}}})
	if states(m) != "fail pass" {
		t.Fatalf("the newest results: %s", states(m))
	}
}

// Edits in a burst: each verified one restarts the debounce, and only
// the last one's tick starts a batch.
func TestScenarioDebounce(t *testing.T) {
	m, _ := withScenarios(t)
	for range 3 {
		var cmd tea.Cmd
		m, cmd = m.scenariosChanged()
		if cmd == nil {
			t.Fatal("no tick after a verified profile")
		}
	}
	for gen := 1; gen < 4; gen++ {
		if _, cmd := m.update(scenTickMsg{gen: gen}); cmd != nil {
			t.Fatalf("the tick of generation %d of 4 started a batch", gen)
		}
	}
	if _, cmd := m.update(scenTickMsg{gen: 4}); cmd == nil {
		t.Fatal("the last tick started nothing")
	}
}

// a on a scenario's denial is the run pane's allow: the same edit, the
// same words in the status line.
func TestScenarioAllowFromFailure(t *testing.T) {
	m, f := withScenarios(t)
	m = press(t, m, "/", "mkdir", "enter")
	m, _ = m.update(keyMsg("d"))
	if m.states["mkdir"].Badge() == "allow" {
		t.Fatal("mkdir still allowed")
	}
	m.scenGen = 7
	m, _ = m.update(scenResultsMsg{gen: 7, results: []scenario.Result{mkdirFailed(f)}})
	m.setFocus(paneScenarios)
	if m.focus != paneScenarios {
		t.Fatalf("focus %d", m.focus)
	}
	m, _ = m.update(keyMsg("enter")) // into the failure's denials
	if d, ok := m.scenarios.SelectedDenial(); !ok || d.Syscall != "mkdir" {
		t.Fatalf("selected denial %v %v", d, ok)
	}
	m, cmd := m.update(keyMsg("a"))
	if m.states["mkdir"].Badge() != "allow" || cmd == nil {
		t.Fatalf("a on the denial: mkdir %s", m.states["mkdir"].Badge())
	}
	if m.status != "mkdir: allow" {
		t.Fatalf("status %q, want the run pane's words", m.status)
	}
}

// A scenario file that cannot be read is a one-line error in the status
// line; the workbench goes on without a scenarios pane.
func TestScenarioBadFile(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m, _ = m.update(scenLoadedMsg{path: "nope.yaml", err: errString("nope.yaml:3:5: unknown key \"expct\"\nuse expect")})
	if !m.statusErr || m.status != `scenarios: nope.yaml:3:5: unknown key "expct" use expect` || m.scen != nil || m.panes() != paneScenarios {
		t.Fatalf("status %q err %v scen %v", m.status, m.statusErr, m.scen)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// M in the scenarios pane starts minimize: its progress is shown in the
// pane, a stale job's messages are dropped, and the result is offered.
func TestScenarioMinimizeProgress(t *testing.T) {
	m, _ := withScenarios(t)
	m.setFocus(paneScenarios)
	m, cmd := m.update(keyMsg("M"))
	if m.min == nil || cmd == nil {
		t.Fatal("M started nothing")
	}
	m.min.cancel() // the command is never run here
	id := m.min.id
	m, _ = m.update(minProgressMsg{id: id, p: scenario.MinimizeProgress{Runs: 7, Elements: 300, Left: 120, EstRuns: 40, EstTime: 4e9}})
	if v := screen(m); !strings.Contains(v, "minimize: 120/300 kept · 7 runs · ~40 to go (4s)") {
		t.Fatalf("no progress:\n%s", v)
	}
	m, _ = m.update(minDoneMsg{id: id + 1, err: errString("old")})
	if m.min == nil {
		t.Fatal("another job's result ended this one")
	}
	p := m.ed.Profile()
	m, _ = m.update(minDoneMsg{id: id, res: &scenario.MinimizeResult{Profile: p, Runs: 9}})
	if m.min != nil || !asking(m, "Minimized") || m.scenarios.Progress() != "" {
		t.Fatalf("done: job %v, dialog %v", m.min, asking(m, "Minimized"))
	}
	// Opened, it is unsaved, and save suggests a name beside the
	// original's (it was minimized-profile.json.json for profile.json).
	want := m.baseName() + "-minimized.json"
	m = press(t, m, "o")
	if !m.dirty() || m.path != "" || !strings.HasPrefix(m.source, "minimized ") {
		t.Fatalf("opened: dirty %v, path %q, source %q", m.dirty(), m.path, m.source)
	}
	m = press(t, m, "s")
	if v := promptOf(m).Value(); v != want || strings.Count(v, ".json") != 1 {
		t.Fatalf("save suggests %q, want %q", v, want)
	}
}
