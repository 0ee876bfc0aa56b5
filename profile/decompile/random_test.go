package decompile

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

// randomProfile has a few rules on a few calls, with conditions of every
// operator on 32- and 64-bit values, and actions of every kind.
func randomProfile(r *rand.Rand) string {
	names := []string{"read", "write", "openat", "mmap", "ioctl", "socket", "personality", "kill", "fcntl", "prctl"}
	acts := []string{`"SCMP_ACT_ALLOW"`, `"SCMP_ACT_ERRNO","errnoRet":1`, `"SCMP_ACT_ERRNO","errnoRet":13`, `"SCMP_ACT_KILL_PROCESS"`, `"SCMP_ACT_TRAP"`, `"SCMP_ACT_LOG"`}
	ops := []string{"SCMP_CMP_EQ", "SCMP_CMP_NE", "SCMP_CMP_GT", "SCMP_CMP_GE", "SCMP_CMP_LT", "SCMP_CMP_LE", "SCMP_CMP_MASKED_EQ"}
	vals := []uint64{0, 1, 2, 7, 0x40, 0x80000, 0xffffffff, 1 << 32, 0x100000002, ^uint64(0)}
	def := acts[r.IntN(4)]
	var rules []string
	// One rule per call: libseccomp settles overlapping rules with
	// different actions in its own order, which compile.Verify does not
	// always catch (explain shows such a case), and then the program is
	// what decompile recovers, not the profile.
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	for k := range 1 + r.IntN(5) {
		name := names[k]
		act := acts[r.IntN(len(acts))]
		var args []string
		used := map[int]bool{}
		for range r.IntN(3) {
			i := r.IntN(3)
			if used[i] {
				continue
			}
			used[i] = true
			op := ops[r.IntN(len(ops))]
			v, v2 := vals[r.IntN(len(vals))], vals[r.IntN(len(vals))]
			if op == "SCMP_CMP_MASKED_EQ" {
				v2 &= v
			}
			args = append(args, fmt.Sprintf(`{"index":%d,"value":%d,"valueTwo":%d,"op":%q}`, i, v, v2, op))
		}
		rules = append(rules, fmt.Sprintf(`{"names":[%q],"action":%s,"args":[%s]}`, name, act, strings.Join(args, ",")))
	}
	return fmt.Sprintf(`{"defaultAction":%s,"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[%s]}`, def, strings.Join(rules, ","))
}

// Whatever a profile says, if the workbench compiles it, the program
// decompiles to a profile that means the same (or decompile says why
// not): never a different one.
func TestRandomProfilesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 2026))
	env := proftest.X86Env()
	ok, refused := 0, 0
	for i := range 60 {
		js := randomProfile(r)
		p, err := profile.Parse("random.json", []byte(js))
		if err != nil {
			t.Fatalf("%d: %v\n%s", i, err, js)
		}
		eff := p.Effective(env)
		prog, err := compile.Build(eff, profile.Options{})
		if err != nil {
			continue // overlapping rules libseccomp orders its own way, ...
		}
		res, err := Decompile([][]bpf.RawInstruction{prog.Insns}, catalog.X86_64)
		if err != nil {
			refused++
			t.Logf("%d: refused: %v\n%s", i, err, js)
			continue
		}
		if cs := diff.Diff(eff, res.Profile.Effective(env)); len(cs) > 0 {
			t.Errorf("%d: %s\n%s", i, cs[0], js)
		}
		ok++
	}
	t.Logf("%d decompiled, %d refused", ok, refused)
	if ok < 55 {
		t.Errorf("only %d of the random profiles decompiled", ok)
	}
}

// Corrupted programs (constants, targets and returns changed at random)
// never panic: each decompiles and verifies, or is refused.
func TestMutatedProgramsNeverPanic(t *testing.T) {
	p := proftest.MustOpen(t, "preset:no-network")
	prog, err := compile.Build(p.Effective(proftest.X86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		insns := append([]bpf.RawInstruction(nil), prog.Insns...)
		for range 1 + r.IntN(4) {
			in := &insns[r.IntN(len(insns))]
			switch r.IntN(4) {
			case 0:
				in.K ^= 1 << r.IntN(32)
			case 1:
				in.Jt = uint8(r.IntN(8))
			case 2:
				in.Op = uint16(r.IntN(0x100))
			case 3:
				in.K = uint32(r.Uint32())
			}
		}
		data := make([]byte, 8*len(insns))
		for i, in := range insns {
			binary.NativeEndian.PutUint16(data[8*i:], in.Op)
			data[8*i+2], data[8*i+3] = in.Jt, in.Jf
			binary.NativeEndian.PutUint32(data[8*i+4:], in.K)
		}
		_, _, _ = FromRaw(data)
		_, _ = Decompile([][]bpf.RawInstruction{insns}, catalog.X86_64)
	}
}
