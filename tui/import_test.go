package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/source"
)

const importUnit = "[Service]\nSystemCallFilter=~mount umount2 mkdir\nSystemCallErrorNumber=EPERM\nProtectClock=yes\n"

// TestImportedNeverOverwritten: a profile read from a systemd unit is
// saved as Docker JSON to a new file next to it; saving over the unit is
// refused, and the unit keeps its bytes.
func TestImportedNeverOverwritten(t *testing.T) {
	dir := t.TempDir()
	unit := filepath.Join(dir, "web.service")
	if err := os.WriteFile(unit, []byte(importUnit), 0o644); err != nil {
		t.Fatal(err)
	}
	op, err := source.Open(unit)
	if err != nil {
		t.Fatal(err)
	}
	o := testOptions(t)
	o.Profile, o.Source, o.Path, o.Import = op.Profile, unit, "", op
	m, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	m = send(t, m, windowSize(160, 48))
	if v := viewerOf(m); v == nil || !strings.Contains(screen(m), "ProtectClock=yes") {
		t.Fatalf("the import's warnings are not shown:\n%s", screen(m))
	}
	m = compiled(t, press(t, m, "esc"))
	if !strings.Contains(m.status, "saves it as Docker JSON to a new file") {
		t.Fatalf("status %q", m.status)
	}
	// s asks where, suggesting a .json next to the unit.
	m = press(t, m, "s")
	pr := promptOf(m)
	want := filepath.Join(dir, "web.json")
	if pr == nil || pr.Value() != want {
		t.Fatalf("save suggests %v, want %s", pr, want)
	}
	// Typing the unit's own path is refused.
	m = press(t, m, "ctrl+u")
	m = typeText(t, m, unit)
	m = press(t, m, "enter")
	if !m.statusErr || !strings.Contains(m.status, "is not Docker JSON: saving would replace it") {
		t.Fatalf("saving over the unit: status %q", m.status)
	}
	if got, _ := os.ReadFile(unit); string(got) != importUnit {
		t.Fatalf("the unit was changed:\n%s", got)
	}
	// The dialog asks again, with the suggestion; enter saves there.
	m = press(t, m, "ctrl+u")
	m = typeText(t, m, want)
	m = press(t, m, "enter")
	if m.path != want || !strings.Contains(m.status, "saved to "+want) {
		t.Fatalf("after save: path %q status %q", m.path, m.status)
	}
	saved, err := profile.Load(want)
	if err != nil {
		t.Fatal(err)
	}
	d, _ := saved.Effective(testEnv).DecideName(testEnv.Host, "mkdir", [6]uint64{}, profile.Options{})
	if d.String() != "errno(EPERM)" {
		t.Fatalf("saved profile: mkdir %s", d)
	}
	if got, _ := os.ReadFile(unit); string(got) != importUnit {
		t.Fatalf("the unit was changed:\n%s", got)
	}
}

// TestOpenImportsByContent: the open dialog's path goes through the same
// detection; a SeccompProfile file's save-as suggestion does not collide
// with the file itself.
func TestOpenImportsByContent(t *testing.T) {
	dir := t.TempDir()
	sp := filepath.Join(dir, "sp.json")
	if err := os.WriteFile(sp, []byte(`{"apiVersion": "security-profiles-operator.x-k8s.io/v1", "kind": "SeccompProfile",
		"metadata": {"name": "web"}, "spec": {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"action": "SCMP_ACT_ERRNO", "names": ["mount"]}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	m := compiled(t, newTestModel(t))
	msg := openCmd(sp)()
	m, _ = drive(t, m, msg)
	if m.imported != sp || m.path != "" || m.source != sp {
		t.Fatalf("imported %q path %q source %q", m.imported, m.path, m.source)
	}
	if m.baseName()+".json" != filepath.Join(dir, "sp-web.json") {
		t.Fatalf("save-as suggests %s.json", m.baseName())
	}
	d, _ := m.ed.Profile().Effective(testEnv).DecideName(testEnv.Host, "mount", [6]uint64{}, profile.Options{})
	if d.String() != "errno(EPERM)" {
		t.Fatalf("mount: %s", d)
	}
}

// A profile read from a live process (pid:PID) names no file: save-as
// suggests pid-PID.json where the workbench runs, and nothing is refused
// as "the original".
func TestImportFromProcessSavesNextToCwd(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m.setImport(&source.Opened{Profile: m.ed.Profile(), Format: source.FormatPID, Path: "pid:4242"})
	if want := m.abs("pid-4242"); m.baseName() != want || m.imported != "" {
		t.Fatalf("save-as suggests %q (imported %q), want %q", m.baseName(), m.imported, want)
	}
}
