package cbpf

import (
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
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
		bpf.RetConstant{Val: profile.RetErrno | 13},
		bpf.Jump{Skip: 1},
		bpf.RetConstant{Val: profile.RetAllow},
		bpf.RetA{},
	)
	got := FormatAsmLines(Disassemble(raw))
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
		/* 4 */ bpf.RetConstant{Val: profile.RetAllow},
		/* 5 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x80000016, SkipFalse: 3},
		/* 6 */ bpf.LoadAbsolute{Off: 20, Size: 4},
		/* 7 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1},
		/* 8 */ bpf.RetConstant{Val: profile.RetKillProcess},
		/* 9 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xc000003e, SkipFalse: 7},
		/* 10 */ bpf.LoadAbsolute{Off: 0, Size: 4},
		/* 11 */ bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: catalog.X32SyscallBit, SkipTrue: 3},
		/* 12 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 20},
		/* 13 */ bpf.LoadAbsolute{Off: 20, Size: 4},
		/* 14 */ bpf.RetConstant{Val: profile.RetLog},
		/* 15 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x40000000},
		/* 16 */ bpf.RetConstant{Val: profile.RetUserNotif},
		/* 17 */ bpf.RetConstant{Val: profile.RetKillThread},
	)
	lines := Disassemble(raw)
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

// Every ABI has its own bit, the last ones in the catalog's order too: a
// parisc64 or MIPS block names numbers by that ABI's table.
func TestDisassembleEveryArch(t *testing.T) {
	seen := archSet(0)
	for _, a := range catalog.Arches() {
		b := archBit(a)
		if b == 0 || seen&b != 0 {
			t.Errorf("%s: bit %#x (seen %#x)", a, b, seen)
		}
		seen |= b
		if l := b.list(); len(l) != 1 || l[0] != a {
			t.Errorf("%s: list %v", a, l)
		}
	}
	if seen != allArches() {
		t.Errorf("all ABIs %#x, allArches %#x", seen, allArches())
	}
	raw := assemble(t,
		/* 0 */ bpf.LoadAbsolute{Off: 4, Size: 4},
		/* 1 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x8000000F, SkipFalse: 3},
		/* 2 */ bpf.LoadAbsolute{Off: 0, Size: 4},
		/* 3 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 20},
		/* 4 */ bpf.RetConstant{Val: profile.RetAllow},
		/* 5 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x40000008, SkipFalse: 3},
		/* 6 */ bpf.LoadAbsolute{Off: 0, Size: 4},
		/* 7 */ bpf.JumpIf{Cond: bpf.JumpEqual, Val: 4020},
		/* 8 */ bpf.RetConstant{Val: profile.RetAllow},
		/* 9 */ bpf.RetConstant{Val: profile.RetKillThread},
	)
	lines := Disassemble(raw)
	for pc, w := range map[int]string{1: "arch == parisc64", 3: "nr == getpid", 5: "arch == mipsel", 7: "nr == getpid"} {
		if lines[pc].Comment != w {
			t.Errorf("line %d %q: comment %q, want %q", pc, lines[pc].Text, lines[pc].Comment, w)
		}
	}
}
