package decompile

import (
	"fmt"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// Classic BPF opcode fields (linux/filter.h, linux/bpf_common.h).
const (
	clsLD, clsLDX, clsST, clsSTX, clsALU, clsJMP, clsRET, clsMISC = 0, 1, 2, 3, 4, 5, 6, 7

	modeIMM, modeABS, modeMEM, modeLEN = 0x00, 0x20, 0x60, 0x80

	srcX = 0x08

	jmpJA, jmpJEQ, jmpJGT, jmpJGE, jmpJSET = 0x00, 0x10, 0x20, 0x30, 0x40

	seccompDataLen = 64
	scratchSlots   = 16
	// maxPaths bounds the paths explored for one syscall number.
	maxPaths = 4096
	// maxSteps and maxInputs bound the whole work: a process's filters
	// are untrusted input, and one built to branch on every argument
	// word must not keep the workbench busy for hours. Docker's default
	// compiled by libseccomp takes about 62k steps and 16k inputs.
	maxSteps  = 1 << 25
	maxInputs = 1 << 19
)

// budget counts the work done by one Decompile.
type budget struct{ steps, inputs int }

func tooComplex() error {
	return fmt.Errorf("decompile: the filters have more paths than the workbench explores (%d steps, %d checked inputs at most); view the raw programs with --asm, or --trace one call", maxSteps, maxInputs)
}

// word is one 32-bit half of a syscall argument.
type word struct {
	Arg int
	Hi  bool
}

// val is what a register or scratch slot holds: a constant, or a word
// of an argument ANDed with Mask.
type val struct {
	Sym  bool
	K    uint32
	W    word
	Mask uint32
}

// cond is one comparison a path took: (W & Mask) op K held (Taken) or
// did not.
type cond struct {
	W     word
	Mask  uint32
	Op    uint16 // jmpJEQ, jmpJGT, jmpJGE, jmpJSET
	K     uint32
	Taken bool
}

// path is one way through a program for a fixed arch and number.
type path struct {
	Conds []cond
	Ret   uint32
}

// Inexpressible says which instruction a profile cannot express.
type Inexpressible struct {
	Filter int // index of the program among the stacked ones
	PC     int
	Text   string // the disassembled instruction
	Reason string
}

func (e *Inexpressible) Error() string {
	return fmt.Sprintf("decompile: filter %d, instruction %d (%s): %s; a profile cannot say this — view the raw program with its disassembly instead", e.Filter, e.PC, e.Text, e.Reason)
}

type symState struct {
	pc    int
	a, x  val
	mem   [scratchSlots]val
	conds []cond
}

// explore runs prog symbolically for a process on arch (whose
// AUDIT_ARCH is audit) calling nr: the number and arch are known, every
// argument word is free. It returns
// every feasible path and its return value.
func explore(prog []bpf.RawInstruction, filter int, arch catalog.Arch, audit uint32, nr int64, b *budget) ([]path, error) {
	offs := map[uint32]word{}
	for i := range 6 {
		lo, hi := cbpf.ArgWordOffsets(arch, i)
		offs[lo] = word{i, false}
		offs[hi] = word{i, true}
	}
	var out []path
	stack := []symState{{}}
	for len(stack) > 0 {
		st := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		for {
			if b.steps++; b.steps > maxSteps {
				return nil, tooComplex()
			}
			if st.pc < 0 || st.pc >= len(prog) {
				return nil, fmt.Errorf("decompile: filter %d: execution runs past the end of the %d-instruction program", filter, len(prog))
			}
			in := prog[st.pc]
			bad := func(reason string) error {
				return &Inexpressible{Filter: filter, PC: st.pc, Text: insnText(prog, st.pc), Reason: reason}
			}
			code := in.Op
			next := st.pc + 1
			switch code & 0x07 {
			case clsLD, clsLDX:
				var v val
				switch {
				case code&0xe0 == modeIMM && code&0x18 == 0:
					v = val{K: in.K}
				case code&0xe0 == modeLEN && code&0x18 == 0:
					v = val{K: seccompDataLen}
				case code&0xe0 == modeMEM && code&0x18 == 0:
					if in.K >= scratchSlots {
						return nil, bad("scratch slot out of range")
					}
					v = st.mem[in.K]
				case code == clsLD|modeABS:
					switch {
					case in.K%4 != 0 || in.K+4 > seccompDataLen:
						return nil, bad("load outside seccomp_data or not 4-byte aligned")
					case in.K == cbpf.OffNr:
						v = val{K: uint32(nr)}
					case in.K == cbpf.OffArch:
						v = val{K: audit}
					case in.K == 8 || in.K == 12:
						return nil, bad("it reads the instruction pointer, which a profile cannot test")
					default:
						v = val{Sym: true, W: offs[in.K], Mask: ^uint32(0)}
					}
				default:
					return nil, bad("not a load a seccomp filter may use")
				}
				if code&0x07 == clsLD {
					st.a = v
				} else {
					st.x = v
				}
			case clsST, clsSTX:
				if code&^0x07 != 0 || in.K >= scratchSlots {
					return nil, bad("bad store")
				}
				mem := st.mem
				if code == clsST {
					mem[in.K] = st.a
				} else {
					mem[in.K] = st.x
				}
				st.mem = mem
			case clsALU:
				op := val{K: in.K}
				if code&srcX != 0 {
					op = st.x
				}
				if op.Sym {
					return nil, bad("arithmetic between two argument words")
				}
				if st.a.Sym {
					if code&0xf0 != 0x50 { // only AND keeps a comparison a profile can state
						return nil, bad("arithmetic on an argument")
					}
					st.a.Mask &= op.K
					break
				}
				r, div0, ok := alu(code&0xf0, st.a.K, op.K)
				if !ok {
					return nil, bad("ALU operation not allowed in a seccomp filter")
				}
				if div0 {
					// The kernel ends the program with 0 (kill_thread).
					out = append(out, path{Conds: st.conds, Ret: 0})
					goto done
				}
				st.a = val{K: r}
			case clsJMP:
				op := code & 0xf0
				if op == jmpJA {
					if code&srcX != 0 {
						return nil, bad("unknown jump")
					}
					next = st.pc + 1 + int(in.K)
					break
				}
				if op != jmpJEQ && op != jmpJGT && op != jmpJGE && op != jmpJSET {
					return nil, bad("unknown jump")
				}
				k := val{K: in.K}
				if code&srcX != 0 {
					k = st.x
				}
				t, f := st.pc+1+int(in.Jt), st.pc+1+int(in.Jf)
				switch {
				case k.Sym:
					return nil, bad("it compares two registers holding argument words")
				case !st.a.Sym:
					if jump(op, st.a.K, k.K) {
						next = t
					} else {
						next = f
					}
				default:
					c := cond{W: st.a.W, Mask: st.a.Mask, Op: op, K: k.K}
					ct, cf := c, c
					ct.Taken = true
					other := st
					other.pc = f
					other.conds = append(append([]cond(nil), st.conds...), cf)
					stack = append(stack, other)
					st.conds = append(append([]cond(nil), st.conds...), ct)
					next = t
					if len(stack)+len(out) > maxPaths {
						return nil, fmt.Errorf("decompile: filter %d: more than %d paths for %s syscall %d", filter, maxPaths, arch, nr)
					}
				}
			case clsRET:
				switch code &^ 0x07 {
				case 0:
					out = append(out, path{Conds: st.conds, Ret: in.K})
				case 0x10:
					if st.a.Sym {
						return nil, bad("it returns an argument word as the action")
					}
					out = append(out, path{Conds: st.conds, Ret: st.a.K})
				default:
					return nil, bad("a seccomp filter returns only a constant or A")
				}
				goto done
			case clsMISC:
				switch code & 0xf8 {
				case 0x80:
					st.a = st.x
				case 0:
					st.x = st.a
				default:
					return nil, bad("unknown misc instruction")
				}
			}
			st.pc = next
		}
	done:
	}
	return out, nil
}

func alu(op uint16, a, k uint32) (r uint32, div0, ok bool) {
	switch op {
	case 0x00:
		return a + k, false, true
	case 0x10:
		return a - k, false, true
	case 0x20:
		return a * k, false, true
	case 0x30:
		if k == 0 {
			return 0, true, true
		}
		return a / k, false, true
	case 0x40:
		return a | k, false, true
	case 0x50:
		return a & k, false, true
	case 0x60:
		if k >= 32 {
			return 0, false, true
		}
		return a << k, false, true
	case 0x70:
		if k >= 32 {
			return 0, false, true
		}
		return a >> k, false, true
	case 0x80:
		return -a, false, true
	case 0xa0:
		return a ^ k, false, true
	}
	return 0, false, false
}

func jump(op uint16, a, k uint32) bool {
	switch op {
	case jmpJEQ:
		return a == k
	case jmpJGT:
		return a > k
	case jmpJGE:
		return a >= k
	}
	return a&k != 0
}

// insnText is the disassembler's line for pc.
func insnText(prog []bpf.RawInstruction, pc int) string {
	lines := cbpf.Disassemble(prog)
	if pc < len(lines) {
		l := lines[pc]
		if l.Comment != "" {
			return strings.TrimSpace(l.Text) + " ; " + l.Comment
		}
		return strings.TrimSpace(l.Text)
	}
	return fmt.Sprintf("code %#04x", prog[pc].Op)
}
