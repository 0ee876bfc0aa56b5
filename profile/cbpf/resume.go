package cbpf

import (
	"encoding/binary"

	"golang.org/x/net/bpf"
)

// State is a run paused before an instruction: the program counter, the
// registers and the scratch memory. The zero State is a program's start.
type State struct {
	pc   int
	a, x uint32
	mem  [scratchSlots]uint32
}

// Words is a set of the sixteen 32-bit words of struct seccomp_data; bit
// i is the word at offset 4*i.
type Words uint16

// The words of seccomp_data: nr, arch, instruction_pointer, args.
const (
	WordNr   Words = 1 << (OffNr / 4)
	WordArch Words = 1 << (OffArch / 4)
	WordIP   Words = 3 << 2
	WordArgs Words = 0xfff0
)

// Resume runs the program from s over data until it returns, or until
// the next instruction would load a word of stop: then done is false and
// s is paused before that load. A filter reads seccomp_data only through
// absolute loads, so a run paused this way has read no word of stop: go
// on from a copy of s over any data that agrees with this data on the
// words outside stop, and the run ends as one from the start over that
// data would (the same answer, or the same error).
//
// The instructions libseccomp and the workbench write (absolute loads,
// jumps against a constant, and, return a constant) take a short path;
// any other goes through the interpreter Trace uses.
func (s *State) Resume(insns []bpf.RawInstruction, data []byte, stop Words) (ret uint32, done bool, err error) {
	a, pc := s.a, s.pc
	for uint(pc) < uint(len(insns)) {
		in := insns[pc]
		switch in.Op {
		case clsLD | modeABS | sizeW:
			if in.K%4 != 0 || uint64(in.K)+4 > uint64(len(data)) {
				goto slow // the interpreter's error
			}
			if in.K < seccompDataLen && stop&(1<<(in.K/4)) != 0 {
				s.a, s.pc = a, pc
				return 0, false, nil
			}
			a = binary.NativeEndian.Uint32(data[in.K:])
		case clsJMP | jmpJEQ:
			if a == in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case clsJMP | jmpJGT:
			if a > in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case clsJMP | jmpJGE:
			if a >= in.K {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case clsJMP | jmpJSET:
			if a&in.K != 0 {
				pc += int(in.Jt)
			} else {
				pc += int(in.Jf)
			}
		case clsJMP | jmpJA:
			pc += int(in.K)
		case clsALU | aluAND:
			a &= in.K
		case clsRET:
			s.a, s.pc = a, pc
			return in.K, true, nil
		default:
			goto slow
		}
		pc++
		continue
	slow:
		s.a, s.pc = a, pc
		if ret, done, err := s.step(insns, data, nil); done || err != nil {
			return ret, true, err
		}
		a, pc = s.a, s.pc
	}
	s.a, s.pc = a, pc
	ret, _, err = s.step(insns, data, nil) // the interpreter's error
	return ret, true, err
}
