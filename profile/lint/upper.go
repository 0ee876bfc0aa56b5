package lint

import (
	"fmt"
	"sort"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// upperHalf finds comparisons on arguments the kernel declares as 32-bit
// (or narrower) ints, on 64-bit ABIs. The kernel converts the register to
// the declared type and ignores its upper half; the filter compares all
// 64 bits. So a caller can set bits above 32 and get past a condition
// that would deny the call the kernel then makes: socket(0x100000028)
// is AF_VSOCK to the kernel, but not "== 40" (nor "<= 40") to the filter.
// For each such argument the check tries the values around every
// comparison with the upper half cleared (the call the kernel runs) and
// set: a finding is an input the filter lets through whose kernel-side
// twin the profile denies.
func (l *linter) upperHalf() {
	type hit struct {
		arches    []catalog.Arch
		rule      int
		msg, hint string
	}
	hits := map[string]*hit{}
	var order []string
	for _, arch := range l.e.Arches {
		if arch.Is32Bit() {
			continue
		}
		for _, name := range l.conditionalNames(arch) {
			ent, ok := l.cat.Lookup(name)
			if !ok {
				continue
			}
			nr, ok := ent.Number(arch)
			if !ok {
				continue
			}
			narrow := l.narrowTested(arch, name)
			if len(narrow) == 0 {
				continue
			}
			msg, hint, rule, found := l.upperBypass(arch, nr, name, narrow)
			if !found {
				continue
			}
			if h, ok := hits[name]; ok && h.msg == msg {
				h.arches = append(h.arches, arch)
				continue
			}
			if _, ok := hits[name]; ok {
				continue
			}
			hits[name] = &hit{arches: []catalog.Arch{arch}, rule: rule, msg: msg, hint: hint}
			order = append(order, name)
		}
	}
	for _, name := range order {
		h := hits[name]
		l.add(SevWarning, "int-upper-half", h.rule, name,
			fmt.Sprintf("on %s %s", profile.JoinArches(h.arches), h.msg), h.hint)
	}
}

// conditionalNames are the calls some rule tests the arguments of on
// arch, multiplexer forms included, sorted.
func (l *linter) conditionalNames(arch catalog.Arch) []string {
	seen := map[string]bool{}
	for _, r := range l.e.Rules {
		if len(r.Args) == 0 {
			continue
		}
		for _, n := range r.Names {
			seen[n] = true
		}
	}
	if arch.Multiplexes() {
		for _, mux := range []string{catalog.SocketCall, catalog.IPC} {
			for _, v := range l.e.RulesOn(arch, mux) {
				if v.Via != "" {
					seen[mux] = true
				}
			}
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// narrowTested lists the argument indexes of name that a condition tests
// on arch and that the kernel declares narrower than 64 bits.
func (l *linter) narrowTested(arch catalog.Arch, name string) []int {
	var out []int
	for _, v := range l.e.RulesOn(arch, name) {
		for _, c := range v.Args {
			i := int(c.Index)
			if l.cat.Narrow(name, i) && !containsInt(out, i) {
				out = append(out, i)
			}
		}
	}
	sort.Ints(out)
	return out
}

// maxBypass caps the examples one finding lists.
const maxBypass = 3

func (l *linter) upperBypass(arch catalog.Arch, nr int64, name string, narrow []int) (msg, hint string, rule int, found bool) {
	type bypass struct {
		arg          int
		kernel, sent [6]uint64
		want, got    profile.Decision
	}
	var bs []bypass
	seen := map[[6]uint64]bool{}
	for _, a := range profile.ArgCases(l.e, arch, name) {
		kernel, _ := profile.KernelArgs(arch, name, a)
		if seen[kernel] {
			continue
		}
		seen[kernel] = true
		want := l.e.Decide(arch, nr, kernel, profile.Options{})
		if want.Action.LetsThrough() {
			continue
		}
	next:
		for _, i := range narrow {
			for _, high := range []uint64{1 << 32, 0xffffffff << 32} {
				b := kernel
				b[i] |= high
				if got := l.e.Decide(arch, nr, b, profile.Options{}); got.Action.LetsThrough() {
					bs = append(bs, bypass{i, kernel, b, want, got})
					break next
				}
			}
		}
	}
	if len(bs) == 0 {
		return "", "", -1, false
	}
	sort.Slice(bs, func(x, y int) bool { return bs[x].kernel[bs[x].arg] < bs[y].kernel[bs[y].arg] })
	first := bs[0]
	rule, by := l.decidedBy(first.got)
	ps, _ := l.cat.Params(name)
	arg := fmt.Sprintf("argument %d", first.arg)
	if first.arg < len(ps) {
		arg = fmt.Sprintf("argument %d (%s %s)", first.arg, ps[first.arg].Type, ps[first.arg].Name)
	}
	var runs []string
	for k, b := range bs {
		if k == maxBypass {
			runs = append(runs, fmt.Sprintf("%d more", len(bs)-maxBypass))
			break
		}
		runs = append(runs, fmt.Sprintf("%s%s as %s%s", name, profile.FormatArgs(b.sent), name, profile.FormatArgs(b.kernel)))
	}
	msg = fmt.Sprintf("the kernel reads %s as 32 bits, so it runs %s, which the profile denies (%s); the filter compares all 64 bits and lets them through (%s, by %s)",
		arg, andList(runs), first.want, first.got, by)
	hint = fmt.Sprintf(`compare only the low 32 bits, in a denying rule ahead of the others: {"index": %d, "op": "SCMP_CMP_MASKED_EQ", "value": 4294967295, "valueTwo": %d}; or, for an argument that is never negative (a negative int arrives sign-extended), deny the values above 32 bits first: {"names": ["%s"], "action": "SCMP_ACT_ERRNO", "args": [{"index": %d, "value": 4294967295, "op": "SCMP_CMP_GT"}]}`,
		first.arg, first.kernel[first.arg], name, first.arg)
	return msg, hint, rule, true
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// ipcVersion: ipc's call number carries a version in its upper 16 bits,
// which the kernel strips before it picks the operation, but the rule
// libseccomp makes on ipc for a System V IPC call compares the whole
// number. So where a profile denies such a call and lets ipc through
// otherwise, ipc(op | 1<<16) reaches the call the profile denies.
func (l *linter) ipcVersion() {
	ent, ok := l.cat.Lookup(catalog.IPC)
	if !ok {
		return
	}
	type hit struct {
		arches []catalog.Arch
		names  []string
		op     uint32
		by     string
		rule   int
	}
	var h *hit
	for _, arch := range l.e.Arches {
		nr, ok := ent.Number(arch)
		if !ok || !arch.Multiplexes() {
			continue
		}
		ops := catalog.MuxOps(catalog.IPC)
		keys := make([]int, 0, len(ops))
		for op := range ops {
			keys = append(keys, int(op))
		}
		sort.Ints(keys)
		var names []string
		var first uint32
		var got profile.Decision
		for _, k := range keys {
			op := uint32(k)
			if l.e.Decide(arch, nr, [6]uint64{uint64(op)}, profile.Options{}).Action.LetsThrough() {
				continue
			}
			d := l.e.Decide(arch, nr, [6]uint64{uint64(op) | 1<<catalog.IPCVersionShift}, profile.Options{})
			if !d.Action.LetsThrough() {
				continue
			}
			if len(names) == 0 {
				first, got = op, d
			}
			names = append(names, ops[op])
		}
		if len(names) == 0 {
			continue
		}
		if h == nil {
			rule, by := l.decidedBy(got)
			h = &hit{names: names, op: first, by: by, rule: rule}
		}
		h.arches = append(h.arches, arch)
	}
	if h == nil {
		return
	}
	l.add(SevWarning, "ipc-version", h.rule, catalog.IPC,
		fmt.Sprintf("on %s the profile denies %s, but ipc(%d | 1<<16) is let through (by %s): the kernel strips the version in the upper 16 bits of ipc's call number and runs the call, while libseccomp's ipc rule compares the whole number",
			profile.JoinArches(h.arches), andList(h.names), h.op, h.by),
		fmt.Sprintf(`deny ipc, or compare only its low 16 bits in a denying rule: {"names": ["ipc"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 65535, "valueTwo": %d, "op": "SCMP_CMP_MASKED_EQ"}]}`, h.op))
}
