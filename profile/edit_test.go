package profile

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

func edParse(t testing.TB, s string) *Profile {
	t.Helper()
	p, err := Parse("test.json", []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func edMarshal(t testing.TB, p *Profile) string {
	t.Helper()
	b, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func edDockerDefault(t testing.TB) *Profile {
	t.Helper()
	p, err := Load("../testdata/profiles/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func edDecide(t testing.TB, p *Profile, arch catalog.Arch, name string, args ...uint64) string {
	t.Helper()
	var a [6]uint64
	copy(a[:], args)
	d, ok := p.Effective(x86Env()).DecideName(arch, name, a, Options{})
	if !ok {
		t.Fatalf("%s does not exist on %s", name, arch)
	}
	return d.String()
}

// BuildForTest compiles and verifies e (profile/compile's Build). The
// compiler imports this package, so build_test.go, an external test
// package, sets it.
var BuildForTest func(e *Effective, o Options) error

func edBuild(t testing.TB, p *Profile) {
	t.Helper()
	for _, m := range []Variant{VariantEnforce, VariantWatch} {
		if err := BuildForTest(p.Effective(x86Env()), Options{Variant: m}); err != nil {
			t.Fatalf("Build (%s): %v", m, err)
		}
	}
}

// Each case starts from a small profile, applies one edit and compares the
// result with the expected profile in canonical form.
func TestEditOperations(t *testing.T) {
	const allowAll = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}`
	const denyList = `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[
		{"names":["read","write"],"action":"SCMP_ACT_ALLOW","comment":"basic I/O"}]}`
	cases := []struct {
		name, in string
		edit     func(*Editor) error
		want     string
	}{
		{"deny one on allow-default", allowAll,
			func(ed *Editor) error { return ed.SetSyscall("mkdir", ActErrno, 1) },
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`},
		{"allow joins the existing group, sorted, comment kept", denyList,
			func(ed *Editor) error { return ed.SetSyscall("close", ActAllow, 0) },
			`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[
				{"names":["close","read","write"],"action":"SCMP_ACT_ALLOW","comment":"basic I/O"}]}`},
		{"outcome equal to the default needs no rule", denyList,
			func(ed *Editor) error { return ed.SetSyscall("read", ActErrno, 1) },
			`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[
				{"names":["write"],"action":"SCMP_ACT_ALLOW","comment":"basic I/O"}]}`},
		{"a rule left empty is dropped", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["read"],"action":"SCMP_ACT_ALLOW"},{"names":["write"],"action":"SCMP_ACT_ALLOW"}]}`,
			func(ed *Editor) error { return ed.SetSyscall("read", ActErrno, 1) },
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["write"],"action":"SCMP_ACT_ALLOW"}]}`},
		{"a different errno is a different group", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
				{"names":["mount"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
				{"names":["clone3"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`,
			func(ed *Editor) error { return ed.SetSyscall("faccessat2", ActErrno, 38) },
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
				{"names":["mount"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
				{"names":["clone3","faccessat2"],"action":"SCMP_ACT_ERRNO","errnoRet":38}]}`},
		{"removed from conditional, filtered and legacy rules too", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socket","socketpair"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}],"comment":"unix only"},
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_NET_RAW"]}},
				{"name":"socket","action":"SCMP_ACT_ALLOW"}]}`,
			func(ed *Editor) error { return ed.SetSyscall("socket", ActKillProcess, 0) },
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socketpair"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}],"comment":"unix only"},
				{"names":["socket"],"action":"SCMP_ACT_KILL_PROCESS"}]}`},
		{"errno is ignored for other actions", allowAll,
			func(ed *Editor) error { return ed.SetSyscall("ptrace", ActLog, 99) },
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_LOG"}]}`},
		{"family", allowAll,
			func(ed *Editor) error { return ed.SetFamily("mkdir", ActErrno, 13) },
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}`},
		{"default: a rule without errnoRet still means EPERM", `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
				{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}`,
			func(ed *Editor) error { return ed.SetDefault(ActErrno, 38) },
			`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[
				{"names":["mount"],"action":"SCMP_ACT_ERRNO"}]}`},
		{"default: EPERM stays implicit", allowAll,
			func(ed *Editor) error { return ed.SetDefault(ActErrno, 1) },
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}`},
		{"default: errnoRet dropped for allow", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":13,"syscalls":[
				{"names":["mount"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`,
			func(ed *Editor) error { return ed.SetDefault(ActAllow, 0) },
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`},
		{"condition on a call left to a deny default allows it under the condition", denyList,
			func(ed *Editor) error { return ed.AddCondition("socket", Arg{Index: 0, Value: 1, Op: OpEqualTo}) },
			`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[
				{"names":["read","write"],"action":"SCMP_ACT_ALLOW","comment":"basic I/O"},
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}`},
		{"condition on a call left to an allow default denies it under the condition", allowAll,
			func(ed *Editor) error { return ed.AddCondition("socket", Arg{Index: 0, Value: 1, Op: OpNotEqual}) },
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"args":[{"index":0,"value":1,"op":"SCMP_CMP_NE"}]}]}`},
		{"condition moves a grouped call into its own rule with its action", denyList,
			func(ed *Editor) error { return ed.AddCondition("write", Arg{Index: 0, Value: 2, Op: OpLessEqual}) },
			`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[
				{"names":["read"],"action":"SCMP_ACT_ALLOW","comment":"basic I/O"},
				{"names":["write"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2,"op":"SCMP_CMP_LE"}]}]}`},
		{"second condition joins the rule", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}`,
			func(ed *Editor) error {
				return ed.AddCondition("socket", Arg{Index: 1, Value: 0x80000, ValueTwo: 0, Op: OpMaskedEqual})
			},
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":524288,"op":"SCMP_CMP_MASKED_EQ"}]}]}`},
		{"condition on a shared conditional rule splits it in place", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socket","socketpair"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
				{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`,
			func(ed *Editor) error { return ed.AddCondition("socket", Arg{Index: 1, Value: 1, Op: OpEqualTo}) },
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socketpair"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]},
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]},
				{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`},
		{"removing one of two conditions", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"},{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]}]}`,
			func(ed *Editor) error { return ed.RemoveCondition("socket", 0) },
			`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
				{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":1,"value":1,"op":"SCMP_CMP_EQ"}]}]}`},
		{"removing the last condition regroups the call", denyList,
			func(ed *Editor) error {
				if err := ed.AddCondition("write", Arg{Index: 0, Value: 2, Op: OpLessEqual}); err != nil {
					return err
				}
				return ed.RemoveCondition("write", 0)
			},
			`{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":1,"syscalls":[
				{"names":["read","write"],"action":"SCMP_ACT_ALLOW","comment":"basic I/O"}]}`},
		{"architectures replaced", `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[]}`,
			func(ed *Editor) error {
				return ed.SetArchitectures([]string{"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_X86_64"})
			},
			`{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_AARCH64"],"syscalls":[]}`},
		{"archMap kept and extended by companion", `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[
				{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],"syscalls":[]}`,
			func(ed *Editor) error {
				return ed.SetArchitectures([]string{"SCMP_ARCH_ARM", "SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64", "SCMP_ARCH_RISCV64"})
			},
			`{"defaultAction":"SCMP_ACT_ALLOW","archMap":[
				{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]},
				{"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]},
				{"architecture":"SCMP_ARCH_RISCV64","subArchitectures":null}],"syscalls":[]}`},
		{"no architectures: host only", `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[
				{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],"syscalls":[]}`,
			func(ed *Editor) error { return ed.SetArchitectures(nil) },
			`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}`},
		{"unknown fields survive edits", `{"defaultAction":"SCMP_ACT_ALLOW","x-owner":"ops","syscalls":[
				{"names":["mount","ptrace"],"action":"SCMP_ACT_ERRNO","x-ticket":7}]}`,
			func(ed *Editor) error { return ed.SetSyscall("ptrace", ActAllow, 0) },
			`{"defaultAction":"SCMP_ACT_ALLOW","x-owner":"ops","syscalls":[
				{"names":["mount"],"action":"SCMP_ACT_ERRNO","x-ticket":7}]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ed := NewEditor(edParse(t, c.in))
			if err := c.edit(ed); err != nil {
				t.Fatal(err)
			}
			want := edMarshal(t, edParse(t, c.want))
			if got := edMarshal(t, ed.Profile()); got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
			if changed := want != edMarshal(t, edParse(t, c.in)); ed.Dirty() != changed {
				t.Errorf("Dirty %v after an edit that changed the profile: %v", ed.Dirty(), changed)
			}
			edBuild(t, ed.Profile())
		})
	}
}

// Bad edits are refused with a one-line error that says what to do, and
// change nothing.
func TestEditErrors(t *testing.T) {
	base := `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
		{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_EQ"}]}]}`
	cases := []struct {
		name string
		edit func(*Editor) error
		want string
	}{
		{"unknown syscall", func(ed *Editor) error { return ed.SetSyscall("frobnicate", ActAllow, 0) },
			`unknown syscall "frobnicate": check the name with 'seccomp-workbench catalog frobnicate'`},
		{"unknown syscall in family", func(ed *Editor) error { return ed.SetFamily("mkdirz", ActAllow, 0) },
			`unknown syscall "mkdirz"`},
		{"unknown action", func(ed *Editor) error { return ed.SetSyscall("read", "SCMP_ACT_MAYBE", 0) },
			`unknown action "SCMP_ACT_MAYBE": use one of`},
		{"errno zero", func(ed *Editor) error { return ed.SetSyscall("read", ActErrno, 0) },
			"errno 0 is out of range: an errno is 1..4095"},
		{"errno too big", func(ed *Editor) error { return ed.SetDefault(ActErrno, 4096) },
			"errno 4096 is out of range"},
		{"unknown risk", func(ed *Editor) error { return ed.SetRisk("extreme", ActAllow, 0) },
			`unknown risk "extreme"`},
		{"index out of range", func(ed *Editor) error { return ed.AddCondition("read", Arg{Index: 6, Op: OpEqualTo}) },
			"argument index 6 is out of range: syscalls have arguments 0..5"},
		{"unknown operator", func(ed *Editor) error { return ed.AddCondition("read", Arg{Index: 0, Op: "SCMP_CMP_ABOUT"}) },
			`unknown comparison operator "SCMP_CMP_ABOUT": use one of`},
		{"second condition on one argument", func(ed *Editor) error {
			return ed.AddCondition("socket", Arg{Index: 0, Value: 2, Op: OpNotEqual})
		}, "socket already has a condition on argument 0 in syscalls[0]: a second one would make all of the rule's conditions ORed"},
		{"condition on a call libseccomp does not know", func(ed *Editor) error {
			return ed.AddCondition("mseal", Arg{Index: 0, Op: OpEqualTo})
		}, "mseal: the installed libseccomp"},
		{"remove without conditions", func(ed *Editor) error { return ed.RemoveCondition("read", 0) },
			"read has no argument conditions to remove"},
		{"remove out of range", func(ed *Editor) error { return ed.RemoveCondition("socket", 1) },
			"socket has no condition 1: its conditions are numbered 0..0"},
		{"unknown arch", func(ed *Editor) error { return ed.SetArchitectures([]string{"x86_64"}) },
			`unknown architecture "x86_64": use one of SCMP_ARCH_AARCH64`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ed := NewEditor(edParse(t, base))
			before := edMarshal(t, ed.Profile())
			err := c.edit(ed)
			if err == nil {
				t.Fatalf("no error; want %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q; want one line containing %q", err, c.want)
			}
			if edMarshal(t, ed.Profile()) != before || ed.CanUndo() || ed.Generation() != 0 {
				t.Errorf("a refused edit changed the editor")
			}
		})
	}
}

// An edit that changes nothing is not an undo step.
func TestEditNoOp(t *testing.T) {
	ed := NewEditor(edDockerDefault(t))
	for _, edit := range []func() error{
		func() error { return ed.SetSyscall("read", ActAllow, 0) },
		func() error { return ed.SetSyscall("add_key", ActErrno, 1) }, // the default already denies it
		func() error { return ed.SetDefault(ActErrno, 1) },
		func() error {
			// The arches the archMap already has, in another order.
			var all []string
			for _, m := range ed.Profile().ArchMap {
				all = append(append(all, m.SubArches...), m.Arch)
			}
			return ed.SetArchitectures(all)
		},
	} {
		if err := edit(); err != nil {
			t.Fatal(err)
		}
	}
	if ed.CanUndo() || ed.Dirty() || ed.Generation() != 0 {
		t.Errorf("no-op edits: CanUndo %v, Dirty %v, Generation %d; want false, false, 0", ed.CanUndo(), ed.Dirty(), ed.Generation())
	}
}

// Edits on Docker's own profile mean what they say, and the result still
// compiles and verifies.
func TestEditDockerDefault(t *testing.T) {
	t.Run("one syscall", func(t *testing.T) {
		ed := NewEditor(edDockerDefault(t))
		if err := ed.SetSyscall("mkdir", ActErrno, 1); err != nil {
			t.Fatal(err)
		}
		p := ed.Profile()
		if got := edDecide(t, p, catalog.X86_64, "mkdir"); got != "errno(EPERM)" {
			t.Errorf("mkdir: %s, want errno(EPERM)", got)
		}
		if got := edDecide(t, p, catalog.X86_64, "mkdirat"); got != "allow" {
			t.Errorf("mkdirat: %s, want allow (only mkdir was set)", got)
		}
		if got := edDecide(t, p, catalog.X86, "mkdir"); got != "errno(EPERM)" {
			t.Errorf("mkdir on x86: %s, want errno(EPERM)", got)
		}
		edBuild(t, p)
	})
	t.Run("deny then allow again restores the file", func(t *testing.T) {
		ed := NewEditor(edDockerDefault(t))
		for _, name := range []string{"read", "_llseek", "get_robust_list", "ioctl", "set_tid_address", "accept", "writev"} {
			if err := ed.SetSyscall(name, ActErrno, 1); err != nil {
				t.Fatal(err)
			}
			if err := ed.SetSyscall(name, ActAllow, 0); err != nil {
				t.Fatal(err)
			}
			if ed.Dirty() {
				t.Errorf("%s went back to a different place in Docker's allow rule", name)
			}
		}
	})
	t.Run("family", func(t *testing.T) {
		ed := NewEditor(edDockerDefault(t))
		if err := ed.SetFamily("mkdir", ActErrno, 13); err != nil {
			t.Fatal(err)
		}
		p := ed.Profile()
		for _, name := range []string{"mkdir", "mkdirat"} {
			if got := edDecide(t, p, catalog.X86_64, name); got != "errno(EACCES)" {
				t.Errorf("%s: %s, want errno(EACCES)", name, got)
			}
		}
		if got := edDecide(t, p, catalog.X86_64, "rmdir"); got != "allow" {
			t.Errorf("rmdir: %s, want allow", got)
		}
		edBuild(t, p)
	})
	t.Run("allow a conditional call outright", func(t *testing.T) {
		ed := NewEditor(edDockerDefault(t))
		// Docker allows ptrace only from kernel 4.8 and socket for most
		// families; one outcome replaces both kinds of rule.
		if err := ed.SetSyscall("ptrace", ActAllow, 0); err != nil {
			t.Fatal(err)
		}
		if err := ed.SetSyscall("socket", ActErrno, 97); err != nil {
			t.Fatal(err)
		}
		p := ed.Profile()
		e := p.Effective(Env{Host: catalog.X86_64, Kernel: Kernel{4, 4}})
		if d, _ := e.DecideName(catalog.X86_64, "ptrace", [6]uint64{}, Options{}); d.String() != "allow" {
			t.Errorf("ptrace on 4.4: %s, want allow", d)
		}
		for _, fam := range []uint64{1, 2, 40} {
			if got := edDecide(t, p, catalog.X86_64, "socket", fam); got != "errno(EAFNOSUPPORT)" {
				t.Errorf("socket(%d): %s, want errno(EAFNOSUPPORT)", fam, got)
			}
		}
		if n := strings.Count(edMarshal(t, p), `"socket"`); n != 1 {
			t.Errorf("socket named %d times, want once", n)
		}
		edBuild(t, p)
	})
	t.Run("conditions", func(t *testing.T) {
		ed := NewEditor(edDockerDefault(t))
		// mkdir leaves Docker's big allow rule for a rule of its own.
		if err := ed.AddCondition("mkdir", Arg{Index: 1, Value: 0o700, Op: OpLessEqual}); err != nil {
			t.Fatal(err)
		}
		p := ed.Profile()
		if got := edDecide(t, p, catalog.X86_64, "mkdir", 0, 0o700); got != "allow" {
			t.Errorf("mkdir(0700): %s, want allow", got)
		}
		if got := edDecide(t, p, catalog.X86_64, "mkdir", 0, 0o755); got != "errno(EPERM)" {
			t.Errorf("mkdir(0755): %s, want errno(EPERM)", got)
		}
		if got := edDecide(t, p, catalog.X86_64, "mkdirat", 0, 0, 0o755); got != "allow" {
			t.Errorf("mkdirat: %s, want allow", got)
		}
		edBuild(t, p)
	})
}

func TestSetRiskCritical(t *testing.T) {
	ed := NewEditor(edParse(t, `{"defaultAction":"SCMP_ACT_ALLOW","archMap":[
		{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86","SCMP_ARCH_X32"]}],"syscalls":[]}`))
	if err := ed.SetRisk(catalog.Critical, ActErrno, 1); err != nil {
		t.Fatal(err)
	}
	p := ed.Profile()
	for _, name := range []string{"bpf", "mount", "io_uring_setup", "ptrace", "kexec_load", "open_tree_attr"} {
		if got := edDecide(t, p, catalog.X86_64, name); got != "errno(EPERM)" {
			t.Errorf("%s: %s, want errno(EPERM)", name, got)
		}
	}
	if got := edDecide(t, p, catalog.X86, "mount"); got != "errno(EPERM)" {
		t.Errorf("mount on x86: %s, want errno(EPERM)", got)
	}
	for _, name := range []string{"read", "clone", "execve", "setuid"} {
		if got := edDecide(t, p, catalog.X86_64, name); got != "allow" {
			t.Errorf("%s: %s, want allow", name, got)
		}
	}
	if len(p.Syscalls) != 1 {
		t.Errorf("%d rules, want the tier in one rule", len(p.Syscalls))
	}
	edBuild(t, p)
}

// Undo and redo restore every state byte for byte, Generation moves on
// each, and Dirty follows MarkSaved.
func TestUndoRedo(t *testing.T) {
	ed := NewEditor(edDockerDefault(t))
	loaded := edMarshal(t, ed.Profile())
	first := ed.Profile()
	states := []string{loaded}
	edits := []func() error{
		func() error { return ed.SetSyscall("mkdir", ActErrno, 1) },
		func() error { return ed.SetFamily("rename", ActKillProcess, 0) },
		func() error { return ed.SetRisk(catalog.High, ActLog, 0) },
		func() error { return ed.AddCondition("write", Arg{Index: 0, Value: 2, Op: OpLessEqual}) },
		func() error { return ed.SetDefault(ActErrno, 38) },
		func() error { return ed.SetArchitectures([]string{"SCMP_ARCH_X86_64"}) },
		func() error { return ed.RemoveCondition("write", 0) },
	}
	for i, edit := range edits {
		if err := edit(); err != nil {
			t.Fatalf("edit %d: %v", i, err)
		}
		states = append(states, edMarshal(t, ed.Profile()))
		if states[i+1] == states[i] {
			t.Fatalf("edit %d changed nothing", i)
		}
		if ed.Generation() != i+1 {
			t.Fatalf("Generation %d after %d edits", ed.Generation(), i+1)
		}
	}
	if edMarshal(t, first) != loaded {
		t.Fatal("editing modified a profile returned earlier by Profile()")
	}
	edBuild(t, ed.Profile())
	ed.MarkSaved()
	if ed.Dirty() {
		t.Fatal("dirty right after MarkSaved")
	}
	gen := ed.Generation()
	for i := len(states) - 2; i >= 0; i-- {
		if !ed.Undo() {
			t.Fatalf("Undo to state %d refused", i)
		}
		gen++
		if got := edMarshal(t, ed.Profile()); got != states[i] {
			t.Fatalf("undo to state %d differs", i)
		}
		if ed.Generation() != gen || !ed.Dirty() {
			t.Fatalf("state %d: Generation %d (want %d), Dirty %v (want true)", i, ed.Generation(), gen, ed.Dirty())
		}
	}
	if ed.Undo() || ed.CanUndo() {
		t.Fatal("undo past the loaded state")
	}
	for i := 1; i < len(states); i++ {
		if !ed.Redo() {
			t.Fatalf("Redo to state %d refused", i)
		}
		if got := edMarshal(t, ed.Profile()); got != states[i] {
			t.Fatalf("redo to state %d differs", i)
		}
	}
	if ed.Redo() || ed.CanRedo() || ed.Dirty() {
		t.Fatalf("after redoing everything: Redo possible %v, Dirty %v; want false, false", ed.CanRedo(), ed.Dirty())
	}
	// A new edit after an undo drops the redo history.
	ed.Undo()
	if err := ed.SetSyscall("chdir", ActErrno, 1); err != nil {
		t.Fatal(err)
	}
	if ed.CanRedo() {
		t.Error("redo still possible after a new edit")
	}
}

func TestUndoHistoryBounded(t *testing.T) {
	ed := NewEditor(edParse(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[]}`))
	for i := 0; i < maxUndo+10; i++ {
		if err := ed.SetDefault(ActErrno, uint(i%4000)+1); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for ed.Undo() {
		n++
	}
	if n != maxUndo {
		t.Errorf("%d undo steps kept, want %d", n, maxUndo)
	}
	if !ed.Dirty() {
		t.Error("the oldest kept state differs from the loaded one but is not dirty")
	}
}

// NewEditor works on a copy: the caller's profile never changes.
func TestEditorCopies(t *testing.T) {
	data, err := os.ReadFile("../testdata/profiles/docker-default.json")
	if err != nil {
		t.Fatal(err)
	}
	p := edParse(t, string(data))
	ed := NewEditor(p)
	if err := ed.SetRisk(catalog.Low, ActErrno, 1); err != nil {
		t.Fatal(err)
	}
	if out, _ := Marshal(p); !bytes.Equal(out, data) {
		t.Error("the profile given to NewEditor was modified")
	}
}

func BenchmarkEditDockerDefault(b *testing.B) {
	p := edDockerDefault(b)
	ed := NewEditor(p)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		a := ActErrno
		if i%2 == 1 {
			a = ActAllow
		}
		if err := ed.SetSyscall("mkdir", a, 1); err != nil {
			b.Fatal(err)
		}
	}
}
