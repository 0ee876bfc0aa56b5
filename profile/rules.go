package profile

import (
	"slices"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// orGroups is how runc and crun read a rule's argument conditions. The
// conditions of a rule are ANDed; but when two of them test the same
// argument index, both runtimes add one libseccomp rule per condition
// instead (libseccomp keeps one comparison per argument and rule), so the
// rule applies when any one of its conditions holds: they are ORed. That
// holds for every condition of such a rule, including those on indexes
// that do not repeat.
func orGroups(args []*Arg) [][]*Arg {
	seen := map[uint]bool{}
	repeated := false
	for _, a := range args {
		if seen[a.Index] {
			repeated = true
			break
		}
		seen[a.Index] = true
	}
	if !repeated {
		return [][]*Arg{args}
	}
	out := make([][]*Arg, len(args))
	for i, a := range args {
		out[i] = []*Arg{a}
	}
	return out
}

// RepeatsIndex reports whether two of a rule's conditions test the same
// argument, which makes them ORed (see orGroups).
func RepeatsIndex(args []*Arg) bool { return len(orGroups(args)) > 1 }

// muxView is one rule as libseccomp also applies it to a multiplexer (see
// catalog.MuxOp): on socketcall or ipc, argument 0 equal to the
// operation, the rule's other conditions as they are.
type muxView struct {
	mux  string
	name string // the call the rule names
	args []*Arg
}

// muxViews are the multiplexer rules libseccomp makes of r on the ABIs
// that multiplex. libseccomp does so for every name it resolves; a name
// the linked library does not know is compiled by number instead, with
// no multiplexer rule.
func muxViews(names []string, args []*Arg) []muxView {
	var out []muxView
	for _, n := range names {
		mux, op, ok := catalog.MuxOp(n)
		if !ok || !LinkedKnows(n) {
			continue
		}
		conds := []*Arg{{Index: 0, Value: uint64(op), Op: OpEqualTo}}
		for _, a := range args {
			if a.Index != 0 {
				conds = append(conds, a)
			}
		}
		out = append(out, muxView{mux: mux, name: n, args: conds})
	}
	return out
}

// RuleView is one way a rule applies to one call on one ABI: its own
// conditions when it names the call, or the multiplexer form libseccomp
// makes of it (Via names the call the rule names).
type RuleView struct {
	Rule int // index in Effective.Rules
	Args []*Arg
	Via  string
}

// RulesOn lists, in order, every rule that applies to name on arch and
// how. Decide, Treatments, ArgCases and the diff's descriptions read the
// same views.
func (e *Effective) RulesOn(arch catalog.Arch, name string) []RuleView {
	return e.rulesOn(arch, name, nil)
}

// RulesOn is Effective.RulesOn.
func (d *Decider) RulesOn(arch catalog.Arch, name string) []RuleView {
	return d.e.rulesOn(arch, name, d)
}

// rulesOn is RulesOn; with an index it looks only at the rules that can
// give name a view (Decider.candidates).
func (e *Effective) rulesOn(arch catalog.Arch, name string, idx *Decider) []RuleView {
	var out []RuleView
	mux := arch.Multiplexes()
	view := func(i int, named bool) {
		r := &e.Rules[i]
		if named {
			out = append(out, RuleView{Rule: i, Args: r.Args})
		}
		if !mux {
			return
		}
		for _, v := range r.mux {
			if v.mux == name {
				out = append(out, RuleView{Rule: i, Args: v.args, Via: v.name})
			}
		}
	}
	if idx == nil {
		for i := range e.Rules {
			view(i, e.Rules[i].Has(name))
		}
		return out
	}
	named := idx.naming(name)
	for _, i := range idx.candidates(arch, name) {
		view(i, slices.Contains(named, i))
	}
	return out
}

// muxMatch reports whether r decides a call of the multiplexer name on
// arch through one of the calls it names, and which.
func (r *EffRule) muxMatch(arch catalog.Arch, name string, args [6]uint64) (string, bool) {
	if len(r.mux) == 0 || (name != catalog.SocketCall && name != catalog.IPC) || !arch.Multiplexes() {
		return "", false
	}
	for _, v := range r.mux {
		if v.mux == name && argsMatch(arch, v.args, args) {
			return v.name, true
		}
	}
	return "", false
}

// ArgNames lists the calls whose outcome depends on their arguments on
// some ABI: those a rule with conditions names, and the multiplexers when
// a rule names a call libseccomp carries through them (their outcome
// depends on the operation in argument 0).
func (e *Effective) ArgNames() map[string]bool {
	names := map[string]bool{}
	for _, r := range e.Rules {
		if len(r.Args) > 0 {
			for _, n := range r.Names {
				names[n] = true
			}
		}
		for _, v := range r.mux {
			names[v.mux] = true
		}
	}
	return names
}

// KernelArgs are args as the kernel reads them for name on arch: on a
// 64-bit ABI an argument declared int (or narrower) keeps its low 32
// bits only (catalog.Narrow). changed lists the arguments that lost bits.
func KernelArgs(arch catalog.Arch, name string, args [6]uint64) (kernel [6]uint64, changed []int) {
	kernel = args
	if arch.Is32Bit() {
		return kernel, nil
	}
	cat := catalog.MustDefault()
	for i := range kernel {
		if kernel[i]>>32 != 0 && cat.Narrow(name, i) {
			kernel[i] &= 0xffffffff
			changed = append(changed, i)
		}
	}
	return kernel, changed
}
