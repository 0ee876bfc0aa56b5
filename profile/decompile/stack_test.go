package decompile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/internal/proftest"
)

func compiled(t *testing.T, js string) []bpf.RawInstruction {
	t.Helper()
	p, err := profile.Parse("inline.json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	prog, err := compile.Build(p.Effective(proftest.X86Env()), profile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return prog.Insns
}

func decideName(t *testing.T, p *profile.Profile, name string, args [6]uint64) profile.Decision {
	t.Helper()
	d, ok := p.Effective(proftest.X86Env()).DecideName(catalog.X86_64, name, args, profile.Options{})
	if !ok {
		t.Fatalf("no %s on x86_64", name)
	}
	return d
}

// Two stacked filters: the kernel runs both and the strongest action
// wins; between two errno answers, the newer filter's.
func TestStackedFiltersCombineByPrecedence(t *testing.T) {
	older := compiled(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
		{"names":["rmdir"],"action":"SCMP_ACT_KILL_PROCESS"},
		{"names":["chdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`)
	newer := compiled(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
		{"names":["rmdir"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
		{"names":["chdir"],"action":"SCMP_ACT_LOG"},
		{"names":["write"],"action":"SCMP_ACT_ERRNO","errnoRet":5,"args":[{"index":0,"value":7,"op":"SCMP_CMP_EQ"}]}]}`)
	res, err := Decompile([][]bpf.RawInstruction{older, newer}, catalog.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args [6]uint64
		want string
	}{
		{"mkdir", [6]uint64{}, "errno(EACCES)"}, // equal actions: the newer filter's data
		{"rmdir", [6]uint64{}, "kill_process"},  // kill_process beats errno
		{"chdir", [6]uint64{}, "errno(EPERM)"},  // errno beats log
		{"write", [6]uint64{7}, "errno(EIO)"},
		{"write", [6]uint64{7 | 1<<32}, "allow"},
		{"read", [6]uint64{}, "allow"},
	} {
		if got := decideName(t, res.Profile, c.name, c.args).String(); got != c.want {
			t.Errorf("%s%v: got %s, want %s", c.name, c.args, got, c.want)
		}
	}
	// The stack is what the kernel would answer, case by case.
	if Combine([]uint32{profile.RetErrno | 1, profile.RetErrno | 13}) != profile.RetErrno|13 {
		t.Error("Combine keeps the older filter's errno")
	}
	if Combine([]uint32{profile.RetKillProcess, profile.RetAllow}) != profile.RetKillProcess {
		t.Error("Combine lets allow beat kill_process")
	}
}

// handWritten is a filter as one writes it without libseccomp: x86_64
// only, write allowed up to 4096 bytes (a 64-bit comparison, high word
// then low word), openat only with flags having no O_WRONLY|O_RDWR bits
// (jset), everything else EPERM.
func handWritten(t *testing.T) []bpf.RawInstruction {
	t.Helper()
	insns, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipTrue: 1},
		bpf.RetConstant{Val: profile.RetKillProcess},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 0x40000000, SkipFalse: 1}, // x32
		bpf.RetConstant{Val: profile.RetKillProcess},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipFalse: 5}, // write
		bpf.LoadAbsolute{Off: 36, Size: 4},                    // args[2] high
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipFalse: 9},
		bpf.LoadAbsolute{Off: 32, Size: 4}, // args[2] low
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 4096, SkipTrue: 7},
		bpf.RetConstant{Val: profile.RetAllow},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 257, SkipFalse: 3}, // openat
		bpf.LoadAbsolute{Off: 32, Size: 4},                      // args[2] low: flags
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 3, SkipTrue: 3},
		bpf.RetConstant{Val: profile.RetAllow},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 60, SkipFalse: 1}, // exit
		bpf.RetConstant{Val: profile.RetAllow},
		bpf.RetConstant{Val: profile.RetErrno | 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	return insns
}

func TestHandWrittenFilter(t *testing.T) {
	res, err := Decompile([][]bpf.RawInstruction{handWritten(t)}, catalog.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args [6]uint64
		want string
	}{
		{"write", [6]uint64{1, 0, 4096}, "allow"},
		{"write", [6]uint64{1, 0, 4097}, "errno(EPERM)"},
		{"write", [6]uint64{1, 0, 1<<32 | 5}, "errno(EPERM)"},
		{"openat", [6]uint64{0, 0, 0x80000}, "allow"},
		{"openat", [6]uint64{0, 0, 1 << 32}, "allow"}, // the filter reads the low word only
		{"openat", [6]uint64{0, 0, 2}, "errno(EPERM)"},
		{"exit", [6]uint64{}, "allow"},
		{"read", [6]uint64{}, "errno(EPERM)"},
	} {
		if got := decideName(t, res.Profile, c.name, c.args).String(); got != c.want {
			t.Errorf("%s%v: got %s, want %s", c.name, c.args, got, c.want)
		}
	}
	if got := strings.Join(res.Profile.Architectures, ","); got != "SCMP_ARCH_X86_64" {
		t.Errorf("architectures %s, want the x86_64 ABI alone", got)
	}
	// The filter kills the process on other ABIs (a profile kills the
	// thread), and answers EPERM for numbers past every known call (a
	// profile, ENOSYS): said, not hidden.
	w := strings.Join(res.Warnings, "\n")
	if len(res.Warnings) != 2 || !strings.Contains(w, "answer kill_process") || !strings.Contains(w, "answers ENOSYS there") {
		t.Errorf("warnings %q, want one about the bad-arch answer and one about numbers past the catalog", res.Warnings)
	}
}

// A filter that reads the instruction pointer, or computes on an
// argument, has no profile: the error names the instruction.
func TestInexpressible(t *testing.T) {
	for _, c := range []struct {
		name string
		prog []bpf.Instruction
		pc   int
		why  string
	}{
		{"instruction pointer", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 8, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x1000, SkipTrue: 1},
			bpf.RetConstant{Val: profile.RetAllow},
			bpf.RetConstant{Val: profile.RetKillProcess},
		}, 0, "instruction pointer"},
		{"arithmetic", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipFalse: 4},
			bpf.LoadAbsolute{Off: 32, Size: 4},
			bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 1},
			bpf.RetConstant{Val: profile.RetAllow},
			bpf.RetConstant{Val: profile.RetKillProcess},
		}, 3, "arithmetic on an argument"},
		{"two words", []bpf.Instruction{
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipFalse: 4},
			bpf.LoadAbsolute{Off: 16, Size: 4},
			bpf.TAX{},
			bpf.LoadAbsolute{Off: 24, Size: 4},
			bpf.JumpIfX{Cond: bpf.JumpEqual, SkipTrue: 1},
			bpf.RetConstant{Val: profile.RetAllow},
			bpf.RetConstant{Val: profile.RetKillProcess},
		}, 5, "compares two registers"},
	} {
		t.Run(c.name, func(t *testing.T) {
			raw, err := bpf.Assemble(c.prog)
			if err != nil {
				t.Fatal(err)
			}
			_, err = Decompile([][]bpf.RawInstruction{raw}, catalog.X86_64)
			var ie *Inexpressible
			if !errors.As(err, &ie) {
				t.Fatalf("want an Inexpressible error, got %v", err)
			}
			if ie.PC != c.pc || !strings.Contains(ie.Reason, c.why) {
				t.Errorf("got instruction %d (%s), want %d (%s)", ie.PC, ie.Reason, c.pc, c.why)
			}
			t.Log(err)
		})
	}
}

// A filter that never checks the arch: it denies execve by number on
// every ABI alike, so a 32-bit call of number 59 (another call there)
// is denied and the real i386 execve (11) is let through. Refused, and
// the error says why that matters.
func TestNoArchCheck(t *testing.T) {
	raw, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 59, SkipFalse: 1},
		bpf.RetConstant{Val: profile.RetKillProcess},
		bpf.RetConstant{Val: profile.RetAllow},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decompile([][]bpf.RawInstruction{raw}, catalog.X86_64)
	if err == nil || !strings.Contains(err.Error(), "do not check the ABI") {
		t.Fatalf("got %v", err)
	}
	t.Log(err)
}

// A filter that checks only for x86_64 and lets every other ABI through:
// the x86 (int $0x80) calls of this host are let through, which no
// profile says; refused.
func TestOtherABIsLetThrough(t *testing.T) {
	raw, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipFalse: 4},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 59, SkipFalse: 2},
		bpf.RetConstant{Val: profile.RetKillProcess},
		bpf.RetConstant{Val: profile.RetAllow},
		bpf.RetConstant{Val: profile.RetAllow},
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decompile([][]bpf.RawInstruction{raw}, catalog.X86_64)
	if err == nil || !strings.Contains(err.Error(), "do not check the ABI") || !strings.Contains(err.Error(), "the x86 ABI") {
		t.Fatalf("got %v", err)
	}
	t.Log(err)
}

// Trap with data (Chromium's sandbox dispatches on it): the profile has a
// plain trap, and a warning says what is lost.
func TestTrapDataWarned(t *testing.T) {
	raw, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipTrue: 1},
		bpf.RetConstant{Val: profile.RetKillThread},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 0x40000000, SkipFalse: 1},
		bpf.RetConstant{Val: profile.RetKillThread},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 59, SkipFalse: 1},
		bpf.RetConstant{Val: profile.RetTrap | 7},
		bpf.RetConstant{Val: profile.RetAllow},
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Decompile([][]bpf.RawInstruction{raw}, catalog.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	if d := decideName(t, res.Profile, "execve", [6]uint64{}); d.String() != "trap" {
		t.Errorf("execve: %s", d)
	}
	if w := strings.Join(res.Warnings, "\n"); !strings.Contains(w, "trap with data 0x7") {
		t.Errorf("warnings %q", res.Warnings)
	}
}

// ERRNO's data: above MAX_ERRNO the kernel caps it (the profile says
// 4095); zero makes a call "succeed" unrun, which no profile says.
func TestErrnoData(t *testing.T) {
	prog := func(ret uint32) []bpf.RawInstruction {
		raw, err := bpf.Assemble([]bpf.Instruction{
			bpf.LoadAbsolute{Off: 4, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipTrue: 1},
			bpf.RetConstant{Val: profile.RetKillThread},
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 0x40000000, SkipFalse: 1},
			bpf.RetConstant{Val: profile.RetKillThread},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 59, SkipFalse: 1},
			bpf.RetConstant{Val: ret},
			bpf.RetConstant{Val: profile.RetAllow},
		})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	res, err := Decompile([][]bpf.RawInstruction{prog(profile.RetErrno | 0xffff)}, catalog.X86_64)
	if err != nil {
		t.Fatal(err)
	}
	if d := decideName(t, res.Profile, "execve", [6]uint64{}); d.Errno != 4095 {
		t.Errorf("execve: %s, want errno 4095", d)
	}
	_, err = Decompile([][]bpf.RawInstruction{prog(profile.RetErrno)}, catalog.X86_64)
	var ie *Inexpressible
	if !errors.As(err, &ie) || ie.PC != 7 || !strings.Contains(ie.Reason, "errno 0") {
		t.Errorf("errno 0: got %v", err)
	}
}

// A filter built to branch on argument words for every call (a hostile
// process's, say) is refused within the work budget, not explored for
// hours.
func TestPathExplosionRefused(t *testing.T) {
	insns := []bpf.Instruction{
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipTrue: 1},
		bpf.RetConstant{Val: profile.RetKillThread},
	}
	for i := range 11 {
		insns = append(insns,
			bpf.LoadAbsolute{Off: uint32(16 + 4*(i%12)), Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 1 << i, SkipFalse: 1},
			bpf.LoadConstant{Dst: bpf.RegX, Val: uint32(i)})
	}
	insns = append(insns, bpf.RetConstant{Val: profile.RetAllow})
	raw, err := bpf.Assemble(insns)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = Decompile([][]bpf.RawInstruction{raw}, catalog.X86_64)
	if err == nil || !strings.Contains(err.Error(), "than the workbench explores") {
		t.Fatalf("got %v", err)
	}
	t.Logf("refused after %s", time.Since(start).Round(time.Millisecond))
}
