package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/export"
)

// typoModel opens a profile naming a syscall that does not exist.
func typoModel(t *testing.T) (Model, string) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "typo.json")
	data := `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [{"names": ["read", "write", "exit_group", "execve", "opne"], "action": "SCMP_ACT_ALLOW"}]}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := profile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t)
	o.Profile, o.Source, o.Path = p, path, path
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	return compiled(t, send(t, m, windowSize(160, 48))), dir
}

// An error is shown as one in the header, ! lists it with its hint, and
// an export asks before writing.
func TestFindingsErrorsAndExportGuard(t *testing.T) {
	m, dir := typoModel(t)
	head := strings.Split(screen(m), "\n")[1]
	if !strings.Contains(head, "✘ lint: 1 error") {
		t.Fatalf("the header hides the lint error: %q", head)
	}
	m = press(t, m, "!")
	if listOf(m) == nil {
		t.Fatal("! opens the findings")
	}
	s := screen(m)
	for _, want := range []string{"Lint findings", "✘ error", "opne", "unknown-syscall", "did you mean open?"} {
		if !strings.Contains(s, want) {
			t.Fatalf("missing %q in the findings:\n%s", want, s)
		}
	}
	m = press(t, m, "esc", "x")
	m = setCursor(m, string(export.FormatDocker))
	m = press(t, m, "enter", "ctrl+u")
	out := filepath.Join(dir, "out.json")
	m = typeText(t, m, out)
	m = press(t, m, "enter")
	if !asking(m, "Lint errors") {
		t.Fatalf("an export with lint errors asks first:\n%s", screen(m))
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("the export was written before the user agreed")
	}
	m = press(t, m, "x")
	if _, err := os.Stat(out); err != nil {
		t.Fatalf("export anyway: %v\n%s", err, screen(m))
	}
}

// The socketcall hole check warns about appears in the overlay, and f
// closes it; enter jumps to the syscall.
func TestFindingsFixAndJump(t *testing.T) {
	m := compiled(t, newTestModel(t))
	for _, n := range []string{"socket", "connect"} {
		m.catalog.Select(n)
		m.syncSelection()
		m = press(t, m, "d")
	}
	m, _ = drive(t, m, mustCompile(t, m))
	m = press(t, m, "!")
	s := screen(m)
	if !strings.Contains(s, "socketcall · multiplexer") {
		t.Fatalf("the multiplexer warning is missing:\n%s", s)
	}
	for i := range m.findings {
		if m.findings[i].Code == "multiplexer" {
			break
		}
		m = press(t, m, "down")
	}
	if f := m.findings[listOf(m).Cursor()]; f.Code != "multiplexer" {
		t.Fatalf("cursor on %s", f.Code)
	}
	m = press(t, m, "f")
	if b := m.states["socketcall"].Badge(); b != "errno(EPERM)" {
		t.Fatalf("f should deny socketcall, it is %s", b)
	}
	m, _ = drive(t, m, mustCompile(t, m))
	for _, f := range m.findings {
		if f.Code == "multiplexer" {
			t.Fatal("the fix did not close the hole")
		}
	}
	m = press(t, m, "!", "enter")
	if listOf(m) != nil || m.focus != paneCatalog {
		t.Fatal("enter closes the overlay and focuses the catalog")
	}
	if e := m.catalog.Selected(); e == nil || e.Name != m.findings[0].Syscall {
		t.Fatalf("enter jumps to %s, selected %v", m.findings[0].Syscall, e)
	}
}
