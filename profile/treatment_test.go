package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Treatments' one pass must give, for every catalog call on every ABI,
// exactly Decide's answer for all-zero arguments, and the rule walk's
// view of the conditional rules ahead of the deciding one.
func TestTreatmentsAgreeWithDecide(t *testing.T) {
	cat := catalog.MustDefault()
	var profiles []*Profile
	for _, pr := range Presets() {
		profiles = append(profiles, mustOpen(t, PresetPrefix+pr.Name))
	}
	profiles = append(profiles, mustOpen(t, "../testdata/profiles/libseccomp-64bit-bug.json"))
	for _, p := range profiles {
		for _, def := range []Action{p.DefaultAction, ActAllow} {
			q := p.Clone()
			q.DefaultAction = def
			e := q.Effective(x86Env())
			for _, arch := range catalog.Arches() {
				ts := e.Treatments(arch)
				for _, ent := range cat.All() {
					got := ts[ent.Name]
					if one := e.Treat(arch, ent.Name); one != got {
						t.Fatalf("%s on %s: Treat %+v, Treatments %+v", ent.Name, arch, one, got)
					}
					want, ok := e.DecideName(arch, ent.Name, [6]uint64{}, Options{})
					if got.Exists != ok || (ok && (!got.Decision.Same(want) || got.Decision.Rule != want.Rule || got.Decision.Syscall != want.Syscall)) {
						t.Fatalf("%s on %s (default %s): treatment %+v, Decide %+v (exists %v)", ent.Name, arch, def.Short(), got.Decision, want, ok)
					}
					var cond, condAllow bool
					otherwise := e.DefaultDecision()
					// The rules as they apply on this ABI, multiplexer
					// forms included.
					for _, v := range e.RulesOn(arch, ent.Name) {
						r := e.Rules[v.Rule]
						if len(v.Args) == 0 {
							otherwise = Decision{Action: r.Action, Errno: r.Errno, Rule: v.Rule}
							break
						}
						cond = true
						condAllow = condAllow || r.Action.LetsThrough()
					}
					if got.Conditional != cond || got.CondAllow != condAllow {
						t.Fatalf("%s on %s: conditional %v/%v, want %v/%v", ent.Name, arch, got.Conditional, got.CondAllow, cond, condAllow)
					}
					if otherwise.Rule >= 0 && (!got.Otherwise.Same(otherwise) || got.Otherwise.Rule != otherwise.Rule) {
						t.Fatalf("%s on %s: otherwise %+v, want %+v", ent.Name, arch, got.Otherwise, otherwise)
					}
				}
			}
		}
	}
}
