package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/tui/runpane"
)

// The mode key cycles watch → enforce → audit → watch, and says what
// audit means.
func TestModeCycle(t *testing.T) {
	m := compiled(t, newTestModel(t))
	for _, want := range []runner.Mode{runner.ModeEnforce, runner.ModeAudit, runner.ModeWatch} {
		m = press(t, m, "m")
		if m.mode != want {
			t.Fatalf("m: mode %s, want %s", m.mode, want)
		}
		if want == runner.ModeAudit {
			if s := screen(m); !strings.Contains(s, "mode: audit: nothing is denied") || !strings.Contains(s, "run: audit") {
				t.Fatalf("audit mode is not shown plainly:\n%s", s)
			}
		}
	}
}

// On the real kernel: deny mkdir, switch to audit, run mkdir: the
// directory is made, the pane lists the call as one the profile would
// deny, and the banner says nothing was denied.
func TestRunAudit(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "d", "m", "m")
	if m.mode != runner.ModeAudit {
		t.Fatalf("mode %s after m m", m.mode)
	}
	dir := filepath.Join(t.TempDir(), "made")
	m = runLine(t, m, "c", "mkdir "+dir)
	if _, err := os.Stat(dir); err != nil {
		t.Fatalf("audit mode denied mkdir: %v", err)
	}
	b := m.run.Banner()
	if b.Kind != runpane.PassDenied || !strings.HasPrefix(b.Text, "✔ AUDIT PASS  exit status 0 · audit: nothing is denied; would deny mkdir") {
		t.Fatalf("banner %+v", b)
	}
	ds := m.run.Denials()
	if len(ds) != 1 || ds[0].Syscall != "mkdir" || !ds[0].Audit || ds[0].Outcome != "errno(EPERM)" || !strings.Contains(ds[0].Args, dir) {
		t.Fatalf("rows %+v", ds)
	}
	s := screen(m)
	if !strings.Contains(s, "Would deny") || !strings.Contains(s, "would errno(EPERM)") || strings.Contains(s, "Denials ·") {
		t.Fatalf("the run pane should list the call as a would-be denial:\n%s", s)
	}
	// a allows it, as for a denial; the audit run then would deny nothing.
	m = press(t, m, "tab", "tab", "a")
	if m.states["mkdir"].Badge() != "allow" {
		t.Fatalf("a on a would-deny row: mkdir is %s", m.states["mkdir"].Badge())
	}
	os.Remove(dir)
	m = press(t, m, "r")
	if b := m.run.Banner(); b.Kind != runpane.Pass || !strings.Contains(b.Text, "the profile would deny nothing") {
		t.Fatalf("re-run banner %+v", b)
	}
}
