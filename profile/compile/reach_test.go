package compile

import (
	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// reachable marks the instructions some input can reach. It follows
// every path from the start, keeping what the path has learnt about
// seccomp_data.arch (its value, or values it is not) and about nr (a
// range and the x32 bit), and drops a branch no input can take: after
// the dispatch has matched AUDIT_ARCH_X86_64 and the x32 bit, the arch
// check at the head of libseccomp's x32 program cannot fail. Everything
// else (arguments, the other registers) is unknown, so the answer errs on
// the side of reachable.
func reachable(insns []bpf.RawInstruction) []bool {
	live := make([]bool, len(insns))
	type node struct {
		pc int
		st absState
	}
	seen := map[node]bool{}
	stack := []node{{0, absState{hi: ^uint32(0)}}}
	push := func(pc int, st absState, ok bool) {
		n := node{pc, st}
		if ok && pc < len(insns) && !seen[n] {
			seen[n] = true
			stack = append(stack, n)
		}
	}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		pc, st := n.pc, n.st
		live[pc] = true
		in := insns[pc]
		switch in.Op & 0x07 {
		case 0x06: // ret
		case 0x05: // jmp
			if in.Op&0xf0 == 0x00 { // ja
				push(pc+1+int(in.K), st, true)
				continue
			}
			if in.Op&0x08 != 0 { // against X: unknown
				push(pc+1+int(in.Jt), st, true)
				push(pc+1+int(in.Jf), st, true)
				continue
			}
			t, tok := st.branch(in.Op&0xf0, in.K, true)
			f, fok := st.branch(in.Op&0xf0, in.K, false)
			push(pc+1+int(in.Jt), t, tok)
			push(pc+1+int(in.Jf), f, fok)
		case 0x00: // ld
			st.a = aOther
			if in.Op == opLdAbsW && in.K == cbpf.OffArch {
				st.a = aArch
			} else if in.Op == opLdAbsW && in.K == cbpf.OffNr {
				st.a = aNr
			}
			push(pc+1, st, true)
		case 0x04, 0x07: // alu, misc (tax/txa): A is no longer known
			st.a = aOther
			push(pc+1, st, true)
		default:
			push(pc+1, st, true)
		}
	}
	return live
}

const (
	aOther = iota
	aArch
	aNr
)

const (
	bitUnknown = iota
	bitSet
	bitClear
)

// absState is what one path knows.
type absState struct {
	a         int // what A holds
	archKnown bool
	arch      uint32
	notArch   [8]uint32 // values arch is known not to be
	nNot      int
	lo, hi    uint32 // nr's range
	x32       int    // nr's x32 bit
}

// branch returns the state on the taken (or not taken) side of a
// comparison of A with k, and whether some input can get there.
func (s absState) branch(op uint16, k uint32, taken bool) (absState, bool) {
	switch s.a {
	case aArch:
		if op != 0x10 { // only jeq is understood on arch
			return s, true
		}
		if s.archKnown {
			return s, (s.arch == k) == taken
		}
		for _, v := range s.notArch[:s.nNot] {
			if v == k {
				return s, !taken
			}
		}
		if taken {
			s.archKnown, s.arch = true, k
		} else if s.nNot < len(s.notArch) {
			s.notArch[s.nNot] = k
			s.nNot++
		}
		return s, true
	case aNr:
		switch op {
		case 0x10: // jeq
			if taken {
				if k < s.lo || k > s.hi {
					return s, false
				}
				s.lo, s.hi = k, k
			} else if s.lo == k && s.hi == k {
				return s, false
			}
		case 0x20: // jgt
			if taken {
				if s.hi <= k {
					return s, false
				}
				s.lo = max(s.lo, k+1)
			} else {
				if s.lo > k {
					return s, false
				}
				s.hi = min(s.hi, k)
			}
		case 0x30: // jge
			if taken {
				if s.hi < k {
					return s, false
				}
				s.lo = max(s.lo, k)
			} else {
				if k == 0 || s.lo >= k {
					return s, false
				}
				s.hi = min(s.hi, k-1)
			}
		case 0x40: // jset
			if k != catalog.X32SyscallBit {
				return s, true
			}
			want := bitClear
			if taken {
				want = bitSet
			}
			if s.x32 != bitUnknown && s.x32 != want {
				return s, false
			}
			s.x32 = want
		}
		return s, s.normalize()
	}
	return s, true
}

// normalize narrows nr's range to the numbers that agree with what is
// known of the x32 bit, and reports whether any is left.
func (s *absState) normalize() bool {
	const bit, top = catalog.X32SyscallBit, 0x80000000
	// The numbers with the bit set are [bit, top) and [top|bit, max].
	switch s.x32 {
	case bitSet:
		if s.lo < bit {
			s.lo = bit
		} else if s.lo >= top && s.lo < top|bit {
			s.lo = top | bit
		}
		if s.hi >= top && s.hi < top|bit {
			s.hi = top - 1
		}
	case bitClear:
		if s.lo >= bit && s.lo < top {
			s.lo = top
		}
		if s.hi >= bit && s.hi < top {
			s.hi = bit - 1
		} else if s.hi >= top|bit {
			s.hi = top | (bit - 1)
		}
	}
	if s.lo > s.hi {
		return false
	}
	if s.x32 == bitSet && s.hi < bit {
		return false
	}
	return true
}
