package compile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Watch mode notifies what the kernel would otherwise settle without a
// word: a call from an ABI the filter does not list, and a number the
// ENOSYS stub answers. The meaning says the same (Build verifies both).
func TestWatchNotifiesBadArchAndStub(t *testing.T) {
	p := &profile.Profile{DefaultAction: profile.ActErrno, Architectures: []string{"SCMP_ARCH_X86_64"},
		Syscalls: []*profile.Rule{{Names: []string{"read", "openat"}, Action: profile.ActAllow}}}
	e := p.Effective(x86Env())
	cases := []struct {
		arch          catalog.Arch
		nr            int64
		watch, normal string
		rule          int
	}{
		{catalog.X86, 5, "notify", "kill_thread", profile.RuleBadArch},
		{catalog.X32, catalog.X32SyscallBit + 39, "notify", "kill_thread", profile.RuleBadArch},
		{catalog.X86_64, 435, "notify", "errno(ENOSYS)", profile.RuleNewer}, // clone3, past openat's 257
		{catalog.X86_64, 1000, "notify", "errno(ENOSYS)", profile.RuleNewer},
		{catalog.X86_64, 0, "allow", "allow", 0},
	}
	for _, mode := range []profile.Variant{profile.VariantWatch, profile.VariantEnforce} {
		prog, err := Build(e, profile.Options{Variant: mode})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			want := c.normal
			if mode == profile.VariantWatch {
				want = c.watch
			}
			got, _ := prog.Run(c.arch, c.nr, [6]uint64{})
			d := e.Decide(c.arch, c.nr, [6]uint64{}, profile.Options{Variant: mode})
			if got.String() != want || d.String() != want || d.Rule != c.rule {
				t.Errorf("mode %d, %s nr %d: filter %s, meaning %s (rule %d); want %s (rule %d)", mode, c.arch, c.nr, got, d, d.Rule, want, c.rule)
			}
		}
	}
}
