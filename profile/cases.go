package profile

import (
	"math/bits"
	"slices"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// ArgCases gives, for each rule on name, each condition's boundary values
// with the rule's other conditions held true.
func ArgCases(e *Effective, arch catalog.Arch, name string) [][6]uint64 {
	return appendArgCases(nil, arch, e.RulesOn(arch, name))
}

// ArgCases is the package's ArgCases for d's profile.
func (d *Decider) ArgCases(arch catalog.Arch, name string) [][6]uint64 {
	return appendArgCases(nil, arch, d.RulesOn(arch, name))
}

// appendArgCases appends to out the cases ArgCases gives for the rules
// views.
func appendArgCases(out [][6]uint64, arch catalog.Arch, views []RuleView) [][6]uint64 {
	for _, r := range views {
		if len(r.Args) == 0 {
			continue
		}
		var base [6]uint64
		for _, c := range r.Args {
			base[c.Index] = satisfying(c)
		}
		out = append(out, base)
		var buf [maxBoundaries]uint64
		for _, c := range r.Args {
			for _, v := range appendBoundaries(buf[:0], c, arch) {
				a := base
				a[c.Index] = v
				out = append(out, a)
			}
		}
	}
	return out
}

func satisfying(c *Arg) uint64 {
	switch c.Op {
	case OpNotEqual:
		return c.Value + 1
	case OpLessThan:
		if c.Value == 0 {
			return 0
		}
		return c.Value - 1
	case OpGreaterThan:
		return c.Value + 1
	case OpMaskedEqual:
		return c.ValueTwo
	}
	return c.Value
}

// appendBoundaries appends to dst values on both sides of a comparison,
// including ones that differ only in the high or the low 32-bit word —
// where libseccomp's 64-bit comparison bugs live.
func appendBoundaries(dst []uint64, c *Arg, arch catalog.Arch) []uint64 {
	v := c.Value
	if c.Op == OpMaskedEqual {
		v = c.ValueTwo
	}
	hi, lo := v>>32, v&0xffffffff
	start := len(dst)
	dst = append(dst, 0, 1, ^uint64(0), v, v-1, v+1,
		hi<<32|(lo-1)&0xffffffff, hi<<32|(lo+1)&0xffffffff,
		(hi+1)<<32|lo, (hi-1)<<32|lo, (hi+1)<<32, (hi-1)<<32|0xffffffff,
		hi<<32, hi<<32|0xffffffff, lo, 1<<32|lo, 0xffffffff, 1<<32)
	if c.Op == OpMaskedEqual {
		m := c.Value
		dst = append(dst, v|^m, v&m, v^(m&-m), v^(m&^(m-1)<<32), ^m)
	}
	if arch.Is32Bit() {
		// A 32-bit ABI cannot pass more than 32 bits.
		for i := start; i < len(dst); i++ {
			dst[i] &= 0xffffffff
		}
	}
	return dst
}

// maxBoundaries is the most values appendBoundaries adds for one condition.
const maxBoundaries = 23

// MaxCrossCases bounds CrossCases for one call on one ABI.
const MaxCrossCases = 4096

// CrossCases combines the arguments of a call whose rules compare more
// than one argument, in one rule or across rules: every value ArgCases
// tries for one compared argument with every value it tries for each of
// the others (the others, never compared, are 0). ArgCases alone varies
// one argument with the rest of its own rule held true, which misses
// calls that match two rules at once; libseccomp does not keep the order
// of rules with different actions on different arguments, and such a
// call is where its filter and first-match-wins part.
//
// The values of one argument split its range into the pieces on which
// every comparison on it comes out the same, with a value in each, so
// the full product has a call in every piece of every combination. When
// the product exceeds MaxCrossCases it is sampled: MaxCrossCases calls
// spread over it by a fixed stride, the same on every run; total says
// how many the full product has (0: the call compares fewer than two
// arguments).
func (d *Decider) CrossCases(arch catalog.Arch, name string) (cases [][6]uint64, total uint64) {
	return crossCases(arch, d.RulesOn(arch, name), MaxCrossCases)
}

// VerifyCases is ArgCases then CrossCases, from one look-up of the rules:
// the argument values compile.Verify tries for name.
func (d *Decider) VerifyCases(arch catalog.Arch, name string) [][6]uint64 {
	return d.AppendVerifyCases(nil, arch, name)
}

// AppendVerifyCases is VerifyCases appending to out.
func (d *Decider) AppendVerifyCases(out [][6]uint64, arch catalog.Arch, name string) [][6]uint64 {
	if !d.conditional(arch, name) {
		return out // no rule compares an argument: no cases
	}
	views := d.RulesOn(arch, name)
	out = appendArgCases(out, arch, views)
	cross, _ := crossCases(arch, views, MaxCrossCases)
	return append(out, cross...)
}

func crossCases(arch catalog.Arch, views []RuleView, limit int) ([][6]uint64, uint64) {
	var compared uint
	for _, r := range views {
		for _, c := range r.Args {
			compared |= 1 << c.Index
		}
	}
	if bits.OnesCount(compared) < 2 {
		return nil, 0
	}
	var vals [6][]uint64
	for _, r := range views {
		for _, c := range r.Args {
			vals[c.Index] = append(vals[c.Index], satisfying(c))
			vals[c.Index] = appendBoundaries(vals[c.Index], c, arch)
		}
	}
	var idx []int
	for i := range vals {
		if len(vals[i]) > 0 {
			slices.Sort(vals[i])
			vals[i] = slices.Compact(vals[i])
			idx = append(idx, i)
		}
	}
	if len(idx) < 2 {
		return nil, 0
	}
	total := product(vals[:])
	for total == 0 { // more than 2^64: thin the largest argument's values
		w := slices.MaxFunc(idx, func(a, b int) int { return len(vals[a]) - len(vals[b]) })
		var kept []uint64
		for j := 0; j < len(vals[w]); j += 2 {
			kept = append(kept, vals[w][j])
		}
		vals[w] = kept
		total = product(vals[:])
	}
	n, step := total, uint64(1)
	if total > uint64(limit) {
		n = uint64(limit)
		// An odd stride near the golden section of the product, coprime
		// to it, so the n calls are distinct and spread over every
		// argument's values.
		step = uint64(float64(total)*0.6180339887) | 1
		for gcd(step, total) != 1 {
			step += 2
		}
	}
	out := make([][6]uint64, 0, n)
	for j := uint64(0); j < n; j++ {
		hi, lo := bits.Mul64(j, step)
		_, k := bits.Div64(hi%total, lo, total)
		var a [6]uint64
		for _, i := range idx {
			m := uint64(len(vals[i]))
			a[i] = vals[i][k%m]
			k /= m
		}
		out = append(out, a)
	}
	return out, total
}

// product is the number of combinations of vals' non-empty lists, 0 when
// it overflows.
func product(vals [][]uint64) uint64 {
	p := uint64(1)
	for _, v := range vals {
		if len(v) == 0 {
			continue
		}
		hi, lo := bits.Mul64(p, uint64(len(v)))
		if hi != 0 {
			return 0
		}
		p = lo
	}
	return p
}

func gcd(a, b uint64) uint64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}
