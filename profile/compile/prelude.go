package compile

import (
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// The workbench's own checks for one ABI, run before libseccomp's
// program for it with A holding nr, falling through to it when nothing
// in them returns (archBody; the generator's programs decide 2 and 3 in
// their search, and keep only 1, exemptBody):
//
//  1. the shim's exempt sendmsg/execve (watch and record modes),
//  2. syscalls the linked libseccomp does not know, by number,
//  3. ENOSYS for numbers above every number the profile names.
//
// With several ABIs each body sits behind the dispatch, in front of its
// ABI's program (compileABIs). With one there is no dispatch, and
// singlePrelude puts the body behind a check of seccomp_data.arch (and,
// for x86_64 and x32, the x32 bit), which skips it for any other ABI.

// preludeBodies assembles every ABI's body; an ABI without checks of
// its own has none.
func preludeBodies(e *profile.Effective, o profile.Options) (map[catalog.Arch][]bpf.RawInstruction, error) {
	byNumber, err := catalogOnly(e, o)
	if err != nil {
		return nil, err
	}
	out := map[catalog.Arch][]bpf.RawInstruction{}
	for _, arch := range e.Arches {
		body := archBody(e, o, arch, byNumber)
		if len(body) == 0 {
			continue
		}
		// The single-ABI head jumps over the whole body, and a jump's
		// offset is one byte.
		if len(body) > 250 {
			return nil, fmt.Errorf("too many syscalls compiled by number on %s (%d instructions): upgrade libseccomp", arch, len(body))
		}
		raw, err := bpf.Assemble(body)
		if err != nil {
			return nil, fmt.Errorf("assembling the prelude: %w", err)
		}
		out[arch] = raw
	}
	return out, nil
}

// singlePrelude is the prelude of a filter for arch alone: the arch
// check, then arch's body.
func singlePrelude(arch catalog.Arch, body []bpf.RawInstruction) ([]bpf.RawInstruction, error) {
	if len(body) == 0 {
		return nil, nil
	}
	ai, _ := arch.Info()
	var head []bpf.Instruction
	head = append(head, bpf.LoadAbsolute{Off: cbpf.OffArch, Size: 4})
	// Skip counts are relative to the next instruction.
	switch arch {
	case catalog.X86_64:
		head = append(head,
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: ai.Audit, SkipFalse: uint8(len(body) + 2)},
			bpf.LoadAbsolute{Off: cbpf.OffNr, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: catalog.X32SyscallBit, SkipTrue: uint8(len(body))})
	case catalog.X32:
		head = append(head,
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: ai.Audit, SkipFalse: uint8(len(body) + 2)},
			bpf.LoadAbsolute{Off: cbpf.OffNr, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: catalog.X32SyscallBit, SkipFalse: uint8(len(body))})
	default:
		head = append(head,
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: ai.Audit, SkipFalse: uint8(len(body) + 1)},
			bpf.LoadAbsolute{Off: cbpf.OffNr, Size: 4})
	}
	raw, err := bpf.Assemble(head)
	if err != nil {
		return nil, fmt.Errorf("assembling the prelude: %w", err)
	}
	return append(raw, body...), nil
}

type numbered struct {
	name   string
	action profile.Action
	errno  uint
}

// catalogOnly resolves, for each syscall the linked libseccomp does not
// know, the first rule naming it, as Decide does. Conditions on such
// calls cannot be compiled here.
func catalogOnly(e *profile.Effective, o profile.Options) ([]numbered, error) {
	if o.Variant == profile.VariantRecord {
		return nil, nil
	}
	cat := catalog.MustDefault()
	decided := map[string]bool{}
	var out []numbered
	for _, r := range e.Rules {
		for _, n := range r.Names {
			if _, ok := cat.Lookup(n); !ok || decided[n] || profile.LinkedKnows(n) {
				continue
			}
			if len(r.Args) > 0 {
				return nil, fmt.Errorf("syscalls[%d]: %s has argument conditions, but the installed libseccomp (%s, the one this workbench runs with) does not know %s, so they cannot be compiled: drop the conditions or upgrade libseccomp", r.Index, n, profile.LinkedLibseccomp(), n)
			}
			decided[n] = true
			act, errno := modeAction(r.Action, r.Errno, o)
			out = append(out, numbered{n, act, errno})
		}
	}
	return out, nil
}

// Numbered is a syscall the prelude decides by number, and the outcome
// it gets there.
type Numbered struct {
	Name     string
	Decision profile.Decision
}

// ByNumber lists the calls prog's prelude decides by number: those
// libseccomp does not know whose outcome is not the default's.
func ByNumber(prog *Program) []Numbered {
	e, o := prog.Effective, prog.Options
	nums, _ := catalogOnly(e, o)
	defAct, defErrno := modeAction(e.DefaultAction, e.DefaultErrno, o)
	var out []Numbered
	for _, n := range nums {
		if sameAsDefault(n.action, n.errno, defAct, defErrno) {
			continue
		}
		out = append(out, Numbered{n.name, profile.Decision{Action: n.action, Errno: n.errno}})
	}
	return out
}

// exemptBody is the shim's exemption on arch, in watch and record runs;
// it falls through with A holding nr for every other call.
func exemptBody(o profile.Options, arch catalog.Arch) []bpf.Instruction {
	cat := catalog.MustDefault()
	var body []bpf.Instruction
	if x := o.Exempt; x != nil && o.Variant != profile.VariantEnforce && x.Arch == arch {
		body = append(body, exemptCheck(cat, arch, "sendmsg", x, true)...)
		body = append(body, exemptCheck(cat, arch, "execve", x, false)...)
	}
	return body
}

func archBody(e *profile.Effective, o profile.Options, arch catalog.Arch, byNumber []numbered) []bpf.Instruction {
	cat := catalog.MustDefault()
	body := exemptBody(o, arch)
	defAct, defErrno := modeAction(e.DefaultAction, e.DefaultErrno, o)
	for _, n := range byNumber {
		ent, _ := cat.Lookup(n.name)
		nr, ok := ent.Number(arch)
		if !ok || sameAsDefault(n.action, n.errno, defAct, defErrno) {
			continue
		}
		body = append(body,
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipFalse: 1},
			bpf.RetConstant{Val: profile.RetValue(profile.Decision{Action: n.action, Errno: n.errno})})
	}
	if o.Variant != profile.VariantRecord && !o.NoENOSYS {
		if max, ok := e.StubLimit(arch); ok {
			act, errno := modeAction(profile.ActErrno, profile.ENOSYS, o)
			enosys := bpf.RetConstant{Val: profile.RetValue(profile.Decision{Action: act, Errno: errno})}
			if arch == catalog.ARM {
				// arm's private calls sit at 0x0f0000 and above; only
				// the ordinary range below them is stubbed.
				body = append(body,
					bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: uint32(max), SkipFalse: 2},
					bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 0x0f0000, SkipTrue: 1},
					enosys)
			} else {
				body = append(body,
					bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: uint32(max), SkipFalse: 1},
					enosys)
			}
		}
	}
	return body
}

// exemptCheck returns ALLOW when nr is the named call with the run's
// secret in args 3..5 (and, for sendmsg, the handoff fd in arg 0). Every
// failing test jumps to the end, where nr is reloaded for what follows.
func exemptCheck(cat *catalog.Catalog, arch catalog.Arch, name string, x *profile.Exemption, checkFD bool) []bpf.Instruction {
	ent, ok := cat.Lookup(name)
	if !ok {
		return nil
	}
	nr, ok := ent.Number(arch)
	if !ok {
		return nil
	}
	type cmp struct{ off, val uint32 }
	var cmps []cmp
	add := func(i int, v uint64) {
		lo, hi := cbpf.ArgWordOffsets(arch, i)
		cmps = append(cmps, cmp{lo, uint32(v)})
		if !arch.Is32Bit() {
			cmps = append(cmps, cmp{hi, uint32(v >> 32)})
		}
	}
	if checkFD {
		add(0, uint64(x.HandoffFD))
	}
	for i, m := range x.Magic {
		if arch.Is32Bit() {
			m &= 0xffffffff
		}
		add(3+i, m)
	}
	// Layout: jeq nr; (ld; jeq)*; ret allow; ld nr.
	n := 2*len(cmps) + 1 // instructions after the first jump up to "ld nr"
	out := []bpf.Instruction{bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipFalse: uint8(n)}}
	for i, c := range cmps {
		remaining := n - 2*(i+1) // instructions after this jeq up to "ld nr"
		out = append(out,
			bpf.LoadAbsolute{Off: c.off, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: c.val, SkipFalse: uint8(remaining)})
	}
	out = append(out, bpf.RetConstant{Val: profile.RetAllow}, bpf.LoadAbsolute{Off: cbpf.OffNr, Size: 4})
	return out
}
