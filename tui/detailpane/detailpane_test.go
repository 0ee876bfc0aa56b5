package detailpane

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/tui/common"
	"github.com/seccomp-workbench/seccomp-workbench/tui/internal/keytest"
)

var env = profile.Env{Host: catalog.X86_64, Kernel: profile.Kernel{Major: 6, Minor: 18}, Caps: profile.DockerDefaultCaps()}

func setup(t *testing.T, name string) (Model, *compile.Program) {
	t.Helper()
	c := common.New(catalog.MustDefault(), env)
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	eff := p.Effective(env)
	prog, err := compile.Build(eff, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := New(c)
	m.SetSize(100, 30)
	e, _ := c.Catalog.Lookup(name)
	m.SetSyscall(e, common.States(eff, c.Catalog)[name], eff)
	m.SetProgram(prog, cbpf.Disassemble(prog.Insns), nil, false)
	return m, prog
}

func TestSyscallTab(t *testing.T) {
	m, _ := setup(t, "kexec_load")
	v := ansi.Strip(m.View())
	for _, want := range []string{"kexec_load", "CRITICAL risk", "Profile     errno(EPERM)", "x86_64 (args 0): errno(EPERM)", "Docker      deny", "Numbers     x86_64 246"} {
		if !strings.Contains(v, want) {
			t.Errorf("missing %q in:\n%s", want, v)
		}
	}
	// A conditional rule is spelled out.
	m, _ = setup(t, "personality")
	v = ansi.Strip(m.View())
	if !strings.Contains(v, "when arg0 == ") {
		t.Errorf("personality's conditions:\n%s", v)
	}
}

// The program tab highlights exactly the instructions the call executes.
func TestProgramTab(t *testing.T) {
	m, prog := setup(t, "mkdir")
	m, _ = m.Update(keytest.Key("]"))
	if m.Tab() != TabProgram {
		t.Fatal("] shows the program")
	}
	x, err := compile.ExplainName(prog, env.Host, "mkdir", [6]uint64{})
	if err != nil {
		t.Fatal(err)
	}
	v := ansi.Strip(m.View())
	marked := strings.Count(v, "│▶ ")
	if marked == 0 || !strings.Contains(v, "mkdir executes") {
		t.Fatalf("no executed instruction shown:\n%s", v)
	}
	// Every marked line is one of the executed PCs.
	exec := map[string]bool{}
	for _, s := range x.Steps {
		exec[strings.TrimSpace(strings.Fields(cbpf.FormatAsmLines(cbpf.Disassemble(prog.Insns)[s.PC : s.PC+1]))[0])] = true
	}
	for _, l := range strings.Split(v, "\n") {
		if rest, ok := strings.CutPrefix(l, "│▶ "); ok {
			f := strings.Fields(rest)
			if len(f) > 0 && !exec[f[0]] {
				t.Errorf("line %q is marked but not executed", l)
			}
		}
	}
	before := m.offset[TabProgram]
	for i := 0; i < len(x.Steps); i++ {
		m, _ = m.Update(keytest.Key("n"))
	}
	if m.offset[TabProgram] != before {
		t.Error("n cycles through every executed instruction back to the start")
	}
	m, _ = m.Update(keytest.Key("["))
	if m.Tab() != TabSyscall {
		t.Fatal("[ goes back")
	}
}

func TestNotOnHostAndErrors(t *testing.T) {
	m, _ := setup(t, "arm_fadvise64_64")
	if v := ansi.Strip(m.View()); !strings.Contains(v, "x86_64 has no arm_fadvise64_64") {
		t.Fatalf("a call the host lacks:\n%s", v)
	}
	m.SetProgram(nil, nil, errString("verification failed"), false)
	m, _ = m.Update(keytest.Key("]"))
	if v := ansi.Strip(m.View()); !strings.Contains(v, "verification failed") {
		t.Fatalf("a compile error is shown:\n%s", v)
	}
}

type errString string

func (e errString) Error() string { return string(e) }

// Every instruction of the program is reachable (the last is the bad-arch
// return), and n's cursor is drawn where it is.
func TestProgramTabReachesEnd(t *testing.T) {
	m, prog := setup(t, "mkdir")
	m, _ = m.Update(keytest.Key("]"))
	m, _ = m.Update(keytest.Key("G"))
	asm := cbpf.Disassemble(prog.Insns)
	last := asm[len(asm)-1]
	v := ansi.Strip(m.View())
	if !strings.Contains(v, fmt.Sprintf("%d: %s", last.PC, last.Text)) {
		t.Fatalf("G does not show the last instruction %d (%s):\n%s", last.PC, last.Text, v)
	}
	m, _ = m.Update(keytest.Key("g"))
	m, _ = m.Update(keytest.Key("n"))
	pc := m.StepPC()
	if pc < 0 {
		t.Fatal("no step after n")
	}
	found := false
	for _, l := range strings.Split(v0(m), "\n") {
		if strings.Contains(l, fmt.Sprintf("▸ %*d: ", len(fmt.Sprint(len(asm)-1)), pc)) {
			found = true
		}
	}
	if !found {
		t.Fatalf("the step cursor at %d is not drawn:\n%s", pc, v0(m))
	}
}

func v0(m Model) string { return ansi.Strip(m.View()) }
