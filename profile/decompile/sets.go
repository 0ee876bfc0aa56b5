package decompile

import (
	"fmt"
	"math/bits"
	"slices"
	"sort"
)

// iv is a closed interval of argument values.
type iv struct{ Lo, Hi uint64 }

// ivs is a sorted list of disjoint, non-adjacent intervals.
type ivs []iv

func (s ivs) normalize() ivs {
	if len(s) == 0 {
		return s
	}
	t := slices.Clone(s)
	sort.Slice(t, func(i, j int) bool { return t[i].Lo < t[j].Lo })
	out := ivs{t[0]}
	for _, x := range t[1:] {
		last := &out[len(out)-1]
		if last.Hi == ^uint64(0) || x.Lo <= last.Hi+1 {
			last.Hi = max(last.Hi, x.Hi)
			continue
		}
		out = append(out, x)
	}
	return out
}

func (s ivs) intersect(o ivs) ivs {
	var out ivs
	for _, a := range s {
		for _, b := range o {
			lo, hi := max(a.Lo, b.Lo), min(a.Hi, b.Hi)
			if lo <= hi {
				out = append(out, iv{lo, hi})
			}
		}
	}
	return out.normalize()
}

// complement within [0, top].
func (s ivs) complement(top uint64) ivs {
	var out ivs
	next := uint64(0)
	for _, x := range s {
		if x.Lo > next {
			out = append(out, iv{next, x.Lo - 1})
		}
		if x.Hi == top {
			return out
		}
		next = x.Hi + 1
	}
	return append(out, iv{next, top})
}

// argSet is the set of values one argument takes on a path: an interval
// list, or (w & Mask) == Value (Eq) / != Value (!Eq).
type argSet struct {
	Ivs    ivs
	Masked bool
	Mask   uint64
	Value  uint64
	Eq     bool
	// Why is set when the set has no form a condition can take.
	Why string
}

func (a argSet) key() string {
	if a.Why != "" {
		return "?" + a.Why + fmt.Sprint(a.Ivs)
	}
	if a.Masked {
		return fmt.Sprintf("m%x/%x/%v", a.Mask, a.Value, a.Eq)
	}
	return fmt.Sprint(a.Ivs)
}

func full(top uint64) argSet { return argSet{Ivs: ivs{{0, top}}} }

func (a argSet) isFull(top uint64) bool {
	return a.Why == "" && !a.Masked && len(a.Ivs) == 1 && a.Ivs[0] == iv{0, top}
}

// wordSet is what a path's comparisons say about one 32-bit word: an
// interval list over [0, 2^32), and masked comparisons.
type wordSet struct {
	ivs    ivs
	masked []cond
}

// wordOf reads the conditions on one word. weak drops the masked
// inequalities: in a chain of rules each tried in turn, they only say
// that an earlier rule did not match.
func wordOf(cs []cond, weak bool) (wordSet, bool) {
	w := wordSet{ivs: ivs{{0, 0xffffffff}}}
	for _, c := range cs {
		k := uint64(c.K)
		if c.Op == jmpJSET {
			// A & m has a bit of K: (A & (m&K)) != 0.
			c = cond{W: c.W, Mask: c.Mask & c.K, Op: jmpJEQ, K: 0, Taken: !c.Taken}
		}
		if c.Mask == 0 && c.K == 0 {
			// (A & 0) == 0 always holds: libseccomp's high word of a
			// masked comparison whose mask has no high bits.
			if !c.Taken {
				w.ivs = nil
			}
			continue
		}
		if c.Mask != ^uint32(0) {
			if weak && c.Op == jmpJEQ && !c.Taken {
				continue
			}
			if c.Op != jmpJEQ {
				return w, false // an ordering of masked words
			}
			if c.K&^c.Mask != 0 {
				// (A & m) never equals a value with bits outside m.
				if c.Taken {
					w.ivs = nil
				}
				continue
			}
			w.masked = append(w.masked, c)
			continue
		}
		var s ivs
		switch c.Op {
		case jmpJEQ:
			s = ivs{{k, k}}
		case jmpJGT:
			if k == 0xffffffff {
				s = nil
			} else {
				s = ivs{{k + 1, 0xffffffff}}
			}
		case jmpJGE:
			s = ivs{{k, 0xffffffff}}
		}
		if !c.Taken {
			s = s.complement(0xffffffff)
		}
		w.ivs = w.ivs.intersect(s)
	}
	return w, true
}

// sample finds a value of the word meeting every condition, by trying
// the interval ends and the masked comparisons' values.
func (w wordSet) sample() (uint32, bool) {
	var cands []uint64
	for _, x := range w.ivs {
		cands = append(cands, x.Lo, x.Hi, x.Lo+1)
	}
	for _, c := range w.masked {
		cands = append(cands, uint64(c.K), uint64(c.K)|uint64(^c.Mask), uint64(c.K^c.Mask), uint64(^c.K))
	}
	for _, v := range cands {
		if v > 0xffffffff {
			continue
		}
		if w.holds(uint32(v)) {
			return uint32(v), true
		}
	}
	// Masked comparisons: the equalities fix the bits of their masks;
	// each inequality excludes one pattern of its own bits. Trying every
	// setting of the free bits the inequalities test decides it exactly
	// when they are few.
	var fixed, val uint32
	for _, c := range w.masked {
		if c.Taken {
			if (val^c.K)&fixed&c.Mask != 0 {
				return 0, false // two equalities disagree on a bit
			}
			fixed, val = fixed|c.Mask, val|c.K
		}
	}
	free := w.free(fixed)
	if bits.OnesCount32(free) > 16 {
		return 0, false
	}
	for sub := uint32(0); ; sub = (sub - free) & free {
		for _, rest := range []uint32{0, ^(fixed | free)} {
			if v := val | sub | rest; w.holds(v) {
				return v, true
			}
		}
		for _, x := range w.ivs {
			if v := (uint32(x.Lo) &^ (fixed | free)) | val | sub; w.holds(v) {
				return v, true
			}
		}
		if sub == free {
			break
		}
	}
	return 0, false
}

// free are the bits the inequalities test that no equality fixes.
func (w wordSet) free(fixed uint32) uint32 {
	var free uint32
	for _, c := range w.masked {
		if !c.Taken {
			free |= c.Mask &^ fixed
		}
	}
	return free
}

// exact reports whether sample's "no value" is a proof: every condition
// is on whole words, or the masked ones alone decide and sample tried
// every setting of their free bits.
func (w wordSet) exact() bool {
	if len(w.masked) == 0 {
		return true
	}
	var fixed uint32
	for _, c := range w.masked {
		if c.Taken {
			fixed |= c.Mask
		}
	}
	return len(w.ivs) == 1 && w.ivs[0] == (iv{0, 0xffffffff}) && bits.OnesCount32(w.free(fixed)) <= 16
}

func (w wordSet) holds(v uint32) bool {
	in := false
	for _, x := range w.ivs {
		if uint64(v) >= x.Lo && uint64(v) <= x.Hi {
			in = true
		}
	}
	if !in {
		return false
	}
	for _, c := range w.masked {
		if (v&c.Mask == c.K) != c.Taken {
			return false
		}
	}
	return true
}

// pointOrFull: the word's value is fixed (k) or free.
func (w wordSet) pointOrFull() (k uint32, point, free bool) {
	if len(w.masked) > 0 {
		return 0, false, false
	}
	if len(w.ivs) == 1 && w.ivs[0] == (iv{0, 0xffffffff}) {
		return 0, false, true
	}
	if len(w.ivs) == 1 && w.ivs[0].Lo == w.ivs[0].Hi {
		return uint32(w.ivs[0].Lo), true, false
	}
	return 0, false, false
}

// argOf combines a path's conditions on the two words of one argument.
// On a 32-bit ABI the kernel passes zero in the high word. ok is false
// when the path is infeasible; why is set when the set has no form a
// profile condition can take.
func argOf(hi, lo []cond, is32, weak bool) (a argSet, ok bool, why string) {
	wh, okh := wordOf(hi, weak)
	wl, okl := wordOf(lo, weak)
	if !okh || !okl {
		return a, true, "an ordering comparison of a masked word"
	}
	if is32 {
		if !wh.holds(0) {
			return a, false, ""
		}
		wh = wordSet{ivs: ivs{{0, 0}}}
	}
	for _, w := range []wordSet{wh, wl} {
		if _, ok := w.sample(); !ok {
			if !w.exact() {
				return a, true, "masked and ordering comparisons of one word"
			}
			return a, false, ""
		}
	}
	if len(wh.masked) == 0 && len(wl.masked) == 0 {
		var out ivs
		loFull := len(wl.ivs) == 1 && wl.ivs[0] == (iv{0, 0xffffffff})
		for _, h := range wh.ivs {
			switch {
			case loFull:
				out = append(out, iv{h.Lo << 32, h.Hi<<32 | 0xffffffff})
			case h.Hi-h.Lo < 64:
				for x := h.Lo; x <= h.Hi; x++ {
					for _, l := range wl.ivs {
						out = append(out, iv{x<<32 | l.Lo, x<<32 | l.Hi})
					}
				}
			case h.Lo == 0 && h.Hi == 0xffffffff && len(wl.ivs) == 1 && wl.ivs[0].Lo == wl.ivs[0].Hi:
				// Only the low word is fixed: a masked comparison.
				return argSet{Masked: true, Mask: 0xffffffff, Value: wl.ivs[0].Lo, Eq: true}, true, ""
			default:
				return a, true, "the low word of an argument is compared while its high word ranges freely"
			}
		}
		return argSet{Ivs: out.normalize()}, true, ""
	}
	// Masked comparisons: one per word at most, and the other word fixed
	// or free, make one (masked) condition on the whole value.
	m := func(w wordSet) (mask, v uint32, eq, ok bool) {
		if len(w.masked) == 1 && len(w.ivs) == 1 && w.ivs[0] == (iv{0, 0xffffffff}) {
			c := w.masked[0]
			return c.Mask, c.K, c.Taken, true
		}
		if k, point, free := w.pointOrFull(); point {
			return ^uint32(0), k, true, true
		} else if free {
			return 0, 0, true, true
		}
		return 0, 0, false, false
	}
	mh, vh, eh, okh2 := m(wh)
	ml, vl, el, okl2 := m(wl)
	if is32 {
		// The high word is not the argument's: a 32-bit ABI has none.
		mh, vh, eh, okh2 = 0, 0, true, true
	}
	if !okh2 || !okl2 || (!eh && !el) || (!eh && ml != 0) || (!el && mh != 0) {
		return a, true, "several masked comparisons of one argument"
	}
	return argSet{Masked: true, Mask: uint64(mh)<<32 | uint64(ml), Value: uint64(vh)<<32 | uint64(vl), Eq: eh && el}, true, ""
}
