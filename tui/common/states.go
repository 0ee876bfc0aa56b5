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

// States gives every catalog call's State on the host: the profile's
// Treatment of it when no argument condition holds (the first rule naming
// it without conditions, the ENOSYS stub for calls newer than the
// profile, or the default), plus whether its family is split.
func States(eff *profile.Effective, cat *catalog.Catalog) map[string]State {
	ts := eff.Treatments(eff.Env.Host)
	out := make(map[string]State, cat.Len())
	for _, e := range cat.All() {
		t := ts[e.Name]
		o := t.Otherwise
		out[e.Name] = State{Action: o.Action, Errno: o.Errno, Rule: o.Rule, Conditional: t.Conditional, OnHost: t.Exists}
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
