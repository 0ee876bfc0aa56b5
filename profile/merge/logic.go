package merge

import (
	"fmt"
	"math/bits"
	"slices"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// A clause is a conjunction of argument conditions: one rule's args. It
// never tests one argument index twice, because runc and crun read such a
// rule as the OR of its conditions (profile's orGroups), not their AND.
type clause []*profile.Arg

// maxClauses bounds how many rules one let-through rule may become when
// earlier deny rules of its own profile carve pieces out of it.
const maxClauses = 64

// wide is the ABI conditions are combined on: a 64-bit one, where the
// filter compares whole arguments. On a 32-bit ABI the filter compares the
// low words only; the merge's own check reports where that makes a
// combined condition differ (an upper-word value in a rule).
const wide = catalog.X86_64

// carve is the part of the argument space where args holds and no clause
// of blocked does, as a list of clauses (ORed). exact is false when a
// piece could not be written as one rule and was left out: the result
// then lets through less than it should.
func carve(args clause, blocked []clause) (out []clause, exact bool) {
	out, exact = []clause{args}, true
	for _, b := range blocked {
		lits := negate(b)
		var next []clause
		for _, c := range out {
			for _, l := range lits {
				r, sat, ok := and(c, l)
				switch {
				case !ok:
					exact = false
				case sat:
					next = append(next, r)
				}
			}
		}
		if len(next) > maxClauses {
			return nil, false
		}
		out = next
		if len(out) == 0 {
			break
		}
	}
	return out, exact
}

// negate is ¬(c1 ∧ c2 ∧ ...) as conditions ORed: ¬c1 ∨ ¬c2 ∨ .... Every
// comparison has an opposite; a masked comparison fails when any one of
// its mask bits differs, so it becomes one single-bit condition per bit.
// A condition that always holds (mask 0) adds nothing.
func negate(c clause) []*profile.Arg {
	var out []*profile.Arg
	for _, a := range c {
		n := func(op profile.Operator) {
			out = append(out, &profile.Arg{Index: a.Index, Value: a.Value, Op: op})
		}
		switch a.Op {
		case profile.OpEqualTo:
			n(profile.OpNotEqual)
		case profile.OpNotEqual:
			n(profile.OpEqualTo)
		case profile.OpLessThan:
			n(profile.OpGreaterEqual)
		case profile.OpGreaterEqual:
			n(profile.OpLessThan)
		case profile.OpLessEqual:
			n(profile.OpGreaterThan)
		case profile.OpGreaterThan:
			n(profile.OpLessEqual)
		case profile.OpMaskedEqual:
			for m := a.Value; m != 0; m &= m - 1 {
				bit := uint64(1) << bits.TrailingZeros64(m)
				out = append(out, &profile.Arg{Index: a.Index, Value: bit, ValueTwo: ^a.ValueTwo & bit, Op: profile.OpMaskedEqual})
			}
		}
	}
	return out
}

// and adds condition l to clause c. sat is false when the two cannot hold
// together; ok is false when they can but not as one condition on that
// argument (two ranges that bound it from both sides, say).
func and(c clause, l *profile.Arg) (out clause, sat, ok bool) {
	i := slices.IndexFunc(c, func(a *profile.Arg) bool { return a.Index == l.Index })
	if i < 0 {
		return append(slices.Clone(c), l), true, true
	}
	r, sat, ok := both(c[i], l)
	if !sat || !ok {
		return nil, sat, ok
	}
	out = slices.Clone(c)
	out[i] = r
	return out, true, true
}

// both is the one condition that holds exactly when a and b do (same
// argument index).
func both(a, b *profile.Arg) (r *profile.Arg, sat, ok bool) {
	switch {
	case sameArg(a, b):
		return a, true, true
	case a.Op == profile.OpEqualTo:
		return a, b.Holds(wide, a.Value), true
	case b.Op == profile.OpEqualTo:
		return b, a.Holds(wide, b.Value), true
	case a.Op == profile.OpMaskedEqual && b.Op == profile.OpMaskedEqual:
		common := a.Value & b.Value
		if a.ValueTwo&common != b.ValueTwo&common {
			return nil, false, true
		}
		return &profile.Arg{Index: a.Index, Value: a.Value | b.Value,
			ValueTwo: a.ValueTwo&a.Value | b.ValueTwo&b.Value, Op: profile.OpMaskedEqual}, true, true
	case a.Op == profile.OpNotEqual:
		return b, true, !b.Holds(wide, a.Value)
	case b.Op == profile.OpNotEqual:
		return a, true, !a.Holds(wide, b.Value)
	}
	la, lok := lower(a)
	lb, lbok := lower(b)
	ua, uok := upper(a)
	ub, ubok := upper(b)
	switch {
	case lok && lbok:
		if la >= lb {
			return a, true, true
		}
		return b, true, true
	case uok && ubok:
		if ua <= ub {
			return a, true, true
		}
		return b, true, true
	case lok && ubok:
		return bounded(a.Index, la, ub)
	case uok && lbok:
		return bounded(a.Index, lb, ua)
	}
	return nil, true, false
}

// bounded is lo ≤ x ≤ hi as one condition, when it is one.
func bounded(index uint, lo, hi uint64) (*profile.Arg, bool, bool) {
	switch {
	case lo > hi:
		return nil, false, true
	case lo == hi:
		return &profile.Arg{Index: index, Value: lo, Op: profile.OpEqualTo}, true, true
	}
	return nil, true, false
}

// lower is the least value a ≥ or > comparison lets through.
func lower(a *profile.Arg) (uint64, bool) {
	switch a.Op {
	case profile.OpGreaterEqual:
		return a.Value, true
	case profile.OpGreaterThan:
		return a.Value + 1, a.Value != ^uint64(0)
	}
	return 0, false
}

// upper is the greatest value a ≤ or < comparison lets through.
func upper(a *profile.Arg) (uint64, bool) {
	switch a.Op {
	case profile.OpLessEqual:
		return a.Value, true
	case profile.OpLessThan:
		return a.Value - 1, a.Value != 0
	}
	return 0, false
}

func sameArg(a, b *profile.Arg) bool {
	return a.Index == b.Index && a.Op == b.Op && a.Value == b.Value && valueTwo(a) == valueTwo(b)
}

// valueTwo is the second value as far as it matters: only a masked
// comparison reads it, and only the bits of its mask.
func valueTwo(a *profile.Arg) uint64 {
	if a.Op != profile.OpMaskedEqual {
		return 0
	}
	return a.ValueTwo & a.Value
}

// key spells a clause so that equal ones (in any order) compare equal.
func (c clause) key() string {
	parts := make([]string, len(c))
	for i, a := range c {
		parts[i] = fmt.Sprintf("%d %s %#x %#x", a.Index, a.Op, a.Value, valueTwo(a))
	}
	slices.Sort(parts)
	return strings.Join(parts, "; ")
}

// within reports whether every condition of c is also one of d: then d
// holds only where c does, and a rule on d after one on c adds nothing.
func (c clause) within(d clause) bool {
	for _, a := range c {
		if !slices.ContainsFunc(d, func(b *profile.Arg) bool { return sameArg(a, b) }) {
			return false
		}
	}
	return true
}
