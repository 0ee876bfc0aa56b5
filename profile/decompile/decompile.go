// Package decompile turns classic-BPF seccomp programs — one filter or a
// stack of them, as a process carries them — back into a profile that
// means the same: per ABI and syscall number, it explores every path of
// every program with the arguments left free, recovers the comparisons of
// each path as argument conditions (libseccomp compares a 64-bit argument
// as its high word, then its low word; the pair becomes one condition),
// and combines stacked filters by the kernel's precedence. The result is
// verified by running the original programs (cbpf.Trace) against
// profile.Decide on the recovered profile over every syscall number of
// every ABI and the boundary values of every comparison the programs
// make; a mismatch is an error, never a silently different profile. A
// program a profile cannot express (one that reads the instruction
// pointer, computes on arguments ...) is reported with the instruction.
package decompile

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Result is a recovered profile and what the recovery noticed.
type Result struct {
	Profile *profile.Profile
	// Warnings are legal but notable differences, such as what the
	// filters answer on ABIs this host's kernel never runs.
	Warnings []string
	// Checked is the number of inputs verified.
	Checked int
}

// badAudit is an AUDIT_ARCH no ABI has: the answer to it is the filters'
// answer for an ABI they do not handle.
const badAudit = 0xffffffff

// Combine settles the answers of stacked filters as the kernel does
// (kernel/seccomp.c, seccomp_run_filters): starting from ALLOW, it walks
// from the newest filter to the oldest and keeps an answer whose
// SECCOMP_RET_ACTION_FULL bits, as a signed number, are lower than the
// kept one's, so the strongest action wins and, among equal actions, the
// newest filter's data. rets are in installation order, oldest first.
func Combine(rets []uint32) uint32 {
	out := uint32(profile.RetAllow)
	for i := len(rets) - 1; i >= 0; i-- {
		if r := rets[i]; int32(r&profile.RetActionFull) < int32(out&profile.RetActionFull) {
			out = r
		}
	}
	return out
}

// numbers are the syscall numbers examined on arch: the catalog's and a
// few past the highest (compile.Inputs examines the same).
func numbers(cat *catalog.Catalog, arch catalog.Arch) []int64 {
	set := map[int64]bool{}
	for _, ent := range cat.All() {
		if nr, ok := ent.Number(arch); ok {
			set[nr] = true
		}
	}
	for _, n := range []int64{471, 499, 500, 1000, 4095} {
		set[arch.Base()+n] = true
	}
	out := make([]int64, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// combinedPaths explores every filter for one number and combines
// them: the product of their paths, in the order the programs try them,
// each with its conditions joined and the answer that wins.
func combinedPaths(progs [][]bpf.RawInstruction, arch catalog.Arch, audit uint32, nr int64, b *budget) ([]path, error) {
	cur := []path{{}}
	rets := [][]uint32{nil}
	for i, prog := range progs {
		ps, err := explore(prog, i, arch, audit, nr, b)
		if err != nil {
			return nil, err
		}
		var next []path
		var nextRets [][]uint32
		for j, c := range cur {
			for _, p := range ps {
				next = append(next, path{Conds: append(slices.Clone(c.Conds), p.Conds...)})
				nextRets = append(nextRets, append(slices.Clone(rets[j]), p.Ret))
			}
		}
		if len(next) > maxPaths {
			return nil, fmt.Errorf("decompile: more than %d combined paths for %s syscall %d", maxPaths, arch, nr)
		}
		cur, rets = next, nextRets
	}
	for i := range cur {
		cur[i].Ret = Combine(rets[i])
	}
	return cur, nil
}

// toCpath reads a path's conditions as one set per argument; ok is false
// for an infeasible path, why says what has no form.
func toCpath(p path, arch catalog.Arch, weak bool) (cp cpath, ok bool, why string) {
	var hi, lo [6][]cond
	for _, c := range p.Conds {
		if c.W.Hi {
			hi[c.W.Arg] = append(hi[c.W.Arg], c)
		} else {
			lo[c.W.Arg] = append(lo[c.W.Arg], c)
		}
	}
	cp.Ret = p.Ret
	for k := range 6 {
		a, ok, w := argOf(hi[k], lo[k], arch.Is32Bit(), weak)
		if !ok {
			return cp, false, ""
		}
		if w != "" {
			why = fmt.Sprintf("argument %d: %s", k, w)
			a = argSet{Why: w}
		}
		cp.Args[k] = a
	}
	return cp, true, why
}

func top(arch catalog.Arch) uint64 {
	if arch.Is32Bit() {
		return 0xffffffff
	}
	return ^uint64(0)
}

// abiView is what the filters do on one ABI.
type abiView struct {
	arch    catalog.Arch
	handled bool
	nrs     []int64
	treat   map[int64]treatment
	paths   map[int64][]path // raw paths, for the boundary values
}

// Decompile recovers the profile that stacked filters (oldest first)
// mean for a process on host, and verifies it.
func Decompile(progs [][]bpf.RawInstruction, host catalog.Arch) (*Result, error) {
	if len(progs) == 0 {
		return nil, fmt.Errorf("decompile: no filter to decompile")
	}
	cat := catalog.MustDefault()
	b := &budget{}
	bad, err := combinedPaths(progs, host, badAudit, 0, b)
	if err != nil {
		return nil, err
	}
	if len(bad) != 1 || len(bad[0].Conds) != 0 {
		return nil, fmt.Errorf("decompile: the answer for an unknown ABI depends on the arguments; a profile cannot say this")
	}
	badRet := bad[0].Ret
	res := &Result{}
	var views []*abiView
	for _, arch := range catalog.Arches() {
		v := &abiView{arch: arch, nrs: numbers(cat, arch), treat: map[int64]treatment{}, paths: map[int64][]path{}}
		ai, _ := arch.Info()
		for _, nr := range v.nrs {
			raw, err := combinedPaths(progs, arch, ai.Audit, nr, b)
			if err != nil {
				return nil, err
			}
			t, why := synthesize(raw, arch, badRet)
			if why != "" {
				return nil, fmt.Errorf("decompile: %s syscall %s: %s", arch, cat.Name(arch, nr), why)
			}
			v.treat[nr], v.paths[nr] = t, raw
			if !t.unconditional() || t.Final != badRet {
				v.handled = true
			}
		}
		views = append(views, v)
	}
	var handled []*abiView
	for _, v := range views {
		if v.handled {
			handled = append(handled, v)
		}
	}
	if len(handled) == 0 {
		return nil, fmt.Errorf("decompile: the filters answer %s to every call on every ABI; that is the answer for an ABI no profile lists, so no profile means it", profile.FromRet(badRet))
	}
	unchecked := profile.FromRet(badRet).Action.LetsThrough()
	switch {
	case unchecked:
		// The classic hole: a filter that never checks seccomp_data.arch
		// lets a process through by calling with another ABI's numbers
		// (int $0x80 on x86_64).
		res.Warnings = append(res.Warnings, fmt.Sprintf("the filters let a call from an ABI they do not check through (%s): a process can bypass them by calling through another ABI (int $0x80 on x86_64); a profile kills the thread there", profile.FromRet(badRet)))
	case profile.FromRet(badRet).Action.Canon() != profile.ActKillThread:
		res.Warnings = append(res.Warnings, fmt.Sprintf("on ABIs the filters do not handle they answer %s; a profile kills the thread there (libseccomp's bad-arch action)", profile.FromRet(badRet)))
	}
	// SECCOMP_RET_ERRNO with data 0 makes the call "succeed" without
	// running; a profile's errno is 1..4095.
	for i, prog := range progs {
		for pc, in := range prog {
			if in.Op == clsRET && in.K&profile.RetActionFull == profile.RetErrno && in.K&profile.RetData == 0 {
				return nil, &Inexpressible{Filter: i, PC: pc, Text: insnText(prog, pc), Reason: "it returns errno 0, so the call returns 0 without running; a profile's errno is 1..4095"}
			}
		}
	}
	// SECCOMP_RET_TRAP's data reaches the SIGSYS handler as si_errno
	// (Chromium's sandbox dispatches on it); a profile's trap has none.
	for i, prog := range progs {
		for pc, in := range prog {
			if in.Op == clsRET && in.K&profile.RetActionFull == profile.RetTrap && in.K&profile.RetData != 0 {
				res.Warnings = append(res.Warnings, fmt.Sprintf("filter %d returns trap with data %#x (instruction %d, and maybe others): the SIGSYS handler sees it as si_errno; a profile's trap carries none", i, in.K&profile.RetData, pc))
				break
			}
		}
	}
	// The default is the commonest denial, or the answer past every
	// call (which, for a deny-by-default filter, may be the stub's
	// ENOSYS); both are tried, and the smaller profile that verifies is
	// kept.
	var best *Result
	var firstErr error
	defs := defaults(hostView(handled, host))
	for _, def := range defs {
		r := &Result{Warnings: slices.Clone(res.Warnings)}
		p, err := assemble(handled, host, cat, def)
		if err == nil {
			r.Profile = p
			err = verify(r, progs, views, host, badRet, b)
		}
		if err != nil {
			if firstErr == nil || len(defs) > 1 && def != defs[0] {
				// The commonest denial is the likelier default: its
				// error says more.
				firstErr = err
			}
			continue
		}
		if best == nil || len(r.Profile.Syscalls) < len(best.Profile.Syscalls) {
			best = r
		}
	}
	if best != nil {
		// What a user saves must load again: the profile passes the
		// same validation as any file.
		data, err := json.Marshal(best.Profile)
		if err == nil {
			_, err = profile.Parse("the recovered profile", data)
		}
		if err != nil {
			return nil, fmt.Errorf("decompile: %w", err)
		}
	}
	if best == nil {
		if unchecked {
			return nil, fmt.Errorf("%w (the filters do not check the ABI: a process can bypass them through another one)", firstErr)
		}
		return nil, firstErr
	}
	return best, nil
}

// hostView picks the host's ABI among the handled ones, else the first.
func hostView(vs []*abiView, host catalog.Arch) *abiView {
	for _, v := range vs {
		if v.arch == host {
			return v
		}
	}
	return vs[0]
}

// decision is what the kernel does with a filter's answer: FromRet, with
// an errno above MAX_ERRNO capped to it (__seccomp_filter).
func decision(r uint32) profile.Decision {
	d := profile.FromRet(r)
	if d.Action == profile.ActErrno && d.Errno > maxErrno {
		d.Errno = maxErrno
	}
	return d
}

// maxErrno is MAX_ERRNO.
const maxErrno = 4095

func isENOSYS(r uint32) bool {
	d := profile.FromRet(r)
	return d.Action == profile.ActErrno && d.Errno == profile.ENOSYS
}

// defaults are the candidate default actions: the answer for a number
// past every syscall, and when that is ENOSYS (the stub for newer calls
// gives it too) the commonest other denial.
func defaults(v *abiView) []uint32 {
	beyond := v.treat[v.arch.Base()+4095]
	d := beyond.Final
	if profile.FromRet(d).Action.LetsThrough() || !isENOSYS(d) {
		return []uint32{d}
	}
	out := []uint32{d}
	count := map[uint32]int{}
	for _, nr := range v.nrs {
		t := v.treat[nr]
		if t.unconditional() && !isENOSYS(t.Final) && !profile.FromRet(t.Final).Action.LetsThrough() {
			count[t.Final]++
		}
	}
	best := -1
	for r, n := range count {
		if n > best || (n == best && r < d) {
			d, best = r, n
		}
	}
	if best > 0 {
		out = append(out, d)
	}
	return out
}

func actionOf(r uint32) (profile.Action, *uint) {
	d := decision(r)
	if d.Action.TakesErrno() {
		e := d.Errno
		return d.Action, &e
	}
	return d.Action, nil
}

// assemble writes the per-name treatments as a profile: the handled ABIs,
// a default, one rule per name whose outcome depends on the arguments,
// and one rule per outcome naming the calls that get it unconditionally.
func assemble(vs []*abiView, host catalog.Arch, cat *catalog.Catalog, def uint32) (*profile.Profile, error) {
	stub := !profile.FromRet(def).Action.LetsThrough()
	p := &profile.Profile{Syscalls: []*profile.Rule{}}
	p.DefaultAction, p.DefaultErrnoRet = actionOf(def)
	var arches []catalog.Arch
	for _, v := range vs {
		arches = append(arches, v.arch)
	}
	p.Architectures = catalog.DockerNames(profile.HostFirst(arches, host))

	// tail[arch] is the catalog number above which every catalog number
	// answers ENOSYS: the stub's range when the default denies. (Numbers
	// no call has cannot be named; verify warns about them.)
	tail := map[catalog.Arch]int64{}
	for _, v := range vs {
		t := int64(-1)
		for _, nr := range v.nrs {
			if _, known := cat.ByNumber(v.arch, nr); !known || !profile.InStubRange(v.arch, nr) {
				continue
			}
			tr := v.treat[nr]
			if !(tr.unconditional() && isENOSYS(tr.Final)) {
				t = nr
			}
		}
		tail[v.arch] = t
	}
	type named struct {
		t    treatment
		arch catalog.Arch
		view *abiView
		nr   int64
	}
	per := map[string]*named{}
	var order []string
	for _, ent := range cat.All() {
		for _, v := range vs {
			nr, ok := ent.Number(v.arch)
			if !ok {
				continue
			}
			t := v.treat[nr]
			plain := t.unconditional() && t.Final == def
			stubbed := stub && profile.InStubRange(v.arch, nr) && nr > tail[v.arch]
			if stubbed && t.unconditional() && isENOSYS(t.Final) {
				plain = true
			}
			key := t
			if plain {
				key = treatment{Final: def}
			}
			n := per[ent.Name]
			if n == nil {
				per[ent.Name] = &named{t: key, arch: v.arch, view: v, nr: nr}
				order = append(order, ent.Name)
				continue
			}
			same := n.t.key() == key.key()
			if !same && n.arch.Is32Bit() != v.arch.Is32Bit() {
				// A 32-bit ABI sees the low words only: one of the 64-bit
				// ABI's forms, cut to 32 bits as Decide cuts them, may
				// mean there what its own rules mean. Keep that one.
				t64, t32, v32, nr32 := key, n.t, n.view, n.nr
				if v.arch.Is32Bit() {
					t64, t32, v32, nr32 = n.t, key, v, nr
				}
				for _, form := range append([]treatment{t64}, t64.Alts...) {
					if sameMeaning(ent.Name, v32, nr32, form, t32, def) {
						same = true
						if v.arch.Is32Bit() {
							n.t = form
						} else {
							n.t, n.arch, n.view, n.nr = form, v.arch, v, nr
						}
						break
					}
				}
			}
			if !same && n.arch.Is32Bit() == v.arch.Is32Bit() {
				// Two ABIs of one width: a form they share.
			forms:
				for _, a := range append([]treatment{n.t}, n.t.Alts...) {
					for _, b := range append([]treatment{key}, key.Alts...) {
						if a.key() == b.key() {
							n.t, same = a, true
							break forms
						}
					}
				}
			}
			if !same {
				return nil, fmt.Errorf("decompile: syscall %s: on %s the filters do %s, on %s %s; a profile treats a name alike on every ABI it lists",
					ent.Name, n.arch, describeT(n.t), v.arch, describeT(key))
			}
		}
	}
	// The multiplexers come first: Decide (as libseccomp) also applies
	// a rule for a call they carry (socket, semop ...) to them, so one
	// with rules of its own is decided by those before any other.
	var rest []string
	for _, name := range order {
		if name != catalog.SocketCall && name != catalog.IPC {
			rest = append(rest, name)
		}
	}
	order = append([]string{catalog.SocketCall, catalog.IPC}, rest...)
	uncond := map[uint32][]string{}
	var rets []uint32
	for _, name := range order {
		n := per[name]
		if n == nil {
			continue
		}
		t := n.t
		if t.unconditional() && t.Final != def && (name == catalog.SocketCall || name == catalog.IPC) {
			act, errno := actionOf(t.Final)
			p.Syscalls = append(p.Syscalls, &profile.Rule{Names: []string{name}, Action: act, ErrnoRet: errno})
			continue
		}
		if t.unconditional() {
			if t.Final != def {
				if uncond[t.Final] == nil {
					rets = append(rets, t.Final)
				}
				uncond[t.Final] = append(uncond[t.Final], name)
			}
			continue
		}
		for _, r := range t.Rules {
			act, errno := actionOf(r.Ret)
			p.Syscalls = append(p.Syscalls, &profile.Rule{Names: []string{name}, Action: act, ErrnoRet: errno, Args: r.Args})
		}
		if t.Final != def {
			act, errno := actionOf(t.Final)
			p.Syscalls = append(p.Syscalls, &profile.Rule{Names: []string{name}, Action: act, ErrnoRet: errno})
		}
	}
	sort.Slice(rets, func(i, j int) bool { return rets[i] > rets[j] })
	for _, r := range rets {
		act, errno := actionOf(r)
		names := uncond[r]
		sort.Strings(names)
		p.Syscalls = append(p.Syscalls, &profile.Rule{Names: names, Action: act, ErrnoRet: errno})
	}
	if stub {
		anchorStub(p, vs, tail, def, cat)
	}
	return p, nil
}

// anchorStub names, with the default action, the last call before the
// ENOSYS range on each ABI where the rules name none that high: the
// stub for newer calls starts above the highest number a rule names.
func anchorStub(p *profile.Profile, vs []*abiView, tail map[catalog.Arch]int64, def uint32, cat *catalog.Catalog) {
	eff := p.Effective(profile.Env{Host: vs[0].arch})
	var anchors []string
	for _, v := range vs {
		t := tail[v.arch]
		if t < 0 {
			continue
		}
		if m, ok := eff.MaxNumber(v.arch); ok && m >= t {
			continue
		}
		if ent, ok := cat.ByNumber(v.arch, t); ok && !slices.Contains(anchors, ent.Name) {
			anchors = append(anchors, ent.Name)
		}
	}
	if len(anchors) > 0 {
		act, errno := actionOf(def)
		p.Syscalls = append(p.Syscalls, &profile.Rule{Names: anchors, Action: act, ErrnoRet: errno,
			Comment: "named so that the ENOSYS answer for newer calls starts where the filter's does"})
	}
}

// sameMeaning reports whether two treatments of name decide alike on
// a 32-bit ABI, as Decide applies them there (values cut to 32 bits),
// over the values around both the program's and the rules' comparisons.
func sameMeaning(name string, v *abiView, nr int64, a, b treatment, def uint32) bool {
	ea, eb := miniEffective(name, v.arch, a, def), miniEffective(name, v.arch, b, def)
	inputs := append(argInputs(v.paths[nr], v.arch), profile.ArgInputs(v.arch, name, ea, eb)...)
	o := profile.Options{NoENOSYS: true}
	for _, args := range inputs {
		if !ea.Decide(v.arch, nr, args, o).Same(eb.Decide(v.arch, nr, args, o)) {
			return false
		}
	}
	return true
}

// miniEffective is a profile of one ABI holding t's rules for name.
func miniEffective(name string, arch catalog.Arch, t treatment, def uint32) *profile.Effective {
	p := &profile.Profile{Architectures: []string{arch.Docker()}, Syscalls: []*profile.Rule{}}
	p.DefaultAction, p.DefaultErrnoRet = actionOf(def)
	for _, r := range t.Rules {
		act, errno := actionOf(r.Ret)
		p.Syscalls = append(p.Syscalls, &profile.Rule{Names: []string{name}, Action: act, ErrnoRet: errno, Args: r.Args})
	}
	act, errno := actionOf(t.Final)
	p.Syscalls = append(p.Syscalls, &profile.Rule{Names: []string{name}, Action: act, ErrnoRet: errno})
	return p.Effective(profile.Env{Host: arch})
}

func describeT(t treatment) string {
	if t.unconditional() {
		return profile.FromRet(t.Final).String()
	}
	var parts []string
	for _, r := range t.Rules {
		var cs []string
		for _, a := range r.Args {
			cs = append(cs, fmt.Sprintf("arg%d %s %#x", a.Index, strings.TrimPrefix(string(a.Op), "SCMP_CMP_"), a.Value))
		}
		parts = append(parts, fmt.Sprintf("%s when %s", profile.FromRet(r.Ret), strings.Join(cs, " and ")))
	}
	return strings.Join(parts, "; ") + "; else " + profile.FromRet(t.Final).String()
}
