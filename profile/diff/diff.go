// Package diff compares what two effective profiles do, not how they are
// written: the outcome of every catalog syscall on every ABI either
// filters, for the argument values around every comparison either makes.
package diff

import (
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
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
	A profile.Decision `json:"-"`
	B profile.Decision `json:"-"`
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
		where = "ABI " + profile.JoinArches(c.Arches)
	default:
		where = fmt.Sprintf("%s (%s)", c.Syscall, profile.JoinArches(c.Arches))
	}
	return fmt.Sprintf("%s: %s → %s", where, c.ADesc, c.BDesc)
}

// Diff compares what two effective profiles do, not how they are
// written: for every catalog syscall on every ABI both filter, the
// outcome for all-zero arguments and for the values on both sides of
// every comparison either profile makes. Identical changes on several
// ABIs are reported once. Changes of the default action and of the set
// of filtered ABIs come first; syscall changes follow by name. The
// ENOSYS stub for newer syscalls is part of the meaning (a profile that
// names a newer call moves the stub's boundary).
func Diff(a, b *profile.Effective) []Change {
	var out []Change
	out = append(out, archChanges(a, b)...)
	da := profile.Decision{Action: a.DefaultAction, Errno: a.DefaultErrno, Rule: profile.RuleDefault}
	db := profile.Decision{Action: b.DefaultAction, Errno: b.DefaultErrno, Rule: profile.RuleDefault}
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
func Subset(a, b *profile.Effective) []Change {
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
func unionArches(a, b *profile.Effective) []catalog.Arch {
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
func archChanges(a, b *profile.Effective) []Change {
	var onlyA, onlyB []catalog.Arch
	for _, arch := range catalog.Arches() {
		switch {
		case a.HasArch(arch) && !b.HasArch(arch):
			onlyA = append(onlyA, arch)
		case b.HasArch(arch) && !a.HasArch(arch):
			onlyB = append(onlyB, arch)
		}
	}
	kill := profile.Decision{Action: profile.ActKillThread, Rule: profile.RuleBadArch}
	var out []Change
	if len(onlyA) > 0 {
		c := Change{Scope: ScopeArch, Arches: onlyA, A: profile.Decision{Action: a.DefaultAction, Errno: a.DefaultErrno},
			B: kill, ADesc: "filtered by the profile", BDesc: "not in the filter: kill_thread"}
		c.Tightens = anyAllowed(a, onlyA)
		c.Kind = kindOf(false, c.Tightens)
		out = append(out, c)
	}
	if len(onlyB) > 0 {
		c := Change{Scope: ScopeArch, Arches: onlyB, A: kill, B: profile.Decision{Action: b.DefaultAction, Errno: b.DefaultErrno},
			ADesc: "not in the filter: kill_thread", BDesc: "filtered by the profile"}
		c.Loosens = anyAllowed(b, onlyB)
		c.Kind = kindOf(c.Loosens, false)
		out = append(out, c)
	}
	return out
}

// anyAllowed reports whether e lets any catalog syscall run on any of
// arches (for some arguments).
func anyAllowed(e *profile.Effective, arches []catalog.Arch) bool {
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
func compareOne(a, b *profile.Effective, arch catalog.Arch, nr int64, name string) (Change, bool) {
	inputs := profile.ArgInputs(arch, name, a, b)
	var c Change
	differs, condA, condB := false, false, false
	var firstA, firstB profile.Decision
	for i, args := range inputs {
		da := a.Decide(arch, nr, args, profile.Options{})
		db := b.Decide(arch, nr, args, profile.Options{})
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
		c.ADesc = profile.DescribeSyscall(a, arch, name)
	}
	if condB {
		c.BDesc = profile.DescribeSyscall(b, arch, name)
	}
	c.Kind = kindOf(c.Loosens, c.Tightens)
	return c, true
}
