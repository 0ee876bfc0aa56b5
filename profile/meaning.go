package profile

import (
	"fmt"
	"slices"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Decision is what a filter does with one syscall invocation.
type Decision struct {
	Action Action
	// Errno is the errno returned for errno actions (and the value
	// passed to a tracer for trace).
	Errno uint
	// Rule is the index in Effective.Rules of the rule that decided, or
	// one of the Rule* constants.
	Rule int
	// Syscall is the catalog name, or syscall_<nr> when unknown.
	Syscall string
	// Via is set when Syscall is a multiplexer (socketcall, ipc) and the
	// rule that decided names the call it carries: libseccomp applies
	// that rule to the multiplexer too (catalog.MuxOp).
	Via string
}

// Special values of Decision.Rule.
const (
	RuleDefault = -1 // the profile's default action
	RuleBadArch = -2 // the ABI is not in the filter: libseccomp kills
	RuleNewer   = -3 // newer than every call the profile names: ENOSYS
	RuleShim    = -4 // the runner shim's own handoff or exec
)

// ENOSYS is the errno the newer-syscall stub returns.
const ENOSYS = 38

// Same reports whether two decisions have the same outcome.
func (d Decision) Same(o Decision) bool {
	if d.Action.Canon() != o.Action.Canon() {
		return false
	}
	return !d.Action.TakesErrno() || d.Errno == o.Errno
}

func (d Decision) String() string {
	switch d.Action.Canon() {
	case ActErrno:
		return fmt.Sprintf("errno(%s)", ErrnoName(d.Errno))
	case ActTrace:
		return fmt.Sprintf("trace(%d)", d.Errno)
	}
	return d.Action.Short()
}

// DefaultDecision is what a call no rule names gets, the newer-syscall
// stub aside.
func (e *Effective) DefaultDecision() Decision {
	d := Decision{Action: e.DefaultAction, Rule: RuleDefault}
	if d.Action.Canon() == ActErrno {
		d.Errno = e.DefaultErrno
	}
	return d
}

// Decide evaluates the profile's meaning directly, without BPF: what the
// kernel should do when a process on arch calls nr with args. It is the
// reference the compiled program is verified against.
//
// Within one filter the first applicable rule in profile order whose
// argument conditions all hold decides; no rule means the default. A rule
// whose conditions test one argument twice is one rule per condition,
// ORed (orGroups). On the ABIs where libseccomp maps socket and IPC calls
// onto socketcall and ipc, a rule naming such a call also decides the
// multiplexer when argument 0 is the call's operation (muxViews).
func (e *Effective) Decide(arch catalog.Arch, nr int64, args [6]uint64, o Options) Decision {
	return e.decide(arch, nr, args, o, nil)
}

// A Decider is Decide for many calls of one profile, as Verify makes: it
// indexes the rules by the names they give once, so that a call looks
// only at the rules that can decide it. The profile must not change while
// it is in use, and one goroutine uses it at a time.
type Decider struct {
	e      *Effective
	o      Options
	byName map[string][]int
	// muxed are the rules that also decide a multiplexer (muxViews).
	muxed []int
	stub  bool // e.stubbed()
	// last is byName's last answer: Verify asks about one name several
	// times in a row (the call, its candidates, whether a rule compares
	// an argument, its cases), and a string compare costs less than a
	// look-up.
	last struct {
		name  string
		rules []int
		ok    bool
	}
}

// naming returns the rules that name name, in profile order.
func (d *Decider) naming(name string) []int {
	if l := &d.last; l.ok && l.name == name {
		return l.rules
	}
	r := d.byName[name]
	d.last.name, d.last.rules, d.last.ok = name, r, true
	return r
}

// Decider returns e's Decider for the filter variant o.
func (e *Effective) Decider(o Options) *Decider {
	total := 0
	for i := range e.Rules {
		total += len(e.Rules[i].Names)
	}
	d := &Decider{e: e, o: o, byName: make(map[string][]int, total), stub: e.stubbed()}
	// Most names are in one rule: their lists share one array.
	back := make([]int, total)
	for i := range e.Rules {
		r := &e.Rules[i]
		for _, n := range r.Names {
			l := d.byName[n]
			switch {
			case len(l) == 0:
				back[0] = i
				d.byName[n], back = back[:1:1], back[1:]
			case l[len(l)-1] != i:
				d.byName[n] = append(l, i)
			}
		}
		if len(r.mux) > 0 {
			d.muxed = append(d.muxed, i)
		}
	}
	return d
}

// Decide is Effective.Decide.
func (d *Decider) Decide(arch catalog.Arch, nr int64, args [6]uint64) Decision {
	c := d.Call(arch, nr, "")
	return c.Decide(args)
}

// candidates are, in profile order, the rules that name name or may
// decide it as a multiplexer: no other rule can decide a call of it.
func (d *Decider) candidates(arch catalog.Arch, name string) []int {
	named := d.naming(name)
	if len(d.muxed) == 0 || (name != catalog.SocketCall && name != catalog.IPC) || !arch.Multiplexes() {
		return named
	}
	out := make([]int, 0, len(named)+len(d.muxed))
	out = append(out, named...)
	out = append(out, d.muxed...)
	slices.Sort(out)
	return slices.Compact(out)
}

// conditional reports whether a rule that may decide name on arch has
// conditions on the arguments (a multiplexer's always compare the
// operation).
func (d *Decider) conditional(arch catalog.Arch, name string) bool {
	mux := arch.Multiplexes() && (name == catalog.SocketCall || name == catalog.IPC)
	for _, i := range d.naming(name) {
		if len(d.e.Rules[i].Args) > 0 {
			return true
		}
	}
	if mux {
		for _, i := range d.muxed {
			for _, v := range d.e.Rules[i].mux {
				if v.mux == name {
					return true
				}
			}
		}
	}
	return false
}

// A Call is Decide for one ABI and number, with what does not depend on
// the arguments worked out once.
type Call struct {
	e   *Effective
	o   Options
	idx *Decider
	// arch and nr are the filter's view (FilterABI); d is the outcome
	// unless the shim's exemption (exempt) or a rule (rules) changes it.
	arch   catalog.Arch
	nr     int64
	d      Decision
	exempt bool
	rules  bool
	// cands are the rules to try, named those naming the call itself
	// (with no index: every rule).
	cands, named []int
}

// Call prepares Decide for calls of nr on arch; name, when not "", is
// the catalog's name of nr on arch.
func (d *Decider) Call(arch catalog.Arch, nr int64, name string) Call {
	return d.e.call(arch, nr, name, d.o, d)
}

func (e *Effective) call(arch catalog.Arch, nr int64, name string, o Options, idx *Decider) Call {
	fa, fnr := e.FilterABI(arch, nr)
	if name == "" || fa != arch || fnr != nr {
		name = catalog.CallName(fa, fnr)
	}
	arch, nr = fa, fnr
	c := Call{e: e, o: o, idx: idx, arch: arch, nr: nr}
	d := &c.d
	*d = Decision{Syscall: name, Rule: RuleDefault}
	if !e.HasArch(arch) {
		d.Action, d.Rule = badArch(o), RuleBadArch
		return c
	}
	c.exempt = o.Variant != VariantEnforce && o.Exempt != nil && arch == o.Exempt.Arch &&
		(d.Syscall == "sendmsg" || d.Syscall == "execve")
	if o.Variant == VariantRecord && !foreign(arch, nr) {
		d.Action = ActNotify
		return c
	}
	if o.Variant != VariantRecord && !o.NoENOSYS && (idx != nil && idx.stub || idx == nil && e.stubbed()) {
		if max, ok := e.MaxNumber(arch); ok && nr > max && sameABI(arch, nr) {
			d.Action, d.Errno, d.Rule = ActErrno, ENOSYS, RuleNewer
			if o.Variant == VariantWatch {
				d.Action, d.Errno = ActNotify, 0
			}
			return c
		}
	}
	if foreign(arch, nr) {
		// libseccomp's x86_64 program sends every number at or above the
		// x32 bit to the bad-arch action, -1 aside.
		d.Action, d.Rule = ActKillThread, RuleBadArch
		if o.Variant == VariantWatch {
			d.Action = ActNotify
		}
		return c
	}
	d.Action, d.Errno = e.DefaultAction, e.DefaultErrno
	if d.Action != ActErrno {
		d.Errno = 0
	}
	c.rules = true
	if idx != nil {
		c.named = idx.naming(d.Syscall)
		c.cands = idx.candidates(arch, d.Syscall)
	}
	return c
}

// badArch is the action for an ABI the filter does not cover.
func badArch(o Options) Action {
	if o.Variant == VariantWatch {
		// Watch mode reports the call before the supervisor kills.
		return ActNotify
	}
	return ActKillThread
}

// ArchWide returns the decision for every call on arch, whatever its
// number and arguments, when there is one: arch is not in the filter and
// FilterABI reads none of its numbers as another ABI's (only x86_64 and
// x32 share numbers), so call decides each with badArch before it looks
// at the number. Syscall is left empty.
func (d *Decider) ArchWide(arch catalog.Arch) (Decision, bool) {
	if arch == catalog.X86_64 || arch == catalog.X32 || d.e.HasArch(arch) {
		return Decision{}, false
	}
	return Decision{Action: badArch(d.o), Rule: RuleBadArch}, true
}

// ArgFree reports whether the call's outcome is the same whatever its
// arguments: the shim's exemption cannot apply and no rule that may
// decide it has a condition (a rule deciding a multiplexer always
// compares the operation).
func (c *Call) ArgFree() bool {
	if c.exempt {
		return false
	}
	if !c.rules {
		return true
	}
	return c.idx != nil && !c.idx.conditional(c.arch, c.d.Syscall)
}

// Decide is the Decider's Decide for this call with args.
func (c *Call) Decide(args [6]uint64) Decision {
	d := c.d
	if c.exempt && c.o.Exempt.matches(d.Syscall, args) {
		d.Action, d.Errno, d.Rule = ActAllow, 0, RuleShim
		return d
	}
	if !c.rules {
		return d
	}
	e, arch := c.e, c.arch
	// named: the rule names the call itself (not only a call the
	// multiplexer carries).
	try := func(i int, named bool) bool {
		r := &e.Rules[i]
		if named && argsMatch(arch, r.Args, args) {
			d.Action, d.Errno, d.Rule = r.Action, r.Errno, i
			return true
		}
		if via, ok := r.muxMatch(arch, d.Syscall, args); ok {
			d.Action, d.Errno, d.Rule, d.Via = r.Action, r.Errno, i, via
			return true
		}
		return false
	}
	if c.idx != nil {
		for _, i := range c.cands {
			if try(i, slices.Contains(c.named, i)) {
				break
			}
		}
	} else {
		for i := range e.Rules {
			if try(i, e.Rules[i].Has(d.Syscall)) {
				break
			}
		}
	}
	if c.o.Variant == VariantWatch && d.Action.Canon() != ActAllow {
		d.Action, d.Errno = ActNotify, 0
	}
	return d
}

// decide is Decide; with an index it tries only the rules the index
// gives for the call's name, which are the only ones whose test can hold.
func (e *Effective) decide(arch catalog.Arch, nr int64, args [6]uint64, o Options, idx *Decider) Decision {
	c := e.call(arch, nr, "", o, idx)
	return c.Decide(args)
}

// DecideName is Decide by syscall name; ok is false when arch lacks it.
func (e *Effective) DecideName(arch catalog.Arch, name string, args [6]uint64, o Options) (Decision, bool) {
	nums, ok := catalog.NumbersOf(name)
	if !ok {
		return Decision{}, false
	}
	nr, ok := nums.Get(arch)
	if !ok {
		return Decision{}, false
	}
	return e.Decide(arch, nr, args, o), true
}

// HasArch reports whether the filter covers ABI a.
func (e *Effective) HasArch(a catalog.Arch) bool { return slices.Contains(e.Arches, a) }

// Has reports whether the rule names n.
func (r *EffRule) Has(n string) bool { return slices.Contains(r.Names, n) }

// argsMatch applies every condition (they are ANDed). On 32-bit ABIs the
// kernel passes 32-bit arguments and libseccomp compares 32-bit words, so
// both sides are truncated.
func argsMatch(arch catalog.Arch, conds []*Arg, args [6]uint64) bool {
	if len(conds) == 0 {
		return true
	}
	mask := ^uint64(0)
	if arch.Is32Bit() {
		mask = 0xffffffff
	}
	for _, c := range conds {
		v := args[c.Index] & mask
		a, b := c.Value&mask, c.ValueTwo&mask
		var ok bool
		switch c.Op {
		case OpNotEqual:
			ok = v != a
		case OpLessThan:
			ok = v < a
		case OpLessEqual:
			ok = v <= a
		case OpEqualTo:
			ok = v == a
		case OpGreaterEqual:
			ok = v >= a
		case OpGreaterThan:
			ok = v > a
		case OpMaskedEqual:
			// libseccomp masks the datum too: bits of valueTwo outside
			// the mask can never make a difference.
			ok = v&a == b&a
		}
		if !ok {
			return false
		}
	}
	return true
}

// Holds reports whether condition c holds when its argument is v, as the
// filter compares it on arch (a 32-bit ABI compares 32-bit words).
func (c *Arg) Holds(arch catalog.Arch, v uint64) bool {
	if c.Index > 5 {
		return false
	}
	var args [6]uint64
	args[c.Index] = v
	return argsMatch(arch, []*Arg{c}, args)
}

// stubbed reports whether the newer-syscall ENOSYS stub applies: only a
// profile that denies by default needs it (runc does the same).
func (e *Effective) stubbed() bool { return !e.DefaultAction.LetsThrough() }

// StubLimit is the number above which a deny-by-default profile answers
// ENOSYS on arch (the highest number, in that ABI's own range, of any
// syscall a rule names); ok is false when the stub does not apply.
func (e *Effective) StubLimit(arch catalog.Arch) (limit int64, ok bool) {
	if !e.stubbed() {
		return 0, false
	}
	return e.MaxNumber(arch)
}

// InStubRange reports whether nr belongs to arch's ordinary range, the
// one StubLimit is measured in.
func InStubRange(arch catalog.Arch, nr int64) bool { return sameABI(arch, nr) }

// MaxNumber is the highest number, on arch, of any syscall a rule names.
// For x86_64 and x32, which share an AUDIT_ARCH, each ABI counts its own
// range; arm's private calls (0x0f0000+) do not count.
func (e *Effective) MaxNumber(arch catalog.Arch) (int64, bool) {
	m, ok := e.maxNr[arch]
	if !ok {
		// An Effective made without Profile.Effective.
		m = e.maxNumbers()[arch]
	}
	return m.nr, m.ok
}

// maxNumbers is MaxNumber for every ABI, from one look-up of each name.
func (e *Effective) maxNumbers() map[catalog.Arch]maxNr {
	names := func(yield func(string) bool) {
		var last string
		for _, r := range e.Rules {
			for _, n := range r.Names {
				if n == last {
					continue
				}
				last = n
				if !yield(n) {
					return
				}
			}
		}
	}
	max := catalog.MaxNumbers(names, sameABI)
	out := make(map[catalog.Arch]maxNr, 16)
	for _, a := range catalog.Arches() {
		out[a] = maxNr{-1, false}
		if nr, ok := max[a]; ok {
			out[a] = maxNr{nr, true}
		}
	}
	return out
}

// sameABI keeps numbers in the ABI's ordinary range: x32's have bit 30
// set and x86_64's do not; arm's private calls sit at 0x0f0000.
func sameABI(arch catalog.Arch, nr int64) bool {
	switch arch {
	case catalog.X32:
		return nr&catalog.X32SyscallBit != 0
	case catalog.X86_64:
		return nr >= 0 && nr&catalog.X32SyscallBit == 0
	case catalog.ARM:
		return nr < 0x0f0000
	}
	return true
}

// NrSkip is the syscall number -1 as seccomp_data.nr holds it: a tracer
// sets it to skip a call, and the kernel runs the filter on it after a
// ptrace syscall-entry stop; a caller may pass it too. The kernel runs
// nothing for it (-ENOSYS when the filter lets it through).
const NrSkip = 0xffffffff

// FilterABI is the ABI whose program judges a call of nr arriving with
// arch's AUDIT_ARCH value, and nr as the filter sees it.
//
// seccomp_data.nr is a 32-bit int, and the kernel's entry code takes the
// number as (int)nr too: nr counts modulo 2^32 (-1 is 0xffffffff, and a
// register's upper half is dropped, so 1<<32|nr is nr). x86_64 and x32
// share AUDIT_ARCH_X86_64: do_syscall_64 runs an x32 call iff the x32
// bit (bit 30) is set and the rest is below X32_NR_syscalls, an x86_64
// call iff the number, unsigned, is below NR_syscalls; any other number
// runs nothing (-ENOSYS). The filter's dispatch splits them by the x32
// bit. With only one of the two ABIs in the filter its program judges
// every number: libseccomp's x32 program takes each one at or above the
// x32 bit (so bit 31 without bit 30 too) and kills the others; its
// x86_64 program kills each one at or above the x32 bit except -1
// (NrSkip), which it judges by the rules so that a tracer's skip is not
// killed (foreign).
func (e *Effective) FilterABI(arch catalog.Arch, nr int64) (catalog.Arch, int64) {
	nr = int64(uint32(nr))
	if arch != catalog.X86_64 && arch != catalog.X32 {
		return arch, nr
	}
	has64, has32 := e.HasArch(catalog.X86_64), e.HasArch(catalog.X32)
	switch {
	case nr&catalog.X32SyscallBit != 0:
		if nr == NrSkip && has64 && !has32 {
			return catalog.X86_64, nr
		}
		return catalog.X32, nr
	case nr >= catalog.X32SyscallBit && has32 && !has64:
		return catalog.X32, nr
	}
	return catalog.X86_64, nr
}

// foreign reports whether nr, reaching arch's program (FilterABI), is
// one libseccomp's program gives the bad-arch action although arch is in
// the filter: on x86_64 a number at or above the x32 bit (bit 31 set
// without bit 30), -1 aside. A deny-by-default profile's stub answers
// ENOSYS first.
func foreign(arch catalog.Arch, nr int64) bool {
	return arch == catalog.X86_64 && nr >= catalog.X32SyscallBit && nr != NrSkip
}
