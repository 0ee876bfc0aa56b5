package compile

import (
	"fmt"
	"math"
	"slices"
	"strings"

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

// wants appends the outcome the profile means for each of g's cases: one
// decision when the call's outcome does not depend on its arguments.
func (c *checker) wants(out []uint32, g *caseGroup) []uint32 {
	call := c.dec.Call(g.arch, g.nr, g.name)
	if call.ArgFree() {
		w := c.intern(call.Decide([6]uint64{}))
		for range g.args {
			out = append(out, w)
		}
		return out
	}
	for _, a := range g.args {
		out = append(out, c.intern(call.Decide(a)))
	}
	return out
}

// intern returns d's outcome's index in c.outcomes, adding it when new.
// Neighbouring numbers mostly share an outcome: the last one found is
// tried first.
func (c *checker) intern(d profile.Decision) uint32 {
	if l := int(c.last); l < len(c.outcomes) && c.outcomes[l].action == d.Action && c.outcomes[l].errno == d.Errno {
		return c.last
	}
	for j := range c.outcomes {
		if w := &c.outcomes[j]; w.action == d.Action && w.errno == d.Errno {
			c.last = uint32(j)
			return c.last
		}
	}
	w := outcome{action: d.Action, errno: d.Errno, ret: profile.RetValue(d)}
	w.exact = profile.FromRet(w.ret).Same(d)
	c.outcomes = append(c.outcomes, w)
	c.last = uint32(len(c.outcomes) - 1)
	return c.last
}

// checker runs a program on the cases, group by group, and collects the
// disagreements in case order.
//
// It runs the program once per ABI up to the first load of anything but
// the arch word, and once per number from there up to the first load of
// an argument or the instruction pointer; each case goes on from that
// point (cbpf.State.Resume). Every case of an ABI has the same arch word
// and every case of a group the same nr, so each case's answer is the one
// a run from the start gives. Where the program returns before such a
// load, that answer is every case's: it read nothing that tells them
// apart.
type checker struct {
	p        *Program
	dec      *profile.Decider
	outcomes []outcome
	last     uint32   // the index in outcomes intern found last
	want     []uint32 // the current group's outcomes, reused
	buf      [64]byte
	arch     catalog.Arch
	layout   cbpf.Layout
	verr     VerifyError
	started  bool
	// The run of the current ABI paused before its first load of nr,
	// the instruction pointer or an argument, or its end (archDone).
	archState cbpf.State
	archDone  bool
	archRet   uint32
	archErr   error
	// wide: the profile decides every call on the ABI alike
	// (Decider.ArchWide), and wideSame says archRet has that outcome.
	wide, wideSame bool
}

func newChecker(p *Program, dec *profile.Decider) *checker {
	return &checker{p: p, dec: dec, outcomes: make([]outcome, 0, 8)}
}

// Words a run stops before loading: the ABI's prefix stops before nr,
// a number's before its arguments; both before the instruction pointer
// (every case has it 0, but nothing needs it).
const (
	archVaries = cbpf.WordNr | cbpf.WordIP | cbpf.WordArgs
	nrVaries   = cbpf.WordIP | cbpf.WordArgs
)

// startArch runs the program for arch up to its first load of a word
// that differs between arch's cases.
func (c *checker) startArch(arch catalog.Arch) {
	c.arch, c.layout, c.started = arch, cbpf.LayoutOf(arch), true
	c.layout.Put(c.buf[:], 0, [6]uint64{})
	c.archState = cbpf.State{}
	c.archRet, c.archDone, c.archErr = c.archState.Resume(c.p.Insns, c.buf[:], archVaries)
	var d profile.Decision
	if d, c.wide = c.dec.ArchWide(arch); c.wide {
		c.wideSame = d.Same(profile.FromRet(c.archRet))
	}
}

// group decides g's cases and checks them.
func (c *checker) group(g *caseGroup) error {
	arch, nr, args := g.arch, g.nr, g.args
	if arch != c.arch || !c.started {
		c.startArch(arch)
	}
	if c.wide && c.archDone && c.archErr == nil {
		// Neither the program nor the profile looks at the number
		// or the arguments: one answer and one meaning for all.
		for _, a := range args {
			c.verr.Checked++
			if !c.wideSame {
				d := c.dec.Decide(arch, nr, a)
				c.verr.Mismatches = append(c.verr.Mismatches, Mismatch{arch, nr, d.Syscall, a, d, profile.FromRet(c.archRet)})
			}
		}
		return nil
	}
	c.want = c.wants(c.want[:0], g)
	want := c.want
	// The run for nr, paused before its first argument load, or its
	// answer for every argument.
	st, ret, done, err := c.archState, c.archRet, c.archDone, c.archErr
	if !done {
		// The arguments in buf are the last case's: the run stops
		// before it reads them.
		c.layout.PutNr(c.buf[:], nr)
		ret, done, err = st.Resume(c.p.Insns, c.buf[:], nrVaries)
	}
	if err != nil {
		return fmt.Errorf("verify: %s nr %d: %w", arch, nr, err)
	}
	for i, a := range args {
		got := ret
		if !done {
			s := st
			c.layout.Put(c.buf[:], nr, a)
			if got, _, err = s.Resume(c.p.Insns, c.buf[:], 0); err != nil {
				return fmt.Errorf("verify: %s nr %d: %w", arch, nr, err)
			}
		}
		c.verr.Checked++
		w := &c.outcomes[want[i]]
		if w.exact && got == w.ret {
			continue
		}
		d := profile.FromRet(got)
		if !(profile.Decision{Action: w.action, Errno: w.errno}).Same(d) {
			dd := c.dec.Decide(arch, nr, a)
			c.verr.Mismatches = append(c.verr.Mismatches, Mismatch{arch, nr, dd.Syscall, a, dd, d})
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
	// name is the catalog's name of nr on arch; on an ABI in the filter
	// syscall_<nr> when it has none (catalog.Name), elsewhere "".
	name string
	args [][6]uint64
}

// eachGroup makes the cases Inputs lists, in its order, and gives them
// to f one ABI and number at a time; it stops at f's first error.
//
// The numbers of an ABI are those of its catalog table (NumberedNames, read
// into one buffer reused for every ABI), the edges of the gaps in it
// (gapEdges) and the extra ones (extras), in ascending order, once each.
func eachGroup(e *profile.Effective, o profile.Options, dec *profile.Decider, f func(*caseGroup) error) error {
	g := &caseGroup{args: make([][6]uint64, 0, 64)}
	var extra []int64
	// One ABI's table at a time: 500 numbers at most.
	nums := make([]tableCall, 0, 512)
	// The numbers no table has recur on ABIs with the same base.
	unnamed := make(map[int64]string, 64)
	for _, arch := range catalog.Arches() {
		inFilter := e.HasArch(arch)
		nums = nums[:0]
		for nr, name := range catalog.NumberedNames(arch) {
			nums = append(nums, tableCall{nr, name})
		}
		extra = gapEdges(extras(extra[:0], arch, e), nums)
		slices.Sort(extra)
		// Merge the table's numbers and the extra ones, in order, once
		// each.
		i, j, prev := 0, 0, int64(math.MinInt64)
		for i < len(nums) || j < len(extra) {
			var nr int64
			name := ""
			switch {
			case j == len(extra) || (i < len(nums) && nums[i].nr < extra[j]):
				nr, name = nums[i].nr, nums[i].name
				i++
			case i == len(nums) || extra[j] < nums[i].nr:
				nr = extra[j]
				j++
			default: // equal
				nr, name = nums[i].nr, nums[i].name
				i++
				j++
			}
			if nr == prev {
				continue // an extra number given twice
			}
			prev = nr
			g.nr, g.name = nr, name
			if err := group(g, arch, inFilter, unnamed, dec, o, f); err != nil {
				return err
			}
		}
	}
	return nil
}

// tableCall is a catalog call's number and name on one ABI.
type tableCall struct {
	nr   int64
	name string
}

// gapEdges appends the first and the last number of each gap in an ABI's
// table (nrs, ascending), and the number past its end: a program that
// cuts the number space at every call, as the generator's search does,
// decides each gap on its own, and a cut off by one moves a gap's edge.
func gapEdges(out []int64, nrs []tableCall) []int64 {
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

// group completes g (number set) with its name and cases, and gives it to
// f.
func group(g *caseGroup, arch catalog.Arch, inFilter bool, unnamed map[int64]string,
	dec *profile.Decider, o profile.Options, f func(*caseGroup) error) error {
	g.arch = arch
	g.args = append(g.args[:0], [6]uint64{})
	if inFilter {
		if g.name == "" {
			// Not in arch's table: catalog.Name is syscall_<nr>.
			n, ok := unnamed[g.nr]
			if !ok {
				n = catalog.CallName(arch, g.nr)
				unnamed[g.nr] = n
			}
			g.name = n
		}
		g.args = groupArgs(g.args, dec, o, arch, g.name)
	}
	return f(g)
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

// extras appends the numbers arch's cases have beside its table's and
// the edges of its gaps: the one just past the highest the profile names,
// numbers past the end of every table, and outOfTable.
func extras(out []int64, arch catalog.Arch, e *profile.Effective) []int64 {
	if max, ok := e.MaxNumber(arch); ok {
		out = append(out, max+1)
	}
	base := arch.Base()
	for _, n := range []int64{471, 499, 500, 1000, 4095} {
		out = append(out, base+n)
	}
	return outOfTable(out, arch, e)
}

// outOfTable appends the edges of the 32-bit numbers no table gives arch
// (seccomp_data.nr is 32 bits; FilterABI says whose they are): below a
// base, the top of x86_64's range and of x32's, bit 31 alone and with the
// x32 bit, -1 (0xffffffff) and the number before it, the highest
// number the profile names with bit 31 set (where a filter that lost the
// high bits would decide as for that call), and arm's private range.
func outOfTable(out []int64, arch catalog.Arch, e *profile.Effective) []int64 {
	out = append(out, catalog.X32SyscallBit-1, catalog.X32SyscallBit, 0x7fffffff,
		0x80000000, 0xbfffffff, 0xc0000000, profile.NrSkip-1, profile.NrSkip)
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
