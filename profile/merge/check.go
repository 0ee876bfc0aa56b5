package merge

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
)

// Mismatch is a call where a merged profile does not let through exactly
// what its inputs do.
type Mismatch struct {
	Syscall string
	Arches  []catalog.Arch
	// Looser: the merged profile lets through an invocation no input
	// does; else an input lets through one the merged profile denies.
	Looser bool
	// Args is one such invocation's arguments (on the first ABI).
	Args [6]uint64
	// By names the input that lets it through (when not Looser).
	By string
}

func (m Mismatch) String() string {
	at := fmt.Sprintf("%s (%s)", m.Syscall, profile.JoinArches(m.Arches))
	if m.Looser {
		return fmt.Sprintf("not exact: %s: the merged profile lets through what no input does, e.g. with arguments %s", at, argText(m.Args))
	}
	return fmt.Sprintf("not exact: %s: %s lets it through and the merged profile does not, e.g. with arguments %s", at, m.By, argText(m.Args))
}

func argText(a [6]uint64) string {
	if a == ([6]uint64{}) {
		return "all 0"
	}
	var s []string
	for i, v := range a {
		if v != 0 {
			s = append(s, fmt.Sprintf("arg%d=%#x", i, v))
		}
	}
	return strings.Join(s, " ")
}

// Compare checks merged against its inputs by meaning: for every catalog
// syscall on every ABI the merged profile filters, for all-zero arguments
// and the values on both sides of every condition any of them has, the
// merged profile must let the call through exactly when some input does
// (inexact lists where not). Where no input lets a call through and the
// inputs that filter the ABI deny it differently, conflicts has a line
// saying what the merged profile answers.
func Compare(merged *profile.Effective, inputs []Input) (conflicts []string, inexact []Mismatch) {
	cat := catalog.MustDefault()
	effs := []*profile.Effective{merged}
	for _, in := range inputs {
		effs = append(effs, in.E)
	}
	type agg struct {
		names  []string
		arches []catalog.Arch
	}
	var ckeys []string
	cagg := map[string]*agg{}
	var mkeys []string
	magg := map[string]*Mismatch{}
	for _, arch := range merged.Arches {
		for _, ent := range cat.All() {
			nr, ok := ent.Number(arch)
			if !ok {
				continue
			}
			for _, args := range profile.ArgInputs(arch, ent.Name, effs...) {
				got := merged.Decide(arch, nr, args, profile.Options{})
				by, first := -1, -1
				var ds []profile.Decision
				for i, in := range inputs {
					d := in.E.Decide(arch, nr, args, profile.Options{})
					ds = append(ds, d)
					if by < 0 && d.Action.LetsThrough() {
						by = i
					}
					if first < 0 && in.E.HasArch(arch) {
						first = i
					}
				}
				if got.Action.LetsThrough() != (by >= 0) {
					m := Mismatch{Syscall: ent.Name, Looser: by < 0, Args: args}
					if by >= 0 {
						m.By = inputs[by].Name
					}
					k := fmt.Sprintf("%s/%v/%s", m.Syscall, m.Looser, m.By)
					if magg[k] == nil {
						magg[k] = &m
						mkeys = append(mkeys, k)
					}
					if !slices.Contains(magg[k].Arches, arch) {
						magg[k].Arches = append(magg[k].Arches, arch)
					}
					continue
				}
				if by >= 0 || first < 0 {
					continue
				}
				k := conflictKey(inputs, ds, arch, got, first)
				if k == "" {
					continue
				}
				a := cagg[k]
				if a == nil {
					a = &agg{}
					cagg[k] = a
					ckeys = append(ckeys, k)
				}
				if !slices.Contains(a.names, ent.Name) {
					a.names = append(a.names, ent.Name)
				}
				if !slices.Contains(a.arches, arch) {
					a.arches = append(a.arches, arch)
				}
			}
		}
	}
	for _, k := range ckeys {
		a := cagg[k]
		conflicts = append(conflicts, fmt.Sprintf("%s for %s (%s)", k, nameList(a.names), profile.JoinArches(a.arches)))
	}
	for _, k := range mkeys {
		inexact = append(inexact, *magg[k])
	}
	return conflicts, inexact
}

// conflictKey says how the inputs that filter arch deny one invocation
// and what the merged profile answers, or "" when nothing is worth a
// line: they agree and the merged profile answers as the first input
// does, or only one filters arch and the first does not (the merged
// default, reported as such, decides there).
func conflictKey(inputs []Input, ds []profile.Decision, arch catalog.Arch, got profile.Decision, first int) string {
	var parts []string
	agree := true
	for i, in := range inputs {
		if !in.E.HasArch(arch) {
			continue
		}
		agree = agree && ds[i].Same(ds[first])
		parts = append(parts, in.Name+" "+describe(ds[i]))
	}
	if first != 0 {
		if agree {
			return ""
		}
		return fmt.Sprintf("conflict: %s: the merged profile answers %s", strings.Join(parts, ", "), describe(got))
	}
	kept := got.Same(ds[0])
	if agree && kept {
		return ""
	}
	how := fmt.Sprintf("kept %s's %s", inputs[0].Name, describe(got))
	if !kept {
		how = fmt.Sprintf("the merged profile answers %s, not %s's %s", describe(got), inputs[0].Name, describe(ds[0]))
	}
	if agree {
		return fmt.Sprintf("denied differently: %s: %s", strings.Join(parts, ", "), how)
	}
	return fmt.Sprintf("conflict: %s: %s", strings.Join(parts, ", "), how)
}

// describe is a decision in words, saying when it is the ENOSYS stub.
func describe(d profile.Decision) string {
	if d.Rule == profile.RuleNewer {
		return d.String() + " (newer than any call it names)"
	}
	return d.String()
}

func nameList(names []string) string {
	const most = 12
	if len(names) <= most {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:most], ", "), len(names)-most)
}

// keepFirst gives the rules that make merged answer, for every call no
// input lets through (all-zero arguments), what the first input answers
// by its default or its ENOSYS stub, where merged answers otherwise and
// the first input's answer is the same on every ABI it filters and the
// call has. On the ABIs only other inputs filter, any denial will do.
func keepFirst(merged *profile.Effective, inputs []Input, full map[string]bool) []piece {
	cat := catalog.MustDefault()
	first := inputs[0].E
	var out []piece
	for _, ent := range cat.All() {
		if full[ent.Name] {
			continue
		}
		var want *profile.Decision
		differs, consistent := false, true
		for _, arch := range first.Arches {
			nr, ok := ent.Number(arch)
			if !ok {
				continue
			}
			lets := false
			for _, in := range inputs {
				lets = lets || in.E.Decide(arch, nr, [6]uint64{}, profile.Options{}).Action.LetsThrough()
			}
			d := first.Decide(arch, nr, [6]uint64{}, profile.Options{})
			if lets || (d.Rule != profile.RuleNewer && d.Rule != profile.RuleDefault) {
				consistent = consistent && !lets
				continue
			}
			if want == nil {
				want = &d
			} else if !want.Same(d) {
				consistent = false
			}
			if !merged.Decide(arch, nr, [6]uint64{}, profile.Options{}).Same(d) {
				differs = true
			}
		}
		if differs && consistent && want != nil {
			out = append(out, piece{name: ent.Name, action: want.Action, errno: want.Errno})
		}
	}
	return out
}

// Lacks lists, for each other input, what it lets through and a does not
// (diff's subset check: a change by which the other profile allows what a
// denies). All empty means a already lets through everything the others
// do.
func Lacks(a Input, others []Input) [][]diff.Change {
	out := make([][]diff.Change, len(others))
	for i, o := range others {
		out[i] = diff.Subset(a.E, o.E)
	}
	return out
}
