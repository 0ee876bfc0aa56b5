package tui

import (
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// evalImpact on a table of edits of Docker's default, with the calls a
// run might have made.
func TestEvalImpact(t *testing.T) {
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	then := p.Effective(testEnv)
	x := catalog.X86_64
	calls := []call{
		{Arch: x, Syscall: "mkdir", Count: 2, ArgsKnown: true},
		{Arch: x, Syscall: "socket", Args: [6]uint64{2}, Count: 1, ArgsKnown: true},  // AF_INET
		{Arch: x, Syscall: "socket", Args: [6]uint64{40}, Count: 1, ArgsKnown: true}, // AF_VSOCK: denied by Docker
		{Arch: x, Syscall: "ptrace", Count: 1, ArgsKnown: true},
		{Arch: x, Syscall: "read", Count: 10},
	}
	for _, c := range []struct {
		name string
		edit func(*profile.Editor) error
		want string
	}{
		{"nothing", func(*profile.Editor) error { return nil }, "the edits change none of the 15 calls the last run made"},
		{"deny mkdir and socket", func(ed *profile.Editor) error {
			if err := ed.SetSyscall("mkdir", profile.ActErrno, 1); err != nil {
				return err
			}
			return ed.SetSyscall("socket", profile.ActErrno, 1)
		}, "this edit would deny 3 calls the last run made (mkdir ×2, socket)"},
		{"allow every socket", func(ed *profile.Editor) error { return ed.SetSyscall("socket", profile.ActAllow, 0) },
			"this edit would allow 1 call it was denied (socket)"},
		{"kill ptrace", func(ed *profile.Editor) error { return ed.SetSyscall("ptrace", profile.ActKillProcess, 0) },
			"this edit would deny 1 call the last run made (ptrace)"},
		{"EACCES for vsock", func(ed *profile.Editor) error { return ed.SetDefault(profile.ActErrno, 13) },
			"this edit would deny 1 call another way (socket)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ed := profile.NewEditor(p)
			if err := c.edit(ed); err != nil {
				t.Fatal(err)
			}
			if got := evalImpact(calls, then, ed.Profile().Effective(testEnv)).String(); got != c.want {
				t.Fatalf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// After a run, an edit shows at once what it would change in that run:
// allowing the denied mkdir, from the run pane.
func TestImpactAfterEdit(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = press(t, m, "/")
	m = typeText(t, m, "mkdir")
	m = press(t, m, "enter", "d")
	m = fakeRun(t, m, "mkdir /tmp/wb-demo", mkdirDenied()...)
	if m.run.Impact() != "" {
		t.Fatalf("no preview before an edit: %q", m.run.Impact())
	}
	m = press(t, m, "3", "a")
	want := "this edit would allow 1 call it was denied (mkdir) · only the last run's denials are known (R records every call)"
	if got := m.run.Impact(); got != want {
		t.Fatalf("preview %q, want %q", got, want)
	}
	if !strings.Contains(screen(m), "Δ this edit would allow 1 call it was denied (mkdir)") || !strings.Contains(m.status, want) {
		t.Fatalf("the preview is shown:\n%s", screen(m))
	}
	m = press(t, m, "u")
	if got := m.run.Impact(); got != "the edits change none of the 1 call the last run made · only the last run's denials are known (R records every call)" {
		t.Fatalf("after undo: %q", got)
	}
}

// A recording keeps every call it counted: denying one the command
// needs is announced before the re-run.
func TestImpactOfRecording(t *testing.T) {
	m := compiled(t, newTestModel(t))
	m = runLine(t, m, "R", "true")
	m = press(t, m, "c") // keep the current profile
	if m.last == nil || len(m.last.calls) == 0 {
		t.Fatal("the recording's calls are kept")
	}
	m.catalog.Select("execve")
	m.syncSelection()
	m = press(t, m, "d")
	if got := m.run.Impact(); !strings.HasPrefix(got, "this edit would deny 1 call the last run made (execve)") {
		t.Fatalf("preview after denying execve: %q", got)
	}
}
