package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// The profile's meaning follows libseccomp's multiplexer rewrite and
// runc's reading of repeated argument indexes: a table of calls and the
// decision Decide must give.
func TestDecideMultiplexersAndRepeatedIndexes(t *testing.T) {
	const denyList = `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 99,
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
		"syscalls": [
			{"names": ["socket", "accept", "semget"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["connect"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 7, "op": "SCMP_CMP_EQ"}]},
			{"names": ["bind"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 3, "op": "SCMP_CMP_EQ"}]},
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [
				{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"},
				{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
			{"names": ["umask"], "action": "SCMP_ACT_ALLOW", "args": [
				{"index": 0, "value": 8, "op": "SCMP_CMP_GE"},
				{"index": 0, "value": 16, "op": "SCMP_CMP_LT"},
				{"index": 1, "value": 5, "op": "SCMP_CMP_EQ"}]}
		]}`
	const allowList = `{"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_PPC64LE"],
		"syscalls": [
			{"names": ["socket", "msgrcv"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}
		]}`
	const s390x = `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 99, "architectures": ["SCMP_ARCH_S390X"],
		"syscalls": [{"names": ["shmat", "sendmsg"], "action": "SCMP_ACT_ALLOW"}]}`
	allow := "allow"
	def := "errno(EADDRNOTAVAIL)"
	for _, c := range []struct {
		profile string
		arch    catalog.Arch
		call    string
		args    [6]uint64
		want    string
		via     string
	}{
		// socketcall(SYS_SOCKET) is socket on x86; the direct call too.
		{denyList, catalog.X86, "socketcall", [6]uint64{1}, allow, "socket"},
		{denyList, catalog.X86, "socket", [6]uint64{2, 1}, allow, ""},
		// accept exists on x86 only through socketcall.
		{denyList, catalog.X86, "socketcall", [6]uint64{5}, allow, "accept"},
		{denyList, catalog.X86, "socketcall", [6]uint64{0}, def, ""},
		{denyList, catalog.X86, "socketcall", [6]uint64{4}, def, ""},
		{denyList, catalog.X86, "socketcall", [6]uint64{21}, def, ""},
		// A condition on argument 1 stays on the multiplexer's argument 1.
		{denyList, catalog.X86, "socketcall", [6]uint64{3, 7}, allow, "connect"},
		{denyList, catalog.X86, "socketcall", [6]uint64{3, 8}, def, ""},
		// A condition on argument 0 gives way to the operation.
		{denyList, catalog.X86, "socketcall", [6]uint64{2}, allow, "bind"},
		{denyList, catalog.X86, "bind", [6]uint64{4}, def, ""},
		// ipc: the whole word is compared, so a version in the upper 16
		// bits falls to the default.
		{denyList, catalog.X86, "ipc", [6]uint64{2}, allow, "semget"},
		{denyList, catalog.X86, "ipc", [6]uint64{2 | 1<<16}, def, ""},
		{denyList, catalog.X86, "ipc", [6]uint64{3}, def, ""},
		// x86_64 has no multiplexer; socket is socket.
		{denyList, catalog.X86_64, "socket", [6]uint64{40}, allow, ""},
		// Repeated index: the conditions are ORed.
		{denyList, catalog.X86_64, "personality", [6]uint64{0}, allow, ""},
		{denyList, catalog.X86_64, "personality", [6]uint64{0xffffffff}, allow, ""},
		{denyList, catalog.X86_64, "personality", [6]uint64{8}, def, ""},
		// ... all of them, the one on a non-repeated index too.
		{denyList, catalog.X86_64, "umask", [6]uint64{100, 0}, allow, ""},
		{denyList, catalog.X86_64, "umask", [6]uint64{0, 5}, allow, ""},
		{denyList, catalog.X86_64, "umask", [6]uint64{20, 6}, allow, ""},
		{denyList, catalog.X86_64, "umask", [6]uint64{16, 6}, allow, ""},
		// 64-bit multiplexing ABI: the operation is compared as 64 bits.
		{allowList, catalog.PPC64LE, "socketcall", [6]uint64{1}, "errno(EACCES)", "socket"},
		{allowList, catalog.PPC64LE, "socketcall", [6]uint64{1 | 1<<32}, allow, ""},
		{allowList, catalog.PPC64LE, "ipc", [6]uint64{12}, "errno(EACCES)", "msgrcv"},
		{allowList, catalog.PPC64LE, "ipc", [6]uint64{11}, allow, ""},
		// s390x multiplexes too (libseccomp's arch-s390x.c).
		{s390x, catalog.S390X, "ipc", [6]uint64{21}, allow, "shmat"},
		{s390x, catalog.S390X, "socketcall", [6]uint64{16}, allow, "sendmsg"},
		{s390x, catalog.S390X, "socketcall", [6]uint64{17}, def, ""},
		// x32 does not multiplex: socket is socket.
		{denyList, catalog.X32, "socket", [6]uint64{2}, allow, ""},
	} {
		p, err := Parse("t.json", []byte(c.profile))
		if err != nil {
			t.Fatal(err)
		}
		e := p.Effective(testEnv(c.arch))
		d, ok := e.DecideName(c.arch, c.call, c.args, Options{})
		if !ok {
			t.Fatalf("%s has no %s", c.arch, c.call)
		}
		if d.String() != c.want || d.Via != c.via {
			t.Errorf("%s %s%s: %s via %q, want %s via %q", c.arch, c.call, FormatArgs(c.args), d, d.Via, c.want, c.via)
		}
	}
}

// A rule with a repeated index becomes one effective rule per condition,
// each of which the compiler can hand to libseccomp.
func TestRepeatedIndexSplits(t *testing.T) {
	p, err := Parse("t.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
		{"names": ["read"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 1, "op": "SCMP_CMP_EQ"}]},
		{"names": ["write"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}, {"index": 2, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	e := p.Effective(x86Env())
	if len(e.Rules) != 4 {
		t.Fatalf("%d effective rules, want 1 + 3", len(e.Rules))
	}
	if e.Rules[0].ORed || len(e.Rules[0].Args) != 2 {
		t.Errorf("read's rule was split: %+v", e.Rules[0])
	}
	for _, r := range e.Rules[1:] {
		if !r.ORed || len(r.Args) != 1 || r.Index != 1 {
			t.Errorf("write's rule: %+v, want one condition each, from syscalls[1]", r)
		}
	}
	// Saved, the rule is as written.
	b, err := Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	q, err := Parse("t.json", b)
	if err != nil || len(q.Syscalls[1].Args) != 3 {
		t.Fatalf("round trip: %v, %+v", err, q)
	}
}

// The multiplexers' outcome depends on argument 0 as soon as a rule names
// a call they carry, conditions or not: the runner must not cache it by
// syscall alone.
func TestArgNamesHasMultiplexers(t *testing.T) {
	p, err := Parse("t.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [
		{"names": ["read", "socket"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Effective(x86Env()).ArgNames()
	for n, want := range map[string]bool{"socketcall": true, "personality": true, "ipc": false, "read": false, "socket": false} {
		if got[n] != want {
			t.Errorf("ArgNames[%s] = %v, want %v", n, got[n], want)
		}
	}
}

// The kernel keeps the low 32 bits of an int argument on a 64-bit ABI.
func TestKernelArgs(t *testing.T) {
	for _, c := range []struct {
		arch    catalog.Arch
		name    string
		in      [6]uint64
		want    [6]uint64
		changed int
	}{
		{catalog.X86_64, "socket", [6]uint64{1<<32 | 40, 1}, [6]uint64{40, 1}, 1},
		{catalog.X86_64, "mmap", [6]uint64{1 << 40, 1 << 33}, [6]uint64{1 << 40, 1 << 33}, 0},
		{catalog.X86_64, "copy_file_range", [6]uint64{5: 1 << 32}, [6]uint64{}, 1},
		{catalog.X86, "socket", [6]uint64{40}, [6]uint64{40}, 0},
	} {
		got, changed := KernelArgs(c.arch, c.name, c.in)
		if got != c.want || len(changed) != c.changed {
			t.Errorf("%s %s%s: %s (%v changed)", c.arch, c.name, FormatArgs(c.in), FormatArgs(got), changed)
		}
	}
}
