package tui

import (
	"os"
	"path/filepath"
	"testing"
)

// The scenarios pane in a real terminal, with real runs: denying a call
// a scenario needs flips it to ✘ with no further key (the verified edit
// re-runs the file), and allowing the call from the failure's denial
// flips it back. A file that cannot be read is a one-line error.
func TestEndToEndScenarios(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin := buildBinary(t, "../cmd/seccomp-workbench")
	dir := t.TempDir()
	data, err := os.ReadFile("../testdata/profiles/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profile.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	scen, err := filepath.Abs("../testdata/scenarios/tui/mkdir.yaml")
	if err != nil {
		t.Fatal(err)
	}

	tm := newTmux(t, 160, 48, "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	tm.text("cd " + dir + "; " + bin + " profile.json --scenarios " + scen + "; echo \"EXIT=$?\"\n")
	tm.waitFor("the scenarios passing", "╭─ Scenarios ", "✔ makes a directory", "✔ prints a greeting", "2/2 pass")

	tm.keys("/")
	tm.text("mkdir")
	tm.keys("Enter")
	tm.waitFor("the search", "╭─ mkdir ")
	tm.keys("d")
	tm.waitFor("the scenario failing without a key", "✘ makes a directory", "1/2 pass · 1 fail", "not_denied: mkdir")

	tm.keys("Tab", "Tab", "Tab", "Enter")
	tm.waitFor("the failure's denials", "▸ Denials · 1", "mkdir(")
	tm.keys("a")
	tm.waitFor("the allow and the scenario passing again", "✔ makes a directory", "2/2 pass")

	tm.keys("t")
	tm.waitFor("the open dialog", "Open a scenario file")
	tm.keys("C-u")
	tm.text(filepath.Join(dir, "nope.yaml"))
	tm.keys("Enter")
	tm.waitFor("the bad file's error", "scenarios: ", "nope.yaml")
	tm.waitFor("the pane still there", "✔ makes a directory")

	// Denied, then allowed again: the profile is as it was, so q quits
	// without asking.
	tm.keys("q")
	tm.waitFor("the shell after quitting", "EXIT=0")
}
