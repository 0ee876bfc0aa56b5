// Package compile turns an effective profile into a seccomp BPF program
// and proves it. Compile is the workbench's own generator (gen.go): per
// ABI a balanced binary search on seccomp_data.nr over the ranges on
// which the profile's meaning (profile.Decider) does not change, the
// rules of a call that compares arguments in profile order, joined behind
// the workbench's dispatch on seccomp_data.arch with the runner's
// exemption in front. CompileLibseccomp is the peer: libseccomp's program
// for each ABI behind the same dispatch, each with the workbench's
// prelude (the exemption, calls the linked libseccomp does not know, the
// ENOSYS stub for newer calls). Verify runs a program in an emulator over
// every syscall number of every ABI and the argument values around every
// comparison, and refuses one that disagrees with the profile's meaning
// (profile.Decide); Build generates and verifies, and falls back to
// libseccomp's program when the generator cannot express the profile or
// its program fails Verify (Stats.Fallback says why). Explain traces one
// call through a verified program. Nothing here loads a filter:
// installing is the runner's job.
package compile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	seccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// Stats describe a compiled program.
type Stats struct {
	Instructions int
	// Generator names who wrote the rules' code: GenWorkbench (the
	// workbench's own generator) or GenLibseccomp.
	Generator string
	// Fallback says why Build used libseccomp's program instead of the
	// workbench's ("" when it did not).
	Fallback string `json:",omitempty"`
	// Prelude counts the workbench's own instructions around libseccomp's
	// programs: the dispatch, and per ABI the shim exemption, calls the
	// linked libseccomp does not know and the ENOSYS stub. In a program
	// the workbench generated every instruction is its own; Prelude
	// counts the dispatch and the exemption.
	Prelude int
	// ByNumber lists syscalls the linked libseccomp does not know (its
	// program decides them by number in the prelude; its PFC omits them).
	ByNumber []string
	// Skipped lists names no supported ABI has (lint reports them).
	Skipped []string
}

// Program is a compiled, not yet verified, filter.
type Program struct {
	Insns     []bpf.RawInstruction
	Options   profile.Options
	Effective *profile.Effective
	Stats     Stats
	// perArch is the size of each ABI's own program.
	perArch map[catalog.Arch]int
}

// Compile builds the workbench's own BPF program for e (generate). It is
// pure: nothing is loaded. The caller must Verify the result before
// using it (Build does both).
func Compile(e *profile.Effective, o profile.Options) (*Program, error) {
	if err := compilable(e); err != nil {
		return nil, err
	}
	return generate(e, o)
}

func compilable(e *profile.Effective) error {
	if len(e.Arches) == 0 {
		return fmt.Errorf("the profile names no ABI the workbench can compile (%s): add SCMP_ARCH_X86_64 or another supported one", strings.Join(e.Unsupported, ", "))
	}
	return nil
}

// CompileLibseccomp builds e's program from libseccomp's, one per ABI
// behind the workbench's prelude and dispatch: the peer of Compile, and
// Build's fallback.
func CompileLibseccomp(e *profile.Effective, o profile.Options) (*Program, error) {
	if err := compilable(e); err != nil {
		return nil, err
	}
	prog := &Program{Options: o, Effective: e}
	prog.Stats.Generator = GenLibseccomp
	bodies, err := preludeBodies(e, o)
	if err != nil {
		return nil, err
	}
	insns, perArch, own, err := compileABIs(e, o, bodies)
	if err != nil {
		return nil, err
	}
	prog.Insns, prog.perArch = insns, perArch
	prog.Stats.Prelude = own
	prog.Stats.Instructions = len(prog.Insns)
	prog.Stats.ByNumber = libseccompLacks(e, o)
	prog.Stats.Skipped = skippedNames(e, o)
	if len(prog.Insns) > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("the compiled filter has %d instructions, over the kernel's limit of %d: group rules or drop arches", len(prog.Insns), unix.BPF_MAXINSNS)
	}
	return prog, nil
}

// PFC is libseccomp's pseudo filter code for the profile's rules, all
// ABIs in one filter. libseccomp builds it from the same rules once more,
// so only an export that asks for it pays for it; the program itself may
// be the workbench's own (Stats.Generator).
func (p *Program) PFC() (string, error) {
	_, pfc, err := compileLib(p.Effective, p.Effective.Arches, p.Options, true)
	return pfc, err
}

// PerArch returns the size of each ABI's own program: what each ABI
// costs. Compile made them; a Program made otherwise (the cache) is
// generated again.
func (p *Program) PerArch() (map[catalog.Arch]int, error) {
	if p.perArch != nil {
		return maps.Clone(p.perArch), nil
	}
	var again *Program
	var err error
	if p.Stats.Generator == GenLibseccomp {
		again, err = CompileLibseccomp(p.Effective, p.Options)
	} else {
		again, err = Compile(p.Effective, p.Options)
	}
	if err != nil {
		return nil, err
	}
	return again.perArch, nil
}

// Build compiles e with the workbench's generator and verifies the
// result. When the generator cannot express the profile or its program
// fails Verify, Build falls back to libseccomp's program, verified the
// same way, and says why in Stats.Fallback.
func Build(e *profile.Effective, o profile.Options) (*Program, error) {
	p, err := Compile(e, o)
	if err == nil {
		if err = Verify(p); err == nil {
			return p, nil
		}
	}
	if compilable(e) != nil {
		return nil, err
	}
	why := "the workbench's generator: " + err.Error()
	genErr := err
	p, err = CompileLibseccomp(e, o)
	if err == nil {
		err = Verify(p)
	}
	if err != nil {
		var verr *VerifyError
		if errors.As(genErr, &verr) || err.Error() == genErr.Error() {
			return nil, err
		}
		// Neither could: say why for both.
		return nil, fmt.Errorf("%s; and libseccomp: %w", why, err)
	}
	p.Stats.Fallback = why
	return p, nil
}

var scmpOps = map[profile.Operator]seccomp.ScmpCompareOp{
	profile.OpNotEqual: seccomp.CompareNotEqual, profile.OpLessThan: seccomp.CompareLess,
	profile.OpLessEqual: seccomp.CompareLessOrEqual, profile.OpEqualTo: seccomp.CompareEqual,
	profile.OpGreaterEqual: seccomp.CompareGreaterEqual, profile.OpGreaterThan: seccomp.CompareGreater,
	profile.OpMaskedEqual: seccomp.CompareMaskedEqual,
}

// modeAction is the action compiled for a profile action in mode o.
func modeAction(a profile.Action, errno uint, o profile.Options) (profile.Action, uint) {
	if o.Variant == profile.VariantWatch && a.Canon() != profile.ActAllow {
		return profile.ActNotify, 0
	}
	return a, errno
}

// compileLib asks libseccomp for the filter over arches. Rules that a
// previous unconditional rule for the same name shadows are skipped, so
// libseccomp sees the same first-match meaning Decide gives the profile.
func compileLib(e *profile.Effective, arches []catalog.Arch, o profile.Options, wantPFC bool) ([]bpf.RawInstruction, string, error) {
	cat := catalog.MustDefault()
	defAct, defErrno := modeAction(e.DefaultAction, e.DefaultErrno, o)
	if o.Variant == profile.VariantRecord {
		defAct = profile.ActNotify
	}
	sdef, err := defAct.Lib(defErrno)
	if err != nil {
		return nil, "", err
	}
	f, err := seccomp.NewFilter(sdef)
	if err != nil {
		return nil, "", fmt.Errorf("libseccomp: new filter: %w", err)
	}
	defer f.Release()
	native, err := seccomp.GetNativeArch()
	if err != nil {
		return nil, "", err
	}
	if err := sameByteOrder(arches); err != nil {
		return nil, "", err
	}
	// Drop the native arch first when it is not wanted, so a big-endian
	// target can be compiled on a little-endian host.
	keepNative := false
	for _, a := range arches {
		if a.Native() == native.String() {
			keepNative = true
		}
	}
	// libseccomp 2.5.4 writes some instructions of a cross-endian program
	// (an s390x filter built on x86_64) in the wrong byte order; verify
	// catches it, but say plainly why instead.
	if cbpf.BigEndian(arches[0]) != hostBigEndian() {
		return nil, "", fmt.Errorf("%s has the other byte order than this machine, and libseccomp cannot build such a filter correctly here: compile it on a %s host", arches[0], arches[0])
	}
	if !keepNative {
		if err := f.RemoveArch(native); err != nil {
			return nil, "", fmt.Errorf("libseccomp: remove native arch: %w", err)
		}
	}
	for _, a := range arches {
		sa, err := seccomp.GetArchFromString(a.Native())
		if err != nil {
			return nil, "", fmt.Errorf("libseccomp does not support %s: %w", a, err)
		}
		if sa == native {
			continue
		}
		if err := f.AddArch(sa); err != nil {
			return nil, "", fmt.Errorf("libseccomp: add arch %s: %w", a, err)
		}
	}
	// Watch mode lets the supervisor see (and then kill) a call from an
	// ABI the profile does not list.
	badArch, _ := modeAction(profile.ActKillThread, 0, o)
	sbad, err := badArch.Lib(0)
	if err != nil {
		return nil, "", err
	}
	if err := f.SetBadArchAction(sbad); err != nil {
		return nil, "", err
	}
	rules := 0
	if o.Variant != profile.VariantRecord {
		uncond := map[string]bool{}
		for k, r := range e.Rules {
			act, errno := modeAction(r.Action, r.Errno, o)
			sact, err := act.Lib(errno)
			if err != nil {
				return nil, "", err
			}
			var conds []seccomp.ScmpCondition
			for _, a := range r.Args {
				var c seccomp.ScmpCondition
				if a.Op == profile.OpMaskedEqual {
					c, err = seccomp.MakeCondition(a.Index, scmpOps[a.Op], a.Value, a.ValueTwo)
				} else {
					c, err = seccomp.MakeCondition(a.Index, scmpOps[a.Op], a.Value)
				}
				if err != nil {
					return nil, "", fmt.Errorf("syscalls[%d]: condition on arg %d: %w", r.Index, a.Index, err)
				}
				conds = append(conds, c)
			}
			for _, name := range r.Names {
				if uncond[name] {
					continue
				}
				if len(conds) == 0 {
					uncond[name] = true
				}
				ent, known := cat.Lookup(name)
				if !known || !(onAny(ent, arches) || muxedOn(name, arches)) {
					continue // Stats.Skipped names those no ABI has
				}
				if !profile.LinkedKnows(name) {
					// Compiled by number in the prelude.
					continue
				}
				if sameAsDefault(act, errno, defAct, defErrno) {
					// libseccomp refuses a rule whose action is the
					// filter's default, with or without conditions. Leaving
					// it out changes nothing unless a later rule would
					// decide the calls it matches otherwise.
					if len(conds) == 0 || !laterOverrides(e, k, name, o, defAct, defErrno) {
						continue
					}
					return nil, "", fmt.Errorf("syscalls[%d]: its conditions keep some %s calls at the default action (%s) ahead of a later rule, and libseccomp cannot add a rule whose action is the default: give the later rule conditions that leave those calls out instead",
						r.Index, name, profile.Decision{Action: defAct, Errno: defErrno})
				}
				sc, err := seccomp.GetSyscallFromName(name)
				if err != nil {
					return nil, "", fmt.Errorf("syscalls[%d]: libseccomp %s cannot resolve %s: %w", r.Index, profile.LinkedLibseccomp(), name, err)
				}
				if len(conds) == 0 {
					err = f.AddRule(sc, sact)
				} else {
					err = f.AddRuleConditional(sc, sact, conds)
				}
				if err != nil {
					return nil, "", fmt.Errorf("syscalls[%d]: libseccomp refused the rule for %s: %w", r.Index, name, err)
				}
				rules++
			}
		}
	}
	if !o.NoOptimize && rules > 0 {
		// The binary tree is only safe with at least one rule: libseccomp
		// 2.5.4 generates a broken program for an empty tree.
		if err := f.SetOptimize(2); err != nil {
			return nil, "", fmt.Errorf("libseccomp: optimize: %w", err)
		}
	}
	raw, err := exportBPF(f, cbpf.BigEndian(arches[0]))
	if err != nil {
		return nil, "", err
	}
	pfc := ""
	if wantPFC {
		pfc, err = exportPFC(f)
		if err != nil {
			return nil, "", err
		}
	}
	return raw, pfc, nil
}

func hostBigEndian() bool {
	return binary.NativeEndian.Uint16([]byte{0, 1}) == 1
}

// laterOverrides reports whether a rule after e.Rules[k] can give name an
// outcome other than the default (def, defErrno) in mode o.
func laterOverrides(e *profile.Effective, k int, name string, o profile.Options, def profile.Action, defErrno uint) bool {
	for _, r := range e.Rules[k+1:] {
		if !r.Has(name) {
			continue
		}
		act, errno := modeAction(r.Action, r.Errno, o)
		if !sameAsDefault(act, errno, def, defErrno) {
			return true
		}
		if len(r.Args) == 0 {
			return false // it decides every call that gets this far
		}
	}
	return false
}

func sameAsDefault(a profile.Action, errno uint, def profile.Action, defErrno uint) bool {
	if a.Canon() != def.Canon() {
		return false
	}
	return a.Canon() != profile.ActErrno || errno == defErrno
}

func onAny(e *catalog.Entry, arches []catalog.Arch) bool {
	for _, a := range arches {
		if _, ok := e.Number(a); ok {
			return true
		}
	}
	return false
}

// muxedOn reports whether libseccomp maps name onto a multiplexer on one
// of arches (accept and recv on x86 exist only as socketcall operations).
func muxedOn(name string, arches []catalog.Arch) bool {
	mux, _, ok := catalog.MuxOp(name)
	if !ok {
		return false
	}
	cat := catalog.MustDefault()
	for _, a := range arches {
		if a.Multiplexes() {
			if ent, ok := cat.Lookup(mux); ok {
				if _, ok := ent.Number(a); ok {
					return true
				}
			}
		}
	}
	return false
}

func appendOnce[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// exportBPF reads libseccomp's program through a memfd (libseccomp 2.5
// has no in-memory export). libseccomp writes it in the byte order of the
// filter's ABIs, which is the order the target kernel reads.
func exportBPF(f *seccomp.ScmpFilter, be bool) ([]bpf.RawInstruction, error) {
	b, err := viaMemfd("bpf", f.ExportBPF)
	if err != nil {
		return nil, fmt.Errorf("libseccomp: export bpf: %w", err)
	}
	if len(b)%8 != 0 {
		return nil, errors.New("libseccomp: exported program is not whole instructions")
	}
	out := make([]bpf.RawInstruction, len(b)/8)
	order := binary.ByteOrder(binary.LittleEndian)
	if be {
		order = binary.BigEndian
	}
	for i := range out {
		w := b[i*8:]
		out[i] = bpf.RawInstruction{Op: order.Uint16(w), Jt: w[2], Jf: w[3], K: order.Uint32(w[4:])}
	}
	return out, nil
}

func exportPFC(f *seccomp.ScmpFilter) (string, error) {
	b, err := viaMemfd("pfc", f.ExportPFC)
	if err != nil {
		return "", fmt.Errorf("libseccomp: export pfc: %w", err)
	}
	return string(b), nil
}

func viaMemfd(name string, export func(*os.File) error) ([]byte, error) {
	fd, err := unix.MemfdCreate("seccomp-workbench-"+name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	file := os.NewFile(uintptr(fd), name)
	defer file.Close()
	if err := export(file); err != nil {
		return nil, err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return io.ReadAll(file)
}

// Bytes renders the program as the kernel's struct sock_filter array in
// the byte order of the ABIs it filters, i.e. of the host that loads it
// (what bubblewrap's --seccomp fd and seccomp(2) take).
func (p *Program) Bytes() []byte {
	order := binary.ByteOrder(binary.LittleEndian)
	if len(p.Effective.Arches) > 0 && cbpf.BigEndian(p.Effective.Arches[0]) {
		order = binary.BigEndian
	}
	out := make([]byte, 8*len(p.Insns))
	for i, in := range p.Insns {
		w := out[8*i:]
		order.PutUint16(w, in.Op)
		w[2], w[3] = in.Jt, in.Jf
		order.PutUint32(w[4:], in.K)
	}
	return out
}
