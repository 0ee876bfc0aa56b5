package scenariopane

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/scenario"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/internal/keytest"
)

func newPane(t *testing.T) (Model, *scenario.File) {
	t.Helper()
	f := &scenario.File{Path: "f.yaml", Scenarios: []*scenario.Scenario{{Name: "one"}, {Name: "two"}, {Name: "three"}}}
	m := New(common.New(catalog.MustDefault(), profile.Env{Host: catalog.X86_64}))
	m.SetSize(70, 14)
	m.SetFocused(true)
	m.SetFile(f)
	return m, f
}

// The denials column opens only on a scenario that has denials, and
// only there is a denial selected (what the root's allow acts on);
// moving to another scenario starts its denials from the top.
func TestDenialSelection(t *testing.T) {
	m, f := newPane(t)
	den := func(n string) runner.Denial {
		return runner.Denial{Syscall: n, ArgText: n + "()", Outcome: profile.Decision{Action: profile.ActErrno, Errno: 1}}
	}
	m.SetResults([]scenario.Result{
		{Scenario: f.Scenarios[0], Passed: true},
		{Scenario: f.Scenarios[1], Failures: []string{"exit: got 1, want 0"}, Denials: []runner.Denial{den("mkdir"), den("rmdir")}},
	})
	m, _ = m.Update(keytest.Key("enter"))
	if m.Column() != ColList {
		t.Fatal("a passing scenario without denials opened the denials column")
	}
	if _, ok := m.SelectedDenial(); ok {
		t.Fatal("a denial is selected in the list column")
	}
	m, _ = m.Update(keytest.Key("down"))
	m, _ = m.Update(keytest.Key("enter"))
	m, _ = m.Update(keytest.Key("down"))
	if d, ok := m.SelectedDenial(); !ok || d.Syscall != "rmdir" {
		t.Fatalf("selected %v %v, want rmdir", d.Syscall, ok)
	}
	m, _ = m.Update(keytest.Key("left"))
	m, _ = m.Update(keytest.Key("down"))
	if r, _ := m.Selected(); r.Name != "three" || r.State != Pending {
		t.Fatalf("selected %q state %v", r.Name, r.State)
	}
	v := ansi.Strip(m.View())
	for _, want := range []string{"✔ one", "✘ two  exit: got 1, want 0", "three  not run yet", "1/3 pass · 1 fail"} {
		if !strings.Contains(v, want) {
			t.Fatalf("view lacks %q:\n%s", want, v)
		}
	}
	m.SetStale()
	if v := ansi.Strip(m.View()); !strings.Contains(v, "◌ one  stale") {
		t.Fatalf("stale rows:\n%s", v)
	}
}
