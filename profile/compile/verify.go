package compile

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// Mismatch is one input on which the compiled program and the profile's
// meaning disagree.
type Mismatch struct {
	Arch    catalog.Arch
	Nr      int64
	Syscall string
	Args    [6]uint64
	Want    profile.Decision // the profile's meaning
	Got     profile.Decision // what the BPF returns
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s on %s with args %s: the profile means %s, the compiled filter does %s",
		m.Syscall, m.Arch, profile.FormatArgs(m.Args), m.Want, m.Got)
}

// VerifyError lists every disagreement found.
type VerifyError struct {
	Mismatches []Mismatch
	Checked    int
	// overlap: the first mismatch's syscall has rules with different
	// actions; wide: its rules compare against values above 32 bits.
	overlap, wide bool
	// via names the calls whose rules libseccomp also applies to the
	// first mismatch's multiplexer.
	via []string
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
	weaker := m.Got.Action.Canon() == profile.ActAllow && m.Want.Action.Canon() != profile.ActAllow
	what := "the filter differs from the profile"
	if weaker {
		what = "the filter is weaker than the profile"
	}
	if e.overlap {
		also := ""
		if len(e.via) > 0 {
			also = fmt.Sprintf(" (on %s libseccomp applies the rules for %s to %s as well)", m.Arch, strings.Join(e.via, ", "), m.Syscall)
		}
		return what + ": rules for " + m.Syscall + also + " overlap with different actions, and libseccomp does not keep the order of rules with different actions on different arguments (the profile's first match wins): make the rules not overlap (add the earlier rule's negated condition to the later one) or give them one action"
	}
	if e.wide {
		return what + ": this is libseccomp's 64-bit argument comparison bug (GHSA-4q85-33p6-j5g6, fixed in libseccomp 2.6.1); upgrade libseccomp, or compare the argument with SCMP_CMP_EQ or SCMP_CMP_MASKED_EQ"
	}
	return what + ": report this with the profile"
}

// Run executes the program on one input, as the kernel lays it out on
// this host, in the interpreter Explain traces with (cbpf.Run).
func (p *Program) Run(arch catalog.Arch, nr int64, args [6]uint64) (profile.Decision, error) {
	v, err := cbpf.Run(p.Insns, cbpf.KernelData(arch, nr, args))
	if err != nil {
		return profile.Decision{}, fmt.Errorf("verify: %w", err)
	}
	return profile.FromRet(v), nil
}

// Verify runs the program in the emulator for every syscall number of
// every ABI (those in the filter, and the others, which must be killed),
// with argument values on both sides of every comparison the profile
// makes, and compares each answer with Decide.
func Verify(p *Program) error {
	_, err := VerifyCount(p)
	return err
}

// VerifyCount is Verify that also says how many cases it checked. It
// makes each case and checks it at once, one ABI and number at a time.
func VerifyCount(p *Program) (int, error) {
	dec := p.Effective.Decider(p.Options)
	c := newChecker(p, dec)
	err := eachGroup(p.Effective, p.Options, dec, func(g *caseGroup) error {
		return c.group(g)
	})
	return c.result(err)
}

// outcome is what Decision.Same compares, and the kernel's return value
// for it. exact says FromRet reads ret back as this outcome: a program
// returning exactly ret then agrees without asking Same again.
type outcome struct {
	action profile.Action
	errno  uint
	ret    uint32
	exact  bool
}

// wants appends the outcome the profile means for each of args: one
// decision when the call's outcome does not depend on its arguments.
func wants(out []uint32, dec *profile.Decider, list *[]outcome, g *caseGroup) []uint32 {
	call := dec.Call(g.arch, g.nr, g.name)
	if call.ArgFree() {
		w := uint32(intern(list, call.Decide([6]uint64{})))
		for range g.args {
			out = append(out, w)
		}
		return out
	}
	for _, a := range g.args {
		out = append(out, uint32(intern(list, call.Decide(a))))
	}
	return out
}

// intern returns d's outcome's index in list, adding it when new.
func intern(list *[]outcome, d profile.Decision) int {
	for j, w := range *list {
		if w.action == d.Action && w.errno == d.Errno {
			return j
		}
	}
	w := outcome{action: d.Action, errno: d.Errno, ret: profile.RetValue(d)}
	w.exact = profile.FromRet(w.ret).Same(d)
	*list = append(*list, w)
	return len(*list) - 1
}

// checker runs a program on the cases, group by group, and collects the
// disagreements in case order.
type checker struct {
	p        *Program
	dec      *profile.Decider
	outcomes []outcome
	want     []uint32 // the current group's outcomes, reused
	buf      [64]byte
	arch     catalog.Arch
	layout   cbpf.Layout
	verr     VerifyError
}

func newChecker(p *Program, dec *profile.Decider) *checker {
	return &checker{p: p, dec: dec}
}

// group decides g's cases and checks them.
func (c *checker) group(g *caseGroup) error {
	arch, nr, args := g.arch, g.nr, g.args
	c.want = wants(c.want[:0], c.dec, &c.outcomes, g)
	want := c.want
	if arch != c.arch || c.verr.Checked == 0 {
		c.arch, c.layout = arch, cbpf.LayoutOf(arch)
	}
	for i, a := range args {
		c.layout.Put(c.buf[:], nr, a)
		ret, err := cbpf.Run(c.p.Insns, c.buf[:])
		if err != nil {
			return fmt.Errorf("verify: %s nr %d: %w", arch, nr, err)
		}
		c.verr.Checked++
		w := &c.outcomes[want[i]]
		if w.exact && ret == w.ret {
			continue
		}
		got := profile.FromRet(ret)
		if !(profile.Decision{Action: w.action, Errno: w.errno}).Same(got) {
			d := c.dec.Decide(arch, nr, a)
			c.verr.Mismatches = append(c.verr.Mismatches, Mismatch{arch, nr, d.Syscall, a, d, got})
		}
	}
	return nil
}

func (c *checker) result(err error) (int, error) {
	if err != nil {
		return c.verr.Checked, err
	}
	if len(c.verr.Mismatches) > 0 {
		c.verr.classify(c.p.Effective)
		return c.verr.Checked, &c.verr
	}
	return c.verr.Checked, nil
}

// Input is one emulator test case.
type Input struct {
	Arch catalog.Arch
	Nr   int64
	Args [6]uint64
}

// tableCall is a catalog call's number and name on one ABI.
type tableCall struct {
	nr   int64
	name string
}

// archNumbers is, for each ABI, every number the catalog gives it, in
// ascending order, with its name.
var archNumbers = sync.OnceValue(func() map[catalog.Arch][]tableCall {
	cat := catalog.MustDefault()
	out := map[catalog.Arch][]tableCall{}
	for _, arch := range catalog.Arches() {
		var nrs []tableCall
		for nr, ent := range cat.Numbered(arch) {
			nrs = append(nrs, tableCall{nr, ent.Name})
		}
		out[arch] = nrs
	}
	return out
})

// Inputs enumerates the verification cases: every catalog number on every
// supported ABI, numbers just past the highest ones, the edges of the
// numbers outside every table (outOfTable), the shim's exempt
// calls with and without the secret, and for each conditional rule, the
// values around each comparison.
func Inputs(e *profile.Effective, o profile.Options) []Input {
	var out []Input
	eachGroup(e, o, e.Decider(o), func(g *caseGroup) error {
		for _, a := range g.args {
			out = append(out, Input{g.arch, g.nr, a})
		}
		return nil
	})
	return out
}

// caseGroup is the cases of one ABI and number; args is reused from one
// group to the next.
type caseGroup struct {
	arch catalog.Arch
	nr   int64
	name string // the catalog's, "" when it has none
	args [][6]uint64
}

// eachGroup makes the cases Inputs lists, in its order, and gives them
// to f one ABI and number at a time; it stops at f's first error.
func eachGroup(e *profile.Effective, o profile.Options, dec *profile.Decider, f func(*caseGroup) error) error {
	cat := catalog.MustDefault()
	table := archNumbers()
	g := &caseGroup{args: make([][6]uint64, 0, 64)}
	var extra []int64
	for _, arch := range catalog.Arches() {
		inFilter := e.HasArch(arch)
		extra = extra[:0]
		if max, ok := e.MaxNumber(arch); ok {
			extra = append(extra, max+1)
		}
		base := arch.Base()
		for _, n := range []int64{471, 499, 500, 1000, 4095} {
			extra = append(extra, base+n)
		}
		extra = append(extra, outOfTable(arch, e)...)
		catNrs := table[arch]
		extra = append(extra, gapEdges(catNrs)...)
		slices.Sort(extra)
		// Merge the catalog's numbers and the extra ones, in order, once
		// each.
		i, j, prev := 0, 0, int64(math.MinInt64)
		for i < len(catNrs) || j < len(extra) {
			var nr int64
			name := ""
			switch {
			case j == len(extra) || (i < len(catNrs) && catNrs[i].nr < extra[j]):
				nr, name = catNrs[i].nr, catNrs[i].name
				i++
			case i == len(catNrs) || extra[j] < catNrs[i].nr:
				nr = extra[j]
				j++
			default: // equal
				nr, name = catNrs[i].nr, catNrs[i].name
				i++
				j++
			}
			if nr == prev {
				continue // an extra number given twice
			}
			prev = nr
			g.arch, g.nr, g.name = arch, nr, name
			g.args = append(g.args[:0], [6]uint64{})
			if inFilter {
				if name == "" {
					name = cat.Name(arch, nr)
				}
				g.args = groupArgs(g.args, dec, o, arch, name)
			}
			if err := f(g); err != nil {
				return err
			}
		}
	}
	return nil
}

// groupArgs appends the argument cases of name on arch beyond the one
// with every argument 0.
func groupArgs(out [][6]uint64, dec *profile.Decider, o profile.Options, arch catalog.Arch, name string) [][6]uint64 {
	out = dec.AppendVerifyCases(out, arch, name)
	if arch.Multiplexes() {
		out = append(out, muxCases(arch, name)...)
	}
	if x := o.Exempt; x != nil && x.Arch == arch && (name == "sendmsg" || name == "execve") {
		var a [6]uint64
		a[0] = uint64(x.HandoffFD)
		a[3], a[4], a[5] = x.Magic[0], x.Magic[1], x.Magic[2]
		out = append(out, a)
		// The same call with the fd or one word of the secret
		// wrong, in its high or its low half.
		for _, idx := range []int{0, 3, 4, 5} {
			hi, lo := a, a
			hi[idx] ^= 1 << 33
			lo[idx] ^= 1
			out = append(out, hi, lo)
		}
	}
	return out
}

// gapEdges are the first and the last number of each gap in an ABI's
// table (nrs, ascending): a program that cuts the number space at every
// call, as the generator's search does, decides each gap on its own, and
// a cut off by one moves a gap's edge.
func gapEdges(nrs []tableCall) []int64 {
	var out []int64
	for i, c := range nrs {
		nr := c.nr
		if i+1 == len(nrs) || nrs[i+1].nr != nr+1 {
			out = append(out, nr+1)
		}
		if i > 0 && nrs[i-1].nr != nr-1 {
			out = append(out, nr-1)
		}
	}
	return out
}

// outOfTable are the edges of the 32-bit numbers no table gives arch
// (seccomp_data.nr is 32 bits; FilterABI says whose they are): below a
// base, the top of x86_64's range and of x32's, bit 31 alone and with the
// x32 bit, -1 (0xffffffff) and the number before it, the highest
// number the profile names with bit 31 set (where a filter that lost the
// high bits would decide as for that call), and arm's private range.
func outOfTable(arch catalog.Arch, e *profile.Effective) []int64 {
	out := []int64{catalog.X32SyscallBit - 1, catalog.X32SyscallBit, 0x7fffffff,
		0x80000000, 0xbfffffff, 0xc0000000, profile.NrSkip - 1, profile.NrSkip}
	if b := arch.Base(); b > 0 {
		out = append(out, b-1)
	}
	if max, ok := e.MaxNumber(arch); ok {
		out = append(out, max|0x80000000)
	}
	if arch == catalog.ARM {
		out = append(out, 0x0effff, 0x0f0000, 0x0f07ff, 0x0f0800)
	}
	return out
}

// muxCases are every operation of a multiplexer, and the numbers around
// them: socketcall's 0..21; ipc's operations with and without a version
// in the upper 16 bits (the kernel strips it, libseccomp compares the
// whole word) and, on 64-bit ABIs, with bits above 32 set.
func muxCases(arch catalog.Arch, name string) [][6]uint64 {
	var calls []uint64
	switch name {
	case catalog.SocketCall:
		for op := uint64(0); op <= catalog.MaxSocketCallOp+1; op++ {
			calls = append(calls, op)
		}
	case catalog.IPC:
		for op := range catalog.MuxOps(catalog.IPC) {
			o := uint64(op)
			calls = append(calls, o-1, o, o+1, o|1<<catalog.IPCVersionShift, o|0xffff<<catalog.IPCVersionShift)
		}
	default:
		return nil
	}
	var out [][6]uint64
	for _, c := range calls {
		out = append(out, [6]uint64{c})
		if !arch.Is32Bit() {
			out = append(out, [6]uint64{c | 1<<32})
		}
	}
	return out
}

func (e *VerifyError) classify(eff *profile.Effective) {
	m := e.Mismatches[0]
	var first *profile.Decision
	for _, v := range eff.RulesOn(m.Arch, m.Syscall) {
		r := eff.Rules[v.Rule]
		if v.Via != "" && !slices.Contains(e.via, v.Via) {
			e.via = append(e.via, v.Via)
		}
		d := profile.Decision{Action: r.Action, Errno: r.Errno}
		if first == nil {
			first = &d
		} else if !first.Same(d) {
			e.overlap = true
		}
		for _, a := range v.Args {
			if a.Value>>32 != 0 || a.ValueTwo>>32 != 0 {
				e.wide = true
			}
		}
	}
}
