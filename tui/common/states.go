package common

import (
	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// State is what the profile does with one syscall when no argument
// condition applies, as shown by the catalog's badges.
type State struct {
	Action profile.Action
	Errno  uint
	// Rule is the index in Effective.Rules of the deciding rule, or
	// profile.RuleDefault / profile.RuleNewer.
	Rule int
	// Conditional: a rule with argument conditions names the call before
	// the one that decides, so some argument values get another outcome.
	Conditional bool
	// Split: calls of its family (mkdir and mkdirat ...) are not all
	// treated alike, so a program may slip through the other one.
	Split bool
	// OnHost: the call exists on the host's ABI.
	OnHost bool
}

// Decision returns the state as a profile.Decision.
func (s State) Decision() profile.Decision {
	return profile.Decision{Action: s.Action, Errno: s.Errno, Rule: s.Rule}
}

// Badge is the short text of the action: allow, errno(EPERM), kill ...
func (s State) Badge() string { return Badge(s.Action, s.Errno) }

// Badge names an action the way the catalog pane shows it.
func Badge(a profile.Action, errno uint) string {
	switch a {
	case profile.ActKillProcess:
		return "kill"
	case profile.ActKill, profile.ActKillThread:
		return "kill_thread"
	}
	return profile.Decision{Action: a, Errno: errno}.String()
}

// States computes every catalog call's State under eff in one pass over
// the rules: Effective.DecideName answers one call at a time and is too
// slow to run for the whole catalog after every keystroke.
//
// The rules are taken as the kernel sees them: the first rule naming a
// call with no argument conditions decides; conditional rules before it
// mark the call Conditional. A deny-by-default profile answers ENOSYS for
// host numbers above every number it names (runc's stub for calls newer
// than the profile), which the badge shows too.
func States(eff *profile.Effective, cat *catalog.Catalog) map[string]State {
	host := eff.Env.Host
	type first struct {
		rule int
		cond bool
		set  bool
	}
	named := make(map[string]*first, 512)
	for i, r := range eff.Rules {
		for _, n := range r.Names {
			f := named[n]
			if f == nil {
				f = &first{}
				named[n] = f
			}
			if f.set {
				continue
			}
			if len(r.Args) > 0 {
				f.cond = true
				continue
			}
			f.rule, f.set = i, true
		}
	}
	maxNr, stub := eff.StubLimit(host)
	defErrno := uint(0)
	if eff.DefaultAction == profile.ActErrno {
		defErrno = eff.DefaultErrno
	}
	out := make(map[string]State, cat.Len())
	for _, e := range cat.All() {
		nr, onHost := e.Number(host)
		st := State{Action: eff.DefaultAction, Errno: defErrno, Rule: profile.RuleDefault, OnHost: onHost}
		f := named[e.Name]
		switch {
		case f != nil && f.set:
			r := eff.Rules[f.rule]
			st.Action, st.Rule, st.Errno = r.Action, f.rule, 0
			if r.Action == profile.ActErrno || r.Action == profile.ActTrace {
				st.Errno = r.Errno
			}
		case f == nil && stub && onHost && profile.InStubRange(host, nr) && nr > maxNr:
			st.Action, st.Errno, st.Rule = profile.ActErrno, profile.ENOSYS, profile.RuleNewer
		}
		if f != nil {
			st.Conditional = f.cond
		}
		out[e.Name] = st
	}
	for _, e := range cat.All() {
		if len(e.Family) < 2 {
			continue
		}
		me := out[e.Name]
		for _, m := range e.Family {
			o, ok := out[m]
			if ok && m != e.Name && !me.Decision().Same(o.Decision()) {
				me.Split = true
				out[e.Name] = me
				break
			}
		}
	}
	return out
}
