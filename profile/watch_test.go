package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Watch mode notifies what the kernel would otherwise settle without a
// word: a call from an ABI the filter does not list, and a number the
// ENOSYS stub answers. The meaning says the same (Build verifies both).
func TestWatchNotifiesBadArchAndStub(t *testing.T) {
	p := &Profile{DefaultAction: ActErrno, Architectures: []string{"SCMP_ARCH_X86_64"},
		Syscalls: []*Rule{{Names: []string{"read", "openat"}, Action: ActAllow}}}
	e := p.Effective(x86Env())
	cases := []struct {
		arch          catalog.Arch
		nr            int64
		watch, normal string
		rule          int
	}{
		{catalog.X86, 5, "notify", "kill_thread", RuleBadArch},
		{catalog.X32, catalog.X32SyscallBit + 39, "notify", "kill_thread", RuleBadArch},
		{catalog.X86_64, 435, "notify", "errno(ENOSYS)", RuleNewer}, // clone3, past openat's 257
		{catalog.X86_64, 1000, "notify", "errno(ENOSYS)", RuleNewer},
		{catalog.X86_64, 0, "allow", "allow", 0},
	}
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		prog, err := Build(e, Options{Mode: mode})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			want := c.normal
			if mode == ModeWatch {
				want = c.watch
			}
			got, _ := prog.Run(c.arch, c.nr, [6]uint64{})
			d := e.Decide(c.arch, c.nr, [6]uint64{}, Options{Mode: mode})
			if got.String() != want || d.String() != want || d.Rule != c.rule {
				t.Errorf("mode %d, %s nr %d: filter %s, meaning %s (rule %d); want %s (rule %d)", mode, c.arch, c.nr, got, d, d.Rule, want, c.rule)
			}
		}
	}
}
