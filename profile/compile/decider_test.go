package compile

import (
	"reflect"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Verify asks a Decider, which looks only at the rules indexed under a
// call's name; on every verification input of these profiles (socketcall
// and ipc operations, boundary values, the shim's calls) it gives the
// very Decision Decide gives, rule and multiplexed call included, and
// the same rules on every call.
func TestDeciderIsDecide(t *testing.T) {
	exempt := &profile.Exemption{Arch: catalog.X86_64, HandoffFD: 3, Magic: [3]uint64{0x1234_5678_9abc, 42, 7 << 40}}
	overlap, err := profile.Parse("overlap.json", []byte(`{
		"defaultAction": "SCMP_ACT_ERRNO",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"syscalls": [
			{"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]},
			{"names": ["read", "socket", "accept4"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
			{"names": ["socket", "msgget"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["read"], "action": "SCMP_ACT_KILL_PROCESS"}
		]}`))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		p    *profile.Profile
		o    profile.Options
	}{
		{"docker-default", mustOpen(t, "preset:docker-default"), profile.Options{}},
		{"docker-default/watch", mustOpen(t, "preset:docker-default"), profile.Options{Variant: profile.VariantWatch, Exempt: exempt}},
		{"docker-default/record", mustOpen(t, "preset:docker-default"), profile.Options{Variant: profile.VariantRecord, Exempt: exempt}},
		{"deny-critical", mustOpen(t, "preset:deny-critical"), profile.Options{}},
		{"overlap", overlap, profile.Options{}},
	} {
		e := c.p.Effective(x86Env())
		dec := e.Decider(c.o)
		n := 0
		for _, in := range Inputs(e, c.o) {
			want := e.Decide(in.Arch, in.Nr, in.Args, c.o)
			if got := dec.Decide(in.Arch, in.Nr, in.Args); got != want {
				t.Fatalf("%s: %s nr %d %s: Decider %+v, Decide %+v", c.name, in.Arch, in.Nr, profile.FormatArgs(in.Args), got, want)
			}
			if want.Rule >= 0 {
				n++
			}
		}
		for _, arch := range e.Arches {
			for _, ent := range catalog.MustDefault().All() {
				want, got := e.RulesOn(arch, ent.Name), dec.RulesOn(arch, ent.Name)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: RulesOn(%s, %s): Decider %+v, Effective %+v", c.name, arch, ent.Name, got, want)
				}
			}
		}
		if c.o.Variant != profile.VariantRecord && n < 50 {
			t.Errorf("%s: only %d inputs decided by a rule", c.name, n)
		}
	}
}
