package compile

import (
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// dispatchOf returns where the dispatch of a joined program ends (at
// the first ABI's section) and where its bad-arch return is: ld [4], a
// jeq/ja pair per arch value, the return, and the x86_64/x32 split.
func dispatchOf(t *testing.T, prog *Program) (hi, ret int) {
	t.Helper()
	groups := groupByAudit(prog.Effective.Arches)
	ret = 1 + 2*len(groups)
	hi = ret + 1
	for _, g := range groups {
		if len(g.arches) > 1 {
			hi += 2 + len(g.arches)
		}
	}
	if in := prog.Insns[0]; in.Op != opLdAbsW || in.K != 4 {
		t.Fatalf("the program starts with %+v, not the dispatch's ld [4]", in)
	}
	if in := prog.Insns[ret]; in.Op != opRetK {
		t.Fatalf("instruction %d is %+v, not the bad-arch return", ret, in)
	}
	return hi, ret
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
	hi, ret := dispatchOf(t, prog)
	// The sections' starts: where the dispatch's jumps land past it.
	var starts []int
	for pc := 0; pc < hi; pc++ {
		if in := prog.Insns[pc]; in.Op == opJa && pc+1+int(in.K) >= hi {
			starts = append(starts, pc+1+int(in.K))
		}
	}
	if len(starts) != 3 {
		t.Fatalf("the dispatch reaches %d sections, want 3", len(starts))
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
	for pc := 0; pc < hi; pc++ {
		in := prog.Insns[pc]
		if pc == 0 {
			continue // ld [4]
		}
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
// one ABI needs no dispatch: its prelude and libseccomp program are the
// whole filter.
func TestDispatchOrderAndSingleABI(t *testing.T) {
	for _, arches := range [][]string{
		{"SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"},
		{"SCMP_ARCH_X86", "SCMP_ARCH_X32"},
		{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"},
		{"SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_RISCV64"},
		{"SCMP_ARCH_X86_64"},
		{"SCMP_ARCH_X32"},
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
		if own := len(prog.Insns) - total; prog.Stats.Prelude != own {
			t.Errorf("%v: Stats.Prelude %d, but %d instructions are not the ABIs' programs", arches, prog.Stats.Prelude, own)
		}
		first, _ := prog.Effective.Arches[0].Info()
		if len(arches) == 1 && prog.Stats.Generator == GenLibseccomp {
			// mseal is compiled by number: the prelude checks the arch,
			// then the call.
			if in := prog.Insns[1]; in.Op != opJeqK || in.K != first.Audit {
				t.Errorf("%v: the prelude starts with %+v, want jeq %#x", arches, prog.Insns[1], first.Audit)
			}
			continue
		}
		hi, _ := dispatchOf(t, prog)
		// The first arch value tested is the first ABI's.
		if in := prog.Insns[1]; in.Op != opJeqK || in.K != first.Audit {
			t.Errorf("%v: dispatch starts with %+v, want jeq %#x", arches, in, first.Audit)
		}
		// Every section loads nr: libseccomp's start with the workbench's
		// checks (mseal by number), then its program, which checks the
		// arch; the generator's search starts after the x86_64/x32
		// split, which loaded nr already.
		splits := 0
		for _, g := range groupByAudit(prog.Effective.Arches) {
			if len(g.arches) > 1 {
				splits = len(g.arches)
			}
		}
		searches := 0
		for pc := 0; pc < hi; pc++ {
			if in := prog.Insns[pc]; in.Op == opJa && pc+1+int(in.K) >= hi {
				sec := prog.Insns[pc+1+int(in.K)]
				switch {
				case sec.Op == opLdAbsW && sec.K == 0:
				case prog.Stats.Generator == GenWorkbench && sec.Op == opJgeK:
					searches++
				default:
					t.Errorf("%v: a section starts with %+v, not ld [0]", arches, sec)
				}
			}
		}
		if searches != splits {
			t.Errorf("%v: %d sections start with the search, want the %d of the split", arches, searches, splits)
		}
		if d, _ := prog.Run(catalog.S390X, 1, [6]uint64{}); d.Action.Canon() != profile.ActKillThread {
			t.Errorf("%v: an unlisted ABI gets %s, want kill_thread", arches, d)
		}
	}
}
