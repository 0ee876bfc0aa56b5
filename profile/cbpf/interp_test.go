package cbpf

import (
	"strings"
	"testing"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

func TestKernelDataLayout(t *testing.T) {
	args := [6]uint64{0x1111111122222222, 2, 3, 4, 5, 0x66666666_77777777}
	le := KernelData(catalog.X86_64, 257, args)
	word := func(b []byte, off int) uint32 {
		_, steps, err := Trace([]bpf.RawInstruction{{Op: clsLD | modeABS, K: uint32(off)}, {Op: clsRET | retA}}, b)
		if err != nil {
			t.Fatal(err)
		}
		return steps[0].A
	}
	for off, want := range map[int]uint32{0: 257, 4: 0xC000003E, 16: 0x22222222, 20: 0x11111111, 56: 0x77777777, 60: 0x66666666} {
		if got := word(le, off); got != want {
			t.Errorf("x86_64 word at %d = %#x, want %#x", off, got, want)
		}
	}
	// s390x keeps each argument's high half first.
	be := KernelData(catalog.S390X, 1, args)
	for off, want := range map[int]uint32{4: 0x80000016, 16: 0x11111111, 20: 0x22222222} {
		if got := word(be, off); got != want {
			t.Errorf("s390x word at %d = %#x, want %#x", off, got, want)
		}
	}
}

// Hand-written programs with their results written out.
func TestTraceInstructions(t *testing.T) {
	data := KernelData(catalog.X86_64, 39, [6]uint64{7})
	asm := func(ins ...bpf.Instruction) []bpf.RawInstruction {
		raw, err := bpf.Assemble(ins)
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	ok := []struct {
		name string
		prog []bpf.RawInstruction
		want uint32
	}{
		{"alu chain", asm(
			bpf.LoadAbsolute{Off: 0, Size: 4},                 // 39
			bpf.ALUOpConstant{Op: bpf.ALUOpAdd, Val: 3},       // 42
			bpf.ALUOpConstant{Op: bpf.ALUOpMul, Val: 10},      // 420
			bpf.ALUOpConstant{Op: bpf.ALUOpSub, Val: 20},      // 400
			bpf.ALUOpConstant{Op: bpf.ALUOpDiv, Val: 4},       // 100
			bpf.ALUOpConstant{Op: bpf.ALUOpOr, Val: 0x100},    // 0x164
			bpf.ALUOpConstant{Op: bpf.ALUOpAnd, Val: 0x1f0},   // 0x160
			bpf.ALUOpConstant{Op: bpf.ALUOpXor, Val: 0x1},     // 0x161
			bpf.ALUOpConstant{Op: bpf.ALUOpShiftLeft, Val: 4}, // 0x1610
			bpf.ALUOpConstant{Op: bpf.ALUOpShiftRight, Val: 8},
			bpf.RetA{}), 0x16},
		{"x register and scratch", asm(
			bpf.LoadAbsolute{Off: 16, Size: 4}, // args[0] = 7
			bpf.TAX{},
			bpf.StoreScratch{Src: bpf.RegX, N: 3},
			bpf.LoadConstant{Dst: bpf.RegA, Val: 5},
			bpf.ALUOpX{Op: bpf.ALUOpAdd}, // 12
			bpf.StoreScratch{Src: bpf.RegA, N: 15},
			bpf.LoadScratch{Dst: bpf.RegX, N: 15},
			bpf.LoadScratch{Dst: bpf.RegA, N: 3},                // 7
			bpf.JumpIfX{Cond: bpf.JumpGreaterThan, SkipTrue: 1}, // 7 > 12? no
			bpf.TXA{},
			bpf.RetA{}), 12},
		{"len", asm(bpf.LoadExtension{Num: bpf.ExtLen}, bpf.RetA{}), 64},
		{"jset and ja", asm(
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 0x4, SkipTrue: 1}, // 39 = 0b100111: set
			bpf.RetConstant{Val: 1},
			bpf.Jump{Skip: 1},
			bpf.RetConstant{Val: 2},
			bpf.RetConstant{Val: 3}), 3},
		{"divide by zero ends with 0", asm(
			bpf.LoadConstant{Dst: bpf.RegX, Val: 0},
			bpf.LoadConstant{Dst: bpf.RegA, Val: 9},
			bpf.ALUOpX{Op: bpf.ALUOpDiv},
			bpf.RetConstant{Val: profile.RetAllow}), 0},
	}
	for _, c := range ok {
		got, steps, err := Trace(c.prog, data)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s: returned %#x, want %#x", c.name, got, c.want)
		}
		if steps[len(steps)-1].Next != -1 {
			t.Errorf("%s: last step %+v does not end the run", c.name, steps[len(steps)-1])
		}
		if r, err := Run(c.prog, data); err != nil || r != got {
			t.Errorf("%s: Run returned %#x, %v; Trace %#x", c.name, r, err, got)
		}
	}
	bad := []struct {
		name string
		prog []bpf.RawInstruction
		err  string
	}{
		{"load past seccomp_data", asm(bpf.LoadAbsolute{Off: 64, Size: 4}, bpf.RetA{}), "load outside seccomp_data"},
		{"unaligned load", asm(bpf.LoadAbsolute{Off: 2, Size: 4}, bpf.RetA{}), "not 4-byte aligned"},
		{"byte load", asm(bpf.LoadAbsolute{Off: 0, Size: 1}, bpf.RetA{}), "not a load a seccomp filter may use"},
		{"modulo", asm(bpf.ALUOpConstant{Op: bpf.ALUOpMod, Val: 3}, bpf.RetA{}), "ALU operation not allowed"},
		{"return X", []bpf.RawInstruction{{Op: clsRET | 0x08}}, "returns only a constant or A"},
		{"jump past the end", asm(bpf.Jump{Skip: 5}, bpf.RetA{}), "ran past the end"},
		{"no return", asm(bpf.LoadConstant{Dst: bpf.RegA, Val: 1}), "ran past the end"},
		{"scratch slot", []bpf.RawInstruction{{Op: clsST, K: 16}, {Op: clsRET | retA}}, "bad store"},
		// Run's short path meets these after instructions it handles.
		{"jeq then a load past seccomp_data", asm(
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: 39, SkipFalse: 1},
			bpf.LoadAbsolute{Off: 0xfffffffc, Size: 4},
			bpf.RetConstant{Val: 1}), "load outside seccomp_data"},
		{"ja past the end after a jset", asm(
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: 1, SkipTrue: 0},
			bpf.Jump{Skip: 0xffffff00},
			bpf.RetConstant{Val: 1}), "ran past the end"},
		{"jgt past the end", asm(
			bpf.LoadAbsolute{Off: 0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpGreaterThan, Val: 1, SkipTrue: 200},
			bpf.RetConstant{Val: 1}), "ran past the end"},
	}
	for _, c := range bad {
		_, _, err := Trace(c.prog, data)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.err)
		}
		if _, rerr := Run(c.prog, data); rerr == nil || err == nil || rerr.Error() != err.Error() {
			t.Errorf("%s: Run's error %v, Trace's %v", c.name, rerr, err)
		}
	}
}
