// Package merge combines seccomp profiles by what they mean: the merged
// profile lets a call through exactly when at least one input does, for
// every syscall of every ABI and every argument value, and denies the
// rest the way the first input denies them. "Lets through" is the
// action table's LetsThrough: allow and log. Notify and trace hand the
// call to another process, so the merge counts them with the denials.
//
// The inputs are effective profiles, resolved for one host as export
// resolves them (includes, excludes and archMap applied); the merged
// profile is written resolved, without includes or excludes, and lists
// its ABIs. How it is built, and what is reconciled:
//
//   - Rules. Every let-through rule of every input comes first, in input
//     order, so no input's deny rule can hide another input's allow.
//     Within one input, a deny rule that comes before a let-through rule
//     on the same call takes its part away (the kernel's first match):
//     the let-through rule is written with the deny rule's conditions
//     negated, one rule per negated condition (carve); two bounds on one
//     argument become aligned blocks of values, one masked comparison
//     each. With a 32-bit ABI in the filter, where the kernel's filter
//     compares low words, a combination that would read differently there
//     (a value with upper bits) is not written: that part is denied and
//     reported. On socketcall and ipc, where libseccomp drops a rule's
//     tests of argument 0 (it holds the operation), a deny rule goes
//     first for what an input's own deny rule took from the multiplexer.
//     Then the first
//     input's deny rules, then the default. Rules with the same action and
//     conditions become one rule with all their names; a rule on a call
//     that an earlier one with the same action already lets through in
//     full, or under fewer conditions, is left out.
//   - Default. When every input denies by default, the first input's
//     default is kept and a different one elsewhere is reported. When an
//     input lets through by default, the merged profile still denies by
//     default (the stricter one, the first deny-by-default input's) and
//     that input's let-through default becomes an allow rule naming every
//     catalog syscall it lets through: calls the catalog does not know
//     are then denied, and the merge says so. Only when every input lets
//     through by default does the merged one too.
//   - ABIs: the union, the host's first. A rule of an input that does not
//     filter an ABI applies there too in the merged profile (a profile
//     cannot scope a rule to one ABI); the check below reports each call
//     that lets through more because of it.
//   - Denials that differ (EPERM in one input, EACCES or kill_process in
//     another, for a call none lets through) are reported; the first
//     input that filters the ABI decides. Calls the first input answers
//     with ENOSYS as newer than any it names get an explicit ENOSYS rule
//     when the merged profile would answer otherwise, so libc's fallbacks
//     keep working.
//
// Every choice and conflict is a line in Result.Notes. The merged profile
// is then checked by meaning (Compare): any call, ABI and boundary
// argument value where it does not let through exactly what the inputs
// do is reported as "not exact".
package merge

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Input is one profile to merge: a name for the notes (its file name or
// preset:NAME) and the profile resolved for the host.
type Input struct {
	Name string
	E    *profile.Effective
}

// Result is a merge's outcome.
type Result struct {
	// Profile is the merged profile, resolved (no includes or excludes).
	Profile *profile.Profile
	// Effective is Profile resolved for the inputs' host.
	Effective *profile.Effective
	// Notes are the choices the merge made and the conflicts it found,
	// one line each, in a stable order.
	Notes []string
	// Inexact lists the calls where the merged profile does not let
	// through exactly what the inputs do (also in Notes).
	Inexact []Mismatch
}

// piece is one call's part of a rule in the merged profile.
type piece struct {
	name   string
	action profile.Action
	errno  uint
	args   clause
	from   int // input index
}

// Merge combines inputs (at least one; all resolved for the same host).
func Merge(inputs []Input) (*Result, error) {
	if len(inputs) == 0 {
		return nil, fmt.Errorf("merge: no profiles")
	}
	env := inputs[0].E.Env
	res := &Result{}
	note := func(format string, a ...any) { res.Notes = append(res.Notes, fmt.Sprintf(format, a...)) }

	for _, in := range inputs {
		if conditional(in.E.Source) {
			note("%s: includes and excludes resolved for %s; the merged profile has none", in.Name, env)
		}
	}
	arches := mergeArches(inputs, note)
	def, defFrom, allDefaultsLet := mergeDefault(inputs, note)

	var lets, fixes []piece
	type carved struct{ in, name string }
	var lost []carved
	for i, in := range inputs {
		ps, fx, inexact := letThrough(in.E, i, arches, !allDefaultsLet, denyNames(inputs[0].E))
		lets = append(lets, ps...)
		fixes = append(fixes, fx...)
		for _, n := range inexact {
			lost = append(lost, carved{in.Name, n})
		}
	}
	lets = prune(lets)
	full := map[string]bool{} // calls an unconditional let-through rule covers
	for _, p := range lets {
		if len(p.args) == 0 {
			full[p.name] = true
		}
	}
	var denies []piece
	for _, r := range inputs[0].E.Rules {
		if r.Action.LetsThrough() {
			continue
		}
		for _, n := range r.Names {
			if !full[n] {
				denies = append(denies, piece{name: n, action: r.Action, errno: r.Errno, args: r.Args, from: 0})
			}
		}
	}
	p := &profile.Profile{
		DefaultAction: def.Action,
		Architectures: catalog.DockerNames(arches),
		Flags:         mergeFlags(inputs, note),
	}
	if def.Action.Canon() == profile.ActErrno {
		p.DefaultErrnoRet = &def.Errno
	}
	p.ListenerPath, p.ListenerMetadata = inputs[defFrom].E.Source.ListenerPath, inputs[defFrom].E.Source.ListenerMetadata
	p.Syscalls = append(rules(fixes, inputs), rules(lets, inputs)...)
	p.Syscalls = append(p.Syscalls, rules(denies, inputs)...)
	if p.Syscalls == nil {
		p.Syscalls = []*profile.Rule{}
	}

	// The first input's own denials: where the merged profile answers a
	// call none lets through otherwise (the ENOSYS stub of the first
	// input moves when the others name newer calls), say so by a rule.
	for range 3 {
		e := p.Effective(env)
		extra := keepFirst(e, inputs, full)
		if len(extra) == 0 {
			break
		}
		p.Syscalls = append(p.Syscalls, rules(extra, inputs)...)
	}
	res.Profile = p
	res.Effective = p.Effective(env)
	conflicts, inexact := Compare(res.Effective, inputs)
	res.Notes = append(res.Notes, conflicts...)
	for _, l := range lost {
		// Said only where it shows: another input may let the part through.
		if slices.ContainsFunc(inexact, func(m Mismatch) bool { return m.Syscall == l.name && !m.Looser }) {
			res.Notes = append(res.Notes, fmt.Sprintf("%s: %s: a let-through rule follows a deny rule whose conditions cannot be negated as rules; the part left out is denied in the merged profile", l.in, l.name))
		}
	}
	for _, m := range inexact {
		res.Notes = append(res.Notes, m.String())
	}
	res.Inexact = inexact
	return res, nil
}

// conditional reports whether p has rules that apply only on some hosts.
func conditional(p *profile.Profile) bool {
	for _, r := range p.Syscalls {
		if !r.Includes.Empty() || !r.Excludes.Empty() {
			return true
		}
	}
	return false
}

// mergeArches is the union of the inputs' ABIs, the host's first.
func mergeArches(inputs []Input, note func(string, ...any)) []catalog.Arch {
	var all []catalog.Arch
	unsupported := map[string]bool{}
	for _, in := range inputs {
		all = append(all, in.E.Arches...)
		for _, u := range in.E.Unsupported {
			unsupported[u] = true
		}
	}
	arches := profile.HostFirst(all, inputs[0].E.Env.Host)
	var keys []string
	missing := map[string][]string{} // who does not filter → which ABIs
	for _, a := range arches {
		var without []string
		for _, in := range inputs {
			if !in.E.HasArch(a) {
				without = append(without, in.Name)
			}
		}
		if len(without) > 0 {
			k := join(without)
			if missing[k] == nil {
				keys = append(keys, k)
			}
			missing[k] = append(missing[k], string(a))
		}
	}
	for _, k := range keys {
		abi := "ABI"
		if len(missing[k]) > 1 {
			abi = "ABIs"
		}
		note("%s %s: not filtered by %s (every call there is killed); the merged profile filters them, and the rules of every profile apply there", abi, join(missing[k]), k)
	}
	for _, u := range slices.Sorted(maps.Keys(unsupported)) {
		note("architecture %s: the workbench has no syscall table for it; left out", u)
	}
	return arches
}

// mergeDefault picks the merged default action: the first input's that
// denies (the stricter choice), or the first input's when all let through.
func mergeDefault(inputs []Input, note func(string, ...any)) (d profile.Decision, from int, allLet bool) {
	from = -1
	for i, in := range inputs {
		if !in.E.DefaultAction.LetsThrough() {
			from = i
			break
		}
	}
	allLet = from < 0
	if allLet {
		from = 0
	}
	d = inputs[from].E.DefaultDecision()
	for i, in := range inputs {
		o := in.E.DefaultDecision()
		if i == from || o.Same(d) {
			continue
		}
		if o.Action.LetsThrough() && !allLet {
			note("default action: %s lets through by default (%s), %s denies (%s): the merged profile denies by default and allows by name every catalog syscall %s lets through; a syscall the catalog does not know is denied",
				in.Name, o, inputs[from].Name, d, in.Name)
			continue
		}
		note("default action: %s %s, %s %s: kept %s's %s", inputs[from].Name, d, in.Name, o, inputs[from].Name, d)
	}
	return d, from, allLet
}

// mergeFlags is the union of the inputs' filter flags.
func mergeFlags(inputs []Input, note func(string, ...any)) []string {
	var out []string
	for _, in := range inputs {
		for _, f := range in.E.Source.Flags {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	for _, in := range inputs {
		if len(out) > 0 && !slices.Equal(in.E.Source.Flags, out) {
			note("flags: the merged profile has %s, the union; %s has %s", join(out), in.Name, orNone(in.E.Source.Flags))
		}
	}
	return out
}

// denyNames are the calls e's rules deny (and the multiplexers that carry
// any of them): where a let-through default must be written out when the
// merged default lets through too.
func denyNames(e *profile.Effective) map[string]bool {
	out := map[string]bool{}
	for _, r := range e.Rules {
		if r.Action.LetsThrough() {
			continue
		}
		for _, n := range r.Names {
			out[n] = true
			if mux, _, ok := catalog.MuxOp(n); ok {
				out[mux] = true
			}
		}
	}
	return out
}

// letThrough is what e lets through, as pieces: each let-through rule
// for each call it names, less what an earlier rule of e on that call
// takes first; and, when e lets through by default, the rest of each
// call. With spell false (the merged default lets through as well) the
// default is written out only for the calls in only.
func letThrough(e *profile.Effective, from int, arches []catalog.Arch, spell bool, only map[string]bool) (out, fixes []piece, inexact []string) {
	g := algebra{narrow: slices.ContainsFunc(arches, catalog.Arch.Is32Bit)}
	type block struct {
		args   clause
		action profile.Action
		errno  uint
	}
	blocked := map[string][]block{}
	done := map[string]*block{} // the unconditional rule that decided the call
	lost := map[string]bool{}
	lose := func(n string) {
		if !lost[n] {
			lost[n] = true
			inexact = append(inexact, n)
		}
	}
	clauses := func(bs []block) []clause {
		out := make([]clause, len(bs))
		for i, b := range bs {
			out[i] = b.args
		}
		return out
	}
	add := func(n string, act profile.Action, args clause) {
		cs, exact := g.carve(args, clauses(blocked[n]))
		if !exact {
			lose(n)
		}
		for _, c := range cs {
			out = append(out, piece{name: n, action: act, args: c, from: from})
			// The piece's view on the multiplexer tests argument 0 for the
			// operation and drops the piece's own tests of it, so it may
			// let through what a deny rule before it took away from the
			// multiplexer: that part is denied ahead of every let-through
			// rule (at the price of what another input lets through there).
			mux, view, ok := muxView(n, c)
			if !ok {
				continue
			}
			var bs []block
			if d := done[mux]; d != nil {
				bs = []block{*d}
			} else {
				bs = blocked[mux]
			}
			for _, b := range bs {
				parts, ok := g.conjoin(view, b.args)
				if !ok {
					lose(mux)
				}
				for _, p := range parts {
					fixes = append(fixes, piece{name: mux, action: b.action, errno: b.errno, args: p, from: from})
				}
			}
		}
	}
	for _, r := range e.Rules {
		for _, n := range r.Names {
			if done[n] != nil {
				continue
			}
			b := block{args: r.Args, action: r.Action, errno: r.Errno}
			if r.Action.LetsThrough() {
				add(n, r.Action, r.Args)
			} else if len(r.Args) > 0 {
				blocked[n] = append(blocked[n], b)
			}
			if mux, view, ok := muxView(n, r.Args); ok && done[mux] == nil && !r.Action.LetsThrough() {
				// libseccomp applies the rule to the multiplexer too.
				blocked[mux] = append(blocked[mux], block{args: view, action: r.Action, errno: r.Errno})
			}
			if len(r.Args) == 0 {
				done[n] = &b
			}
		}
	}
	if !e.DefaultAction.LetsThrough() {
		return out, fixes, inexact
	}
	for _, ent := range catalog.MustDefault().All() {
		n := ent.Name
		if done[n] != nil || (!spell && !only[n]) || !onAny(ent, arches) {
			continue
		}
		add(n, e.DefaultAction, nil)
	}
	return out, fixes, inexact
}

// muxView is the rule libseccomp also makes of a rule on n for the
// multiplexer that carries n (profile.RulesOn's views): argument 0 is the
// operation, the other conditions stay.
func muxView(n string, args clause) (string, clause, bool) {
	mux, op, ok := catalog.MuxOp(n)
	if !ok || !profile.LinkedKnows(n) {
		return "", nil, false
	}
	view := clause{{Index: 0, Value: uint64(op), Op: profile.OpEqualTo}}
	for _, a := range args {
		if a.Index != 0 {
			view = append(view, a)
		}
	}
	return mux, view, true
}

func onAny(ent *catalog.Entry, arches []catalog.Arch) bool {
	for _, a := range arches {
		if _, ok := ent.Number(a); ok {
			return true
		}
	}
	return false
}

// prune drops pieces that add nothing: any piece after an unconditional
// one on the same call, which the kernel never reaches, and of two pieces
// on a call with the same action, the one whose conditions include all
// of the other's (it lets through a part of what the other does). Only
// let-through pieces are pruned, so dropping one moves its invocations to
// another let-through rule.
func prune(ps []piece) []piece {
	drop := make([]bool, len(ps))
	byName := map[string][]int{}
next:
	for i, p := range ps {
		for _, j := range byName[p.name] {
			q := ps[j]
			if drop[j] {
				continue
			}
			if len(q.args) == 0 || (q.action == p.action && q.args.within(p.args)) {
				drop[i] = true
				continue next
			}
		}
		for _, j := range byName[p.name] {
			if !drop[j] && ps[j].action == p.action && p.args.within(ps[j].args) {
				drop[j] = true
			}
		}
		byName[p.name] = append(byName[p.name], i)
	}
	var out []piece
	for i, p := range ps {
		if !drop[i] {
			out = append(out, p)
		}
	}
	return out
}

// rules groups pieces into rules, one per action, errno and set of
// conditions, in the order each first appears; the names of a rule are
// sorted. Grouping moves a piece up only past pieces of other actions on
// other conditions, which can change allow into log (or back) for a call
// two inputs let through differently, never whether it is let through.
func rules(ps []piece, inputs []Input) []*profile.Rule {
	type group struct {
		r    *profile.Rule
		from []int
	}
	var order []*group
	byKey := map[string]*group{}
	for _, p := range ps {
		k := fmt.Sprintf("%s/%d/%s", p.action, p.errno, p.args.key())
		g := byKey[k]
		if g == nil {
			g = &group{r: &profile.Rule{Action: p.action, Args: cloneArgs(p.args)}}
			if p.action.TakesErrno() {
				g.r.ErrnoRet = &p.errno
			}
			byKey[k] = g
			order = append(order, g)
		}
		if !slices.Contains(g.r.Names, p.name) {
			g.r.Names = append(g.r.Names, p.name)
		}
		if !slices.Contains(g.from, p.from) {
			g.from = append(g.from, p.from)
		}
	}
	out := make([]*profile.Rule, len(order))
	for i, g := range order {
		slices.Sort(g.r.Names)
		var names []string
		for _, f := range g.from {
			names = append(names, inputs[f].Name)
		}
		g.r.Comment = "merged from " + join(names)
		out[i] = g.r
	}
	return out
}

func cloneArgs(c clause) []*profile.Arg {
	if len(c) == 0 {
		return nil
	}
	out := make([]*profile.Arg, len(c))
	for i, a := range c {
		b := *a
		b.Extra = nil
		out[i] = &b
	}
	return out
}

// join is "a", "a and b", "a, b and c".
func join(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return join(s)
}
