package common

import (
	"fmt"
	"slices"
	"strings"

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
	// Args sums up, for a Conditional call, what its argument rules
	// decide: "allow 44/46 families", "allow/errno(EPERM)".
	Args string
}

// Summary is the catalog's badge: what the call gets, or for a call with
// argument rules what its arguments get.
func (s State) Summary() string {
	if s.Args != "" {
		return s.Args
	}
	return s.Badge()
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
		st := State{Action: o.Action, Errno: o.Errno, Rule: o.Rule, Conditional: t.Conditional, OnHost: t.Exists}
		if st.Conditional && st.OnHost {
			st.Args = argSummary(eff, e.Name, st)
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

// afMax is the number of address families Linux knows (AF_MAX, 6.x).
const afMax = 46

// familyArg reports whether a call's first argument is an address family.
func familyArg(name string) bool { return name == "socket" || name == "socketpair" }

// argSummary words what a call's argument rules decide, by asking the
// profile's meaning (Effective.DecideName) about probe values: for a
// socket call every address family; otherwise each compared value and
// its neighbours. The badge then says the outcomes that occur, the
// allowing one first.
func argSummary(eff *profile.Effective, name string, st State) string {
	host := eff.Env.Host
	// A call a rule names is never above the highest number the profile
	// names, so the ENOSYS stub never decides it: skip finding that
	// number on every probe.
	named := profile.Options{NoENOSYS: true}
	if familyArg(name) {
		allowed := 0
		for f := uint64(0); f < afMax; f++ {
			if d, ok := eff.DecideName(host, name, [6]uint64{f}, named); ok && d.Action == profile.ActAllow {
				allowed++
			}
		}
		if allowed == 0 || allowed == afMax {
			return ""
		}
		return fmt.Sprintf("allow %d/%d families", allowed, afMax)
	}
	probes := [][6]uint64{{}}
	for _, r := range eff.Rules {
		if len(r.Args) == 0 || !slices.Contains(r.Names, name) {
			continue
		}
		var hit [6]uint64
		for _, a := range r.Args {
			if a.Index < 6 {
				hit[a.Index] = a.Value
				if a.Op == profile.OpMaskedEqual {
					hit[a.Index] = a.ValueTwo
				}
			}
		}
		probes = append(probes, hit)
		for _, a := range r.Args {
			if a.Index >= 6 {
				continue
			}
			for _, v := range []uint64{a.Value - 1, a.Value + 1, a.Value | a.ValueTwo | 1<<31} {
				p := hit
				p[a.Index] = v
				probes = append(probes, p)
			}
		}
	}
	seen := map[string]bool{}
	var outs []string
	for _, args := range probes {
		d, ok := eff.DecideName(host, name, args, named)
		if !ok {
			continue
		}
		b := Badge(d.Action, d.Errno)
		if !seen[b] {
			seen[b] = true
			outs = append(outs, b)
		}
	}
	if len(outs) < 2 {
		return ""
	}
	slices.SortStableFunc(outs, func(a, b string) int {
		switch {
		case a == "allow" && b != "allow":
			return -1
		case b == "allow" && a != "allow":
			return 1
		}
		return 0
	})
	return strings.Join(outs, "/")
}
