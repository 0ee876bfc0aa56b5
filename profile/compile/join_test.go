package compile

import (
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// dispatchOf returns where the dispatch of a joined program starts (after
// the prelude's blocks) and ends (at libseccomp's first program), and
// where its bad-arch return is.
func dispatchOf(t *testing.T, prog *Program) (lo, hi, ret int) {
	t.Helper()
	pre, err := buildPrelude(prog.Effective, prog.Options, nil)
	if err != nil {
		t.Fatal(err)
	}
	lo, hi = len(pre), prog.Stats.Prelude
	if in := prog.Insns[lo]; in.Op != opLdAbsW || in.K != 4 {
		t.Fatalf("instruction %d is %+v, not the dispatch's ld [4]", lo, in)
	}
	for ret = lo; ret < hi && prog.Insns[ret].Op != opRetK; ret++ {
	}
	if ret == hi {
		t.Fatal("the dispatch has no bad-arch return")
	}
	return lo, hi, ret
}

// Each ABI gets its own libseccomp program behind the workbench's
// dispatch; every way of sending a call to the wrong program, or past
// the dispatch, is caught by Verify.
func TestVerifyCatchesDispatchTampering(t *testing.T) {
	prog, err := Build(mustOpen(t, "preset:docker-default").Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := prog.Effective.Arches; len(got) != 3 {
		t.Fatalf("arches %v, want x86_64, x86, x32", got)
	}
	lo, hi, ret := dispatchOf(t, prog)
	per, _ := prog.PerArch()
	// The programs' starts, in the order they are laid out.
	var starts []int
	at := hi
	for _, a := range prog.Effective.Arches {
		starts = append(starts, at)
		at += per[a]
	}
	if at != len(prog.Insns) {
		t.Fatalf("programs end at %d of %d", at, len(prog.Insns))
	}
	try := func(what string, edit func(insns []bpf.RawInstruction)) {
		t.Helper()
		bad := *prog
		bad.Insns = append([]bpf.RawInstruction(nil), prog.Insns...)
		edit(bad.Insns)
		if Verify(&bad) == nil {
			t.Errorf("%s went unnoticed", what)
		}
	}
	jas, jeqs, jsets := 0, 0, 0
	for pc := lo; pc < hi; pc++ {
		in := prog.Insns[pc]
		switch in.Op {
		case opJa:
			jas++
			target := pc + 1 + int(in.K)
			for _, s := range starts {
				if s != target {
					try("a ja to another ABI's program", func(p []bpf.RawInstruction) { p[pc].K = uint32(s - pc - 1) })
				}
			}
			try("a ja one instruction short", func(p []bpf.RawInstruction) { p[pc].K-- })
			try("a ja to the bad-arch return", func(p []bpf.RawInstruction) { p[pc].K = uint32(ret - pc - 1) })
		case opJeqK:
			jeqs++
			try("a wrong arch value", func(p []bpf.RawInstruction) { p[pc].K ^= 1 })
			try("jt and jf swapped", func(p []bpf.RawInstruction) { p[pc].Jt, p[pc].Jf = p[pc].Jf, p[pc].Jt })
		case opJsetK:
			jsets++
			try("the x32 split swapped", func(p []bpf.RawInstruction) { p[pc].Jt, p[pc].Jf = p[pc].Jf, p[pc].Jt })
			try("the x32 split testing another bit", func(p []bpf.RawInstruction) { p[pc].K >>= 1 })
		case opRetK:
			try("the bad-arch return allowing", func(p []bpf.RawInstruction) { p[pc].K = profile.RetAllow })
		}
	}
	// x86_64 and x32 share AUDIT_ARCH_X86_64: two arch values, three
	// programs, one split.
	if jeqs != 2 || jsets != 1 || jas != 4 {
		t.Errorf("dispatch has %d jeq, %d jset, %d ja; want 2, 1, 4", jeqs, jsets, jas)
	}
}

// The dispatch follows the profile's order of ABIs, whatever it is, and
// one ABI needs no dispatch: its libseccomp program is the whole filter.
func TestDispatchOrderAndSingleABI(t *testing.T) {
	for _, arches := range [][]string{
		{"SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"},
		{"SCMP_ARCH_X86", "SCMP_ARCH_X32"},
		{"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_RISCV64"},
		{"SCMP_ARCH_X86_64"},
	} {
		p := &profile.Profile{DefaultAction: profile.ActErrno, Architectures: arches, Syscalls: []*profile.Rule{
			{Names: []string{"read", "write", "getpid", "socket", "mseal"}, Action: profile.ActAllow},
			{Names: []string{"personality"}, Action: profile.ActAllow, Args: []*profile.Arg{{Index: 0, Value: 8, Op: profile.OpEqualTo}}},
		}}
		prog, err := Build(p.Effective(x86Env()), profile.Options{})
		if err != nil {
			t.Fatalf("%v: %v", arches, err)
		}
		per, err := prog.PerArch()
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for _, a := range prog.Effective.Arches {
			total += per[a]
		}
		pre, _ := buildPrelude(prog.Effective, prog.Options, nil)
		dispatch := len(prog.Insns) - total - len(pre)
		if prog.Stats.Prelude != len(pre)+dispatch {
			t.Errorf("%v: Stats.Prelude %d, want %d", arches, prog.Stats.Prelude, len(pre)+dispatch)
		}
		if len(arches) == 1 {
			if dispatch != 0 {
				t.Errorf("%v: a dispatch of %d instructions for one ABI", arches, dispatch)
			}
			continue
		}
		// ld [4]; (jeq; ja) per arch value; ret; and the x32 split.
		values := map[uint32]bool{}
		split := 0
		for _, a := range prog.Effective.Arches {
			ai, _ := a.Info()
			if values[ai.Audit] {
				split = 4
			}
			values[ai.Audit] = true
		}
		if want := 2 + 2*len(values) + split; dispatch != want {
			t.Errorf("%v: dispatch of %d instructions, want %d", arches, dispatch, want)
		}
		// The first arch value tested is the first ABI's.
		first, _ := prog.Effective.Arches[0].Info()
		if in := prog.Insns[len(pre)+1]; in.Op != opJeqK || in.K != first.Audit {
			t.Errorf("%v: dispatch starts with %+v, want jeq %#x", arches, in, first.Audit)
		}
		if d, _ := prog.Run(catalog.S390X, 1, [6]uint64{}); d.Action.Canon() != profile.ActKillThread {
			t.Errorf("%v: an unlisted ABI gets %s, want kill_thread", arches, d)
		}
	}
}
