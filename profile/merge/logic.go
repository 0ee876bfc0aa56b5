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

// algebra combines conditions for the ABIs of one merged profile. narrow:
// one of them is a 32-bit ABI, where the filter compares the low 32 bits
// of each argument and value, so a combination worked out on whole
// values holds there only when no value has upper bits.
type algebra struct{ narrow bool }

// wideValue reports whether a compares with a value that has upper bits.
func wideValue(a *profile.Arg) bool {
	if a.Op == profile.OpMaskedEqual {
		return (a.Value|a.ValueTwo&a.Value)>>32 != 0
	}
	return a.Value>>32 != 0
}

// maxClauses bounds how many rules one let-through rule may become when
// earlier deny rules of its own profile carve pieces out of it.
const maxClauses = 256

// wide is the ABI conditions are combined on: a 64-bit one, where the
// filter compares whole arguments. On a 32-bit ABI the filter compares the
// low words only; the merge's own check reports where that makes a
// combined condition differ (an upper-word value in a rule).
const wide = catalog.X86_64

// carve is the part of the argument space where args holds and no clause
// of blocked does, as a list of clauses (ORed). exact is false when a
// piece could not be written as one rule and was left out: the result
// then lets through less than it should.
func (g algebra) carve(args clause, blocked []clause) (out []clause, exact bool) {
	out, exact = []clause{args}, true
	for _, b := range blocked {
		lits, ok := g.negate(b)
		exact = exact && ok
		var next []clause
		for _, c := range out {
			for _, l := range lits {
				rs, ok := g.and(c, l)
				if !ok {
					exact = false
				}
				next = append(next, rs...)
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

// conjoin is a ∧ b as clauses ORed (see and); ok is false when part of
// it could not be written.
func (g algebra) conjoin(a, b clause) (out []clause, ok bool) {
	out, ok = []clause{a}, true
	for _, l := range b {
		var next []clause
		for _, c := range out {
			rs, exact := g.and(c, l)
			ok = ok && exact
			next = append(next, rs...)
		}
		out = next
	}
	return out, ok
}

// negate is ¬(c1 ∧ c2 ∧ ...) as conditions ORed: ¬c1 ∨ ¬c2 ∨ .... Every
// comparison has an opposite; a masked comparison fails when any one of
// its mask bits differs, so it becomes one single-bit condition per bit.
// A condition that always holds (mask 0) adds nothing. exact is false
// when an upper-word bit had to be left out for a 32-bit ABI.
func (g algebra) negate(c clause) (out []*profile.Arg, exact bool) {
	exact = true
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
				if g.narrow && bit > 0xffffffff {
					// On a 32-bit ABI a test of an upper bit always
					// holds: it would let everything through there.
					exact = false
					continue
				}
				out = append(out, &profile.Arg{Index: a.Index, Value: bit, ValueTwo: ^a.ValueTwo & bit, Op: profile.OpMaskedEqual})
			}
		}
	}
	return out, exact
}

// and adds condition l to clause c: the clauses (ORed) that hold exactly
// where c and l both do, none when they cannot hold together. ok is false
// when part of that cannot be written as rules; that part is left out.
func (g algebra) and(c clause, l *profile.Arg) (out []clause, ok bool) {
	i := slices.IndexFunc(c, func(a *profile.Arg) bool { return a.Index == l.Index })
	if i < 0 {
		return []clause{append(slices.Clone(c), l)}, true
	}
	alts, ok := g.both(c[i], l)
	for _, r := range alts {
		o := slices.Clone(c)
		o[i] = r
		out = append(out, o)
	}
	return out, ok
}

// both is a ∧ b (same argument index) as conditions ORed: one when a
// single comparison says it, else the values both let through as aligned
// blocks (split).
func (g algebra) both(a, b *profile.Arg) ([]*profile.Arg, bool) {
	r, sat, ok := g.one(a, b)
	switch {
	case !ok:
		return g.split(a, b)
	case !sat:
		return nil, true
	}
	return []*profile.Arg{r}, true
}

// one is the one condition that holds exactly when a and b do (same
// argument index). sat is false when the two cannot hold together; ok is
// false when they can but not as one condition (two ranges that bound
// the argument from both sides, say).
func (g algebra) one(a, b *profile.Arg) (r *profile.Arg, sat, ok bool) {
	if sameArg(a, b) {
		return a, true, true
	}
	if a.Op == profile.OpMaskedEqual && b.Op == profile.OpMaskedEqual {
		// Exact on every ABI: truncated, it is the AND of the truncated two.
		common := a.Value & b.Value
		if a.ValueTwo&common != b.ValueTwo&common {
			return nil, false, true
		}
		return &profile.Arg{Index: a.Index, Value: a.Value | b.Value,
			ValueTwo: a.ValueTwo&a.Value | b.ValueTwo&b.Value, Op: profile.OpMaskedEqual}, true, true
	}
	if g.narrow && (wideValue(a) || wideValue(b)) {
		// A 32-bit ABI compares the low words: what holds for the whole
		// values need not hold for them.
		return nil, true, false
	}
	switch {
	case a.Op == profile.OpEqualTo:
		return a, b.Holds(wide, a.Value), true
	case b.Op == profile.OpEqualTo:
		return b, a.Holds(wide, b.Value), true
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

// split is a ∧ b as aligned blocks of values: each comparison but a
// masked one lets through a union of intervals; their intersections are
// written as blocks (a masked comparison each), and a masked comparison
// is combined with every block of the other. ok is false when an
// interval cannot be written so (see blocks).
func (g algebra) split(a, b *profile.Arg) ([]*profile.Arg, bool) {
	if g.narrow && (wideValue(a) || wideValue(b)) {
		return nil, false
	}
	ia, aok := intervals(a)
	ib, bok := intervals(b)
	var out []*profile.Arg
	switch {
	case aok && bok:
		for _, x := range ia {
			for _, y := range ib {
				lo, hi := max(x[0], y[0]), min(x[1], y[1])
				if lo > hi {
					continue
				}
				bs, ok := blocks(a.Index, lo, hi)
				if !ok {
					return nil, false
				}
				out = append(out, bs...)
			}
		}
		return out, true
	case aok || bok:
		m, iv := b, ia
		if bok {
			m, iv = a, ib
		}
		for _, x := range iv {
			bs, ok := blocks(a.Index, x[0], x[1])
			if !ok {
				return nil, false
			}
			for _, blk := range bs {
				r, sat, ok := g.one(blk, m)
				if !ok {
					return nil, false
				}
				if sat {
					out = append(out, r)
				}
			}
		}
		return out, true
	}
	return nil, false
}

// intervals are the values a comparison other than a masked one lets
// through, as closed intervals.
func intervals(a *profile.Arg) ([][2]uint64, bool) {
	const top = ^uint64(0)
	v := a.Value
	var out [][2]uint64
	switch a.Op {
	case profile.OpEqualTo:
		out = append(out, [2]uint64{v, v})
	case profile.OpNotEqual:
		if v > 0 {
			out = append(out, [2]uint64{0, v - 1})
		}
		if v < top {
			out = append(out, [2]uint64{v + 1, top})
		}
	case profile.OpGreaterEqual:
		out = append(out, [2]uint64{v, top})
	case profile.OpGreaterThan:
		if v < top {
			out = append(out, [2]uint64{v + 1, top})
		}
	case profile.OpLessEqual:
		out = append(out, [2]uint64{0, v})
	case profile.OpLessThan:
		if v > 0 {
			out = append(out, [2]uint64{0, v - 1})
		}
	default:
		return nil, false
	}
	return out, true
}

// blocks writes lo ≤ x ≤ hi as conditions ORed: aligned power-of-two
// blocks, each a masked comparison of the bits above the block (an
// equality for a block of one). Written so, a condition means the same
// on a 32-bit ABI, where the filter compares low words, as long as the
// interval stays below 2³²; an interval that runs to the top of the 64-bit
// range gets "> 0xffffffff" for its upper part, which no 32-bit argument
// passes, as none passes the comparison it came from there. Other
// intervals past 2³² are not written (ok false).
func blocks(index uint, lo, hi uint64) ([]*profile.Arg, bool) {
	const low = uint64(0xffffffff)
	var out []*profile.Arg
	if hi == ^uint64(0) && lo <= low {
		out = append(out, &profile.Arg{Index: index, Value: low, Op: profile.OpGreaterThan})
		hi = low
	}
	if hi > low {
		return nil, false
	}
	for lo <= hi {
		size := uint64(1)
		for lo&(size*2-1) == 0 && lo+size*2-1 <= hi {
			size *= 2
		}
		if size == 1 {
			out = append(out, &profile.Arg{Index: index, Value: lo, Op: profile.OpEqualTo})
		} else {
			out = append(out, &profile.Arg{Index: index, Value: ^(size - 1), ValueTwo: lo, Op: profile.OpMaskedEqual})
		}
		lo += size
	}
	return out, true
}
