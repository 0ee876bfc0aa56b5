package compile

import (
	"fmt"
	"sync"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// BPF opcodes the dispatch and the generator are written in
// (linux/filter.h).
const (
	opLdAbsW = 0x20 // BPF_LD|BPF_W|BPF_ABS
	opJeqK   = 0x15 // BPF_JMP|BPF_JEQ|BPF_K
	opJgtK   = 0x25 // BPF_JMP|BPF_JGT|BPF_K
	opJgeK   = 0x35 // BPF_JMP|BPF_JGE|BPF_K
	opJsetK  = 0x45 // BPF_JMP|BPF_JSET|BPF_K
	opJa     = 0x05 // BPF_JMP|BPF_JA
	opAndK   = 0x54 // BPF_ALU|BPF_AND|BPF_K
	opRetK   = 0x06 // BPF_RET|BPF_K
)

// abiGroup is the ABIs that share one seccomp_data.arch value, in the
// profile's order. Only x86_64 and x32 share one (AUDIT_ARCH_X86_64):
// the kernel tells them apart by the x32 bit of the syscall number.
type abiGroup struct {
	audit  uint32
	arches []catalog.Arch
}

func groupByAudit(arches []catalog.Arch) []abiGroup {
	var out []abiGroup
	for _, a := range arches {
		ai, _ := a.Info()
		found := false
		for i := range out {
			if out[i].audit == ai.Audit {
				out[i].arches = append(out[i].arches, a)
				found = true
			}
		}
		if !found {
			out = append(out, abiGroup{ai.Audit, []catalog.Arch{a}})
		}
	}
	return out
}

// compileABIs asks libseccomp for one program per ABI and joins them
// (join). libseccomp's export of one filter holding several ABIs costs
// several times the sum of exporting each alone, and each program it
// writes for a single ABI is complete on its own: it loads and checks the
// arch itself (an x86_64-only program sends numbers with the x32 bit to
// the bad-arch action, an x32-only one those without it), so a dispatch
// that jumps to the wrong program, or to none, gives the bad-arch action,
// never another ABI's rules. It returns the program, the sizes of the
// single-ABI programs (Program.PerArch) and how many instructions are the
// workbench's own.
func compileABIs(e *profile.Effective, o profile.Options, bodies map[catalog.Arch][]bpf.RawInstruction) (joined []bpf.RawInstruction, sizes map[catalog.Arch]int, own int, err error) {
	if err := sameByteOrder(e.Arches); err != nil {
		return nil, nil, 0, err
	}
	// The ABIs compile at once, each in its own libseccomp filter (a
	// filter context is never shared between goroutines; Verify checks
	// the result whatever happened).
	type result struct {
		prog []bpf.RawInstruction
		err  error
	}
	res := make([]result, len(e.Arches))
	var wg sync.WaitGroup
	for i, a := range e.Arches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := &res[i]
			r.prog, _, r.err = compileLib(e, []catalog.Arch{a}, o, false)
		}()
	}
	wg.Wait()
	progs := make(map[catalog.Arch][]bpf.RawInstruction, len(e.Arches))
	for i, a := range e.Arches {
		if res[i].err != nil {
			return nil, nil, 0, res[i].err
		}
		progs[a] = res[i].prog
	}
	return join(e, o, bodies, progs, true)
}

// join puts each ABI's program behind a dispatch on seccomp_data.arch,
// each ABI's prelude body (the workbench's own checks: preludeBodies,
// exemptBody) in front of its program, where only that ABI's calls
// arrive. checked says the programs check the arch themselves
// (libseccomp's do, the generator's do not).
//
// The dispatch is
//
//	ld [arch]
//	jeq AUDIT_1, 0, 1 ; ja section_1   one pair per AUDIT_ARCH value
//	...
//	ret BADARCH                        an ABI the filter does not list
//	(only for x86_64 with x32)
//	ld [nr] ; jset X32_BIT, 0, 1 ; ja x32_section ; ja x86_64_section
//	section_i: ld [nr] ; body_i        when the ABI has a body (x86_64
//	                                   or x32 without the other first
//	                                   skip it for the other's numbers);
//	                                   ld [nr] alone before a program
//	                                   that does not check the arch,
//	                                   unless the split loaded it
//	           program_i
//
// A conditional jump reaches 255 instructions ahead; ja's 32-bit offset
// reaches any section. One ABI whose program checks the arch needs no
// dispatch: its body goes behind a check of the arch instead
// (singlePrelude).
func join(e *profile.Effective, o profile.Options, bodies, progs map[catalog.Arch][]bpf.RawInstruction, checked bool) (joined []bpf.RawInstruction, sizes map[catalog.Arch]int, own int, err error) {
	sizes = make(map[catalog.Arch]int, len(e.Arches))
	for _, a := range e.Arches {
		sizes[a] = len(progs[a])
	}
	if len(e.Arches) == 1 && checked {
		a := e.Arches[0]
		pre, err := singlePrelude(a, bodies[a])
		if err != nil {
			return nil, nil, 0, err
		}
		return append(pre, progs[a]...), sizes, len(pre), nil
	}
	groups := groupByAudit(e.Arches)
	badArch, _ := modeAction(profile.ActKillThread, 0, o)
	badRet := profile.RetValue(profile.Decision{Action: badArch})
	split := splitABIs(e.Arches)
	section := func(a catalog.Arch) []bpf.RawInstruction {
		body := bodies[a]
		if len(body) == 0 {
			if checked || split[a] {
				return nil
			}
			// The generator's program starts with nr in A; the split
			// loaded it already.
			return []bpf.RawInstruction{{Op: opLdAbsW, K: cbpf.OffNr}}
		}
		sec := []bpf.RawInstruction{{Op: opLdAbsW, K: cbpf.OffNr}}
		// x86_64 and x32 share an arch value: without the split, the
		// other's numbers arrive here too and skip the body (the program
		// gives them the bad-arch action).
		if !split[a] {
			switch a {
			case catalog.X86_64:
				sec = append(sec, bpf.RawInstruction{Op: opJsetK, Jt: uint8(len(body)), K: catalog.X32SyscallBit})
			case catalog.X32:
				sec = append(sec, bpf.RawInstruction{Op: opJsetK, Jf: uint8(len(body)), K: catalog.X32SyscallBit})
			}
		}
		return append(sec, body...)
	}

	// Lay out: the dispatch, the x86_64/x32 splits, then the sections.
	pc := 1 + 2*len(groups) + 1
	splitAt := make([]int, len(groups))
	for i, g := range groups {
		if len(g.arches) > 1 {
			splitAt[i] = pc
			pc += 2 + len(g.arches)
		}
	}
	start := make(map[catalog.Arch]int, len(e.Arches))
	for _, a := range e.Arches {
		start[a] = pc
		pc += len(section(a)) + len(progs[a])
	}
	out := make([]bpf.RawInstruction, 0, pc)
	ja := func(target int) bpf.RawInstruction {
		// Relative to the instruction after the ja.
		return bpf.RawInstruction{Op: opJa, K: uint32(target - len(out) - 1)}
	}
	out = append(out, bpf.RawInstruction{Op: opLdAbsW, K: cbpf.OffArch})
	for i, g := range groups {
		target := start[g.arches[0]]
		if len(g.arches) > 1 {
			target = splitAt[i]
		}
		out = append(out, bpf.RawInstruction{Op: opJeqK, Jt: 0, Jf: 1, K: g.audit})
		out = append(out, ja(target))
	}
	out = append(out, bpf.RawInstruction{Op: opRetK, K: badRet})
	for _, g := range groups {
		if len(g.arches) == 1 {
			continue
		}
		x32, other, err := splitX32(g.arches)
		if err != nil {
			return nil, nil, 0, err
		}
		out = append(out,
			bpf.RawInstruction{Op: opLdAbsW, K: cbpf.OffNr},
			bpf.RawInstruction{Op: opJsetK, Jt: 0, Jf: 1, K: catalog.X32SyscallBit})
		out = append(out, ja(start[x32]))
		out = append(out, ja(start[other]))
	}
	own = len(out)
	for _, a := range e.Arches {
		sec := section(a)
		own += len(sec)
		out = append(out, sec...)
		out = append(out, progs[a]...)
	}
	if len(out) != pc {
		return nil, nil, 0, fmt.Errorf("internal error: the joined program has %d instructions, laid out for %d", len(out), pc)
	}
	return out, sizes, own, nil
}

// splitABIs says, for each ABI, whether the dispatch splits its
// AUDIT_ARCH value with another's on the x32 bit.
func splitABIs(arches []catalog.Arch) map[catalog.Arch]bool {
	split := map[catalog.Arch]bool{}
	for _, g := range groupByAudit(arches) {
		for _, a := range g.arches {
			split[a] = len(g.arches) > 1
		}
	}
	return split
}

// splitX32 returns the x32 ABI and the other one of a group sharing
// AUDIT_ARCH_X86_64; no other pair of ABIs shares an arch value.
func splitX32(g []catalog.Arch) (x32, other catalog.Arch, err error) {
	if len(g) != 2 {
		return "", "", fmt.Errorf("internal error: %d ABIs share one AUDIT_ARCH value: %v", len(g), g)
	}
	switch {
	case g[0] == catalog.X32:
		return g[0], g[1], nil
	case g[1] == catalog.X32:
		return g[1], g[0], nil
	}
	return "", "", fmt.Errorf("internal error: %s and %s share an AUDIT_ARCH value without x32's bit to tell them apart", g[0], g[1])
}

// sameByteOrder refuses ABIs of both byte orders in one filter:
// libseccomp refuses to add an ABI of the other one (EDOM), and runc,
// which adds every listed ABI, then refuses to start the container.
func sameByteOrder(arches []catalog.Arch) error {
	for _, a := range arches {
		if cbpf.BigEndian(a) != cbpf.BigEndian(arches[0]) {
			return fmt.Errorf("%s and %s cannot share a filter (different byte order; libseccomp refuses it, and so runc refuses to start such a container): list one byte order's ABIs per host (an archMap does), or check each with --arch", arches[0], a)
		}
	}
	return nil
}
