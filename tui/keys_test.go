package tui

import (
	"regexp"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/dialogs"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
)

// 1, 2 and 3 go to the panes the tab bar numbers.
func TestNumberKeysPickPane(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = send(t, m, windowSize(80, 24))
	for _, c := range []struct {
		key  string
		pane int
	}{{"3", paneRun}, {"2", paneDetail}, {"1", paneCatalog}} {
		m = press(t, m, c.key)
		if m.focus != c.pane {
			t.Fatalf("%s: focus %d, want %d", c.key, m.focus, c.pane)
		}
	}
	if !strings.Contains(screen(m), "[1 Syscalls]") {
		t.Fatalf("the tab bar shows pane 1:\n%s", screen(m))
	}
}

// The footer offers only what works now: no edits or save while a dialog
// has the keyboard, esc stops a run only while one goes, and neither help
// nor footer promise it otherwise.
func TestFooterFollowsState(t *testing.T) {
	m := compiled(t, newTestModel(t))
	foot := func(m Model) string { l := strings.Split(screen(m), "\n"); return l[len(l)-1] }
	if f := foot(m); !strings.Contains(f, "a allow") || strings.Contains(f, "stop run") {
		t.Fatalf("idle footer: %q", f)
	}
	m = press(t, m, "c")
	if f := foot(m); strings.Contains(f, "a allow") || strings.Contains(f, "s save") || !strings.Contains(f, "esc cancel") {
		t.Fatalf("footer with the command prompt open: %q", f)
	}
	m = press(t, m, "esc", "?")
	if s := screen(m); regexp.MustCompile(`esc\s+stop run`).MatchString(s) {
		t.Fatalf("help offers esc stop run with nothing running:\n%s", s)
	}
	m = press(t, m, "esc")
	m, _ = m.startCommand("sleep 30", "watch")
	if f := foot(m); !strings.Contains(f, "esc stop run") {
		t.Fatalf("footer while running: %q", f)
	}
	m.ses.cancel()
}

// The run pane's action keys act on the selected denial with the scope
// f set; enter shows the denial in full and its syscall's detail.
func TestRunPaneHonoursScope(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = fakeRun(t, m, "mkdir /tmp/wb-demo", mkdirDenied()...)
	m = press(t, m, "3", "f")
	if m.scope != ScopeFamily {
		t.Fatalf("f: scope %s", m.scope)
	}
	m = press(t, m, "K")
	for _, n := range []string{"mkdir", "mkdirat"} {
		if b := m.states[n].Badge(); b != "kill" {
			t.Fatalf("K with scope family on a mkdir denial: %s is %s", n, b)
		}
	}
	m = press(t, m, "a")
	for _, n := range []string{"mkdir", "mkdirat"} {
		if b := m.states[n].Badge(); b != "allow" {
			t.Fatalf("a with scope family: %s is %s", n, b)
		}
	}
	m = press(t, m, "enter")
	if viewerOf(m) == nil || !strings.Contains(screen(m), `mkdir("/tmp/wb-demo", 0777)`) {
		t.Fatalf("enter on a denial shows it:\n%s", screen(m))
	}
	if e := m.detail.Entry(); e == nil || e.Name != "mkdir" {
		t.Fatalf("enter on a denial shows its syscall in the detail pane: %v", e)
	}
	// In the output column, / searches the output and enter shows it all.
	m = press(t, m, "esc", "left", "/")
	if promptOf(m) == nil || !strings.Contains(screen(m), "Search the output") {
		t.Fatalf("/ in the output column:\n%s", screen(m))
	}
	m = typeText(t, m, "cannot")
	m = press(t, m, "enter")
	if s, n := m.run.Search(); s != "cannot" || n != 1 {
		t.Fatalf("output search: %q %d", s, n)
	}
	m = press(t, m, "enter")
	if viewerOf(m) == nil || !strings.Contains(screen(m), "Operation not permitted") {
		t.Fatalf("enter in the output column shows the output:\n%s", screen(m))
	}
}

// The heading counts the command's lines, not the workbench's started
// line, and dropped bytes stay counted after their note scrolls away.
func TestOutputCountsCommandLines(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = fakeRun(t, m, "seq 3", runner.Started{Pid: 1}, runner.Output{Stream: runner.Stdout, Data: "1\n2\n3\n", Lines: 3, Dropped: 10},
		runner.Exited{}, runner.Verdict{Result: runner.ResultPass})
	if n := m.run.CommandLines(); n != 3 {
		t.Fatalf("counted %d lines, want 3", n)
	}
	if s := screen(m); !strings.Contains(s, "Output · 3 lines · 10 bytes lost") {
		t.Fatalf("heading:\n%s", s)
	}
	_ = runpane.ColOutput
}

// Rows drive dispatch and help alike: a row that is disabled now is
// neither offered nor run, and the key goes on to the pane.
func TestRowsDriveDispatchAndHelp(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m.findings = nil
	m = press(t, m, "!")
	if m.stack.open() {
		t.Fatal("! with no findings opens nothing")
	}
	m = press(t, m, "?")
	if s := screen(m); strings.Contains(s, "lint findings") {
		t.Fatalf("help offers ! with no findings:\n%s", s)
	}
	m = press(t, m, "esc")
	// esc with nothing running is the catalog's: it clears the filter.
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "esc")
	if m.catalog.Filter() != "" {
		t.Fatalf("esc with no run clears the catalog's filter, it is %q", m.catalog.Filter())
	}
}

// A dialog's outcome is an action with its own context: an errno picked
// for mkdir applies to mkdir even after another dialog opened and closed
// over the picker, and a result that comes late for a closed dialog does
// nothing.
func TestDialogStackActions(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m.catalog.Select("mkdir")
	m.syncSelection()
	m = press(t, m, "e")
	picker, _ := m.stack.top()
	m, _ = drive(t, m, diffMsg{against: "preset:docker-default"}) // a diff arrives over the picker
	if listOf(m) == nil {
		t.Fatalf("the diff shows over the picker:\n%s", screen(m))
	}
	m = press(t, m, "esc")
	if mn := menuOf(m); mn == nil || mn.Title != "Deny with errno" {
		t.Fatalf("the picker is back once help closes:\n%s", screen(m))
	}
	m.catalog.Select("chmod") // the selection moves meanwhile
	m.syncSelection()
	m = typeText(t, m, "eacces")
	m = press(t, m, "enter")
	if b := m.states["mkdir"].Badge(); b != "errno(EACCES)" {
		t.Fatalf("the errno went to mkdir's picker: mkdir is %s", b)
	}
	if b := m.states["chmod"].Badge(); b != "allow" {
		t.Fatalf("chmod was not asked about: %s", b)
	}
	gen := m.ed.Generation()
	m, _ = drive(t, m, dialogs.Result{ID: picker.id, OK: true, Value: "EPERM"})
	if m.ed.Generation() != gen {
		t.Fatal("a result for a closed dialog changed the profile")
	}
}

// In the detail pane the action keys change the syscall the pane shows.
func TestDetailPaneActsOnWhatItShows(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m.catalog.Select("socket")
	e, _ := m.c.Catalog.Lookup("socketcall")
	m.detail.SetSyscall(e, m.states["socketcall"], m.eff)
	m = press(t, m, "2", "d")
	if b := m.states["socketcall"].Badge(); b != "errno(EPERM)" {
		t.Fatalf("d in the detail pane showing socketcall: socketcall is %s", b)
	}
	if b := m.states["socket"].Summary(); b != "allow 44/46 families" {
		t.Fatalf("socket changed too: %s", b)
	}
}
