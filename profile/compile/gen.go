package compile

import (
	"fmt"
	"slices"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// The workbench's own code generator. Each ABI's program is a balanced
// binary search on seccomp_data.nr over the intervals on which the
// profile's meaning does not change, with a return at each leaf, or for a
// call whose outcome depends on its arguments, that call's rules in
// profile order, the first whose conditions all hold returning its
// action. What each interval and each rule means is read from the same
// Decider and rule views Verify checks against, so there is one meaning.
//
// Kernel rules the layout obeys: a conditional jump's offsets are one
// byte each (at most 255 instructions ahead), ja's is 32 bits; a program
// has at most BPF_MAXINSNS (4096) instructions; A is the only register a
// comparison reads, so every argument word is loaded before it is
// compared, and the syscall number is not reloaded once a leaf has
// replaced it.

// maxJump is the farthest a conditional jump's one-byte offset reaches.
const maxJump = 255

// Generator names, for Stats.Generator.
const (
	GenWorkbench  = "workbench"
	GenLibseccomp = "libseccomp"
)

// generate is the workbench's compiler (Compile); tests replace it to
// show Build's fallback.
var generate = generateProgram

func generateProgram(e *profile.Effective, o profile.Options) (*Program, error) {
	if err := sameByteOrder(e.Arches); err != nil {
		return nil, err
	}
	prog := &Program{Options: o, Effective: e}
	prog.Stats.Generator = GenWorkbench
	prog.Stats.Skipped = skippedNames(e, o)
	prog.Stats.ByNumber = libseccompLacks(e, o)
	// The tree decides with the exemption left out: the exemption's own
	// checks run first (exemptBody) and fall through for every call that
	// does not carry the secret.
	plain := o
	plain.Exempt = nil
	dec := e.Decider(plain)
	bodies := map[catalog.Arch][]bpf.RawInstruction{}
	progs := make(map[catalog.Arch][]bpf.RawInstruction, len(e.Arches))
	split := splitABIs(e.Arches)
	for _, a := range e.Arches {
		if body := exemptBody(o, a); len(body) > 0 {
			raw, err := bpf.Assemble(body)
			if err != nil {
				return nil, fmt.Errorf("assembling the exemption: %w", err)
			}
			bodies[a] = raw
		}
		p, err := abiProgram(e, o, dec, a, split[a])
		if err != nil {
			return nil, err
		}
		progs[a] = p
	}
	insns, perArch, own, err := join(e, o, bodies, progs, false)
	if err != nil {
		return nil, err
	}
	prog.Insns, prog.perArch = insns, perArch
	prog.Stats.Prelude = own
	prog.Stats.Instructions = len(insns)
	if len(insns) > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("the generated filter has %d instructions, over the kernel's limit of %d", len(insns), unix.BPF_MAXINSNS)
	}
	return prog, nil
}

// leaf is what one interval of syscall numbers gets: a return value, or
// (rules set) the argument checks of the call numbered nr.
type leaf struct {
	ret   uint32
	rules bool
	nr    int64
}

type interval struct {
	lo   int64 // the interval runs to the next one's lo, the last to 2^32-1
	leaf leaf
	// none: no number in it reaches this ABI's program (the dispatch
	// sends them elsewhere), so any leaf will do.
	none bool
}

// abiProgram is arch's program, the search, entered with nr in A (join).
func abiProgram(e *profile.Effective, o profile.Options, dec *profile.Decider, arch catalog.Arch, split bool) ([]bpf.RawInstruction, error) {
	ivs := intervals(e, o, dec, arch, split)
	var err error
	// checked: the chain compared nr with the leaf's call already.
	code := func(l leaf, checked bool) []bpf.RawInstruction {
		if !l.rules {
			return []bpf.RawInstruction{{Op: opRetK, K: l.ret}}
		}
		c, e2 := ruleCode(e, o, dec, arch, l.nr)
		if e2 != nil && err == nil {
			err = e2
		}
		if checked {
			return c
		}
		// The leaf first checks that nr is its call, and kills when it is
		// not: only a search that went wrong gets there, and a call
		// running another call's argument checks would be tested only
		// with that call's arguments (Verify tries a call's own).
		guard := []bpf.RawInstruction{{Op: opJeqK, Jt: 1, K: uint32(l.nr)}, {Op: opRetK, K: profile.RetValue(profile.Decision{Action: profile.ActKillProcess})}}
		return append(guard, c...)
	}
	out := search(ivs, 1<<32, code)
	return out, err
}

// intervals cuts the 32-bit number space of arch's program into pieces
// on which Decide gives one outcome, or needs the arguments (a single
// call), and merges neighbours with the same outcome. The cuts are
// everywhere Decide's answer can change: on each side of every call a
// rule names on arch (or on the ABI sharing its AUDIT_ARCH value, whose
// numbers reach it when the other is not in the filter) and of the
// multiplexers, at the stub limits, the x32 bit and bit 31 (FilterABI,
// foreign), -1, arm's private range and the ABI's base. A call no rule
// names gets what the numbers around it get. Verify checks both sides of
// every cut.
func intervals(e *profile.Effective, o profile.Options, dec *profile.Decider, arch catalog.Arch, split bool) []interval {
	cuts := []int64{0, 0x0f0000, catalog.X32SyscallBit, 0x80000000, 0xc0000000, profile.NrSkip, arch.Base()}
	abis := sharing(arch)
	if split {
		abis = abis[:1] // the other's numbers go to its own program
	}
	cat := catalog.MustDefault()
	for _, a := range abis {
		cut := func(name string) {
			if ent, ok := cat.Lookup(name); ok {
				if nr, ok := ent.Number(a); ok {
					cuts = append(cuts, nr, nr+1)
				}
			}
		}
		cut(catalog.SocketCall)
		cut(catalog.IPC)
		for i := range e.Rules {
			for _, name := range e.Rules[i].Names {
				cut(name)
			}
		}
		if m, ok := e.MaxNumber(a); ok {
			cuts = append(cuts, m+1)
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	var out []interval
	for _, lo := range cuts {
		if lo < 0 || lo > 0xffffffff {
			continue
		}
		iv := interval{lo: lo, none: !reaches(arch, split, lo)}
		if !iv.none {
			iv.leaf = leafOf(e, o, dec, arch, lo)
		}
		out = append(out, iv)
	}
	// A piece no number reaches takes its left neighbour's leaf (the
	// right one's at the start, or when the left one checks arguments,
	// whose leaf is for one number); then equal neighbours merge.
	for i := range out {
		if out[i].none && i > 0 && !out[i-1].none && !out[i-1].leaf.rules {
			out[i].leaf, out[i].none = out[i-1].leaf, false
		}
	}
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].none && i+1 < len(out) && !out[i+1].none && !out[i+1].leaf.rules {
			out[i].leaf, out[i].none = out[i+1].leaf, false
		}
	}
	for i := range out {
		if out[i].none {
			// Between two calls that check arguments: a return of its own.
			out[i].leaf, out[i].none = leaf{ret: profile.RetValue(profile.Decision{Action: profile.ActKillProcess})}, false
		}
	}
	merged := out[:0]
	for _, iv := range out {
		if n := len(merged); n > 0 && merged[n-1].leaf == iv.leaf {
			continue
		}
		merged = append(merged, iv)
	}
	return merged
}

// sharing is arch and the ABI that shares its AUDIT_ARCH value.
func sharing(arch catalog.Arch) []catalog.Arch {
	switch arch {
	case catalog.X86_64:
		return []catalog.Arch{catalog.X86_64, catalog.X32}
	case catalog.X32:
		return []catalog.Arch{catalog.X32, catalog.X86_64}
	}
	return []catalog.Arch{arch}
}

// reaches reports whether nr can arrive at arch's program: with both
// x86_64 and x32 in the filter, the dispatch splits their shared arch
// value on the x32 bit (join).
func reaches(arch catalog.Arch, split bool, nr int64) bool {
	if !split {
		return true
	}
	x32 := nr&catalog.X32SyscallBit != 0
	return x32 == (arch == catalog.X32)
}

// leafOf is the leaf of the piece starting at nr. A record run's filter
// reads no rule.
func leafOf(e *profile.Effective, o profile.Options, dec *profile.Decider, arch catalog.Arch, nr int64) leaf {
	d := dec.Decide(arch, nr, [6]uint64{})
	if o.Variant != profile.VariantRecord && d.Rule != profile.RuleBadArch && d.Rule != profile.RuleNewer {
		fa, fnr := e.FilterABI(arch, nr)
		if _, known := catalog.MustDefault().ByNumber(fa, fnr); known && conditional(dec.RulesOn(fa, d.Syscall)) {
			return leaf{rules: true, nr: nr}
		}
	}
	return leaf{ret: profile.RetValue(d)}
}

// conditional reports whether the first views, up to the first without
// conditions (which decides every call that gets to it), compare any
// argument.
func conditional(views []profile.RuleView) bool {
	return len(views) > 0 && len(views[0].Args) > 0
}

// search is the balanced binary search over ivs, which end before end;
// A holds nr. A node is "jge lo(right half)" with the left half next and
// the right half after it; a left half too long for the jump goes behind
// a ja. A few single calls in a range of one return are a chain of jeq
// instead (chain).
func search(ivs []interval, end int64, code func(leaf, bool) []bpf.RawInstruction) []bpf.RawInstruction {
	if len(ivs) == 1 {
		return code(ivs[0].leaf, false)
	}
	if c, ok := chain(ivs, end, code); ok {
		return c
	}
	m := len(ivs) / 2
	left, right := search(ivs[:m], ivs[m].lo, code), search(ivs[m:], end, code)
	k := uint32(ivs[m].lo)
	var out []bpf.RawInstruction
	if len(left) <= maxJump {
		out = append(out, bpf.RawInstruction{Op: opJgeK, Jt: uint8(len(left)), K: k})
	} else {
		out = append(out, bpf.RawInstruction{Op: opJgeK, Jf: 1, K: k},
			bpf.RawInstruction{Op: opJa, K: uint32(len(left))})
	}
	return append(append(out, left...), right...)
}

// maxChain is the most single calls a chain tests: with four, a call
// makes at most four comparisons, as in the search over the nine pieces
// they cut, in half the instructions.
const maxChain = 4

// chain is "jeq nr_i → leaf_i" for each single call of ivs whose leaf is
// not the rest's one return, then that return; ok is false when ivs are
// not such.
func chain(ivs []interval, end int64, code func(leaf, bool) []bpf.RawInstruction) ([]bpf.RawInstruction, bool) {
	var rest *leaf
	single := 0
	for i := range ivs {
		hi := end
		if i+1 < len(ivs) {
			hi = ivs[i+1].lo
		}
		if hi-ivs[i].lo == 1 && (rest == nil || ivs[i].leaf != *rest) {
			single++
			continue
		}
		if ivs[i].leaf.rules || (rest != nil && ivs[i].leaf != *rest) {
			return nil, false
		}
		rest = &ivs[i].leaf
	}
	if rest == nil || single > maxChain {
		return nil, false
	}
	var out []bpf.RawInstruction
	for _, iv := range ivs {
		if iv.leaf == *rest {
			continue
		}
		c := code(iv.leaf, true)
		if len(c) > maxJump {
			return nil, false
		}
		out = append(out, bpf.RawInstruction{Op: opJeqK, Jf: uint8(len(c)), K: uint32(iv.lo)})
		out = append(out, c...)
	}
	return append(out, bpf.RawInstruction{Op: opRetK, K: rest.ret}), true
}

// Jump targets inside one rule's block of code.
const (
	toNext = iota // the next instruction
	toEnd         // past this condition: it holds
	toFail        // the next rule's block: a condition does not hold
)

type cinsn struct {
	op     uint16
	k      uint32
	jt, jf int
}

// ruleCode is the code for the call numbered nr on arch: one block per
// rule view in profile order up to the first without conditions, each
// its conditions (every one must hold) and a return of its action; after
// the last, the default. Blocks are short (a condition is at most six
// instructions, a view at most seven conditions), so no jump in them is
// long.
func ruleCode(e *profile.Effective, o profile.Options, dec *profile.Decider, arch catalog.Arch, nr int64) ([]bpf.RawInstruction, error) {
	fa, fnr := e.FilterABI(arch, nr)
	name := catalog.MustDefault().Name(fa, fnr)
	var out []bpf.RawInstruction
	final := false
	for _, v := range dec.RulesOn(fa, name) {
		r := &e.Rules[v.Rule]
		act, errno := modeAction(r.Action, r.Errno, o)
		ret := profile.RetValue(profile.Decision{Action: act, Errno: errno})
		if len(v.Args) == 0 {
			out = append(out, bpf.RawInstruction{Op: opRetK, K: ret})
			final = true
			break
		}
		// Each condition's code ends where the next one's starts; its
		// toEnd is that point, toFail the end of the block (after ret).
		var conds [][]cinsn
		for _, c := range v.Args {
			cc, err := condCode(arch, fa, c)
			if err != nil {
				return nil, fmt.Errorf("syscalls[%d]: %s: %w", r.Index, name, err)
			}
			conds = append(conds, cc)
		}
		n := 1 // the ret
		for _, cc := range conds {
			n += len(cc)
		}
		if n > maxJump {
			return nil, fmt.Errorf("syscalls[%d]: %s: the rule's conditions need %d instructions, more than a jump reaches", r.Index, name, n)
		}
		pos := 0
		for _, cc := range conds {
			end := pos + len(cc)
			for i, ci := range cc {
				at := pos + i
				rel := func(t int) uint8 {
					switch t {
					case toEnd:
						return uint8(end - at - 1)
					case toFail:
						return uint8(n - at - 1)
					}
					return 0
				}
				out = append(out, bpf.RawInstruction{Op: ci.op, K: ci.k, Jt: rel(ci.jt), Jf: rel(ci.jf)})
			}
			pos = end
		}
		out = append(out, bpf.RawInstruction{Op: opRetK, K: ret})
	}
	if !final {
		def := e.DefaultDecision()
		act, errno := modeAction(def.Action, def.Errno, o)
		out = append(out, bpf.RawInstruction{Op: opRetK, K: profile.RetValue(profile.Decision{Action: act, Errno: errno})})
	}
	return thread(out), nil
}

// wordFact is what a path has learnt about one argument word: it is k,
// or it is not.
type wordFact struct {
	off, k uint32
	eq     bool
}

// pathState is what every path reaching an instruction knows: the word
// A holds (-1: none, or not a plain word) and facts about words.
type pathState struct {
	reached bool
	a       int64
	facts   []wordFact
}

func (s *pathState) merge(a int64, facts []wordFact) {
	if !s.reached {
		s.reached, s.a, s.facts = true, a, slices.Clone(facts)
		return
	}
	if s.a != a {
		s.a = -1
	}
	s.facts = slices.DeleteFunc(s.facts, func(f wordFact) bool { return !slices.Contains(facts, f) })
}

// decides says whether facts settle "word off == k", and how.
func decides(facts []wordFact, off, k uint32) (result, known bool) {
	for _, f := range facts {
		if f.off != off {
			continue
		}
		if f.eq {
			return f.k == k, true
		}
		if f.k == k {
			return false, true
		}
	}
	return false, false
}

// thread shortens the paths through one call's rule blocks: a jump that
// lands on "ld word; jeq k" whose outcome the path already knows (the
// block before compared the same word with the same value) goes on to
// where that jeq would send it, as long as it lands on a load or a
// return (what runs there does not depend on A). Rules on one argument
// then cost one comparison per rule and value, not one per rule and word,
// and the number of paths stays linear in the rules. The instructions no
// path reaches any more are dropped. code jumps only forward.
func thread(code []bpf.RawInstruction) []bpf.RawInstruction {
	st := make([]pathState, len(code)+1)
	st[0] = pathState{reached: true, a: -1}
	isLd := func(i bpf.RawInstruction) bool { return i.Op == opLdAbsW }
	for pc := 0; pc < len(code); pc++ {
		s := st[pc]
		if !s.reached {
			continue
		}
		in := &code[pc]
		switch {
		case in.Op == opLdAbsW:
			st[pc+1].merge(int64(in.K), s.facts)
		case in.Op == opRetK:
		case in.Op == opAndK:
			st[pc+1].merge(-1, s.facts)
		case in.Op == opJeqK && s.a >= 0:
			for _, taken := range []bool{true, false} {
				facts := append(slices.Clone(s.facts), wordFact{uint32(s.a), in.K, taken})
				off := &in.Jf
				if taken {
					off = &in.Jt
				}
				t := pc + 1 + int(*off)
				for t+1 < len(code) && isLd(code[t]) && code[t+1].Op == opJeqK {
					r, ok := decides(facts, code[t].K, code[t+1].K)
					if !ok {
						break
					}
					next := t + 2 + int(code[t+1].Jf)
					if r {
						next = t + 2 + int(code[t+1].Jt)
					}
					if next >= len(code) || !(isLd(code[next]) || code[next].Op == opRetK) {
						break
					}
					t = next
				}
				if isLd(code[t]) && int64(code[t].K) == s.a {
					t++ // A holds that word already
				}
				*off = uint8(t - pc - 1)
				st[t].merge(s.a, facts)
			}
		default: // other comparisons: both ways, nothing learnt
			for _, off := range []*uint8{&in.Jt, &in.Jf} {
				t := pc + 1 + int(*off)
				if isLd(code[t]) && int64(code[t].K) == s.a {
					t++
				}
				*off = uint8(t - pc - 1)
				st[t].merge(s.a, s.facts)
			}
		}
	}
	// Drop what no path reaches; jumps are relative, so recount them.
	at := make([]int, len(code))
	var out []bpf.RawInstruction
	for pc := range code {
		at[pc] = len(out)
		if st[pc].reached {
			out = append(out, code[pc])
		}
	}
	j := 0
	for pc, in := range code {
		if !st[pc].reached {
			continue
		}
		if in.Op&0x07 == 0x05 { // BPF_JMP
			out[j].Jt = uint8(at[pc+1+int(in.Jt)] - j - 1)
			out[j].Jf = uint8(at[pc+1+int(in.Jf)] - j - 1)
		}
		j++
	}
	return out
}

// condCode compares one argument as the filter of ABI fa sees it, laid
// out in seccomp_data as the kernel does for arch. A 64-bit value is two
// words: the high word decides unless it is equal, then the low word
// does. A 32-bit ABI compares the low word alone, both sides truncated.
func condCode(arch, fa catalog.Arch, c *profile.Arg) ([]cinsn, error) {
	if c.Index > 5 {
		return nil, fmt.Errorf("argument index %d: a syscall has six", c.Index)
	}
	loOff, hiOff := cbpf.ArgWordOffsets(arch, int(c.Index))
	v, w := c.Value, c.ValueTwo
	wide := !fa.Is32Bit()
	ld := func(off uint32) cinsn { return cinsn{op: opLdAbsW, k: off} }
	j := func(op uint16, k uint64, jt, jf int) cinsn { return cinsn{op: op, k: uint32(k), jt: jt, jf: jf} }
	hi, lo := v>>32, v&0xffffffff
	var out []cinsn
	switch c.Op {
	case profile.OpEqualTo:
		if wide {
			out = append(out, ld(hiOff), j(opJeqK, hi, toNext, toFail))
		}
		out = append(out, ld(loOff), j(opJeqK, lo, toEnd, toFail))
	case profile.OpNotEqual:
		if wide {
			out = append(out, ld(hiOff), j(opJeqK, hi, toNext, toEnd))
		}
		out = append(out, ld(loOff), j(opJeqK, lo, toFail, toEnd))
	case profile.OpGreaterThan, profile.OpGreaterEqual:
		low := uint16(opJgtK)
		if c.Op == profile.OpGreaterEqual {
			low = opJgeK
		}
		if wide {
			out = append(out, ld(hiOff), j(opJgtK, hi, toEnd, toNext), j(opJeqK, hi, toNext, toFail))
		}
		out = append(out, ld(loOff), j(low, lo, toEnd, toFail))
	case profile.OpLessThan, profile.OpLessEqual:
		// v < c is not v >= c; v <= c is not v > c.
		low := uint16(opJgeK)
		if c.Op == profile.OpLessEqual {
			low = opJgtK
		}
		if wide {
			out = append(out, ld(hiOff), j(opJgtK, hi, toFail, toNext), j(opJeqK, hi, toNext, toEnd))
		}
		out = append(out, ld(loOff), j(low, lo, toFail, toEnd))
	case profile.OpMaskedEqual:
		// (arg & mask) == (value & mask), each word on its own; a word
		// the mask leaves empty always matches.
		if mh := v >> 32; wide && mh != 0 {
			out = append(out, ld(hiOff), j(opAndK, mh, 0, 0), j(opJeqK, (w>>32)&mh, toNext, toFail))
		}
		if ml := v & 0xffffffff; ml != 0 {
			out = append(out, ld(loOff), j(opAndK, ml, 0, 0), j(opJeqK, w&ml, toEnd, toFail))
		}
	default:
		return nil, fmt.Errorf("operator %q", c.Op)
	}
	return out, nil
}

// skippedNames are the names no ABI of the filter has (Stats.Skipped).
func skippedNames(e *profile.Effective, o profile.Options) []string {
	if o.Variant == profile.VariantRecord {
		return nil
	}
	cat := catalog.MustDefault()
	var out []string
	for _, r := range e.Rules {
		for _, name := range r.Names {
			ent, known := cat.Lookup(name)
			if !known || !(onAny(ent, e.Arches) || muxedOn(name, e.Arches)) {
				out = appendOnce(out, name)
			}
		}
	}
	return out
}

// libseccompLacks are the calls the linked libseccomp does not know that
// a rule names (Stats.ByNumber): its PFC cannot show them.
func libseccompLacks(e *profile.Effective, o profile.Options) []string {
	if o.Variant == profile.VariantRecord {
		return nil
	}
	cat := catalog.MustDefault()
	var out []string
	for _, r := range e.Rules {
		for _, n := range r.Names {
			if _, ok := cat.Lookup(n); ok && !profile.LinkedKnows(n) {
				out = appendOnce(out, n)
			}
		}
	}
	return out
}
