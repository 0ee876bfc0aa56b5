package cbpf

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
)

// Step is one executed instruction of a traced run.
type Step struct {
	PC   int
	Insn bpf.RawInstruction
	// A and X are the registers after the instruction.
	A, X uint32
	// Jumped is true when a conditional jump's condition held (its true
	// target was taken), and for every unconditional jump.
	Jumped bool
	// Next is the instruction executed after this one; -1 after a return.
	Next int
}

// Classic BPF opcode fields (linux/filter.h, linux/bpf_common.h).
const (
	clsLD   = 0x00
	clsLDX  = 0x01
	clsST   = 0x02
	clsSTX  = 0x03
	clsALU  = 0x04
	clsJMP  = 0x05
	clsRET  = 0x06
	clsMISC = 0x07

	modeIMM = 0x00
	modeABS = 0x20
	modeMEM = 0x60
	modeLEN = 0x80

	sizeW = 0x00

	srcX = 0x08

	aluADD = 0x00
	aluSUB = 0x10
	aluMUL = 0x20
	aluDIV = 0x30
	aluOR  = 0x40
	aluAND = 0x50
	aluLSH = 0x60
	aluRSH = 0x70
	aluNEG = 0x80
	aluXOR = 0xa0

	jmpJA   = 0x00
	jmpJEQ  = 0x10
	jmpJGT  = 0x20
	jmpJGE  = 0x30
	jmpJSET = 0x40

	retA    = 0x10
	miscTXA = 0x80

	seccompDataLen = 64
	scratchSlots   = 16
)

// Trace runs a seccomp filter over data (see KernelData) the way the
// kernel does and records every executed instruction. It accepts only the
// instructions the kernel admits in a seccomp filter (32-bit absolute
// loads inside seccomp_data, the length, scratch memory, ALU without
// modulo, jumps, returns of a constant or of A) and reports any other,
// or a jump out of the program, as an error.
func Trace(insns []bpf.RawInstruction, data []byte) (ret uint32, steps []Step, err error) {
	ret, err = run(insns, data, &steps)
	return ret, steps, err
}

// Run is Trace without the record of steps, for callers that run a
// program on many inputs and want only the answer (a Resume from the
// start that stops nowhere).
func Run(insns []bpf.RawInstruction, data []byte) (uint32, error) {
	var s State
	ret, _, err := s.Resume(insns, data, 0)
	return ret, err
}

func badInsn(pc int, in bpf.RawInstruction, what string) error {
	return fmt.Errorf("trace: instruction %d (code %#04x, k %#x): %s", pc, in.Op, in.K, what)
}

// run interprets insns from the start; rec, when not nil, receives
// every step.
func run(insns []bpf.RawInstruction, data []byte, rec *[]Step) (uint32, error) {
	var s State
	for {
		ret, done, err := s.step(insns, data, rec)
		if done || err != nil {
			return ret, err
		}
	}
}

// step executes the instruction at s.pc as the kernel does and moves s
// past it; done says it returned ret (or failed with err).
func (s *State) step(insns []bpf.RawInstruction, data []byte, rec *[]Step) (ret uint32, done bool, err error) {
	pc := s.pc
	if pc < 0 || pc >= len(insns) {
		return 0, true, fmt.Errorf("trace: execution ran past the end of the %d-instruction program", len(insns))
	}
	in := insns[pc]
	next, jumped := pc+1, false
	code := in.Op
	switch code & 0x07 {
	case clsLD, clsLDX:
		var v uint32
		switch {
		case code == clsLD|modeABS|sizeW:
			if in.K%4 != 0 || uint64(in.K)+4 > uint64(len(data)) {
				return 0, true, badInsn(pc, in, "load outside seccomp_data or not 4-byte aligned")
			}
			v = binary.NativeEndian.Uint32(data[in.K:])
		case code&0xe0 == modeIMM && code&0x18 == sizeW:
			v = in.K
		case code&0xe0 == modeLEN && code&0x18 == sizeW:
			v = seccompDataLen
		case code&0xe0 == modeMEM && code&0x18 == sizeW:
			if in.K >= scratchSlots {
				return 0, true, badInsn(pc, in, "scratch slot out of range")
			}
			v = s.mem[in.K]
		default:
			return 0, true, badInsn(pc, in, "not a load a seccomp filter may use")
		}
		if code&0x07 == clsLD {
			s.a = v
		} else {
			s.x = v
		}
	case clsST, clsSTX:
		if code&^0x07 != 0 || in.K >= scratchSlots {
			return 0, true, badInsn(pc, in, "bad store")
		}
		if code == clsST {
			s.mem[in.K] = s.a
		} else {
			s.mem[in.K] = s.x
		}
	case clsALU:
		operand := in.K
		if code&srcX != 0 {
			operand = s.x
		}
		switch code & 0xf0 {
		case aluADD:
			s.a += operand
		case aluSUB:
			s.a -= operand
		case aluMUL:
			s.a *= operand
		case aluDIV:
			if operand == 0 {
				// The kernel ends the program with 0 (kill_thread
				// for seccomp) on a division by zero.
				if rec != nil {
					*rec = append(*rec, Step{PC: pc, Insn: in, A: s.a, X: s.x, Next: -1})
				}
				return 0, true, nil
			}
			s.a /= operand
		case aluOR:
			s.a |= operand
		case aluAND:
			s.a &= operand
		case aluLSH:
			s.a <<= operand
		case aluRSH:
			s.a >>= operand
		case aluNEG:
			s.a = -s.a
		case aluXOR:
			s.a ^= operand
		default:
			return 0, true, badInsn(pc, in, "ALU operation not allowed in a seccomp filter")
		}
	case clsJMP:
		operand := in.K
		if code&srcX != 0 {
			operand = s.x
		}
		var cond bool
		switch code & 0xf0 {
		case jmpJA:
			if code&srcX != 0 {
				return 0, true, badInsn(pc, in, "unknown jump")
			}
			jumped, next = true, pc+1+int(in.K)
		case jmpJEQ:
			cond = s.a == operand
		case jmpJGT:
			cond = s.a > operand
		case jmpJGE:
			cond = s.a >= operand
		case jmpJSET:
			cond = s.a&operand != 0
		default:
			return 0, true, badInsn(pc, in, "unknown jump")
		}
		if code&0xf0 != jmpJA {
			jumped = cond
			if cond {
				next = pc + 1 + int(in.Jt)
			} else {
				next = pc + 1 + int(in.Jf)
			}
		}
	case clsRET:
		switch code &^ 0x07 {
		case 0:
			ret = in.K
		case retA:
			ret = s.a
		default:
			return 0, true, badInsn(pc, in, "a seccomp filter returns only a constant or A")
		}
		if rec != nil {
			*rec = append(*rec, Step{PC: pc, Insn: in, A: s.a, X: s.x, Next: -1})
		}
		return ret, true, nil
	case clsMISC:
		if code&0xf8 == miscTXA {
			s.a = s.x
		} else if code&0xf8 == 0 {
			s.x = s.a
		} else {
			return 0, true, badInsn(pc, in, "unknown misc instruction")
		}
	}
	if rec != nil {
		*rec = append(*rec, Step{PC: pc, Insn: in, A: s.a, X: s.x, Jumped: jumped, Next: next})
	}
	s.pc = next
	return 0, false, nil
}
