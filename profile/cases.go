package profile

import "github.com/seccomp-workbench/seccomp-workbench/catalog"

// ArgCases gives, for each rule on name, each condition's boundary values
// with the rule's other conditions held true.
func ArgCases(e *Effective, arch catalog.Arch, name string) [][6]uint64 {
	return argCases(arch, e.RulesOn(arch, name))
}

// ArgCases is the package's ArgCases for d's profile.
func (d *Decider) ArgCases(arch catalog.Arch, name string) [][6]uint64 {
	return argCases(arch, d.RulesOn(arch, name))
}

func argCases(arch catalog.Arch, views []RuleView) [][6]uint64 {
	var out [][6]uint64
	for _, r := range views {
		if len(r.Args) == 0 {
			continue
		}
		var base [6]uint64
		for _, c := range r.Args {
			base[c.Index] = satisfying(c)
		}
		out = append(out, base)
		for _, c := range r.Args {
			for _, v := range boundaries(c, arch) {
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

// boundaries are values on both sides of a comparison, including ones
// that differ only in the high or the low 32-bit word — where libseccomp's
// 64-bit comparison bugs live.
func boundaries(c *Arg, arch catalog.Arch) []uint64 {
	v := c.Value
	if c.Op == OpMaskedEqual {
		v = c.ValueTwo
	}
	hi, lo := v>>32, v&0xffffffff
	cand := []uint64{0, 1, ^uint64(0), v, v - 1, v + 1,
		hi<<32 | (lo-1)&0xffffffff, hi<<32 | (lo+1)&0xffffffff,
		(hi+1)<<32 | lo, (hi-1)<<32 | lo, (hi + 1) << 32, (hi-1)<<32 | 0xffffffff,
		hi << 32, hi<<32 | 0xffffffff, lo, 1<<32 | lo, 0xffffffff, 1 << 32}
	if c.Op == OpMaskedEqual {
		m := c.Value
		cand = append(cand, v|^m, v&m, v^(m&-m), v^(m&^(m-1)<<32), ^m)
	}
	if arch.Is32Bit() {
		// A 32-bit ABI cannot pass more than 32 bits.
		for i := range cand {
			cand[i] &= 0xffffffff
		}
	}
	return cand
}
