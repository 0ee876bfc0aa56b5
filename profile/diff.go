package profile

import (
	"fmt"
	"sort"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Kinds of Change.
const (
	// Loosened: B allows (allow or log) something A does not, and
	// never the reverse.
	Loosened = "loosened"
	// Tightened: A allows something B does not, and never the reverse.
	Tightened = "tightened"
	// Changed: the outcome differs but neither allows more (errno(EPERM)
	// to kill_process, allow to log ...), or it does both, depending on
	// the arguments.
	Changed = "changed"
)

// Scopes of Change.
const (
	ScopeSyscall = "syscall" // one syscall on some arches
	ScopeDefault = "default" // the default action or errno
	ScopeArch    = "arch"    // an ABI filtered by one profile only
)

// Change is one difference in meaning between two effective profiles.
type Change struct {
	Scope string `json:"scope"`
	// Syscall is the call's name (ScopeSyscall), or "" otherwise.
	Syscall string `json:"syscall,omitempty"`
	// Arches are the ABIs on which this same change happens.
	Arches []catalog.Arch `json:"arches"`
	// A and B are the outcomes for all-zero arguments.
	A Decision `json:"-"`
	B Decision `json:"-"`
	// ADesc and BDesc describe the outcome in words: the decision, or
	// the rules in order when the outcome depends on the arguments
	// ("allow when arg0 == 0x0; else errno(EPERM)").
	ADesc string `json:"a"`
	BDesc string `json:"b"`
	Kind  string `json:"kind"`
	// Loosens is true when B allows, for some input, what A does not;
	// Tightens the reverse. Both can hold for an argument-dependent
	// change.
	Loosens  bool `json:"loosens"`
	Tightens bool `json:"tightens"`
}

func (c Change) String() string {
	var where string
	switch c.Scope {
	case ScopeDefault:
		where = "default action"
	case ScopeArch:
		where = "ABI " + JoinArches(c.Arches)
	default:
		where = fmt.Sprintf("%s (%s)", c.Syscall, JoinArches(c.Arches))
	}
	return fmt.Sprintf("%s: %s → %s", where, c.ADesc, c.BDesc)
}

// JoinArches lists ABIs separated by commas.
func JoinArches(as []catalog.Arch) string {
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

// Diff compares what two effective profiles do, not how they are
// written: for every catalog syscall on every ABI both filter, the
// outcome for all-zero arguments and for the values on both sides of
// every comparison either profile makes. Identical changes on several
// ABIs are reported once. Changes of the default action and of the set
// of filtered ABIs come first; syscall changes follow by name. The
// ENOSYS stub for newer syscalls is part of the meaning (a profile that
// names a newer call moves the stub's boundary).
func Diff(a, b *Effective) []Change {
	var out []Change
	out = append(out, archChanges(a, b)...)
	da := Decision{Action: a.DefaultAction, Errno: a.DefaultErrno, Rule: RuleDefault}
	db := Decision{Action: b.DefaultAction, Errno: b.DefaultErrno, Rule: RuleDefault}
	if !da.Same(db) {
		c := Change{Scope: ScopeDefault, Arches: unionArches(a, b), A: da, B: db, ADesc: da.String(), BDesc: db.String()}
		c.Loosens = db.Action.LetsThrough() && !da.Action.LetsThrough()
		c.Tightens = da.Action.LetsThrough() && !db.Action.LetsThrough()
		c.Kind = kindOf(c.Loosens, c.Tightens)
		out = append(out, c)
	}
	cat := catalog.MustDefault()
	var both []catalog.Arch
	for _, arch := range catalog.Arches() {
		if a.HasArch(arch) && b.HasArch(arch) {
			both = append(both, arch)
		}
	}
	for _, ent := range cat.All() {
		var group []Change // one per distinct change of this syscall
		for _, arch := range both {
			nr, ok := ent.Number(arch)
			if !ok {
				continue
			}
			c, differs := compareOne(a, b, arch, nr, ent.Name)
			if !differs {
				continue
			}
			merged := false
			for i := range group {
				if group[i].ADesc == c.ADesc && group[i].BDesc == c.BDesc && group[i].Kind == c.Kind {
					group[i].Arches = append(group[i].Arches, arch)
					merged = true
					break
				}
			}
			if !merged {
				c.Arches = []catalog.Arch{arch}
				group = append(group, c)
			}
		}
		out = append(out, group...)
	}
	return out
}

// Subset returns the changes by which B allows something A denies: if
// it is empty, B is at least as strict as A (for the catalog's syscalls,
// the ABIs and the default).
func Subset(a, b *Effective) []Change {
	var out []Change
	for _, c := range Diff(a, b) {
		if c.Loosens {
			out = append(out, c)
		}
	}
	return out
}

func kindOf(loosens, tightens bool) string {
	switch {
	case loosens && !tightens:
		return Loosened
	case tightens && !loosens:
		return Tightened
	}
	return Changed
}

// unionArches lists the ABIs either profile filters, in catalog order.
func unionArches(a, b *Effective) []catalog.Arch {
	var out []catalog.Arch
	for _, arch := range catalog.Arches() {
		if a.HasArch(arch) || b.HasArch(arch) {
			out = append(out, arch)
		}
	}
	return out
}

// archChanges reports the ABIs only one profile filters. A call on an ABI
// missing from a filter kills the thread; on an ABI it has, the profile
// decides.
func archChanges(a, b *Effective) []Change {
	var onlyA, onlyB []catalog.Arch
	for _, arch := range catalog.Arches() {
		switch {
		case a.HasArch(arch) && !b.HasArch(arch):
			onlyA = append(onlyA, arch)
		case b.HasArch(arch) && !a.HasArch(arch):
			onlyB = append(onlyB, arch)
		}
	}
	kill := Decision{Action: ActKillThread, Rule: RuleBadArch}
	var out []Change
	if len(onlyA) > 0 {
		c := Change{Scope: ScopeArch, Arches: onlyA, A: Decision{Action: a.DefaultAction, Errno: a.DefaultErrno},
			B: kill, ADesc: "filtered by the profile", BDesc: "not in the filter: kill_thread"}
		c.Tightens = anyAllowed(a, onlyA)
		c.Kind = kindOf(false, c.Tightens)
		out = append(out, c)
	}
	if len(onlyB) > 0 {
		c := Change{Scope: ScopeArch, Arches: onlyB, A: kill, B: Decision{Action: b.DefaultAction, Errno: b.DefaultErrno},
			ADesc: "not in the filter: kill_thread", BDesc: "filtered by the profile"}
		c.Loosens = anyAllowed(b, onlyB)
		c.Kind = kindOf(c.Loosens, false)
		out = append(out, c)
	}
	return out
}

// anyAllowed reports whether e lets any catalog syscall run on any of
// arches (for some arguments).
func anyAllowed(e *Effective, arches []catalog.Arch) bool {
	if e.DefaultAction.LetsThrough() {
		return true
	}
	cat := catalog.MustDefault()
	for _, r := range e.Rules {
		if !r.Action.LetsThrough() {
			continue
		}
		for _, n := range r.Names {
			ent, ok := cat.Lookup(n)
			if !ok {
				continue
			}
			for _, arch := range arches {
				if _, ok := ent.Number(arch); ok {
					return true
				}
			}
		}
	}
	return false
}

// compareOne compares the two profiles for one syscall on one ABI.
func compareOne(a, b *Effective, arch catalog.Arch, nr int64, name string) (Change, bool) {
	inputs := ArgInputs(arch, name, a, b)
	var c Change
	differs, condA, condB := false, false, false
	var firstA, firstB Decision
	for i, args := range inputs {
		da := a.Decide(arch, nr, args, Options{})
		db := b.Decide(arch, nr, args, Options{})
		if i == 0 {
			firstA, firstB = da, db
		} else {
			condA = condA || !da.Same(firstA)
			condB = condB || !db.Same(firstB)
		}
		if da.Same(db) {
			continue
		}
		differs = true
		if db.Action.LetsThrough() && !da.Action.LetsThrough() {
			c.Loosens = true
		}
		if da.Action.LetsThrough() && !db.Action.LetsThrough() {
			c.Tightens = true
		}
	}
	if !differs {
		return c, false
	}
	c.Scope, c.Syscall, c.A, c.B = ScopeSyscall, name, firstA, firstB
	c.ADesc, c.BDesc = firstA.String(), firstB.String()
	if condA {
		c.ADesc = DescribeSyscall(a, arch, name)
	}
	if condB {
		c.BDesc = DescribeSyscall(b, arch, name)
	}
	c.Kind = kindOf(c.Loosens, c.Tightens)
	return c, true
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
	for _, r := range e.Rules {
		if !r.Has(name) {
			continue
		}
		d := Decision{Action: r.Action, Errno: r.Errno}
		if len(r.Args) == 0 {
			parts = append(parts, "else "+d.String())
			return strings.Join(parts, "; ")
		}
		parts = append(parts, d.String()+" when "+FormatConditions(r.Args, arch))
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
