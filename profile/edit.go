package profile

import (
	"bytes"
	"fmt"
	"slices"
	"sort"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// maxUndo bounds the undo history; the oldest steps are forgotten first.
// A step holds a copy of the profile (Docker's default is about 20 KiB
// of JSON), so a thousand steps stay in the tens of megabytes.
const maxUndo = 1000

// Editor applies the workbench's edits to a private copy of a profile,
// with undo and redo. Every step is a snapshot: the profile is copied,
// changed, and the copy replaces the current state, so a *Profile once
// returned by Profile is never modified afterwards and can be compiled in
// the background while editing goes on.
//
// Edits keep the file shaped the way Docker's default profile is: one
// rule per outcome holding a sorted list of names, and a rule of its own
// for a syscall with argument conditions.
type Editor struct {
	cur   editState
	undo  []editState
	redo  []editState
	saved []byte
	gen   int
}

// editState is one version of the profile with its canonical bytes, which
// tell whether an edit changed anything and whether the profile is dirty.
type editState struct {
	p    *Profile
	data []byte
}

// NewEditor starts editing a deep copy of p; p itself is never changed.
// The copy is the saved state (Dirty is false until something changes).
func NewEditor(p *Profile) *Editor {
	if p == nil {
		p = &Profile{DefaultAction: ActErrno}
	}
	q := p.Clone()
	data, _ := Marshal(q) // plain data: cannot fail
	return &Editor{cur: editState{q, data}, saved: data}
}

// Profile is the current state. Callers must not modify it.
func (ed *Editor) Profile() *Profile { return ed.cur.p }

// Generation counts changes, undos and redos: when it moves, the profile
// must be recompiled.
func (ed *Editor) Generation() int { return ed.gen }

// Dirty reports whether the profile differs from the state last marked
// saved (initially the loaded one). Undoing back to it makes it clean.
func (ed *Editor) Dirty() bool { return !bytes.Equal(ed.cur.data, ed.saved) }

// MarkSaved records the current state as the one on disk.
func (ed *Editor) MarkSaved() { ed.saved = ed.cur.data }

// CanUndo reports whether Undo has a step to take back.
func (ed *Editor) CanUndo() bool { return len(ed.undo) > 0 }

// CanRedo reports whether Redo has a step to repeat.
func (ed *Editor) CanRedo() bool { return len(ed.redo) > 0 }

// Undo goes back one step; false when there is none.
func (ed *Editor) Undo() bool { return ed.step(&ed.undo, &ed.redo) }

// Redo repeats the last undone step; false when there is none.
func (ed *Editor) Redo() bool { return ed.step(&ed.redo, &ed.undo) }

// step makes the top of from current, pushing the current state on to.
func (ed *Editor) step(from, to *[]editState) bool {
	if len(*from) == 0 {
		return false
	}
	*to = append(*to, ed.cur)
	ed.cur = (*from)[len(*from)-1]
	*from = (*from)[:len(*from)-1]
	ed.gen++
	return true
}

// apply runs change on a copy of the current profile. A change that
// leaves the canonical bytes as they were is not a step; one that leaves
// an invalid profile is refused and nothing changes.
func (ed *Editor) apply(change func(p *Profile) error) error {
	next := ed.cur.p.Clone()
	if err := change(next); err != nil {
		return err
	}
	if err := next.validate(); err != nil {
		return fmt.Errorf("the edit would make the profile invalid: %v", err)
	}
	data, err := Marshal(next)
	if err != nil {
		return err
	}
	if bytes.Equal(data, ed.cur.data) {
		return nil
	}
	ed.undo = append(ed.undo, ed.cur)
	if len(ed.undo) > maxUndo {
		ed.undo = append([]editState(nil), ed.undo[len(ed.undo)-maxUndo:]...)
	}
	ed.redo = nil
	ed.cur = editState{next, data}
	ed.gen++
	return nil
}

// SetSyscall gives one syscall a single outcome everywhere in the
// profile. errno is used for SCMP_ACT_ERRNO only (1..4095).
func (ed *Editor) SetSyscall(name string, a Action, errno uint) error {
	if _, err := editLookup(name); err != nil {
		return err
	}
	a, errno, err := editCheckOutcome(a, errno)
	if err != nil {
		return err
	}
	return ed.apply(func(p *Profile) error {
		editSetOutcome(p, []string{name}, a, errno)
		return nil
	})
}

// SetFamily sets name and every call that does the same job (the
// catalog's family: mkdir with mkdirat, open with openat, openat2 and
// creat ...), so that no sibling is left open by accident.
func (ed *Editor) SetFamily(name string, a Action, errno uint) error {
	ent, err := editLookup(name)
	if err != nil {
		return err
	}
	a, errno, err = editCheckOutcome(a, errno)
	if err != nil {
		return err
	}
	return ed.apply(func(p *Profile) error {
		editSetOutcome(p, ent.Family, a, errno)
		return nil
	})
}

// SetRisk sets every catalog syscall of tier r.
func (ed *Editor) SetRisk(r catalog.Risk, a Action, errno uint) error {
	if r.Rank() >= len(catalog.Risks()) {
		return fmt.Errorf("unknown risk %q: use one of critical, high, medium, low", r)
	}
	a, errno, err := editCheckOutcome(a, errno)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range catalog.MustDefault().All() {
		if e.Risk == r {
			names = append(names, e.Name)
		}
	}
	return ed.apply(func(p *Profile) error {
		editSetOutcome(p, names, a, errno)
		return nil
	})
}

// SetDefault sets defaultAction, and defaultErrnoRet for SCMP_ACT_ERRNO
// (left unset when it would be EPERM and was unset). For other actions
// defaultErrnoRet is removed. Rules keep their meaning: an errno rule
// without errnoRet answers EPERM whatever the default (Profile.Errno).
func (ed *Editor) SetDefault(a Action, errno uint) error {
	a, errno, err := editCheckOutcome(a, errno)
	if err != nil {
		return err
	}
	return ed.apply(func(p *Profile) error {
		p.DefaultAction = a
		podman := p.DefaultErrnoName != ""
		switch {
		case a != ActErrno:
			p.DefaultErrnoRet, p.DefaultErrnoName = nil, ""
		case p.DefaultErrnoRet == nil && errno == 1 && !podman:
		default:
			p.DefaultErrnoRet = uintp(errno)
			if podman {
				// Podman reads the name first: keep the file's style,
				// saying the same errno both ways.
				p.DefaultErrnoName = ErrnoName(errno)
			}
		}
		return nil
	})
}

// AddCondition adds an argument condition to the rule that holds the
// syscall's conditions. When the syscall has no such rule, it gets one of
// its own: the action is its current unconditional outcome, except that a
// syscall left to the default gets the opposite of the default (allow in
// a deny-by-default profile, errno with the default errno otherwise) —
// a condition on a rule equal to the default would change nothing. The
// unconditional rules that named it no longer do, so the syscall has that
// outcome exactly when the conditions hold, and the default otherwise.
func (ed *Editor) AddCondition(name string, arg Arg) error {
	ent, err := editLookup(name)
	if err != nil {
		return err
	}
	if arg.Index > 5 {
		return fmt.Errorf("argument index %d is out of range: syscalls have arguments 0..5", arg.Index)
	}
	if _, ok := operatorNames[arg.Op]; !ok {
		return fmt.Errorf("unknown comparison operator %q: use one of %s", arg.Op, knownList(opKeys()))
	}
	if !LinkedKnows(ent.Name) {
		return fmt.Errorf("%s: the installed libseccomp (%s, the one this workbench runs with) does not know this syscall, so conditions on it cannot be compiled: set its action without conditions, or upgrade libseccomp",
			name, LinkedLibseccomp())
	}
	return ed.apply(func(p *Profile) error {
		i := editCondRule(p, name)
		if i < 0 {
			a, errno := editCondAction(p, name)
			p.editDropNames(func(r *Rule) bool { return len(r.Args) == 0 && ruleUnfiltered(r) }, name)
			r := &Rule{Names: []string{name}, Action: a, Args: []*Arg{editCopyArg(&arg)}}
			if a == ActErrno {
				r.ErrnoRet = uintp(errno)
			}
			p.Syscalls = append(p.Syscalls, r)
			return nil
		}
		r := p.Syscalls[i]
		for _, c := range r.Args {
			if c.Index == arg.Index {
				return fmt.Errorf("%s already has a condition on argument %d in syscalls[%d]: a second one would make all of the rule's conditions ORed (runc and crun load such a rule as one rule per condition); change or remove that condition instead", name, arg.Index, i)
			}
		}
		r = p.editOwnRule(i, name)
		r.Args = append(r.Args, editCopyArg(&arg))
		return nil
	})
}

// RemoveCondition removes condition i of the rule that holds the
// syscall's conditions. When none are left the syscall has that rule's
// outcome unconditionally and joins the rule grouping that outcome.
func (ed *Editor) RemoveCondition(name string, i int) error {
	if _, err := editLookup(name); err != nil {
		return err
	}
	return ed.apply(func(p *Profile) error {
		ri := editCondRule(p, name)
		if ri < 0 {
			return fmt.Errorf("%s has no argument conditions to remove", name)
		}
		r := p.Syscalls[ri]
		if i < 0 || i >= len(r.Args) {
			return fmt.Errorf("%s has no condition %d: its conditions are numbered 0..%d", name, i, len(r.Args)-1)
		}
		r = p.editOwnRule(ri, name)
		r.Args = append(r.Args[:i:i], r.Args[i+1:]...)
		if len(r.Args) == 0 {
			a, errno := r.Action, p.Errno(r)
			editSetOutcome(p, []string{name}, a, errno)
		}
		return nil
	})
}

// SetArchitectures replaces the ABIs the profile filters (SCMP_ARCH_*
// names). A profile that uses archMap keeps using it: entries whose
// architecture stays keep the sub-architectures that stay, and a new
// arch joins the entry of the arch it is a companion ABI of (x86 and x32
// of x86_64, arm of aarch64 ...) or gets an entry of its own. Otherwise
// "architectures" is set. An empty list removes both, so the profile
// filters the host's native ABI only.
func (ed *Editor) SetArchitectures(arches []string) error {
	var want []string
	seen := map[string]bool{}
	for _, a := range arches {
		if !slices.Contains(dockerArches, a) {
			return fmt.Errorf("unknown architecture %q: use one of %s", a, knownList(dockerArches))
		}
		if !seen[a] {
			seen[a] = true
			want = append(want, a)
		}
	}
	return ed.apply(func(p *Profile) error {
		switch {
		case len(want) == 0:
			p.Architectures, p.ArchMap = nil, nil
		case len(p.ArchMap) > 0:
			p.ArchMap = editRemapArches(p.ArchMap, want)
		default:
			p.Architectures = want
		}
		return nil
	})
}

// editRemapArches rebuilds an archMap for the arches in want (see
// SetArchitectures).
func editRemapArches(old []Architecture, want []string) []Architecture {
	inWant := map[string]bool{}
	for _, a := range want {
		inWant[a] = true
	}
	covered := map[string]bool{}
	var out []Architecture
	for _, m := range old {
		if !inWant[m.Arch] {
			continue
		}
		e := Architecture{Arch: m.Arch, Extra: m.Extra} // keys the workbench does not read stay
		for _, s := range m.SubArches {
			if inWant[s] {
				e.SubArches = append(e.SubArches, s)
				covered[s] = true
			}
		}
		covered[m.Arch] = true
		out = append(out, e)
	}
	// Primary ABIs first, so that a companion finds its entry.
	sorted := append([]string(nil), want...)
	sort.SliceStable(sorted, func(i, j int) bool {
		return len(companionABIs(sorted[i])) > 0 && len(companionABIs(sorted[j])) == 0
	})
	for _, a := range sorted {
		if covered[a] {
			continue
		}
		placed := false
		for i := range out {
			if slices.Contains(companionABIs(out[i].Arch), a) {
				out[i].SubArches = append(out[i].SubArches, a)
				placed = true
				break
			}
		}
		if !placed {
			e := Architecture{Arch: a}
			for _, c := range companionABIs(a) {
				if inWant[c] && !covered[c] {
					e.SubArches = append(e.SubArches, c)
					covered[c] = true
				}
			}
			out = append(out, e)
		}
		covered[a] = true
	}
	return out
}

// companionABIs are the other ABIs a kernel of arch a (a SCMP_ARCH_*
// name) runs: what Docker's archMap lists as its sub-architectures.
func companionABIs(a string) []string {
	arch, ok := catalog.ArchFromDocker(a)
	if !ok {
		return nil
	}
	return catalog.DockerNames(arch.WithCompanions()[1:])
}

func editLookup(name string) (*catalog.Entry, error) {
	ent, ok := catalog.MustDefault().Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown syscall %q: check the name with 'seccomp-workbench catalog %s'", name, name)
	}
	return ent, nil
}

// editCheckOutcome validates an action and its errno; errno is zeroed for
// actions that do not return one.
func editCheckOutcome(a Action, errno uint) (Action, uint, error) {
	if !a.Known() {
		return "", 0, fmt.Errorf("unknown action %q: use one of %s", a, knownList(actionKeys()))
	}
	if a != ActErrno {
		return a, 0, nil
	}
	if errno == 0 || errno > maxErrno {
		return "", 0, fmt.Errorf("errno %d is out of range: an errno is 1..%d (EPERM is 1)", errno, maxErrno)
	}
	return a, errno, nil
}

// editIsDefault reports whether (a, errno) is what the profile's default
// already does.
func (p *Profile) editIsDefault(a Action, errno uint) bool {
	if a.Canon() != p.DefaultAction.Canon() {
		return false
	}
	return a != ActErrno || errno == p.DefaultErrno()
}

// editSetOutcome takes names out of every rule, then puts them in the rule
// grouping (a, errno) without conditions or filters, creating it when
// the profile has none (at the end: no rule names these calls any more,
// so order does not matter); nothing is added when the default already
// does (a, errno).
func editSetOutcome(p *Profile, names []string, a Action, errno uint) {
	p.editDropNames(func(*Rule) bool { return true }, names...)
	if p.editIsDefault(a, errno) {
		return
	}
	for _, r := range p.Syscalls {
		if r.editGroups(p, a, errno) {
			r.Names = editAddNames(r.Names, names)
			return
		}
	}
	r := &Rule{Names: editAddNames(nil, names), Action: a}
	if a == ActErrno {
		r.ErrnoRet = uintp(errno)
	}
	p.Syscalls = append(p.Syscalls, r)
}

// editGroups reports whether r is a plain rule for outcome (a, errno): no
// conditions, no includes/excludes, names in the "names" list.
func (r *Rule) editGroups(p *Profile, a Action, errno uint) bool {
	if r.Action.Canon() != a.Canon() || len(r.Args) > 0 || !ruleUnfiltered(r) || len(r.Names) == 0 || r.Name != "" {
		return false
	}
	if a == ActErrno {
		return p.Errno(r) == errno
	}
	return r.ErrnoRet == nil
}

func ruleUnfiltered(r *Rule) bool { return r.Includes.Empty() && r.Excludes.Empty() }

// editDropNames removes names from the rules that match, splitting shared
// rules and dropping rules left with no name.
func (p *Profile) editDropNames(match func(*Rule) bool, names ...string) {
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	kept := p.Syscalls[:0]
	for _, r := range p.Syscalls {
		if match(r) {
			if drop[r.Name] {
				r.Name = ""
			}
			var left []string
			for _, n := range r.Names {
				if !drop[n] {
					left = append(left, n)
				}
			}
			if len(left) != len(r.Names) {
				r.Names = left
			}
			if len(r.AllNames()) == 0 {
				continue
			}
		}
		kept = append(kept, r)
	}
	for i := len(kept); i < len(p.Syscalls); i++ {
		p.Syscalls[i] = nil
	}
	p.Syscalls = kept
}

// editCondRule is the index of the first rule that holds conditions
// for name (has args, no includes/excludes), or -1.
func editCondRule(p *Profile, name string) int {
	for i, r := range p.Syscalls {
		if len(r.Args) > 0 && ruleUnfiltered(r) && slices.Contains(r.AllNames(), name) {
			return i
		}
	}
	return -1
}

// editOwnRule makes rule i name only name: when it names others too, name
// moves to a copy placed right after it (so first-match order holds).
func (p *Profile) editOwnRule(i int, name string) *Rule {
	r := p.Syscalls[i]
	if len(r.AllNames()) == 1 {
		return r
	}
	own := &Rule{Names: []string{name}, Action: r.Action, ErrnoName: r.ErrnoName}
	if r.ErrnoRet != nil || r.ErrnoName != "" || r.Action == ActErrno {
		// The errno the rule means (Podman's name wins), said the same
		// way in both fields.
		own.ErrnoRet = uintp(p.Errno(r))
	}
	for _, c := range r.Args {
		own.Args = append(own.Args, editCopyArg(c))
	}
	if r.Name == name {
		r.Name = ""
	} else {
		var left []string
		for _, n := range r.Names {
			if n != name {
				left = append(left, n)
			}
		}
		r.Names = left
	}
	p.Syscalls = append(p.Syscalls, nil)
	copy(p.Syscalls[i+2:], p.Syscalls[i+1:])
	p.Syscalls[i+1] = own
	return own
}

// editCondAction is the action a new conditional rule for name gets
// (see AddCondition).
func editCondAction(p *Profile, name string) (Action, uint) {
	for _, r := range p.Syscalls {
		if len(r.Args) == 0 && ruleUnfiltered(r) && slices.Contains(r.AllNames(), name) {
			errno := uint(0)
			if r.Action == ActErrno {
				errno = p.Errno(r)
			}
			if !p.editIsDefault(r.Action, errno) {
				return r.Action, errno
			}
			break
		}
	}
	if p.DefaultAction.LetsThrough() {
		return ActErrno, p.DefaultErrno()
	}
	return ActAllow, 0
}

// editAddNames inserts each name before the first name that sorts after it,
// so a sorted list stays sorted and a hand-ordered one is disturbed as
// little as possible. The order is the one the list follows more
// closely: byte order, or the one Docker's file mostly uses, where
// underscores are ignored (_llseek among the l's, as a locale-aware sort
// puts it) — so putting a call back where it was restores the bytes.
func editAddNames(list, names []string) []string {
	less := nameByteLess
	if nameInversions(list, nameDockerLess) < nameInversions(list, nameByteLess) {
		less = nameDockerLess
	}
	add := append([]string(nil), names...)
	sort.Slice(add, func(i, j int) bool { return less(add[i], add[j]) })
	out := append([]string(nil), list...)
	for _, n := range add {
		if slices.Contains(out, n) {
			continue
		}
		i := 0
		for i < len(out) && !less(n, out[i]) {
			i++
		}
		out = slices.Insert(out, i, n)
	}
	return out
}

func nameByteLess(a, b string) bool { return a < b }

// nameDockerLess compares with underscores skipped, then bytewise.
func nameDockerLess(a, b string) bool {
	i, j := 0, 0
	for {
		for i < len(a) && a[i] == '_' {
			i++
		}
		for j < len(b) && b[j] == '_' {
			j++
		}
		if i == len(a) || j == len(b) {
			if i == len(a) && j == len(b) {
				return a < b
			}
			return i == len(a)
		}
		if a[i] != b[j] {
			return a[i] < b[j]
		}
		i++
		j++
	}
}

func nameInversions(list []string, less func(a, b string) bool) int {
	n := 0
	for i := 1; i < len(list); i++ {
		if less(list[i], list[i-1]) {
			n++
		}
	}
	return n
}

func editCopyArg(a *Arg) *Arg { c := *a; return &c }
