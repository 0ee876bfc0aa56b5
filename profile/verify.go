package profile

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"

	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Mismatch is one input on which the compiled program and the profile's
// meaning disagree.
type Mismatch struct {
	Arch    catalog.Arch
	Nr      int64
	Syscall string
	Args    [6]uint64
	Want    Decision // the profile's meaning
	Got     Decision // what the BPF returns
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s on %s with args %s: the profile means %s, the compiled filter does %s",
		m.Syscall, m.Arch, FormatArgs(m.Args), m.Want, m.Got)
}

// VerifyError lists every disagreement found.
type VerifyError struct {
	Mismatches []Mismatch
	Checked    int
	// overlap: the first mismatch's syscall has rules with different
	// actions; wide: its rules compare against values above 32 bits.
	overlap, wide bool
}

func (e *VerifyError) Error() string {
	m := e.Mismatches[0]
	more := ""
	if n := len(e.Mismatches) - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more)", n)
	}
	return fmt.Sprintf("verify: %s%s: refusing to use this filter; %s", m, more, e.Hint())
}

// Hint explains the first mismatch's likely cause and what to do.
func (e *VerifyError) Hint() string {
	m := e.Mismatches[0]
	weaker := canonAction(m.Got.Action) == ActAllow && canonAction(m.Want.Action) != ActAllow
	what := "the filter differs from the profile"
	if weaker {
		what = "the filter is weaker than the profile"
	}
	if e.overlap {
		return what + ": rules for " + m.Syscall + " overlap with different actions and libseccomp settles overlaps in its own order; make their conditions disjoint"
	}
	if e.wide {
		return what + ": this is libseccomp's 64-bit argument comparison bug (GHSA-4q85-33p6-j5g6, fixed in libseccomp 2.6.1); upgrade libseccomp, or compare the argument with SCMP_CMP_EQ or SCMP_CMP_MASKED_EQ"
	}
	return what + ": report this with the profile"
}

// FormatArgs prints the non-zero prefix of args in hex.
func FormatArgs(a [6]uint64) string {
	n := 6
	for n > 0 && a[n-1] == 0 {
		n--
	}
	parts := make([]string, n)
	for i := 0; i < n; i++ {
		parts[i] = fmt.Sprintf("%#x", a[i])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// SeccompData lays out struct seccomp_data as the kernel does on arch,
// then byte-swaps every 32-bit word so that the x/net/bpf VM, which loads
// big-endian, reads the values a little-endian kernel would.
func SeccompData(arch catalog.Arch, nr int64, args [6]uint64) []byte {
	ai, _ := arch.Info()
	buf := make([]byte, 64)
	put := func(off int, v uint32) { binary.BigEndian.PutUint32(buf[off:], v) }
	put(offNr, uint32(nr))
	put(offArch, ai.Audit)
	for i, v := range args {
		lo, hi := argWordOffsets(arch, i)
		put(int(lo), uint32(v))
		put(int(hi), uint32(v>>32))
	}
	// instruction_pointer (8..15) stays zero.
	return buf
}

// Run executes the program on one input in x/net/bpf's VM.
func (p *Program) Run(arch catalog.Arch, nr int64, args [6]uint64) (Decision, error) {
	vm, err := p.vm()
	if err != nil {
		return Decision{}, err
	}
	return runVM(vm, arch, nr, args)
}

func runVM(vm *bpf.VM, arch catalog.Arch, nr int64, args [6]uint64) (Decision, error) {
	v, err := vm.Run(SeccompData(arch, nr, args))
	if err != nil {
		return Decision{}, err
	}
	return FromRet(uint32(v)), nil
}

func (p *Program) vm() (*bpf.VM, error) {
	insns, allDecoded := bpf.Disassemble(p.Insns)
	if !allDecoded {
		return nil, fmt.Errorf("verify: the program has instructions the emulator cannot decode")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return vm, nil
}

// Verify runs the program in the emulator for every syscall number of
// every ABI (those in the filter, and the others, which must be killed),
// with argument values on both sides of every comparison the profile
// makes, and compares each answer with Decide.
func Verify(p *Program) error {
	_, err := VerifyCount(p)
	return err
}

// VerifyCount is Verify that also says how many cases it checked.
func VerifyCount(p *Program) (int, error) {
	vm, err := p.vm()
	if err != nil {
		return 0, err
	}
	verr := &VerifyError{}
	for _, c := range Inputs(p.Effective, p.Options) {
		want := p.Effective.Decide(c.Arch, c.Nr, c.Args, p.Options)
		got, err := runVM(vm, c.Arch, c.Nr, c.Args)
		if err != nil {
			return verr.Checked, err
		}
		verr.Checked++
		if !want.Same(got) {
			verr.Mismatches = append(verr.Mismatches, Mismatch{c.Arch, c.Nr, want.Syscall, c.Args, want, got})
		}
	}
	if len(verr.Mismatches) > 0 {
		verr.classify(p.Effective)
		return verr.Checked, verr
	}
	return verr.Checked, nil
}

// Input is one emulator test case.
type Input struct {
	Arch catalog.Arch
	Nr   int64
	Args [6]uint64
}

// Inputs enumerates the verification cases: every catalog number on every
// supported ABI, numbers just past the highest ones, the shim's exempt
// calls with and without the secret, and for each conditional rule, the
// values around each comparison.
func Inputs(e *Effective, o Options) []Input {
	cat := catalog.MustDefault()
	var out []Input
	for _, arch := range catalog.Arches() {
		inFilter := e.hasArch(arch)
		nrs := map[int64]bool{}
		for _, ent := range cat.All() {
			if nr, ok := ent.Number(arch); ok {
				nrs[nr] = true
			}
		}
		if max, ok := e.maxNumber(arch); ok {
			nrs[max+1] = true
		}
		base := int64(0)
		if arch == catalog.X32 {
			base = catalog.X32SyscallBit
		}
		for _, n := range []int64{471, 499, 500, 1000, 4095} {
			nrs[base+n] = true
		}
		sorted := make([]int64, 0, len(nrs))
		for n := range nrs {
			sorted = append(sorted, n)
		}
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		for _, nr := range sorted {
			out = append(out, Input{arch, nr, [6]uint64{}})
			if !inFilter {
				continue
			}
			name := cat.Name(arch, nr)
			for _, args := range argCases(e, arch, name) {
				out = append(out, Input{arch, nr, args})
			}
			if x := o.Exempt; x != nil && x.Arch == arch && (name == "sendmsg" || name == "execve") {
				var a [6]uint64
				a[0] = uint64(x.HandoffFD)
				a[3], a[4], a[5] = x.Magic[0], x.Magic[1], x.Magic[2]
				out = append(out, Input{arch, nr, a})
				// The same call with the fd or one word of the secret
				// wrong, in its high or its low half.
				for _, idx := range []int{0, 3, 4, 5} {
					hi, lo := a, a
					hi[idx] ^= 1 << 33
					lo[idx] ^= 1
					out = append(out, Input{arch, nr, hi}, Input{arch, nr, lo})
				}
			}
		}
	}
	return out
}

// argCases gives, for each rule on name, each condition's boundary values
// with the rule's other conditions held true.
func argCases(e *Effective, arch catalog.Arch, name string) [][6]uint64 {
	var out [][6]uint64
	for _, r := range e.Rules {
		if !r.names(name) || len(r.Args) == 0 {
			continue
		}
		var base [6]uint64
		for _, c := range r.Args {
			base[c.Index] = satisfying(c)
		}
		out = append(out, base)
		for _, c := range r.Args {
			for _, v := range boundaries(c, arch) {
				a := base
				a[c.Index] = v
				out = append(out, a)
			}
		}
	}
	return out
}

func satisfying(c *Arg) uint64 {
	switch c.Op {
	case OpNotEqual:
		return c.Value + 1
	case OpLessThan:
		if c.Value == 0 {
			return 0
		}
		return c.Value - 1
	case OpGreaterThan:
		return c.Value + 1
	case OpMaskedEqual:
		return c.ValueTwo
	}
	return c.Value
}

// boundaries are values on both sides of a comparison, including ones
// that differ only in the high or the low 32-bit word — where libseccomp's
// 64-bit comparison bugs live.
func boundaries(c *Arg, arch catalog.Arch) []uint64 {
	v := c.Value
	if c.Op == OpMaskedEqual {
		v = c.ValueTwo
	}
	hi, lo := v>>32, v&0xffffffff
	cand := []uint64{0, 1, ^uint64(0), v, v - 1, v + 1,
		hi<<32 | (lo-1)&0xffffffff, hi<<32 | (lo+1)&0xffffffff,
		(hi+1)<<32 | lo, (hi-1)<<32 | lo, (hi + 1) << 32, (hi-1)<<32 | 0xffffffff,
		hi << 32, hi<<32 | 0xffffffff, lo, 1<<32 | lo, 0xffffffff, 1 << 32}
	if c.Op == OpMaskedEqual {
		m := c.Value
		cand = append(cand, v|^m, v&m, v^(m&-m), v^(m&^(m-1)<<32), ^m)
	}
	if arch.Is32Bit() {
		// A 32-bit ABI cannot pass more than 32 bits.
		for i := range cand {
			cand[i] &= 0xffffffff
		}
	}
	return cand
}

func (e *VerifyError) classify(eff *Effective) {
	m := e.Mismatches[0]
	var first *Decision
	for _, r := range eff.Rules {
		if !r.names(m.Syscall) {
			continue
		}
		d := Decision{Action: r.Action, Errno: r.Errno}
		if first == nil {
			first = &d
		} else if !first.Same(d) {
			e.overlap = true
		}
		for _, a := range r.Args {
			if a.Value>>32 != 0 || a.ValueTwo>>32 != 0 {
				e.wide = true
			}
		}
	}
}
