package profile

import (
	"fmt"
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

func assemble(t *testing.T, ins ...bpf.Instruction) []bpf.RawInstruction {
	t.Helper()
	raw, err := bpf.Assemble(ins)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Every instruction form seccomp admits, with its text and annotation.
func TestDisassembleSyntax(t *testing.T) {
	raw := assemble(t,
		bpf.LoadAbsolute{Off: 4, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x40000003, SkipFalse: 12},
		bpf.LoadAbsolute{Off: 0, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 400, SkipTrue: 9},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 20, SkipTrue: 1},
		bpf.LoadAbsolute{Off: 16, Size: 4},
		bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0xff00},
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: 0x100, SkipFalse: 1},
		bpf.LoadScratch{Dst: bpf.RegX, N: 2},
		bpf.TXA{},
		bpf.TAX{},
		bpf.StoreScratch{Src: bpf.RegA, N: 1},
		bpf.RetConstant{Val: retErrno | 13},
		bpf.Jump{Skip: 1},
		bpf.RetConstant{Val: retAllow},
		bpf.RetA{},
	)
	got := FormatAsmLines(disassemble(raw))
	want := ` 0: ld   [4]                ; arch
 1: jeq  #0x40000003, 2, 14 ; arch == x86
 2: ld   [0]                ; nr
 3: jgt  #400, 13, 4        ; nr > 400
 4: jeq  #20, 6, 5          ; nr == getpid
 5: ld   [16]               ; args[0] low
 6: and  #0xff00
 7: jge  #256, 8, 9
 8: ldx  M[2]
 9: txa
10: tax
11: st   M[1]
12: ret  #0x5000d           ; ERRNO(EACCES)
13: ja   15
14: ret  #0x7fff0000        ; ALLOW
15: ret  a                  ; return the action in A
`
	// Line 6 is reached from 4 (A = nr) and from 5 (A = args[0] low):
	// after the merge A is unknown, so 6 and 7 have nothing to name.
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// The arch a block tests decides how its numbers and argument words are
// named: 20 is getpid on x86 and writev on x86_64; s390x keeps an
// argument's high half first.
func TestDisassembleTracksArch(t *testing.T) {
	raw := assemble(t,
		/* 0 */ bpf.LoadAbsolute{Off: 4, Size: 4},
		/* 1 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x40000003, SkipFalse: 3},
		/* 2 */ bpf.LoadAbsolute{Off: 0, Size: 4},
		/* 3 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 20},
		/* 4 */ bpf.RetConstant{Val: retAllow},
		/* 5 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x80000016, SkipFalse: 3},
		/* 6 */ bpf.LoadAbsolute{Off: 20, Size: 4},
		/* 7 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1},
		/* 8 */ bpf.RetConstant{Val: retKillProcess},
		/* 9 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipFalse: 7},
		/* 10 */ bpf.LoadAbsolute{Off: 0, Size: 4},
		/* 11 */ bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: catalog.X32SyscallBit, SkipTrue: 3},
		/* 12 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 20},
		/* 13 */ bpf.LoadAbsolute{Off: 20, Size: 4},
		/* 14 */ bpf.RetConstant{Val: retLog},
		/* 15 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x40000000},
		/* 16 */ bpf.RetConstant{Val: retUserNotif},
		/* 17 */ bpf.RetConstant{Val: retKillThread},
	)
	lines := disassemble(raw)
	want := map[int]string{
		1:  "arch == x86",
		3:  "nr == getpid",
		5:  "arch == s390x",
		6:  "args[0] low", // s390x
		8:  "KILL_PROCESS",
		9:  "arch == x86_64",
		11: "nr has the x32 bit (x32 ABI)",
		12: "nr == writev",
		13: "args[0] high", // x86_64
		14: "LOG",
		15: "nr == read (x32)",
		16: "NOTIFY",
		17: "KILL_THREAD",
	}
	for pc, w := range want {
		if lines[pc].Comment != w {
			t.Errorf("line %d %q: comment %q, want %q", pc, lines[pc].Text, lines[pc].Comment, w)
		}
	}
}

// The docker-default program, as libseccomp lays it out with the
// workbench's prelude: every load and comparison is annotated, every
// block's numbers named for its ABI.
func TestDisassembleDockerDefault(t *testing.T) {
	prog, err := Build(mustOpen(t, "preset:docker-default").Effective(x86Env()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	lines := Disassemble(prog)
	if len(lines) != len(prog.Insns) {
		t.Fatalf("%d lines for %d instructions", len(lines), len(prog.Insns))
	}
	seen := map[string]bool{}
	for _, l := range lines {
		seen[l.Text+" ; "+l.Comment] = true
		if strings.HasPrefix(l.Text, "ld ") || strings.HasPrefix(l.Text, "ret ") {
			if l.Comment == "" {
				t.Errorf("line %d %q has no annotation", l.PC, l.Text)
			}
		}
		if strings.HasPrefix(l.Text, "jeq  #") && l.Comment == "" {
			t.Errorf("line %d %q has no annotation", l.PC, l.Text)
		}
		if strings.HasPrefix(l.Comment, "nr == syscall_") {
			t.Errorf("line %d %q compares with an unnamed number", l.PC, l.Text)
		}
	}
	x86Socket := fmt.Sprintf("jeq  #%d", nrOf(t, catalog.X86, "socket"))
	for _, w := range []string{
		"ld   [4] ; arch",
		"ld   [0] ; nr",
		"ld   [16] ; args[0] low",
		"ld   [20] ; args[0] high",
		"ret  #0x7fff0000 ; ALLOW",
		"ret  #0x50001 ; ERRNO(EPERM)",
		"ret  #0x50026 ; ERRNO(ENOSYS)",
		"ret  #0x0 ; KILL_THREAD",
	} {
		if !seen[w] {
			t.Errorf("no line %q", w)
		}
	}
	var hasOpenat, hasX86Socket, hasX32Read, hasArch bool
	for _, l := range lines {
		hasOpenat = hasOpenat || strings.HasPrefix(l.Text, "jeq  #257,") && l.Comment == "nr == openat"
		hasX86Socket = hasX86Socket || strings.HasPrefix(l.Text, x86Socket+",") && l.Comment == "nr == socket"
		hasX32Read = hasX32Read || strings.HasPrefix(l.Text, "jeq  #0x40000000,") && l.Comment == "nr == read (x32)"
		hasArch = hasArch || strings.HasPrefix(l.Text, "jeq  #0x40000003,") && l.Comment == "arch == x86"
	}
	if !hasOpenat || !hasX86Socket || !hasX32Read || !hasArch {
		t.Errorf("missing annotations: openat %v, x86 socket %v, x32 read %v, arch x86 %v", hasOpenat, hasX86Socket, hasX32Read, hasArch)
	}
	// What the disassembler calls unreachable no input reaches (libseccomp
	// leaves a spare return at the end).
	for _, in := range Inputs(prog.Effective, prog.Options) {
		_, steps, err := Trace(prog.Insns, KernelData(in.Arch, in.Nr, in.Args))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			if lines[s.PC].Comment == "unreachable" {
				t.Fatalf("%s nr %d reaches line %d, annotated unreachable", in.Arch, in.Nr, s.PC)
			}
		}
	}
}
