package cbpf

import (
	"errors"
	"fmt"

	"golang.org/x/net/bpf"
)

// MaxInsns is the kernel's BPF_MAXINSNS: the longest classic program
// seccomp(2) accepts.
const MaxInsns = 4096

// Check is the kernel's static check of a seccomp filter, done without
// loading it: bpf_check_classic (net/core/filter.c) and
// seccomp_check_filter (kernel/seccomp.c) refuse a program that is empty
// or longer than BPF_MAXINSNS, that uses an instruction outside the
// seccomp subset Trace runs, loads outside struct seccomp_data or not on
// a 4-byte boundary, divides by a constant zero, shifts by 32 or more,
// uses a scratch slot out of range or reads one not written on every path
// there, jumps past the end, or does not end in a return. Jumps only go
// forward, so with every jump inside the program and a return last,
// every path ends in a return.
func Check(insns []bpf.RawInstruction) error {
	if len(insns) == 0 {
		return errors.New("the program is empty")
	}
	if len(insns) > MaxInsns {
		return fmt.Errorf("the program has %d instructions, over the kernel's limit of %d", len(insns), MaxInsns)
	}
	// masks[pc] is the scratch slots written on every path that jumps to
	// pc (check_load_and_stores); all ones until a jump lands there.
	masks := make([]uint16, len(insns))
	for i := range masks {
		masks[i] = 0xffff
	}
	var written uint16
	for pc, in := range insns {
		bad := func(what string) error {
			return fmt.Errorf("instruction %d (code %#04x, k %#x): %s", pc, in.Op, in.K, what)
		}
		written &= masks[pc]
		left := len(insns) - pc - 1 // instructions after this one
		code := in.Op
		switch code {
		case clsLD | modeIMM, clsLDX | modeIMM, clsLD | modeLEN, clsLDX | modeLEN, clsMISC, clsMISC | miscTXA:
		case clsLD | modeABS:
			if in.K%4 != 0 || in.K+4 > seccompDataLen {
				return bad("load outside seccomp_data or not 4-byte aligned")
			}
		case clsLD | modeMEM, clsLDX | modeMEM:
			if in.K >= scratchSlots {
				return bad("scratch slot out of range")
			}
			if written&(1<<in.K) == 0 {
				return bad("reads a scratch slot not written on every path here")
			}
		case clsST, clsSTX:
			if in.K >= scratchSlots {
				return bad("scratch slot out of range")
			}
			written |= 1 << in.K
		case clsRET, clsRET | retA:
		case clsJMP | jmpJA:
			if int64(in.K) >= int64(left) {
				return bad("jumps past the end")
			}
			masks[pc+1+int(in.K)] &= written
			written = 0xffff
		default:
			switch code & 0x07 {
			case clsALU:
				op := code &^ (0x07 | srcX)
				switch op {
				case aluADD, aluSUB, aluMUL, aluOR, aluAND, aluXOR:
				case aluDIV:
					if code&srcX == 0 && in.K == 0 {
						return bad("divides by zero")
					}
				case aluLSH, aluRSH:
					if code&srcX == 0 && in.K >= 32 {
						return bad("shifts by 32 or more")
					}
				case aluNEG:
					if code&srcX != 0 {
						return bad("not an instruction a seccomp filter may use")
					}
				default:
					return bad("not an instruction a seccomp filter may use")
				}
			case clsJMP:
				switch code &^ (0x07 | srcX) {
				case jmpJEQ, jmpJGT, jmpJGE, jmpJSET:
				default:
					return bad("not an instruction a seccomp filter may use")
				}
				if int(in.Jt) >= left || int(in.Jf) >= left {
					return bad("jumps past the end")
				}
				masks[pc+1+int(in.Jt)] &= written
				masks[pc+1+int(in.Jf)] &= written
				written = 0xffff
			default:
				return bad("not an instruction a seccomp filter may use")
			}
		}
	}
	switch last := insns[len(insns)-1]; last.Op {
	case clsRET, clsRET | retA:
		return nil
	default:
		return fmt.Errorf("instruction %d (code %#04x): the program does not end in a return", len(insns)-1, last.Op)
	}
}
