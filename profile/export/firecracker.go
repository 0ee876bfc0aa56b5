package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Firecracker's seccompiler (rust-vmm seccompiler's JSON frontend) reads
// a map of thread name → {default_action (alias mismatch_action),
// filter_action (alias match_action), filter: [{syscall, args, comment}]}.
// A filter has one action for every rule that matches: the rules of one
// syscall are ORed and the conditions of a rule ANDed, so a profile
// whose rules for a call all have that action is said exactly, in any
// order. It is compiled for one architecture (seccompiler-bin
// --target-arch: x86_64 or aarch64), and kills a call from another.

// DefaultFirecrackerThread is the thread name when ExportOptions.Thread
// is empty.
const DefaultFirecrackerThread = "main"

// fcAction is a seccompiler action: a string or {"errno": N}.
func fcAction(d profile.Decision) (any, error) {
	switch d.Action.Canon() {
	case profile.ActAllow:
		return "allow", nil
	case profile.ActLog:
		return "log", nil
	case profile.ActKillProcess:
		return "kill_process", nil
	case profile.ActKillThread:
		return "kill_thread", nil
	case profile.ActTrap:
		return "trap", nil
	case profile.ActErrno:
		return map[string]uint{"errno": d.Errno}, nil
	case profile.ActTrace:
		return map[string]uint{"trace": d.Errno}, nil
	}
	return nil, fmt.Errorf("%s: seccompiler has no such action (no user notification)", d)
}

type fcCondition struct {
	Index uint   `json:"index"`
	Type  string `json:"type"`
	Op    any    `json:"op"`
	Val   uint64 `json:"val"`
}

type fcRule struct {
	Syscall string        `json:"syscall"`
	Args    []fcCondition `json:"args,omitempty"`
	Comment string        `json:"comment,omitempty"`
}

type fcFilter struct {
	DefaultAction any      `json:"default_action"`
	FilterAction  any      `json:"filter_action"`
	Filter        []fcRule `json:"filter"`
}

var fcOps = map[profile.Operator]string{
	profile.OpEqualTo: "eq", profile.OpNotEqual: "ne", profile.OpLessThan: "lt", profile.OpLessEqual: "le",
	profile.OpGreaterThan: "gt", profile.OpGreaterEqual: "ge",
}

// fcCond turns a profile condition into seccompiler's: a 64-bit compare
// (qword) on a 64-bit ABI; MASKED_EQ's datum is masked as libseccomp
// masks it.
func fcCond(a *profile.Arg) fcCondition {
	c := fcCondition{Index: a.Index, Type: "qword", Val: a.Value}
	if a.Op == profile.OpMaskedEqual {
		c.Op = map[string]uint64{"masked_eq": a.Value}
		c.Val = a.ValueTwo & a.Value
	} else {
		c.Op = fcOps[a.Op]
	}
	return c
}

func exportFirecracker(e *profile.Effective, o ExportOptions) ([]byte, []string, error) {
	arch := e.Arches[0]
	if arch != catalog.X86_64 && arch != catalog.AArch64 {
		return nil, nil, fmt.Errorf("export firecracker: seccompiler compiles for x86_64 and aarch64 only, not %s: export with --platform x86_64 or --arch aarch64", arch)
	}
	thread := o.Thread
	if thread == "" {
		thread = DefaultFirecrackerThread
	}
	var notes []string
	if len(e.Arches) > 1 {
		notes = append(notes, fmt.Sprintf("seccompiler filters one architecture: written for %s; a Firecracker filter kills calls from %s", arch, profile.JoinArches(e.Arches[1:])))
	}
	def := profile.Decision{Action: e.DefaultAction, Errno: e.DefaultErrno}
	defA, err := fcAction(def)
	if err != nil {
		return nil, nil, fmt.Errorf("export firecracker: default action %w", err)
	}
	match := fcMatch(e, def)
	matchA, err := fcAction(match)
	if err != nil {
		return nil, nil, fmt.Errorf("export firecracker: %w", err)
	}
	f := fcFilter{DefaultAction: defA, FilterAction: matchA, Filter: []fcRule{}}
	for _, ent := range fcNames(e, arch) {
		views := e.RulesOn(arch, ent)
		var rules []fcRule
		inexact := false
		for i, v := range views {
			r := e.Rules[v.Rule]
			d := profile.Decision{Action: r.Action, Errno: r.Errno}
			if !d.Same(match) && d.Action.LetsThrough() && match.Action.LetsThrough() {
				// allow and log both let the call through: written with
				// the match action, which loses (or adds) the log line.
				notes = append(notes, fmt.Sprintf("%s: %s in the profile; seccompiler has one match action: written as %s", ent, d, match))
				d = match
			}
			if !d.Same(match) {
				// Calls this rule decides get the default here, and the
				// rules after it cannot be written in front of it: exact
				// only when it is the last and answers the default.
				inexact = !d.Same(def) || i < len(views)-1
				break
			}
			fr := fcRule{Syscall: ent, Comment: firstLine(r.Comment)}
			for _, a := range v.Args {
				fr.Args = append(fr.Args, fcCond(a))
			}
			rules = append(rules, fr)
			if len(v.Args) == 0 {
				break // unconditional: the rest is shadowed
			}
		}
		if inexact {
			notes = append(notes, fmt.Sprintf("%s: %s; seccompiler has one match action (%s), so the filter answers %s where the profile's other rules decide", ent, profile.DescribeSyscall(e, arch, ent), match, def))
		}
		// seccompiler keeps only the rules with args when a syscall has
		// both: one unconditional rule says it.
		if i := slices.IndexFunc(rules, func(r fcRule) bool { return len(r.Args) == 0 }); i >= 0 {
			rules = []fcRule{{Syscall: ent, Comment: rules[i].Comment}}
		}
		f.Filter = append(f.Filter, rules...)
	}
	if !def.Action.LetsThrough() && !(def.Action.Canon() == profile.ActErrno && def.Errno == profile.ENOSYS) {
		notes = append(notes, fmt.Sprintf("calls newer than every call the profile names answer ENOSYS under the workbench and runc, so that programs fall back; seccompiler has no such rule and answers %s", def))
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "    ")
	if err := enc.Encode(map[string]fcFilter{thread: f}); err != nil {
		return nil, nil, err
	}
	return b.Bytes(), notes, nil
}

// fcMatch picks the filter's one match action: the outcome most rules
// that differ from the default have (allow on a tie); with no such rule,
// any action other than the default (seccompiler refuses two equal ones).
func fcMatch(e *profile.Effective, def profile.Decision) profile.Decision {
	count := map[string]int{}
	byKey := map[string]profile.Decision{}
	best, bestN := "", 0
	for _, r := range e.Rules {
		d := profile.Decision{Action: r.Action.Canon(), Errno: r.Errno}
		if d.Same(def) {
			continue
		}
		k := d.String()
		byKey[k] = d
		count[k] += len(r.Names)
		n := count[k]
		if n > bestN || (n == bestN && d.Action == profile.ActAllow) {
			best, bestN = k, n
		}
	}
	if best != "" {
		return byKey[best]
	}
	if def.Action.LetsThrough() {
		return profile.Decision{Action: profile.ActKillProcess}
	}
	return profile.Decision{Action: profile.ActAllow}
}

// fcNames are the calls the profile's rules name that exist on arch, in
// the order the rules first name them.
func fcNames(e *profile.Effective, arch catalog.Arch) []string {
	cat := catalog.MustDefault()
	var out []string
	for _, r := range e.Rules {
		for _, n := range r.Names {
			ent, ok := cat.Lookup(n)
			if !ok || slices.Contains(out, n) {
				continue
			}
			if _, ok := ent.Number(arch); ok {
				out = append(out, n)
			}
		}
	}
	return out
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
