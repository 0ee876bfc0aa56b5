package decompile

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// maxInsns is BPF_MAXINSNS: the kernel refuses longer classic programs.
const maxInsns = 4096

// ParseRaw reads a struct sock_filter array (8 bytes an instruction:
// u16 code, u8 jt, u8 jf, u32 k, in the host's byte order — what
// `export --format bpf` writes and bubblewrap's --seccomp fd takes) and
// checks it the way the kernel checks a seccomp filter
// (kernel/seccomp.c, seccomp_check_filter): every instruction one a
// seccomp filter may use, loads inside struct seccomp_data, jumps inside
// the program, a return last.
func ParseRaw(data []byte) ([]bpf.RawInstruction, error) {
	switch {
	case len(data) == 0:
		return nil, fmt.Errorf("raw BPF: the file is empty")
	case len(data)%8 != 0:
		return nil, fmt.Errorf("raw BPF: %d bytes is not a whole number of 8-byte instructions (struct sock_filter)", len(data))
	case len(data)/8 > maxInsns:
		return nil, fmt.Errorf("raw BPF: %d instructions, more than the kernel's limit of %d", len(data)/8, maxInsns)
	}
	order := binary.NativeEndian
	insns := make([]bpf.RawInstruction, len(data)/8)
	for i := range insns {
		w := data[8*i:]
		insns[i] = bpf.RawInstruction{Op: order.Uint16(w), Jt: w[2], Jf: w[3], K: order.Uint32(w[4:])}
	}
	for pc, in := range insns {
		if why := checkInsn(insns, pc); why != "" {
			return nil, fmt.Errorf("raw BPF: instruction %d (code %#04x, k %#x): %s; not a seccomp filter", pc, in.Op, in.K, why)
		}
	}
	if last := insns[len(insns)-1]; last.Op&0x07 != clsRET {
		return nil, fmt.Errorf("raw BPF: the last instruction (%d) is not a return; not a seccomp filter", len(insns)-1)
	}
	return insns, nil
}

// checkInsn says what is wrong with insns[pc] for a seccomp filter, or "".
func checkInsn(insns []bpf.RawInstruction, pc int) string {
	in := insns[pc]
	code := in.Op
	switch code & 0x07 {
	case clsLD, clsLDX:
		switch {
		case code&^0x07 == modeIMM || code&^0x07 == modeLEN:
		case code&^0x07 == modeMEM:
			if in.K >= scratchSlots {
				return "scratch slot out of range"
			}
		case code == clsLD|modeABS:
			if in.K%4 != 0 || in.K+4 > seccompDataLen {
				return "load outside struct seccomp_data or not 4-byte aligned"
			}
		default:
			return "not a load a seccomp filter may use"
		}
	case clsST, clsSTX:
		if code&^0x07 != 0 || in.K >= scratchSlots {
			return "bad store"
		}
	case clsALU:
		switch code & 0xf0 {
		case 0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0xa0:
		default:
			return "ALU operation a seccomp filter may not use"
		}
		if code&^0xf8 != clsALU {
			return "unknown ALU form"
		}
		if code&srcX == 0 && (code&0xf0 == 0x60 || code&0xf0 == 0x70) && in.K >= 32 {
			return "shift by 32 or more"
		}
		if code == clsALU|0x30 && in.K == 0 {
			return "division by zero"
		}
	case clsJMP:
		op := code & 0xf0
		if op == jmpJA {
			if code != clsJMP || pc+1+int(in.K) >= len(insns) || int(in.K) < 0 {
				return "jump outside the program"
			}
			break
		}
		if op != jmpJEQ && op != jmpJGT && op != jmpJGE && op != jmpJSET || code&^0xf8 != clsJMP {
			return "unknown jump"
		}
		if pc+1+int(in.Jt) >= len(insns) || pc+1+int(in.Jf) >= len(insns) {
			return "jump outside the program"
		}
	case clsRET:
		if code&^0x07 != 0 && code&^0x07 != 0x10 {
			return "a seccomp filter returns only a constant or A"
		}
	case clsMISC:
		if code != clsMISC|0x80 && code != clsMISC {
			return "unknown misc instruction"
		}
	}
	return ""
}

// LooksLikeBPF reports whether data is plausibly a raw seccomp program
// rather than text: a whole number of valid instructions whose first
// loads the arch or the syscall number, as every seccomp filter's does.
func LooksLikeBPF(data []byte) bool {
	insns, err := ParseRaw(data)
	if err != nil {
		return false
	}
	first := insns[0]
	return first.Op == clsLD|modeABS && (first.K == cbpf.OffArch || first.K == cbpf.OffNr)
}

// FromRaw decompiles a raw program for this host: the profile it means,
// and the warnings of Decompile.
func FromRaw(data []byte) (*profile.Profile, []string, error) {
	insns, err := ParseRaw(data)
	if err != nil {
		return nil, nil, err
	}
	res, err := Decompile([][]bpf.RawInstruction{insns}, profile.NativeArch())
	if err != nil {
		return nil, nil, err
	}
	return res.Profile, res.Warnings, nil
}
