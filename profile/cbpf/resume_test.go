package cbpf

import (
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// A run paused before the first load of a word of stop, then resumed
// over data that differs only there, ends as a run from the start over
// that data; a program that returns first never pauses.
func TestResumeMatchesTrace(t *testing.T) {
	asm := func(ins ...bpf.Instruction) []bpf.RawInstruction {
		raw, err := bpf.Assemble(ins)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	// The registers and scratch memory set before the pause carry over.
	prog := asm(
		bpf.LoadAbsolute{Off: OffArch, Size: 4},
		bpf.TAX{},
		bpf.StoreScratch{Src: bpf.RegX, N: 2},
		bpf.LoadAbsolute{Off: OffNr, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 1, SkipFalse: 1},
		bpf.RetConstant{Val: 100}, // nr 1 reads no argument
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1000},
		bpf.StoreScratch{Src: bpf.RegA, N: 5},
		bpf.LoadAbsolute{Off: OffArgs, Size: 4}, // args[0] low
		bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 7, SkipTrue: 2},
		bpf.LoadScratch{Dst: bpf.RegA, N: 5},
		bpf.RetA{},
		bpf.LoadScratch{Dst: bpf.RegA, N: 2},
		bpf.ALUOpX{Op: bpf.ALUOpXor},
		bpf.LoadAbsolute{Off: OffArgs + 4, Size: 4}, // args[0] high
		bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 1},
		bpf.RetA{},
	)
	l := LayoutOf(catalog.X86_64)
	var buf [64]byte
	for _, nr := range []int64{0, 1, 2, 300} {
		l.Put(buf[:], nr, [6]uint64{})
		var arch State
		if _, done, err := arch.Resume(prog, buf[:], WordNr|WordIP|WordArgs); done || err != nil || arch.pc != 3 {
			t.Fatalf("paused at %d (done %v, %v), want before the load of nr at 3", arch.pc, done, err)
		}
		s := arch
		ret, done, err := s.Resume(prog, buf[:], WordIP|WordArgs)
		if err != nil {
			t.Fatal(err)
		}
		if nr == 1 {
			if !done || ret != 100 {
				t.Errorf("nr 1: %d, done %v; want 100 without a pause", ret, done)
			}
			continue
		}
		if done || s.pc != 8 {
			t.Fatalf("nr %d: paused at %d (done %v), want before the argument load at 8", nr, s.pc, done)
		}
		for _, a := range []uint64{0, 7, 8, 1<<32 | 9, 0xffffffff_ffffffff} {
			args := [6]uint64{a}
			l.Put(buf[:], nr, args)
			want, _, err := Trace(prog, KernelData(catalog.X86_64, nr, args))
			if err != nil {
				t.Fatal(err)
			}
			c := s
			got, done, err := c.Resume(prog, buf[:], 0)
			if err != nil || !done || got != want {
				t.Errorf("nr %d args %#x: resumed %d (done %v, %v), from the start %d", nr, a, got, done, err, want)
			}
		}
	}
}

// An error past the pause is the error a run from the start gives.
func TestResumeError(t *testing.T) {
	prog := []bpf.RawInstruction{
		{Op: clsLD | modeABS, K: OffArgs},
		{Op: clsLD | modeABS, K: 62}, // not aligned
		{Op: clsRET},
	}
	data := KernelData(catalog.X86_64, 0, [6]uint64{})
	var s State
	if _, done, err := s.Resume(prog, data, WordArgs); done || err != nil {
		t.Fatalf("done %v, %v: want a pause", done, err)
	}
	_, _, want := Trace(prog, data)
	if _, _, err := s.Resume(prog, data, 0); err == nil || err.Error() != want.Error() {
		t.Errorf("error %v, want %v", err, want)
	}
}
