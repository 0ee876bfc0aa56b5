package profile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// JoinArches lists ABIs separated by commas.
func JoinArches(as []catalog.Arch) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// ArgInputs returns the argument vectors worth asking the profiles about
// for one syscall: all zeros, then for each conditional rule on it in any
// of the profiles, values that satisfy the rule and values on both sides
// of each of its comparisons (as compile.Verify uses them). Duplicates are
// dropped; the all-zero vector is always first.
func ArgInputs(arch catalog.Arch, name string, es ...*Effective) [][6]uint64 {
	out := [][6]uint64{{}}
	seen := map[[6]uint64]bool{{}: true}
	for _, e := range es {
		for _, args := range ArgCases(e, arch, name) {
			if !seen[args] {
				seen[args] = true
				out = append(out, args)
			}
		}
	}
	return out
}

// DescribeSyscall says in words what e does with name on arch: the
// decision when it does not depend on the arguments, else the applicable
// rules in order ("allow when arg0 & 0x7e020000 == 0x0; else
// errno(EPERM)").
func DescribeSyscall(e *Effective, arch catalog.Arch, name string) string {
	ent, ok := catalog.MustDefault().Lookup(name)
	if !ok {
		return "unknown syscall"
	}
	nr, ok := ent.Number(arch)
	if !ok {
		return "absent on " + string(arch)
	}
	t := e.Treat(arch, name)
	if !t.Conditional {
		return t.Decision.String()
	}
	inputs := ArgInputs(arch, name, e)
	first := e.Decide(arch, nr, inputs[0], Options{})
	uniform := true
	for _, args := range inputs[1:] {
		if !e.Decide(arch, nr, args, Options{}).Same(first) {
			uniform = false
			break
		}
	}
	if uniform {
		return first.String()
	}
	var parts []string
	for _, v := range e.RulesOn(arch, name) {
		r := e.Rules[v.Rule]
		d := Decision{Action: r.Action, Errno: r.Errno}
		if len(v.Args) == 0 {
			parts = append(parts, "else "+d.String())
			return strings.Join(parts, "; ")
		}
		when := FormatConditions(v.Args, arch)
		if v.Via != "" {
			when += " (" + v.Via + ")"
		}
		parts = append(parts, d.String()+" when "+when)
	}
	def := Decision{Action: e.DefaultAction, Errno: e.DefaultErrno}
	return strings.Join(append(parts, "else "+def.String()), "; ")
}

// FormatConditions writes a rule's argument conditions as
// "arg0 == 0x1 && arg2 & 0xff == 0x10"; on 32-bit ABIs the values are
// shown as the filter compares them, truncated to 32 bits.
func FormatConditions(args []*Arg, arch catalog.Arch) string {
	mask := ^uint64(0)
	if arch.Is32Bit() {
		mask = 0xffffffff
	}
	conds := make([]string, 0, len(args))
	sorted := append([]*Arg(nil), args...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Index < sorted[j].Index })
	for _, c := range sorted {
		if c.Op == OpMaskedEqual {
			conds = append(conds, fmt.Sprintf("arg%d & %#x == %#x", c.Index, c.Value&mask, c.ValueTwo&mask))
			continue
		}
		conds = append(conds, fmt.Sprintf("arg%d %s %#x", c.Index, operatorNames[c.Op], c.Value&mask))
	}
	return strings.Join(conds, " && ")
}
