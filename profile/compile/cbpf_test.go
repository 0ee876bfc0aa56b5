package compile

// Tests of the interpreter and the disassembler on compiled programs.

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// Trace (and Run, which Verify uses) and x/net/bpf's VM are independent interpreters fed independent
// layouts of seccomp_data (host order for Trace, byte-swapped for the
// VM); on every verification input of these programs they must return
// the same value, and every trace must end in a return.
func TestTraceMatchesVM(t *testing.T) {
	errno13 := uint(13)
	allOps := &profile.Profile{DefaultAction: profile.ActErrno, Syscalls: []*profile.Rule{
		{Names: []string{"read", "write", "close"}, Action: profile.ActAllow},
		{Names: []string{"ioctl"}, Action: profile.ActAllow, Args: []*profile.Arg{{Index: 1, Value: 0x5401, Op: profile.OpEqualTo}}},
		{Names: []string{"socket"}, Action: profile.ActAllow, Args: []*profile.Arg{{Index: 0, Value: 10, Op: profile.OpLessThan}}},
		{Names: []string{"mmap"}, Action: profile.ActAllow, Args: []*profile.Arg{{Index: 2, Value: 0x4, ValueTwo: 0, Op: profile.OpMaskedEqual}}},
		{Names: []string{"kill"}, Action: profile.ActErrno, ErrnoRet: &errno13, Args: []*profile.Arg{{Index: 1, Value: 9, Op: profile.OpNotEqual}}},
		{Names: []string{"fcntl"}, Action: profile.ActAllow, Args: []*profile.Arg{{Index: 1, Value: 4, Op: profile.OpGreaterEqual}, {Index: 2, Value: 1 << 33, Op: profile.OpLessEqual}}},
		{Names: []string{"prctl"}, Action: profile.ActAllow, Args: []*profile.Arg{{Index: 0, Value: 1<<32 | 5, Op: profile.OpGreaterThan}}},
		{Names: []string{"getppid"}, Action: profile.ActKillProcess},
		{Names: []string{"gettid"}, Action: profile.ActTrap},
		{Names: []string{"getuid"}, Action: profile.ActLog},
		{Names: []string{"mseal"}, Action: profile.ActAllow},
	}, Architectures: []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64"}}
	bug, err := profile.Load("../../testdata/profiles/libseccomp-64bit-bug.json")
	if err != nil {
		t.Fatal(err)
	}
	exempt := &profile.Exemption{Arch: catalog.X86_64, HandoffFD: 3, Magic: [3]uint64{0x1234_5678_9abc, 42, 7 << 40}}
	cases := []struct {
		name string
		p    *profile.Profile
		env  profile.Env
		o    profile.Options
	}{
		{"docker-default", mustOpen(t, "preset:docker-default"), x86Env(), profile.Options{}},
		{"docker-default/watch+exempt", mustOpen(t, "preset:docker-default"), x86Env(), profile.Options{Variant: profile.VariantWatch, Exempt: exempt}},
		{"docker-default/linear", mustOpen(t, "preset:docker-default"), x86Env(), profile.Options{NoOptimize: true, NoENOSYS: true}},
		{"docker-default/aarch64", mustOpen(t, "preset:docker-default"), profile.Env{Host: catalog.AArch64, Kernel: profile.Kernel{Major: 6, Minor: 18}}, profile.Options{}},
		{"deny-critical", mustOpen(t, "preset:deny-critical"), x86Env(), profile.Options{}},
		{"all-ops", allOps, x86Env(), profile.Options{}},
		{"libseccomp-64bit-bug", bug, x86Env(), profile.Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := c.p.Effective(c.env)
			prog, err := Compile(e, c.o) // not Build: a wrong filter is still a program to run
			if err != nil {
				t.Fatal(err)
			}
			vm, err := prog.vm()
			if err != nil {
				t.Fatal(err)
			}
			inputs := Inputs(e, c.o)
			if len(inputs) < 1000 {
				t.Fatalf("only %d inputs", len(inputs))
			}
			for _, in := range inputs {
				want, err := vm.Run(cbpf.SeccompData(in.Arch, in.Nr, in.Args))
				if err != nil {
					t.Fatal(err)
				}
				got, steps, err := cbpf.Trace(prog.Insns, cbpf.KernelData(in.Arch, in.Nr, in.Args))
				if err != nil {
					t.Fatalf("%s nr %d %s: %v", in.Arch, in.Nr, profile.FormatArgs(in.Args), err)
				}
				if got != uint32(want) {
					t.Fatalf("%s nr %d %s: Trace returns %#x, the VM %#x", in.Arch, in.Nr, profile.FormatArgs(in.Args), got, uint32(want))
				}
				// Run, what Verify uses, is Trace without the steps.
				if run, err := cbpf.Run(prog.Insns, cbpf.KernelData(in.Arch, in.Nr, in.Args)); err != nil || run != got {
					t.Fatalf("%s nr %d %s: Run returns %#x, %v; Trace %#x", in.Arch, in.Nr, profile.FormatArgs(in.Args), run, err, got)
				}
				last := steps[len(steps)-1]
				if last.Next != -1 || last.Insn.Op&0x07 != 0x06 /* BPF_RET */ || steps[0].PC != 0 {
					t.Fatalf("%s nr %d: trace does not run from 0 to a return: %+v", in.Arch, in.Nr, last)
				}
				for i := 1; i < len(steps); i++ {
					if steps[i].PC != steps[i-1].Next || steps[i].PC <= steps[i-1].PC {
						t.Fatalf("%s nr %d: step %d at %d does not follow %+v", in.Arch, in.Nr, i, steps[i].PC, steps[i-1])
					}
				}
			}
		})
	}
}

// The docker-default program, as the workbench generates it and as
// libseccomp lays it out with the workbench's prelude: every load and
// comparison is annotated, every block's numbers named for its ABI.
func TestDisassembleDockerDefault(t *testing.T) {
	e := mustOpen(t, "preset:docker-default").Effective(x86Env())
	prog, err := Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if prog.Stats.Generator != GenWorkbench {
		t.Fatalf("Build used %s: %s", prog.Stats.Generator, prog.Stats.Fallback)
	}
	disassembleChecks(t, prog, func(l cbpf.AsmLine) string {
		// The search cuts at calls: its jumps name the call they cut at.
		if strings.HasPrefix(l.Text, "jge  #") && regexp.MustCompile(`^nr >= \d+ \([a-z_0-9]+\)$`).MatchString(l.Comment) {
			return "cut"
		}
		if strings.HasPrefix(l.Text, "jeq  #435,") && l.Comment == "nr == clone3" {
			return "clone3"
		}
		if strings.HasPrefix(l.Text, "jge  #0x4") && strings.HasSuffix(l.Comment, ", x32)") {
			return "x32"
		}
		return ""
	}, "cut", "clone3", "x32")
	peer, err := CompileLibseccomp(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(peer); err != nil {
		t.Fatal(err)
	}
	x86Socket := fmt.Sprintf("jeq  #%d", nrOf(t, catalog.X86, "socket"))
	disassembleChecks(t, peer, func(l cbpf.AsmLine) string {
		switch {
		case strings.HasPrefix(l.Text, "jeq  #257,") && l.Comment == "nr == openat":
			return "openat"
		case strings.HasPrefix(l.Text, x86Socket+",") && l.Comment == "nr == socket":
			return "x86 socket"
		case strings.HasPrefix(l.Text, "jeq  #0x40000000,") && l.Comment == "nr == read (x32)":
			return "x32 read"
		}
		return ""
	}, "openat", "x86 socket", "x32 read")
}

// disassembleChecks checks prog's listing; found names the lines that
// must be there (each of want at least once).
func disassembleChecks(t *testing.T, prog *Program, found func(cbpf.AsmLine) string, want ...string) {
	t.Helper()
	lines := cbpf.Disassemble(prog.Insns)
	if len(lines) != len(prog.Insns) {
		t.Fatalf("%d lines for %d instructions", len(lines), len(prog.Insns))
	}
	seen := map[string]bool{}
	for _, l := range lines {
		seen[l.Text+" ; "+l.Comment] = true
		if strings.HasPrefix(l.Text, "ld ") || strings.HasPrefix(l.Text, "ret ") {
			if l.Comment == "" {
				t.Errorf("line %d %q has no annotation", l.PC, l.Text)
			}
		}
		if strings.HasPrefix(l.Text, "jeq  #") && l.Comment == "" {
			t.Errorf("line %d %q has no annotation", l.PC, l.Text)
		}
		if strings.HasPrefix(l.Comment, "nr == syscall_") {
			t.Errorf("line %d %q compares with an unnamed number", l.PC, l.Text)
		}
	}
	for _, w := range []string{
		"ld   [4] ; arch",
		"ld   [0] ; nr",
		"ld   [16] ; args[0] low",
		"ld   [20] ; args[0] high",
		"ret  #0x7fff0000 ; ALLOW",
		"ret  #0x50001 ; ERRNO(EPERM)",
		"ret  #0x50026 ; ERRNO(ENOSYS)",
		"ret  #0x0 ; KILL_THREAD",
	} {
		if !seen[w] {
			t.Errorf("no line %q", w)
		}
	}
	has := map[string]bool{}
	for _, l := range lines {
		has[found(l)] = true
		if strings.HasPrefix(l.Text, "jeq  #0x40000003,") && l.Comment == "arch == x86" {
			has["arch x86"] = true
		}
	}
	for _, w := range append(want, "arch x86") {
		if !has[w] {
			t.Errorf("%s: no annotated line for %s", prog.Stats.Generator, w)
		}
	}
	// What the disassembler calls unreachable no input reaches (libseccomp
	// leaves a spare return at the end).
	for _, in := range Inputs(prog.Effective, prog.Options) {
		_, steps, err := cbpf.Trace(prog.Insns, cbpf.KernelData(in.Arch, in.Nr, in.Args))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			if lines[s.PC].Comment == "unreachable" {
				t.Fatalf("%s nr %d reaches line %d, annotated unreachable", in.Arch, in.Nr, s.PC)
			}
		}
	}
}

// vm is x/net/bpf's VM for the program: the independent interpreter the
// tests hold cbpf's against.
func (p *Program) vm() (*bpf.VM, error) {
	insns, allDecoded := bpf.Disassemble(p.Insns)
	if !allDecoded {
		return nil, fmt.Errorf("the program has instructions x/net/bpf cannot decode")
	}
	return bpf.NewVM(insns)
}
