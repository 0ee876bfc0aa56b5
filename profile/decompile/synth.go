package decompile

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// cpath is one path through the stacked filters for one number: the set
// each argument takes, and the return value that wins.
type cpath struct {
	Args [6]argSet
	Ret  uint32
}

// condRule is one first-match rule for one syscall number.
type condRule struct {
	Args []*profile.Arg
	Ret  uint32
}

// treatment is what the filters do with one number: rules tried in
// order, then Final.
type treatment struct {
	Rules []condRule
	Final uint32
	// Alts are other forms meaning the same on this ABI.
	Alts []treatment
}

func (t treatment) key() string {
	var b strings.Builder
	for _, r := range t.Rules {
		fmt.Fprintf(&b, "%#x:", r.Ret)
		for _, a := range r.Args {
			fmt.Fprintf(&b, "%d%s%x/%x,", a.Index, a.Op, a.Value, a.ValueTwo)
		}
		b.WriteByte(';')
	}
	fmt.Fprintf(&b, "%#x", t.Final)
	return b.String()
}

func (t treatment) unconditional() bool { return len(t.Rules) == 0 }

// cond1 is the profile condition meaning "argument i is in a", if one
// condition can say it; none is true when a holds every value.
func cond1(i int, a argSet, top uint64) (c *profile.Arg, none, ok bool) {
	if a.isFull(top) {
		return nil, true, true
	}
	if a.Why != "" {
		return nil, false, false
	}
	if a.Masked {
		if !a.Eq {
			return nil, false, false
		}
		return &profile.Arg{Index: uint(i), Op: profile.OpMaskedEqual, Value: a.Mask, ValueTwo: a.Value}, false, true
	}
	s := a.Ivs
	switch {
	case len(s) == 1 && s[0].Lo == s[0].Hi:
		return &profile.Arg{Index: uint(i), Op: profile.OpEqualTo, Value: s[0].Lo}, false, true
	case len(s) == 1 && s[0].Lo == 0:
		return &profile.Arg{Index: uint(i), Op: profile.OpLessEqual, Value: s[0].Hi}, false, true
	case len(s) == 1 && s[0].Hi == top:
		return &profile.Arg{Index: uint(i), Op: profile.OpGreaterEqual, Value: s[0].Lo}, false, true
	case len(s) == 2 && s[0].Lo == 0 && s[1].Hi == top && s[0].Hi+2 == s[1].Lo:
		return &profile.Arg{Index: uint(i), Op: profile.OpNotEqual, Value: s[0].Hi + 1}, false, true
	}
	return nil, false, false
}

func conds(p cpath, top uint64) ([]*profile.Arg, bool) {
	var out []*profile.Arg
	for i, a := range p.Args {
		c, none, ok := cond1(i, a, top)
		if !ok {
			return nil, false
		}
		if !none {
			out = append(out, c)
		}
	}
	return out, true
}

// mergePaths joins paths with the same return that differ in one
// argument only, while the union of that argument's sets has a form.
func mergePaths(ps []cpath, top uint64) []cpath {
	// The sets' keys, computed once and kept in step with ps.
	keys := make([][6]string, len(ps))
	for i, p := range ps {
		for k := range 6 {
			keys[i][k] = p.Args[k].key()
		}
	}
	for changed := true; changed; {
		changed = false
	outer:
		for i := 0; i < len(ps); i++ {
			for j := i + 1; j < len(ps); j++ {
				if ps[i].Ret != ps[j].Ret {
					continue
				}
				diff := -1
				for k := range 6 {
					if keys[i][k] != keys[j][k] {
						if diff >= 0 {
							diff = -2
							break
						}
						diff = k
					}
				}
				if diff == -2 {
					continue
				}
				if diff >= 0 {
					a, b := ps[i].Args[diff], ps[j].Args[diff]
					switch {
					case !a.Masked && !b.Masked:
						u := argSet{Ivs: append(slices.Clone(a.Ivs), b.Ivs...).normalize()}
						if _, _, ok := cond1(diff, u, top); !ok {
							continue // the two say more as they are
						}
						ps[i].Args[diff] = u
					case a.Masked && b.Masked && a.Mask == b.Mask && a.Value == b.Value && a.Eq != b.Eq:
						ps[i].Args[diff] = full(top)
					default:
						continue
					}
					keys[i][diff] = ps[i].Args[diff].key()
				}
				ps = slices.Delete(ps, j, j+1)
				keys = slices.Delete(keys, j, j+1)
				changed = true
				break outer
			}
		}
	}
	return ps
}

// synthesize turns one number's paths into first-match rules: the paths a
// condition per argument can state become rules, and what remains must
// share one outcome, the final one. An outcome that depends on one
// argument's ranges becomes a chain of EQ rules and GE rules from the
// highest bound down.
//
// A program that tries rules one after the other (libseccomp's layout)
// has paths whose conditions say that an earlier rule's masked
// comparison failed; those are read as a chain in the program's order,
// each path a rule with its positive conditions.
func synthesize(raw []path, arch catalog.Arch, preferred uint32) (treatment, string) {
	if len(raw) > maxSynth {
		// Merging paths is quadratic and more: a filter built to
		// branch on every argument word is refused, not ground through.
		return treatment{}, fmt.Sprintf("%d paths through the filters for this call, more than the workbench explores (%d)", len(raw), maxSynth)
	}
	top := top(arch)
	var ps []cpath
	why := ""
	for _, p := range raw {
		cp, ok, w := toCpath(p, arch, false)
		if !ok {
			continue
		}
		if w != "" && why == "" {
			why = w
		}
		ps = append(ps, cp)
	}
	t, w := strict(ps, top, preferred)
	if w != "" {
		if t2, w2 := dfsChain(raw, arch); w2 == "" {
			return t2, ""
		}
		if why != "" {
			w = why
		}
	}
	return t, w
}

// dfsChain makes each feasible path, in program order, a rule of its
// conditions without the masked inequalities; the last is the final
// outcome.
func dfsChain(raw []path, arch catalog.Arch) (treatment, string) {
	var t treatment
	var rules []condRule
	for _, p := range raw {
		if _, ok, _ := toCpath(p, arch, false); !ok {
			continue
		}
		cp, ok, why := toCpath(p, arch, true)
		if !ok {
			return t, "a path of the program contradicts itself once its masked inequalities are dropped"
		}
		if why != "" {
			return t, why
		}
		cs, ok := conds(cp, top(arch))
		if !ok {
			return t, "the outcome depends on the arguments in a way first-match rules cannot state"
		}
		rules = append(rules, condRule{Args: cs, Ret: cp.Ret})
	}
	if len(rules) == 0 {
		return t, "no path of the program is feasible"
	}
	t.Final = rules[len(rules)-1].Ret
	rules = rules[:len(rules)-1]
	for len(rules) > 0 && rules[len(rules)-1].Ret == t.Final {
		rules = rules[:len(rules)-1]
	}
	t.Rules = rules
	return t, ""
}

func strict(ps []cpath, top uint64, preferred uint32) (treatment, string) {
	ps = mergePaths(ps, top)
	if len(ps) == 1 {
		return treatment{Final: ps[0].Ret}, ""
	}
	rets := map[uint32]int{}
	var inexpr []cpath
	for _, p := range ps {
		if _, ok := conds(p, top); !ok {
			inexpr = append(inexpr, p)
		}
		rets[p.Ret]++
	}
	final, single := uint32(0), true
	if len(inexpr) > 0 {
		final = inexpr[0].Ret
		for _, p := range inexpr {
			if p.Ret != final {
				single = false
			}
		}
	} else {
		// The final outcome is the one that covers the most values, so
		// that the rules single out the exceptions (and a 32-bit ABI's
		// reading of the same rules comes out alike).
		size := map[uint32]float64{}
		for _, p := range ps {
			size[p.Ret] += p.measure(top)
		}
		best := -1.0
		for r, n := range size {
			if n > best || (n == best && r == preferred) || (n == best && final != preferred && r < final) {
				final, best = r, n
			}
		}
	}
	if single {
		t := withFinal(ps, top, final)
		if len(inexpr) == 0 {
			// Every path has a form: any outcome can be the final one.
			// A 32-bit ABI may read only one of these forms as its own
			// rules mean (assemble tries them).
			for r := range rets {
				if r != final {
					t.Alts = append(t.Alts, withFinal(ps, top, r))
				}
			}
			sort.Slice(t.Alts, func(i, j int) bool { return t.Alts[i].Final < t.Alts[j].Final })
		}
		return t, ""
	}
	return chain(ps, top)
}

// withFinal makes every path whose outcome is not final a rule.
func withFinal(ps []cpath, top uint64, final uint32) treatment {
	var t treatment
	for _, p := range ps {
		if p.Ret == final {
			continue
		}
		cs, _ := conds(p, top)
		t.Rules = append(t.Rules, condRule{Args: cs, Ret: p.Ret})
	}
	sort.SliceStable(t.Rules, func(i, j int) bool { return ruleKey(t.Rules[i]) < ruleKey(t.Rules[j]) })
	t.Final = final
	return t
}

// maxSynth bounds the paths for one call that are read into rules;
// libseccomp's filters have a few per rule on the call.
const maxSynth = 64

// measure is roughly how many argument vectors the path takes.
func (p cpath) measure(top uint64) float64 {
	m := 1.0
	for _, a := range p.Args {
		switch {
		case a.Why != "":
			m *= float64(top)
		case a.Masked:
			bits := 0
			for x := a.Mask & top; x != 0; x &= x - 1 {
				bits++
			}
			free := float64(top)/float64(uint64(1)<<bits) + 1
			if !a.Eq {
				free = float64(top) - free
			}
			m *= free
		default:
			n := 0.0
			for _, x := range a.Ivs {
				n += float64(x.Hi-x.Lo) + 1
			}
			m *= n
		}
	}
	return m
}

func ruleKey(r condRule) string { return treatment{Rules: []condRule{r}}.key() }

// chain handles an outcome that depends on one argument's value ranges.
func chain(ps []cpath, top uint64) (treatment, string) {
	arg := -1
	for _, p := range ps {
		for k, a := range p.Args {
			if a.isFull(top) {
				continue
			}
			if a.Masked || a.Why != "" || (arg >= 0 && arg != k) {
				return treatment{}, "the outcome depends on several arguments, or on masked bits, in a way first-match rules cannot state"
			}
			arg = k
		}
	}
	if arg < 0 {
		return treatment{}, "paths with different outcomes test no argument (the program's paths overlap)"
	}
	type seg struct {
		iv
		ret uint32
	}
	var segs []seg
	for _, p := range ps {
		for _, x := range p.Args[arg].Ivs {
			segs = append(segs, seg{x, p.Ret})
		}
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].Lo < segs[j].Lo })
	var merged []seg
	for _, s := range segs {
		if n := len(merged); n > 0 && merged[n-1].ret == s.ret && merged[n-1].Hi+1 == s.Lo {
			merged[n-1].Hi = s.Hi
			continue
		}
		merged = append(merged, s)
	}
	var t treatment
	for _, s := range merged[1:] {
		if s.Lo == s.Hi {
			t.Rules = append(t.Rules, condRule{Args: []*profile.Arg{{Index: uint(arg), Op: profile.OpEqualTo, Value: s.Lo}}, Ret: s.ret})
		}
	}
	for i := len(merged) - 1; i >= 1; i-- {
		if s := merged[i]; s.Lo != s.Hi {
			t.Rules = append(t.Rules, condRule{Args: []*profile.Arg{{Index: uint(arg), Op: profile.OpGreaterEqual, Value: s.Lo}}, Ret: s.ret})
		}
	}
	t.Final = merged[0].ret
	return t, ""
}
