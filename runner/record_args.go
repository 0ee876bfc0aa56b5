package runner

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Argument-aware recording. For the calls whose risk an argument decides
// (catalog.RiskyArgs: socket's family, clone's flags, ioctl's request
// ...), a recording keeps the values it saw and the profile allows only
// those: one allow rule per combination of values seen, with an equality
// condition per argument read as values (SCMP_CMP_EQ, or MASKED_EQ when
// bits such as SOCK_CLOEXEC are ignored) and, per argument read as flags,
// a masked condition that lets no bit through that the recording did not
// see (flags & ^seen == 0). Each rule tests each index once, so runc's
// reading of repeated indexes (ORed, profile.RepeatsIndex) never applies.
//
// The upper half of a 32-bit argument: the kernel ignores it on a 64-bit
// ABI, the filter does not. A condition on all 64 bits denies a call
// whose upper half is set (socket(0x100000002) is not AF_UNIX to the
// filter, whatever the kernel would make of it), so a recorded rule never
// lets through a call whose kernel-side twin it denies — lint's
// int-upper-half finds nothing. Only when the recording saw a value with
// its upper half set (a negative int, sign-extended) does the condition
// compare the low 32 bits alone, as the kernel reads them.
//
// A call is allowed by name instead, with a note saying why, when what
// decides is in memory on one of the profile's ABIs (clone3; mmap on x86
// and s390), when the profile covers an ABI where libseccomp carries the
// call through a multiplexer (socket through socketcall on x86), when the
// argument's index differs between the profile's ABIs, and when the base
// allows by default (libseccomp takes no rule with the default action).

// argValuesMax is how many distinct values of one argument the profile
// names; a call seen with more is allowed whatever that argument holds,
// and the notes say so.
const argValuesMax = 8

// argTuplesMax caps the combinations of values kept per call, and so the
// allow rules written for it; past it only the first argument is held.
const argTuplesMax = 16

// maxRisky is the most risky arguments one call has.
const maxRisky = 3

// argSeen is what a recording saw of one call's risky arguments.
type argSeen struct {
	name  string
	specs []catalog.RiskyArg // read as values or bits, in index order
	// memory: the call also has an argument in memory (clone3), which no
	// rule can hold.
	memory bool
	// vals are the distinct values of each values argument (ignored
	// bits cleared), up to argValuesMax+1.
	vals [maxRisky]map[uint64]bool
	// tuples are the combinations of the values arguments' values seen
	// together, up to argTuplesMax; over when there were more.
	tuples map[[maxRisky]uint64]bool
	over   bool
	// bits is the union of what each flags argument held.
	bits [maxRisky]uint64
	// upper: a value of a narrow argument arrived with its upper half set.
	upper [maxRisky]bool
}

func newArgSeen(cat *catalog.Catalog, name string) *argSeen {
	s := &argSeen{name: name, tuples: map[[maxRisky]uint64]bool{}}
	for _, a := range cat.RiskyArgs(name) {
		switch {
		case a.Read == catalog.ReadMemory:
			s.memory = true
		case len(s.specs) < maxRisky:
			s.specs = append(s.specs, a)
		}
	}
	if len(s.specs) == 0 && !s.memory {
		return nil
	}
	for i := range s.specs {
		s.vals[i] = map[uint64]bool{}
	}
	return s
}

// nativeLookups bounds the native ABI's numbers that seenArgs keeps in
// a slice rather than the map (x86_64's go to about 470).
const nativeLookups = 1024

// argLookup is seenArgs' answer for one native number.
type argLookup struct {
	done bool
	s    *argSeen
}

// seenArgs returns the argSeen of a call, nil when none of its arguments
// is risky; it is looked up once per ABI and number, and for the native
// ABI found again by indexing a slice (add runs for every call).
func (r *recording) seenArgs(arch catalog.Arch, nr int64) *argSeen {
	if arch == r.native && nr >= 0 && nr < nativeLookups {
		if r.nativeArgs == nil {
			r.nativeArgs = make([]argLookup, nativeLookups)
		}
		l := &r.nativeArgs[nr]
		if !l.done {
			l.done, l.s = true, r.lookupArgs(arch, nr)
		}
		return l.s
	}
	k := archNr{arch, nr}
	if s, ok := r.argsBy[k]; ok {
		return s
	}
	s := r.lookupArgs(arch, nr)
	r.argsBy[k] = s
	return s
}

func (r *recording) lookupArgs(arch catalog.Arch, nr int64) *argSeen {
	ent, ok := r.cat.ByNumber(arch, nr)
	var s *argSeen
	if ok {
		if s = r.args[ent.Name]; s == nil {
			s = newArgSeen(r.cat, ent.Name)
			if s != nil {
				r.args[ent.Name] = s
			}
		}
	}
	return s
}

// addArgs notes the risky arguments of one call.
func (s *argSeen) addArgs(arch catalog.Arch, args [6]uint64) {
	var t [maxRisky]uint64
	for i := range s.specs {
		a := &s.specs[i]
		at := a.At(arch)
		if at < 0 {
			continue // in memory on this ABI: argRules allows the name
		}
		v := args[at]
		if a.Narrow && !arch.Is32Bit() && v>>32 != 0 {
			// The kernel reads the low 32 bits; so will the rule.
			s.upper[i] = true
			v &= 0xffffffff
		}
		if a.Read == catalog.ReadBits {
			s.bits[i] |= v
			continue
		}
		t[i] = v &^ a.Ignore
	}
	// A combination seen before adds nothing: its values are in vals
	// (or vals was full, and stays so).
	if !s.over && s.tuples[t] {
		return
	}
	for i := range s.specs {
		if s.specs[i].Read == catalog.ReadValues && len(s.vals[i]) <= argValuesMax {
			s.vals[i][t[i]] = true
		}
	}
	if !s.over {
		if len(s.tuples) == argTuplesMax {
			s.over = true
		} else {
			s.tuples[t] = true
		}
	}
}

// merge adds what o saw of the same call.
func (s *argSeen) merge(o *argSeen) {
	for i := range s.specs {
		s.bits[i] |= o.bits[i]
		s.upper[i] = s.upper[i] || o.upper[i]
		for v := range o.vals[i] {
			if len(s.vals[i]) <= argValuesMax {
				s.vals[i][v] = true
			}
		}
	}
	s.over = s.over || o.over
	for t := range o.tuples {
		if len(s.tuples) == argTuplesMax && !s.tuples[t] {
			s.over = true
			continue
		}
		s.tuples[t] = true
	}
}

// argRules are the allow rules for one recorded call on arches, and a
// note on each for the user. ok is false when the call is to be allowed
// by name; the note then says why, unless nothing about it is risky.
func (r *recording) argRules(s *argSeen, arches []catalog.Arch) (rules []*profile.Rule, note string, ok bool) {
	name := s.name
	if r.base != nil && r.base.eff.DefaultAction.Canon() == profile.ActAllow {
		// libseccomp takes no rule whose action is the filter's default:
		// an allow rule with conditions cannot go ahead of the base's
		// rule that refuses the call (compile says so).
		return nil, fmt.Sprintf("%s is allowed by name: the base allows by default, and libseccomp cannot put an allow rule with conditions ahead of the base's rule for %s", name, name), false
	}
	if s.memory {
		for _, a := range r.cat.RiskyArgs(name) {
			if a.Read == catalog.ReadMemory {
				return nil, fmt.Sprintf("%s is allowed by name: %s", name, a.Why), false
			}
		}
	}
	for _, arch := range arches {
		if _, _, mux := catalog.MuxOp(name); mux && arch.Multiplexes() {
			return nil, fmt.Sprintf("%s is allowed by name: on %s libseccomp also applies its rules to the multiplexer %s, where its arguments are in memory", name, arch, muxName(name)), false
		}
		for _, a := range s.specs {
			if a.At(arch) < 0 {
				return nil, fmt.Sprintf("%s is allowed by name: on %s its %s is in memory, where seccomp cannot read it", name, arch, a.Name), false
			}
			if a.At(arch) != a.At(arches[0]) {
				return nil, fmt.Sprintf("%s is allowed by name: its %s is argument %d on %s and %d on %s", name, a.Name, a.At(arches[0]), arches[0], a.At(arch), arch), false
			}
		}
	}
	arch := arches[0]
	// The values arguments held to their values: those with few enough,
	// all of them when their combinations were kept, else the first.
	var held []int
	var loose []string
	for i, a := range s.specs {
		if a.Read != catalog.ReadValues {
			continue
		}
		if len(s.vals[i]) > argValuesMax {
			loose = append(loose, fmt.Sprintf("its %s: more than %d values seen (%s ...)", a.Name, argValuesMax, r.valuesText(s, i, argValuesMax)))
			continue
		}
		held = append(held, i)
	}
	if s.over && len(held) > 1 {
		for _, i := range held[1:] {
			loose = append(loose, fmt.Sprintf("its %s: more than %d combinations with its %s seen", s.specs[i].Name, argTuplesMax, s.specs[held[0]].Name))
		}
		held = held[:1]
	}
	combos := map[[maxRisky]uint64]bool{}
	if len(held) == 1 && s.over {
		for v := range s.vals[held[0]] {
			var t [maxRisky]uint64
			t[held[0]] = v
			combos[t] = true
		}
	} else {
		for t := range s.tuples {
			var p [maxRisky]uint64
			for _, i := range held {
				p[i] = t[i]
			}
			combos[p] = true
		}
	}
	var flagConds []*profile.Arg
	var flagText []string
	for i, a := range s.specs {
		if a.Read != catalog.ReadBits {
			continue
		}
		mask := ^s.bits[i]
		if s.upper[i] {
			mask &= 0xffffffff
		}
		flagConds = append(flagConds, &profile.Arg{Index: uint(a.At(arch)), Op: profile.OpMaskedEqual, Value: mask, ValueTwo: 0})
		flagText = append(flagText, fmt.Sprintf("%s within %s", a.Name, r.cat.ArgText(&a, s.bits[i])))
	}
	if len(held) == 0 && len(flagConds) == 0 {
		return nil, fmt.Sprintf("%s is allowed whatever %s", name, strings.Join(loose, "; and whatever ")), false
	}
	keys := slices.SortedFunc(maps.Keys(combos), func(x, y [maxRisky]uint64) int {
		return slices.Compare(x[:], y[:])
	})
	var shown []string
	for _, t := range keys {
		var conds []*profile.Arg
		var parts []string
		for _, i := range held {
			a := &s.specs[i]
			c := &profile.Arg{Index: uint(a.At(arch)), Value: t[i], Op: profile.OpEqualTo}
			mask := ^a.Ignore
			if s.upper[i] {
				mask &= 0xffffffff
			}
			if mask != ^uint64(0) {
				c.Op, c.Value, c.ValueTwo = profile.OpMaskedEqual, mask, t[i]&mask
			}
			conds = append(conds, c)
			parts = append(parts, r.cat.ArgText(a, t[i]))
		}
		conds = append(conds, flagConds...)
		slices.SortStableFunc(conds, func(x, y *profile.Arg) int { return int(x.Index) - int(y.Index) })
		what := strings.Join(append(parts, flagText...), ", ")
		rules = append(rules, &profile.Rule{Names: []string{name}, Action: profile.ActAllow, Args: conds,
			Comment: "recorded by seccomp-workbench: " + name + "(" + what + ")"})
		shown = append(shown, strings.Join(parts, ", "))
	}
	switch {
	case len(held) == 0:
		note = fmt.Sprintf("%s is allowed with %s", name, strings.Join(flagText, " and "))
	case len(flagText) == 0:
		note = fmt.Sprintf("%s is allowed only as %s", name, joinCalls(name, shown))
	default:
		note = fmt.Sprintf("%s is allowed only as %s, with %s", name, joinCalls(name, shown), strings.Join(flagText, " and "))
	}
	if len(loose) > 0 {
		note += "; whatever " + strings.Join(loose, "; and whatever ")
	}
	return rules, note, true
}

// valuesText names up to n of the values argument i was seen with.
func (r *recording) valuesText(s *argSeen, i, n int) string {
	vs := slices.Sorted(maps.Keys(s.vals[i]))
	var out []string
	for _, v := range vs[:min(n, len(vs))] {
		out = append(out, r.cat.ArgText(&s.specs[i], v))
	}
	return strings.Join(out, ", ")
}

func joinCalls(name string, args []string) string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = name + "(" + a + ")"
	}
	return strings.Join(out, ", ")
}

func muxName(name string) string {
	mux, _, _ := catalog.MuxOp(name)
	return mux
}
