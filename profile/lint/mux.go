package lint

import (
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// muxConditions: on the ABIs that multiplex, libseccomp applies a rule
// for a socket or IPC call to the multiplexer as well, with argument 0
// set to the operation and the rule's other conditions kept — but the
// multiplexer's arguments are not the call's: socketcall passes them
// behind a pointer the filter cannot read, ipc passes them in other positions. So a
// rule that lets a call through only for some arguments lets the
// multiplexer's operation through on other terms: a condition on
// argument 0 is dropped, one on argument N tests the multiplexer's
// argument N. Reported where that multiplexer rule decides (an earlier
// rule for the multiplexer itself would shadow it).
func (l *linter) muxConditions() {
	type hit struct {
		arches []catalog.Arch
		msg    string
	}
	hits := map[string]*hit{} // by "rule/name"
	var order []string
	for _, arch := range l.e.Arches {
		if !arch.Multiplexes() {
			continue
		}
		for _, mux := range []string{catalog.SocketCall, catalog.IPC} {
			ent, ok := l.cat.Lookup(mux)
			if !ok {
				continue
			}
			nr, ok := ent.Number(arch)
			if !ok {
				continue
			}
			for _, v := range l.e.RulesOn(arch, mux) {
				r := l.e.Rules[v.Rule]
				if v.Via == "" || len(r.Args) == 0 || !r.Action.LetsThrough() {
					continue
				}
				_, op, _ := catalog.MuxOp(v.Via)
				// Does this rule decide the operation (with the rule's
				// kept conditions holding)?
				var args [6]uint64
				args[0] = uint64(op)
				for _, c := range v.Args[1:] {
					args[c.Index] = satisfying(c)
				}
				d := l.e.Decide(arch, nr, args, profile.Options{})
				if d.Rule != v.Rule || d.Via != v.Via {
					continue
				}
				what := "its condition on argument 0 is dropped there"
				for _, c := range r.Args {
					if c.Index != 0 {
						what = fmt.Sprintf("its conditions test %s's own arguments there, not %s's", mux, v.Via)
						break
					}
				}
				behind := "behind a pointer the filter cannot read"
				if mux == catalog.IPC {
					behind = "in other positions (ipc passes the operation first)"
				}
				msg := fmt.Sprintf("lets %s through only for some arguments, but libseccomp applies the rule to %s(%d) as well, where %s's arguments are %s: %s, so %s(%d) is let through whatever %s's arguments",
					v.Via, mux, op, v.Via, behind, what, mux, op, v.Via)
				key := fmt.Sprintf("%d/%s", r.Index, v.Via)
				if h, ok := hits[key]; ok {
					h.arches = appendOnce(h.arches, arch)
					continue
				}
				hits[key] = &hit{arches: []catalog.Arch{arch}, msg: msg}
				order = append(order, key)
			}
		}
	}
	for _, key := range order {
		h := hits[key]
		var rule int
		var name string
		fmt.Sscanf(key, "%d/%s", &rule, &name)
		mux, op, _ := catalog.MuxOp(name)
		l.add(SevWarning, "multiplexer-conditions", rule, name,
			fmt.Sprintf("on %s this rule %s", profile.JoinArches(h.arches), h.msg),
			fmt.Sprintf(`deny %s(%d) ahead of this rule where programs use the direct call: {"names": ["%s"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": %d, "op": "SCMP_CMP_EQ"}]}, or leave out the ABI`, mux, op, mux, op))
	}
}

// satisfying is a value for which c holds.
func satisfying(c *profile.Arg) uint64 {
	switch c.Op {
	case profile.OpNotEqual, profile.OpGreaterThan:
		return c.Value + 1
	case profile.OpLessThan:
		if c.Value > 0 {
			return c.Value - 1
		}
	case profile.OpMaskedEqual:
		return c.ValueTwo & c.Value
	}
	return c.Value
}
