package compile

import (
	"errors"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// fixtureRefs are every preset and every profile under testdata/.
func fixtureRefs(t *testing.T) []string {
	t.Helper()
	var refs []string
	for _, pr := range profile.Presets() {
		refs = append(refs, profile.PresetPrefix+pr.Name)
	}
	err := filepath.WalkDir("../../testdata", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			refs = append(refs, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return refs
}

// The workbench's program and libseccomp's agree case by case, on every
// case Verify tries, for every fixture that parses, in the enforce and
// the watch variant. Where they differ, the workbench's is the one that
// agrees with the profile's meaning, and the fixture is one libseccomp
// is known to get wrong (Verify refuses its program).
func TestGeneratedAgreesWithLibseccomp(t *testing.T) {
	env := profile.HostEnv()
	libWrong := map[string]bool{}
	compared := 0
	for _, ref := range fixtureRefs(t) {
		p, err := profile.Open(ref)
		if err != nil {
			continue // not a profile (a schema, a scenario's data)
		}
		for _, o := range []profile.Options{
			{Variant: profile.VariantEnforce},
			{Variant: profile.VariantWatch, Exempt: &profile.Exemption{Arch: env.Host, HandoffFD: 3, Magic: [3]uint64{0x5eccc0de, 0x1234567890abcdef, 42}}},
		} {
			e := p.Effective(env)
			gen, err := Compile(e, o)
			if err != nil {
				t.Errorf("%s %s: the generator: %v", ref, o.Variant, err)
				continue
			}
			if err := Verify(gen); err != nil {
				t.Errorf("%s %s: the generated program: %v", ref, o.Variant, err)
				continue
			}
			lib, err := CompileLibseccomp(e, o)
			if err != nil {
				t.Logf("%s %s: libseccomp cannot compile it: %v", ref, o.Variant, err)
				continue
			}
			libOK := Verify(lib) == nil
			dec := e.Decider(o)
			differ := 0
			for _, in := range Inputs(e, o) {
				g, err1 := gen.Run(in.Arch, in.Nr, in.Args)
				l, err2 := lib.Run(in.Arch, in.Nr, in.Args)
				if err1 != nil || err2 != nil {
					t.Fatalf("%s: %v %v", ref, err1, err2)
				}
				compared++
				if g.Same(l) {
					continue
				}
				differ++
				if libOK {
					t.Errorf("%s %s: %s nr %d %s: generated %s, libseccomp %s, and libseccomp's program verifies", ref, o.Variant, in.Arch, in.Nr, profile.FormatArgs(in.Args), g, l)
				}
				if want := dec.Decide(in.Arch, in.Nr, in.Args); !want.Same(g) || want.Same(l) {
					t.Errorf("%s: %s nr %d: the profile means %s; generated %s, libseccomp %s", ref, in.Arch, in.Nr, want, g, l)
				}
			}
			if differ > 0 {
				libWrong[filepath.Base(ref)] = true
				t.Logf("%s %s: %d cases differ; the workbench's program is right, libseccomp's is not", ref, o.Variant, differ)
			}
		}
	}
	if !libWrong["libseccomp-64bit-bug.json"] {
		t.Errorf("the generated program agrees with libseccomp's on the 64-bit bug's fixture: %v", libWrong)
	}
	if compared < 100000 {
		t.Errorf("only %d cases compared", compared)
	}
}

// A search whose cut moves by one number, a jump that lands one short,
// or a comparison of an argument word against another value: Verify
// catches each in the generated docker-default program. A cut that moves
// a number between two ranges it gets the same outcome in changes
// nothing, and is not counted.
func TestVerifyCatchesSearchTampering(t *testing.T) {
	prog, err := Build(mustOpen(t, "preset:docker-default").Effective(x86Env()), profile.Options{})
	if err != nil || prog.Stats.Generator != GenWorkbench {
		t.Fatalf("Build: %v %v", err, prog.Stats.Fallback)
	}
	live := reachable(prog.Insns)
	tried, missed := 0, 0
	try := func(pc int, what string, edit func(*bpf.RawInstruction)) {
		bad := *prog
		bad.Insns = append([]bpf.RawInstruction(nil), prog.Insns...)
		edit(&bad.Insns[pc])
		tried++
		if Verify(&bad) == nil {
			missed++
			t.Errorf("instruction %d %+v: %s went unnoticed", pc, prog.Insns[pc], what)
		}
	}
	cuts, words := 0, 0
	for pc, in := range prog.Insns {
		if !live[pc] {
			continue
		}
		switch {
		case in.Op == opJgeK:
			cuts++
			for _, d := range []int64{-1, 1} {
				// The number that changes sides: K-1 or K.
				moved := int64(in.K) + min(d, 0)
				bad := *prog
				bad.Insns = append([]bpf.RawInstruction(nil), prog.Insns...)
				bad.Insns[pc].K = uint32(int64(in.K) + d)
				same := true
				for _, a := range prog.Effective.Arches {
					g, _ := prog.Run(a, moved, [6]uint64{})
					b, _ := bad.Run(a, moved, [6]uint64{})
					same = same && g.Same(b)
				}
				if !same {
					try(pc, fmt.Sprintf("the cut moved by %d", d), func(i *bpf.RawInstruction) { i.K = uint32(int64(in.K) + d) })
				}
			}
			// Short by one lands on the lower half's last instruction;
			// when that is the same return, nothing changes.
			if t := pc + int(in.Jt); in.Jt > 0 && prog.Insns[t] != prog.Insns[t+1] {
				try(pc, "the upper half's jump one short", func(i *bpf.RawInstruction) { i.Jt-- })
			}
		case in.Op == opJeqK && prog.Insns[pc-1].Op == opLdAbsW && prog.Insns[pc-1].K >= 16:
			words++
			try(pc, "another value", func(i *bpf.RawInstruction) { i.K ^= 1 })
			try(pc, "jt and jf swapped", func(i *bpf.RawInstruction) { i.Jt, i.Jf = i.Jf, i.Jt })
		}
	}
	if cuts < 50 || words < 5 {
		t.Errorf("%d cuts and %d argument comparisons tampered with; the program is not a search", cuts, words)
	}
	t.Logf("%d edits, %d missed", tried, missed)
}

// Build falls back to libseccomp's program when the generator fails or
// its program does not verify, and says why; a program from neither that
// verifies is an error.
func TestBuildFallsBack(t *testing.T) {
	e := mustOpen(t, "preset:docker-default").Effective(x86Env())
	defer func(g func(*profile.Effective, profile.Options) (*Program, error)) { generate = g }(generate)
	// A generated program whose allow returns deny.
	generate = func(e *profile.Effective, o profile.Options) (*Program, error) {
		p, err := generateProgram(e, o)
		if err != nil {
			return nil, err
		}
		for i, in := range p.Insns {
			if in.Op == opRetK && in.K == profile.RetAllow {
				p.Insns[i].K = profile.RetErrno | 1
				break
			}
		}
		return p, nil
	}
	prog, err := Build(e, profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if prog.Stats.Generator != GenLibseccomp || !strings.Contains(prog.Stats.Fallback, "verify: ") {
		t.Errorf("a generated program that fails Verify: generator %s, fallback %q", prog.Stats.Generator, prog.Stats.Fallback)
	}
	if err := Verify(prog); err != nil {
		t.Errorf("the fallback program: %v", err)
	}
	// A generator that cannot express the profile.
	generate = func(*profile.Effective, profile.Options) (*Program, error) {
		return nil, errors.New("cannot express it")
	}
	prog, err = Build(e, profile.Options{})
	if err != nil || prog.Stats.Generator != GenLibseccomp || !strings.Contains(prog.Stats.Fallback, "cannot express it") {
		t.Errorf("a generator error: %v, %+v", err, prog)
	}
	// Neither: the 64-bit bug's profile has no correct program then.
	bug := mustOpen(t, "../../testdata/profiles/libseccomp-64bit-bug.json").Effective(x86Env())
	var verr *VerifyError
	if _, err := Build(bug, profile.Options{}); !errors.As(err, &verr) {
		t.Errorf("no program verifies: Build says %v, want libseccomp's VerifyError", err)
	}
}

// The generated programs stay under the kernel's BPF_MAXINSNS: docker's
// default on every ABI of each little-endian host it lists, and
// BuildScale's largest profile. A profile too big for it is an error that
// says so.
func TestGeneratedSizes(t *testing.T) {
	for _, host := range []catalog.Arch{catalog.X86_64, catalog.AArch64, catalog.PPC64LE, catalog.RISCV64} {
		e := mustOpen(t, "preset:docker-default").Effective(testEnv(host))
		prog, err := Build(e, profile.Options{})
		if err != nil || prog.Stats.Generator != GenWorkbench || len(prog.Insns) > 4096 {
			t.Errorf("docker-default on %s: %v, %d instructions", host, err, len(prog.Insns))
			continue
		}
		t.Logf("docker-default on %s (%v): %d instructions", host, e.Arches, len(prog.Insns))
	}
	e, _ := scaleProfile(t, 400, 50)
	prog, err := Build(e, profile.Options{})
	if err != nil || prog.Stats.Generator != GenWorkbench || len(prog.Insns) > 4096 {
		t.Errorf("the scale profile: %v, %+v", err, prog.Stats)
	}
	// Every call of seven ABIs allowed for one value of each of four
	// arguments: about nine instructions per call and ABI.
	var rules []*profile.Rule
	for i, ent := range catalog.MustDefault().All() {
		var args []*profile.Arg
		for k := uint(0); k < 4; k++ {
			args = append(args, &profile.Arg{Index: k, Value: uint64(i)<<33 | uint64(k), Op: profile.OpEqualTo})
		}
		rules = append(rules, &profile.Rule{Names: []string{ent.Name}, Action: profile.ActAllow, Args: args})
	}
	big := &profile.Profile{DefaultAction: profile.ActErrno, Syscalls: rules, Architectures: []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86",
		"SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM", "SCMP_ARCH_RISCV64", "SCMP_ARCH_PPC64LE"}}
	_, err = Compile(big.Effective(x86Env()), profile.Options{})
	if err == nil || !strings.Contains(err.Error(), "over the kernel's limit of 4096") || strings.Contains(err.Error(), "\n") {
		t.Errorf("a profile too big for the kernel: %v", err)
	}
	if _, err := Build(big.Effective(x86Env()), profile.Options{}); err == nil || !strings.Contains(err.Error(), "4096") {
		t.Errorf("Build of a profile too big for the kernel: %v", err)
	}
}

// Docker's default as the workbench generates it, installed by the real
// kernel in a child running as root and as nobody: what it denies is
// denied, with its errno, and what it allows runs.
func TestGeneratedDockerDefaultOnKernel(t *testing.T) {
	bin := buildProbe(t)
	prog, err := Build(mustOpen(t, "preset:docker-default").Effective(profile.HostEnv()), profile.Options{})
	if err != nil || prog.Stats.Generator != GenWorkbench {
		t.Fatalf("Build: %v", err)
	}
	dir, bin := probeForAll(t, bin)
	filter := filepath.Join(dir, "docker.bpf")
	if err := os.WriteFile(filter, prog.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ia32 := runProbe(t, bin, []string{"--no-filter", "--int80"}, "-", 20, nil).ret > 0
	eperm, enosys := int(syscall.EPERM), int(syscall.ENOSYS)
	for _, c := range []struct {
		arch  catalog.Arch
		name  string
		nr    int64 // when name is ""
		args  []uint64
		errno int // 0: allowed, and it runs
	}{
		{arch: catalog.X86_64, name: "add_key", errno: eperm},
		{arch: catalog.X86_64, name: "keyctl", errno: eperm},
		{arch: catalog.X86_64, name: "bpf", errno: eperm},
		{arch: catalog.X86_64, name: "socket", args: []uint64{40, 1, 0}, errno: eperm}, // AF_VSOCK
		{arch: catalog.X86_64, name: "personality", args: []uint64{0x1234}, errno: eperm},
		{arch: catalog.X86_64, name: "personality", args: []uint64{8 | 1<<32}, errno: eperm}, // the high word differs
		{arch: catalog.X86_64, name: "clone3", errno: enosys},
		{arch: catalog.X86_64, nr: 1000, errno: enosys}, // newer than every call the profile names
		{arch: catalog.X86_64, name: "getpid"},
		{arch: catalog.X86_64, name: "personality", args: []uint64{0xffffffff}},
		{arch: catalog.X86, name: "add_key", errno: eperm},
		{arch: catalog.X86, name: "getpid"},
	} {
		nr := c.nr
		if c.name != "" {
			nr = nrOf(t, c.arch, c.name)
		}
		var flags []string
		if c.arch == catalog.X86 {
			if !ia32 {
				continue // no int $0x80 gate (IA32 emulation is off)
			}
			flags = []string{"--int80"}
		}
		for _, who := range []struct {
			name string
			cred *syscall.Credential
		}{{"root", nil}, {"nobody", &syscall.Credential{Uid: 65534, Gid: 65534}}} {
			got := runProbeAs(t, who.cred, bin, flags, filter, nr, c.args)
			what := fmt.Sprintf("%s: %s %s(nr %d, %#x)", who.name, c.arch, c.name, nr, c.args)
			switch {
			case got.signal != 0:
				t.Errorf("%s: killed by %s", what, got.signal)
			case c.errno != 0 && (got.ret != -1 || got.errno != c.errno):
				t.Errorf("%s: %s, want -1/%s", what, got, syscall.Errno(c.errno))
			case c.errno == 0 && got.ret < 0:
				t.Errorf("%s: %s, want it to run", what, got)
			}
		}
	}
}

// Random profiles on every kind of ABI set (x32 alone, x86 with x32,
// big-endian, MIPS), in every variant: the generated program always
// verifies. The runner's exemption is on a 64-bit host ABI, as the
// runner makes it.
func TestGeneratedRandomProfilesVerify(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	ops := []profile.Operator{profile.OpLessThan, profile.OpLessEqual, profile.OpGreaterThan, profile.OpGreaterEqual, profile.OpNotEqual, profile.OpEqualTo, profile.OpMaskedEqual}
	vals := []uint64{0, 1, 5, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000, 0x1ffffffff, 1 << 63, ^uint64(0)}
	acts := []profile.Action{profile.ActAllow, profile.ActErrno, profile.ActKillProcess, profile.ActLog, profile.ActTrap, profile.ActNotify, profile.ActTrace}
	names := []string{"personality", "socket", "ioctl", "mmap", "read", "mseal", "semget", "accept", "recv", "socketcall", "ipc", "clone3", "getpid", "openat"}
	archSets := [][]string{{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"}, {"SCMP_ARCH_X32"}, {"SCMP_ARCH_X86_64"},
		{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}, {"SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"}, {"SCMP_ARCH_S390X", "SCMP_ARCH_S390"},
		{"SCMP_ARCH_PPC64LE"}, {"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"}}
	n := 400
	if testing.Short() {
		n = 80
	}
	for iter := 0; iter < n; iter++ {
		p := &profile.Profile{DefaultAction: acts[r.Intn(3)], Architectures: archSets[r.Intn(len(archSets))]}
		for i := 0; i < 1+r.Intn(6); i++ {
			rule := &profile.Rule{Names: []string{names[r.Intn(len(names))], names[r.Intn(len(names))]}, Action: acts[r.Intn(len(acts))]}
			for j := 0; j < r.Intn(4); j++ {
				rule.Args = append(rule.Args, &profile.Arg{Index: uint(r.Intn(4)), Value: vals[r.Intn(len(vals))], ValueTwo: vals[r.Intn(len(vals))], Op: ops[r.Intn(len(ops))]})
			}
			p.Syscalls = append(p.Syscalls, rule)
		}
		e := p.Effective(x86Env())
		var o profile.Options
		x := &profile.Exemption{Arch: e.Arches[0], HandoffFD: 3, Magic: [3]uint64{1 << 40, 2, 3}}
		switch k := r.Intn(4); {
		case k == 1 && !e.Arches[0].Is32Bit():
			o = profile.Options{Variant: profile.VariantWatch, Exempt: x}
		case k == 2 && !e.Arches[0].Is32Bit():
			o = profile.Options{Variant: profile.VariantRecord, Exempt: x}
		case k == 3:
			o.NoENOSYS = true
		}
		prog, err := Compile(e, o)
		if err == nil {
			err = Verify(prog)
		}
		if err != nil {
			b, _ := profile.Marshal(p)
			t.Fatalf("%v %s: %v\n%s", e.Arches, o.Variant, err, b)
		}
	}
}
