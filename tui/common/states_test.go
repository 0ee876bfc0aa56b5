package common

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

var testEnv = profile.Env{Host: catalog.X86_64, Kernel: profile.Kernel{Major: 6, Minor: 18}, Caps: profile.DockerDefaultCaps()}

// States must agree with the profile's own meaning for every call whose
// outcome does not depend on its arguments.
func TestStatesAgreeWithDecide(t *testing.T) {
	cat := catalog.MustDefault()
	for _, ref := range []string{"preset:docker-default", "../../testdata/profiles/libseccomp-64bit-bug.json"} {
		p, err := profile.Open(ref)
		if err != nil {
			t.Fatal(err)
		}
		for _, def := range []profile.Action{p.DefaultAction, profile.ActAllow} {
			q := p.Clone()
			q.DefaultAction = def
			eff := q.Effective(testEnv)
			states := States(eff, cat)
			checked := 0
			for _, e := range cat.All() {
				st := states[e.Name]
				d, ok := eff.DecideName(catalog.X86_64, e.Name, [6]uint64{}, profile.Options{})
				if ok != st.OnHost {
					t.Fatalf("%s %s: OnHost %v, DecideName ok %v", ref, e.Name, st.OnHost, ok)
				}
				if !ok || st.Conditional {
					continue
				}
				checked++
				if !d.Same(st.Decision()) || d.Rule != st.Rule {
					t.Errorf("%s (default %s) %s: badge %s rule %d, Decide says %s rule %d", ref, def.Short(), e.Name, st.Badge(), st.Rule, d, d.Rule)
				}
			}
			if checked < 300 {
				t.Errorf("%s: only %d calls checked", ref, checked)
			}
		}
	}
}

func TestStatesMarks(t *testing.T) {
	cat := catalog.MustDefault()
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	states := States(p.Effective(testEnv), cat)
	// Docker allows clone only with flags that create no namespace.
	if !states["clone"].Conditional {
		t.Error("clone should be marked conditional in docker-default")
	}
	if states["mkdir"].Badge() != "allow" || states["kexec_load"].Badge() != "errno(EPERM)" {
		t.Errorf("badges: mkdir %s, kexec_load %s", states["mkdir"].Badge(), states["kexec_load"].Badge())
	}
	// Deny mkdirat alone: its family is split, for both members.
	q := p.Clone()
	q.Syscalls = append([]*profile.Rule{{Names: []string{"mkdirat"}, Action: profile.ActErrno}}, q.Syscalls...)
	states = States(q.Effective(testEnv), cat)
	if !states["mkdir"].Split || !states["mkdirat"].Split {
		t.Errorf("mkdir/mkdirat should be split: %+v %+v", states["mkdir"], states["mkdirat"])
	}
	if states["rmdir"].Split {
		t.Error("rmdir should not be split")
	}
}

// A call with argument rules is summed up by what its arguments get,
// not by the outcome no rule decides: Docker allows socket for every
// address family but two.
func TestArgSummary(t *testing.T) {
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	env := profile.Env{Host: catalog.X86_64, Kernel: profile.Kernel{Major: 6, Minor: 18}, Caps: profile.DockerDefaultCaps()}
	st := States(p.Effective(env), catalog.MustDefault())
	for name, want := range map[string]string{
		"socket":      "allow 44/46 families",
		"personality": "allow/errno(EPERM)",
		"clone":       "allow/errno(EPERM)",
		"mkdir":       "allow",
	} {
		if got := st[name].Summary(); got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
}
