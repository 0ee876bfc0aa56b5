package tui

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// openScenariosE2E starts the workbench in tmux on a copy of
// docker-default (dir/profile.json) with the mkdir scenarios (scen).
func openScenariosE2E(t *testing.T) (bin, dir, scen string, tm *tmuxTerm) {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	bin = buildBinary(t, "../cmd/seccomp-workbench")
	dir = t.TempDir()
	data, err := os.ReadFile("../testdata/profiles/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "profile.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	if scen, err = filepath.Abs("../testdata/scenarios/tui/mkdir.yaml"); err != nil {
		t.Fatal(err)
	}
	tm = newTmux(t, 160, 48, "XDG_STATE_HOME="+filepath.Join(dir, "state"))
	tm.text("cd " + dir + "; " + bin + " profile.json --scenarios " + scen + "; echo \"EXIT=$?\"\n")
	return bin, dir, scen, tm
}

// The scenarios pane in a real terminal, with real runs: denying a call
// a scenario needs flips it to ✘ with no further key (the verified edit
// re-runs the file), and allowing the call from the failure's denial
// flips it back. A file that cannot be read is a one-line error.
func TestEndToEndScenarios(t *testing.T) {
	_, dir, _, tm := openScenariosE2E(t)
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

// M in a real terminal: minimize docker-default against the scenarios
// with real runs, open the result, save it under the suggested name, and
// find a profile that still passes the same scenarios with `test` but no
// longer allows what they never used.
func TestEndToEndMinimize(t *testing.T) {
	bin, dir, scen, tm := openScenariosE2E(t)
	tm.waitFor("the scenarios passing", "╭─ Scenarios ", "2/2 pass")
	tm.keys("Tab", "Tab", "Tab")
	tm.keys("M")
	tm.waitFor("the result", "╭─ Minimized ", "Every scenario still passes with", "[o] open it in the workbench")
	tm.keys("o")
	tm.waitFor("the minimized profile, compiled and passing", "minimized profile.json ● unsaved", "2/2 pass", "scenarios: all 2 pass")
	tm.keys("s")
	tm.waitFor("the suggested name, beside profile.json", "╭─ Save as ", "> profile-minimized.json ")
	out := filepath.Join(dir, "profile-minimized.json")
	tm.keys("Enter")
	tm.waitFor("the save", "│ "+out+" │")
	tm.keys("q")
	tm.waitFor("the shell after quitting", "EXIT=0")

	saved, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	eff := saved.Effective(profile.HostEnv())
	for name, want := range map[string]bool{"mkdir": true, "execve": true, "ptrace": false, "socket": false, "chmod": false} {
		d, _ := eff.DecideName(profile.NativeArch(), name, [6]uint64{}, profile.Options{})
		if (d.String() == "allow") != want {
			t.Errorf("minimized profile: %s is %s", name, d)
		}
	}
	// In the environment the workbench ran in: the result is minimal for
	// that one (with LANG set, glibc's locale loading calls futex).
	check := exec.Command(bin, "test", scen, "--profile", out)
	check.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir, "TERM=xterm-256color"}
	if res, err := check.CombinedOutput(); err != nil {
		t.Fatalf("the saved minimized profile should pass the scenarios: %v\n%s", err, res)
	}
}
