package compile

import (
	"math/rand"
	"os"
	"sort"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func nrOf(t testing.TB, arch catalog.Arch, name string) int64 {
	t.Helper()
	e, ok := catalog.MustDefault().Lookup(name)
	if !ok {
		t.Fatalf("no syscall %s", name)
	}
	n, ok := e.Number(arch)
	if !ok {
		t.Fatalf("%s has no number on %s", name, arch)
	}
	return n
}

// Each action compiles to the kernel's return value, on every arch, and
// the emulator reads it back; expectations are written out, not derived
// from Decide.
func TestActionsThroughEmulator(t *testing.T) {
	// s390x is big-endian: it cannot share a filter with the others.
	arches := []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64",
		"SCMP_ARCH_ARM", "SCMP_ARCH_RISCV64", "SCMP_ARCH_PPC64LE"}
	errno13 := uint(13)
	p := &profile.Profile{DefaultAction: profile.ActErrno, Architectures: arches, Syscalls: []*profile.Rule{
		{Names: []string{"read", "write"}, Action: profile.ActAllow},
		{Names: []string{"getpid"}, Action: profile.ActErrno, ErrnoRet: &errno13},
		{Names: []string{"getppid"}, Action: profile.ActKillProcess},
		{Names: []string{"gettid"}, Action: profile.ActKillThread},
		{Names: []string{"getuid"}, Action: profile.ActTrap},
		{Names: []string{"getgid"}, Action: profile.ActLog},
		{Names: []string{"geteuid"}, Action: profile.ActNotify},
		{Names: []string{"getegid"}, Action: profile.ActTrace, ErrnoRet: &errno13},
		{Names: []string{"mseal"}, Action: profile.ActAllow}, // unknown to libseccomp 2.5.4
	}}
	prog, err := Build(p.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint32{
		"read": 0x7fff0000, "write": 0x7fff0000, "getpid": 0x00050000 | 13,
		"getppid": 0x80000000, "gettid": 0, "getuid": 0x00030000, "getgid": 0x7ffc0000,
		"geteuid": 0x7fc00000, "getegid": 0x7ff00000 | 13, "mseal": 0x7fff0000,
		"close": 0x00050000 | 1, // the default, EPERM
	}
	for _, a := range prog.Effective.Arches {
		for name, ret := range want {
			ent, _ := catalog.MustDefault().Lookup(name)
			nr, ok := ent.Number(a)
			if !ok {
				continue
			}
			got, err := prog.Run(a, nr, [6]uint64{})
			if err != nil {
				t.Fatal(err)
			}
			if profile.RetValue(got) != ret {
				t.Errorf("%s on %s: filter returns %#x (%s), want %#x", name, a, profile.RetValue(got), got, ret)
			}
		}
	}
	if len(prog.Stats.ByNumber) != 1 || prog.Stats.ByNumber[0] != "mseal" {
		t.Errorf("ByNumber = %v, want [mseal]", prog.Stats.ByNumber)
	}
}

// Every comparison operator, on a 64-bit and a 32-bit ABI, at values
// around its operand.
func TestOperatorsThroughEmulator(t *testing.T) {
	type probe struct {
		arg  uint64
		want bool // allowed
	}
	for _, tc := range []struct {
		op     profile.Operator
		v, v2  uint64
		probes []probe
	}{
		{profile.OpEqualTo, 5, 0, []probe{{5, true}, {4, false}, {6, false}, {1<<32 | 5, false}}},
		{profile.OpNotEqual, 5, 0, []probe{{5, false}, {4, true}, {1<<32 | 5, true}}},
		{profile.OpLessThan, 5, 0, []probe{{4, true}, {5, false}, {0, true}, {1 << 32, false}}},
		{profile.OpLessEqual, 5, 0, []probe{{5, true}, {6, false}}},
		{profile.OpGreaterThan, 5, 0, []probe{{6, true}, {5, false}, {1 << 40, true}}},
		{profile.OpGreaterEqual, 5, 0, []probe{{5, true}, {4, false}}},
		{profile.OpMaskedEqual, 0xff, 0x12, []probe{{0x12, true}, {0x312, true}, {0x13, false}}},
	} {
		p := &profile.Profile{DefaultAction: profile.ActErrno, Architectures: []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"},
			Syscalls: []*profile.Rule{{Names: []string{"personality"}, Action: profile.ActAllow,
				Args: []*profile.Arg{{Index: 0, Value: tc.v, ValueTwo: tc.v2, Op: tc.op}}}}}
		prog, err := Build(p.Effective(x86Env()), profile.Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.op, err)
		}
		for _, pr := range tc.probes {
			for _, a := range []catalog.Arch{catalog.X86_64, catalog.X86} {
				arg := pr.arg
				want := pr.want
				if a == catalog.X86 {
					if arg>>32 != 0 {
						continue // a 32-bit ABI cannot pass it
					}
				}
				got, _ := prog.Run(a, nrOf(t, a, "personality"), [6]uint64{arg})
				if (got.Action == profile.ActAllow) != want {
					t.Errorf("%s %#x on %s with arg %#x: got %s, want allowed=%v", tc.op, tc.v, a, arg, got, want)
				}
			}
		}
	}
}

// A call from an ABI the filter does not list is killed (libseccomp's
// bad-arch action); x32 numbers on an x86_64-only filter too.
func TestBadArchKilled(t *testing.T) {
	p := &profile.Profile{DefaultAction: profile.ActAllow, Architectures: []string{"SCMP_ARCH_X86_64"}}
	prog, err := Build(p.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		arch catalog.Arch
		nr   int64
	}{{catalog.X86, 20}, {catalog.X32, catalog.X32SyscallBit + 39}, {catalog.AArch64, 172}} {
		got, _ := prog.Run(c.arch, c.nr, [6]uint64{})
		if got.Action != profile.ActKillThread {
			t.Errorf("%s nr %d: %s, want kill_thread", c.arch, c.nr, got)
		}
	}
	got, _ := prog.Run(catalog.X86_64, 39, [6]uint64{})
	if got.Action != profile.ActAllow {
		t.Errorf("native getpid: %s", got)
	}
}

// A deny-by-default profile answers ENOSYS past its highest number (so
// glibc falls back), and only then; the stub can be switched off.
func TestENOSYSStub(t *testing.T) {
	p := &profile.Profile{DefaultAction: profile.ActErrno, Architectures: []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"},
		Syscalls: []*profile.Rule{{Names: []string{"read", "openat", "clone"}, Action: profile.ActAllow}}}
	e := p.Effective(x86Env())
	prog, err := Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check := func(prog *Program, a catalog.Arch, name string, want string) {
		t.Helper()
		got, _ := prog.Run(a, nrOf(t, a, name), [6]uint64{})
		if got.String() != want {
			t.Errorf("%s on %s: %s, want %s", name, a, got, want)
		}
	}
	check(prog, catalog.X86_64, "clone3", "errno(ENOSYS)") // 435 > openat's 257
	check(prog, catalog.X86_64, "mkdir", "errno(EPERM)")   // 83 < 257: the default
	check(prog, catalog.X86, "clone3", "errno(ENOSYS)")
	check(prog, catalog.X32, "faccessat2", "errno(ENOSYS)") // each ABI counts its own range
	check(prog, catalog.X32, "mkdir", "errno(EPERM)")
	off, err := Build(e, profile.Options{NoENOSYS: true})
	if err != nil {
		t.Fatal(err)
	}
	check(off, catalog.X86_64, "clone3", "errno(EPERM)")
	allow := &profile.Profile{DefaultAction: profile.ActAllow, Syscalls: []*profile.Rule{{Names: []string{"read"}, Action: profile.ActErrno}}}
	ap, err := Build(allow.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	check(ap, catalog.X86_64, "clone3", "allow") // no stub when allowing by default
}

// Watch mode turns every non-allow outcome into a notification; the
// shim's secret-keyed sendmsg/execve pass, the same calls without the
// secret do not.
func TestWatchModeAndExemption(t *testing.T) {
	p := mustOpen(t, "preset:docker-default")
	x := &profile.Exemption{Arch: catalog.X86_64, HandoffFD: 3, Magic: [3]uint64{0xdead_beef_0000_0001, 2, 0xffff_0000_0000_0003}}
	for _, mode := range []profile.Variant{profile.VariantWatch, profile.VariantRecord} {
		prog, err := Build(p.Effective(x86Env()), profile.Options{Variant: mode, Exempt: x})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		send := nrOf(t, catalog.X86_64, "sendmsg")
		exec := nrOf(t, catalog.X86_64, "execve")
		for _, c := range []struct {
			nr   int64
			args [6]uint64
			want profile.Action
		}{
			{send, [6]uint64{3, 0, 0, x.Magic[0], x.Magic[1], x.Magic[2]}, profile.ActAllow},
			{exec, [6]uint64{0x1000, 0, 0, x.Magic[0], x.Magic[1], x.Magic[2]}, profile.ActAllow},
			{send, [6]uint64{4, 0, 0, x.Magic[0], x.Magic[1], x.Magic[2]}, map[profile.Variant]profile.Action{profile.VariantWatch: profile.ActAllow, profile.VariantRecord: profile.ActNotify}[mode]},
			{exec, [6]uint64{0x1000, 0, 0, x.Magic[0], x.Magic[1], x.Magic[2] ^ 1<<40}, map[profile.Variant]profile.Action{profile.VariantWatch: profile.ActAllow, profile.VariantRecord: profile.ActNotify}[mode]},
			{nrOf(t, catalog.X86_64, "add_key"), [6]uint64{}, profile.ActNotify},
		} {
			got, _ := prog.Run(catalog.X86_64, c.nr, c.args)
			if got.Action != c.want {
				t.Errorf("%s: nr %d args %s: %s, want %s", mode, c.nr, profile.FormatArgs(c.args), got, c.want.Short())
			}
		}
	}
}

// A big-endian ABI cannot share a filter with little-endian ones: that
// is refused with a reason. libseccomp 2.5.4 cannot build a big-endian
// filter on a little-endian host (it writes some return values
// byte-swapped) and is refused too; the workbench's generator writes the
// argument words where s390x's kernel puts them, and Verify agrees.
func TestByteOrderRefused(t *testing.T) {
	mixed := &profile.Profile{DefaultAction: profile.ActAllow, Architectures: []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_S390X"}}
	for _, c := range []func(*profile.Effective, profile.Options) (*Program, error){Compile, CompileLibseccomp, Build} {
		if _, err := c(mixed.Effective(x86Env()), profile.Options{}); err == nil || !strings.Contains(err.Error(), "byte order") {
			t.Errorf("mixing byte orders: %v", err)
		}
	}
	p := mustOpen(t, "preset:docker-default")
	env := profile.Env{Host: catalog.S390X, Kernel: profile.Kernel{Major: 6, Minor: 1}, Caps: profile.DockerDefaultCaps()}
	if _, err := CompileLibseccomp(p.Effective(env), profile.Options{}); err == nil || !strings.Contains(err.Error(), "s390x host") {
		t.Errorf("libseccomp's s390x filter on this host: %v", err)
	}
	prog, err := Build(p.Effective(env), profile.Options{})
	if err != nil || prog.Stats.Generator != GenWorkbench {
		t.Fatalf("s390x filter on this host: %v", err)
	}
	// personality(PER_LINUX32) is allowed, the same value in the high
	// word is not: s390x keeps the high word first.
	nr := nrOf(t, catalog.S390X, "personality")
	for _, c := range []struct {
		arg   uint64
		allow bool
	}{{8, true}, {8 << 32, false}} {
		if d, _ := prog.Run(catalog.S390X, nr, [6]uint64{c.arg}); (d.Action == profile.ActAllow) != c.allow {
			t.Errorf("s390x personality(%#x): %s", c.arg, d)
		}
	}
	if b := prog.Bytes(); b[0] != 0 || b[1] != 0x20 {
		t.Errorf("the s390x program is not big-endian: % x", b[:8])
	}
}

// libseccomp refuses any rule whose action is the filter's default. A
// conditional one that no later rule overrides changes nothing and is left
// out; one that keeps calls from a later rule cannot be expressed, and the
// error says why.
func TestConditionalRuleEqualToDefault(t *testing.T) {
	const head = `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
		{"names": ["read", "write", "execve", "exit_group"], "action": "SCMP_ACT_ALLOW"}`
	nr := nrOf(t, catalog.X86_64, "personality")
	for _, mode := range []profile.Variant{profile.VariantEnforce, profile.VariantWatch} {
		p, err := profile.Parse("t.json", []byte(head+`]}`))
		if err != nil {
			t.Fatal(err)
		}
		prog, err := Build(p.Effective(x86Env()), profile.Options{Variant: mode})
		if err != nil {
			t.Fatalf("%s: a rule that changes nothing stops the build: %v", mode, err)
		}
		want := profile.ActErrno
		if mode == profile.VariantWatch {
			want = profile.ActNotify
		}
		if d, err := prog.Run(catalog.X86_64, nr, [6]uint64{8}); err != nil || d.Action != want {
			t.Errorf("%s: personality(8) = %v, %v; want %s", mode, d, err, want)
		}
	}
	p, err := profile.Parse("t.json", []byte(head+`, {"names": ["personality"], "action": "SCMP_ACT_ALLOW"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = CompileLibseccomp(p.Effective(x86Env()), profile.Options{})
	if err == nil || !strings.Contains(err.Error(), "syscalls[0]: its conditions keep some personality calls at the default action") {
		t.Errorf("a carve-out libseccomp cannot express: %v", err)
	}
	// The workbench's generator keeps the rules' order: personality(8)
	// stays at the default, any other personality is allowed.
	prog, err := Build(p.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatalf("the carve-out with the workbench's generator: %v", err)
	}
	for arg, want := range map[uint64]profile.Action{8: profile.ActErrno, 9: profile.ActAllow, 8 | 1<<32: profile.ActAllow} {
		if d, _ := prog.Run(catalog.X86_64, nr, [6]uint64{arg}); d.Action != want {
			t.Errorf("personality(%#x) = %s, want %s", arg, d, want.Short())
		}
	}
}

// The filter libseccomp 2.5.4 compiles weaker than its rules is refused,
// naming the syscall and the arguments; Build's program, the workbench's
// own, compares both words and is right.
func TestVerifyRefusesLibseccompBug(t *testing.T) {
	p := mustOpen(t, "../../testdata/profiles/libseccomp-64bit-bug.json")
	if prog, err := Build(p.Effective(x86Env()), profile.Options{}); err != nil || prog.Stats.Generator != GenWorkbench {
		t.Fatalf("Build: %v", err)
	}
	prog, err := CompileLibseccomp(p.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = Verify(prog)
	if err == nil {
		t.Skip("this libseccomp compiles the profile correctly (fixed in 2.6.1)")
	}
	msg := err.Error()
	for _, want := range []string{"mmap on x86_64", "0xffffffff", "weaker", "GHSA-4q85-33p6-j5g6"} {
		if !strings.Contains(msg, want) {
			t.Errorf("verify error lacks %q: %s", want, msg)
		}
	}
}

// Verify is the only thing standing between a miscompiled program and the
// kernel: tampering with any return instruction must be caught.
func TestVerifyCatchesTampering(t *testing.T) {
	prog, err := Build(mustOpen(t, "preset:docker-default").Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	caught, tried := 0, 0
	live := reachable(prog.Insns)
	for i, in := range prog.Insns {
		if in.Op != 0x06 || !live[i] { // BPF_RET|BPF_K that can run
			continue
		}
		bad := *prog
		bad.Insns = append([]bpf.RawInstruction(nil), prog.Insns...)
		if in.K == profile.RetValue(profile.Decision{Action: profile.ActAllow}) {
			bad.Insns[i].K = profile.RetErrno | 1
		} else {
			bad.Insns[i].K = profile.RetValue(profile.Decision{Action: profile.ActAllow})
		}
		tried++
		if Verify(&bad) != nil {
			caught++
		} else {
			t.Errorf("changing return %d (%#x) went unnoticed", i, in.K)
		}
	}
	if tried < 10 {
		t.Fatalf("only %d return instructions", tried)
	}
}

// Randomised comparison: for random profiles, whenever Verify accepts a
// program, random inputs agree with the profile's meaning too — the
// boundary cases Verify uses are enough.
func TestRandomisedAgreement(t *testing.T) {
	r := rand.New(rand.NewSource(42))
	ops := []profile.Operator{profile.OpLessThan, profile.OpLessEqual, profile.OpGreaterThan, profile.OpGreaterEqual, profile.OpNotEqual, profile.OpEqualTo, profile.OpMaskedEqual}
	vals := []uint64{0, 1, 5, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x1ffffffff, 1 << 63, ^uint64(0)}
	acts := []profile.Action{profile.ActAllow, profile.ActErrno, profile.ActKillProcess, profile.ActLog, profile.ActTrap}
	names := []string{"personality", "socket", "ioctl", "mmap", "read", "mseal"}
	n := 120
	if testing.Short() {
		n = 30
	}
	accepted := 0
	for iter := 0; iter < n; iter++ {
		p := &profile.Profile{DefaultAction: acts[r.Intn(2)], Architectures: []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_AARCH64"}}
		for i := 0; i < 1+r.Intn(4); i++ {
			rule := &profile.Rule{Names: []string{names[r.Intn(len(names))]}, Action: acts[r.Intn(len(acts))]}
			if rule.Names[0] != "mseal" {
				for j := 0; j < r.Intn(3); j++ {
					rule.Args = append(rule.Args, &profile.Arg{Index: uint(r.Intn(3)), Value: vals[r.Intn(len(vals))], ValueTwo: vals[r.Intn(len(vals))], Op: ops[r.Intn(len(ops))]})
				}
			}
			p.Syscalls = append(p.Syscalls, rule)
		}
		e := p.Effective(x86Env())
		prog, err := Compile(e, profile.Options{NoOptimize: r.Intn(2) == 0})
		if err == nil {
			err = Verify(prog)
		}
		if err != nil {
			// The workbench's generator keeps first-match-wins: every
			// random profile has a verified program.
			b, _ := profile.Marshal(p)
			t.Errorf("the generator: %v\n%s", err, b)
			continue
		}
		accepted++
		for k := 0; k < 300; k++ {
			arch := []catalog.Arch{catalog.X86_64, catalog.X86, catalog.AArch64}[r.Intn(3)]
			ent, _ := catalog.MustDefault().Lookup(names[r.Intn(len(names))])
			nr, ok := ent.Number(arch)
			if !ok {
				continue
			}
			var args [6]uint64
			for i := range args[:3] {
				args[i] = vals[r.Intn(len(vals))] + uint64(r.Intn(3)) - 1
				if arch.Is32Bit() {
					args[i] &= 0xffffffff
				}
			}
			want := e.Decide(arch, nr, args, profile.Options{})
			got, _ := prog.Run(arch, nr, args)
			if !want.Same(got) {
				b, _ := profile.Marshal(p)
				t.Fatalf("Verify accepted a program that disagrees: %s %s %s: want %s got %s\n%s", ent.Name, arch, profile.FormatArgs(args), want, got, b)
			}
		}
	}
	if accepted < n {
		t.Errorf("only %d of %d random profiles verified; the generator is off", accepted, n)
	}
}

func TestBytesLayout(t *testing.T) {
	prog, err := Build(mustOpen(t, "preset:docker-default").Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := prog.Bytes()
	if len(b) != 8*len(prog.Insns) {
		t.Fatalf("%d bytes for %d instructions", len(b), len(prog.Insns))
	}
	// First instruction of libseccomp's part or the prelude: ld [4] (arch).
	if b[0] != 0x20 || b[4] != 4 {
		t.Errorf("first instruction % x is not ld [4]", b[:8])
	}
	per, err := prog.PerArch()
	if err != nil {
		t.Fatal(err)
	}
	if per[catalog.X86_64] == 0 || per[catalog.X86_64] >= len(prog.Insns) || prog.Stats.Instructions != len(prog.Insns) {
		t.Errorf("stats: %+v", prog.Stats)
	}
}

func BenchmarkBuildDockerDefault(b *testing.B) {
	data, err := os.ReadFile("../../testdata/profiles/docker-default.json")
	if err != nil {
		b.Fatal(err)
	}
	p, err := profile.Parse("docker-default.json", data)
	if err != nil {
		b.Fatal(err)
	}
	e := p.Effective(x86Env())
	// build is what a run pays: Build compiles and verifies, preparing
	// Verify's cases while the program is generated.
	b.Run("build", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Build(e, profile.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// compile is the workbench's generator alone.
	b.Run("compile", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := Compile(e, profile.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// compile-libseccomp is the peer and fallback: one libseccomp
	// program per ABI behind the workbench's prelude and dispatch.
	b.Run("compile-libseccomp", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := CompileLibseccomp(e, profile.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// onefilter: libseccomp's program for all three ABIs in one filter,
	// what was asked for before each ABI was compiled alone.
	b.Run("onefilter", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, _, err := compileLib(e, e.Arches, profile.Options{}, false); err != nil {
				b.Fatal(err)
			}
		}
	})
	prog, _ := Compile(e, profile.Options{})
	b.Run("verify", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if err := Verify(prog); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// Whatever the catalog's generator knew, the calls compiled by number
// are exactly those the linked libseccomp cannot resolve, and every other
// named call goes through libseccomp: none is left out.
func TestByNumberIsWhatLinkedLibseccompLacks(t *testing.T) {
	cat := catalog.MustDefault()
	var names []string
	var want []string
	for _, ent := range cat.All() {
		if _, ok := ent.Number(catalog.X86_64); !ok {
			continue
		}
		names = append(names, ent.Name)
		if !profile.LinkedKnows(ent.Name) {
			want = append(want, ent.Name)
		}
	}
	p := &profile.Profile{DefaultAction: profile.ActErrno, Architectures: []string{"SCMP_ARCH_X86_64"},
		Syscalls: []*profile.Rule{{Names: names, Action: profile.ActAllow}}}
	prog, err := Build(p.Effective(x86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := append([]string(nil), prog.Stats.ByNumber...)
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("compiled by number: %v; the linked libseccomp %s lacks %v", got, profile.LinkedLibseccomp(), want)
	}
	if len(prog.Stats.Skipped) != 0 {
		t.Errorf("skipped %v", prog.Stats.Skipped)
	}
	if profile.LinkedKnows("no_such_syscall") || !profile.LinkedKnows("read") {
		t.Error("LinkedKnows does not ask the library")
	}
	if v := profile.LinkedLibseccomp(); strings.Count(v, ".") != 2 || v == "0.0.0" {
		t.Errorf("linked libseccomp %q", v)
	}
}
