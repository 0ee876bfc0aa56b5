package runner

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// SyscallCount is one line of a recording.
type SyscallCount struct {
	Syscall string
	Arch    catalog.Arch
	Count   int
}

// alwaysRecorded lists the syscalls a recorded profile allows whether or not
// the recording saw them. Every program may make them, but a short run
// rarely does: the kernel restarts a call that a stop and continue
// interrupted through restart_syscall; returning from any signal handler
// is rt_sigreturn (and the older sigreturn on 32-bit ABIs); a thread ends
// with exit and the process with exit_group. Docker's default profile
// allows all of them unconditionally, and denying one turns a rare,
// harmless event into a failure the recording never showed. Each is
// allowed on those of the profile's ABIs where it exists.
func alwaysRecorded() []string {
	return []string{"restart_syscall", "rt_sigreturn", "sigreturn", "exit", "exit_group"}
}

// recording counts calls by ABI and number, and — with a base profile —
// notes the syscalls the base would not have let through, judged on the
// real arguments of each call.
type recording struct {
	cat    *catalog.Catalog
	base   *decider // nil: no base to judge against
	counts map[archNr]int
	needs  map[string]bool
	// namesOnly: the profile allows whole syscalls, as before argument
	// rules (record --names-only; learn mode, which writes no profile).
	namesOnly bool
	// args holds the risky arguments seen (record_args.go), by call
	// name; argsBy caches the lookup by ABI and number (nil: nothing
	// risky).
	args       map[string]*argSeen
	argsBy     map[archNr]*argSeen
	native     catalog.Arch
	nativeArgs []argLookup // by number, made on first use
	// clone3Answered counts the clone3 calls answered ENOSYS
	// (record_clone3.go).
	clone3Answered int
}

func newRecording(base *profile.Effective, judge bool) *recording {
	r := &recording{cat: catalog.MustDefault(), counts: map[archNr]int{}, needs: map[string]bool{},
		args: map[string]*argSeen{}, argsBy: map[archNr]*argSeen{}, native: profile.NativeArch()}
	if judge && base != nil {
		r.base = newDecider(base)
	}
	// The shim's execve of the target passes the filter unseen, but the
	// target could not start without it: count it once.
	native := profile.NativeArch()
	if ent, ok := r.cat.Lookup("execve"); ok {
		if nr, ok := ent.Number(native); ok {
			r.add(native, nr, [6]uint64{})
		}
	}
	return r
}

// add counts one call. It is the recorders' single entry point (the
// notify supervisor's and the eBPF engine's); args are as the filter saw
// them (on a 32-bit ABI, 32-bit values).
func (r *recording) add(arch catalog.Arch, nr int64, args [6]uint64) {
	r.counts[archNr{arch, nr}]++
	denied := r.base != nil && !lets(r.base.decide(arch, nr, args))
	if denied {
		r.needs[r.cat.Name(arch, nr)] = true
	}
	// With a base, the arguments that matter are those of the calls it
	// did not let through: the rules added allow what it refused.
	if !r.namesOnly && (r.base == nil || denied) {
		if s := r.seenArgs(arch, nr); s != nil {
			s.addArgs(arch, args)
		}
	}
}

func (r *recording) countMap() map[string]int {
	out := make(map[string]int, len(r.counts))
	for k, n := range r.counts {
		out[r.cat.Name(k.arch, k.nr)+"/"+string(k.arch)] += n
	}
	return out
}

func (r *recording) list() []SyscallCount {
	var out []SyscallCount
	for k, n := range r.counts {
		out = append(out, SyscallCount{Syscall: r.cat.Name(k.arch, k.nr), Arch: k.arch, Count: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		if out[i].Syscall != out[j].Syscall {
			return out[i].Syscall < out[j].Syscall
		}
		return out[i].Arch < out[j].Arch
	})
	return out
}

// seen returns the ABIs used, the native one first, then catalog order.
func (r *recording) seen() []catalog.Arch {
	used := map[catalog.Arch]bool{profile.NativeArch(): true}
	for k := range r.counts {
		used[k.arch] = true
	}
	out := []catalog.Arch{profile.NativeArch()}
	for _, a := range catalog.Arches() {
		if used[a] && a != profile.NativeArch() {
			out = append(out, a)
		}
	}
	return out
}

// profile builds the recorded profile, and says in notes how it holds
// the risky arguments (record_args.go). Without a base it is minimal:
// deny by default with EPERM (the compiler adds the ENOSYS stub for newer
// calls), the ABIs seen, one allow rule with every syscall used whose
// arguments do not matter, then the argument rules. With a base, the base
// is kept whole and the rules for the syscalls it did not let through go
// first; ABIs it lacks are added. names lists every syscall the added
// rules allow, with or without conditions.
func (r *recording) profile() (p *profile.Profile, names, notes []string) {
	if r.base == nil {
		used := map[string]bool{}
		for k := range r.counts {
			if ent, ok := r.cat.ByNumber(k.arch, k.nr); ok {
				used[ent.Name] = true
			}
		}
		for _, n := range r.always(r.seen()) {
			used[n] = true
		}
		eperm := uint(1)
		allowed := slices.Sorted(maps.Keys(used))
		plain, rules, notes := r.withArgRules(allowed, r.seen())
		if c := r.clone3Rule(r.seen(), allowed); c != nil {
			rules = append(rules, c)
			notes = append(notes, r.clone3Note()...)
		}
		return &profile.Profile{
			DefaultAction:   profile.ActErrno,
			DefaultErrnoRet: &eperm,
			Architectures:   catalog.DockerNames(r.seen()),
			Syscalls:        append([]*profile.Rule{{Names: plain, Action: profile.ActAllow}}, rules...),
		}, allowed, notes
	}
	base := r.base.eff
	p = base.Source.Clone()
	have := map[catalog.Arch]bool{}
	for _, a := range base.Arches {
		have[a] = true
	}
	arches := append([]catalog.Arch(nil), base.Arches...)
	for _, a := range r.seen() {
		if !have[a] {
			arches = append(arches, a)
		}
	}
	needs := maps.Clone(r.needs)
	for _, n := range r.always(arches) {
		ent, _ := r.cat.Lookup(n)
		for _, a := range arches {
			if nr, ok := ent.Number(a); ok && !lets(r.base.decide(a, nr, [6]uint64{})) {
				needs[n] = true
			}
		}
	}
	for _, n := range slices.Sorted(maps.Keys(needs)) {
		if _, ok := r.cat.Lookup(n); ok {
			names = append(names, n)
		}
	}
	plain, rules, notes := r.withArgRules(names, arches)
	if len(plain) > 0 {
		rule := &profile.Rule{Names: plain, Action: profile.ActAllow, Comment: "recorded by seccomp-workbench"}
		rules = append([]*profile.Rule{rule}, rules...)
	}
	if c := r.clone3Rule(arches, names); c != nil {
		rules = append(rules, c)
		notes = append(notes, r.clone3Note()...)
	}
	p.Syscalls = append(rules, p.Syscalls...)
	if len(arches) > len(base.Arches) {
		p.Architectures = catalog.DockerNames(arches)
	}
	return p, names, notes
}

// withArgRules splits names into those allowed whole (plain) and the
// argument rules for the others, on arches (the first is the native
// one), with a note on each call whose arguments matter.
func (r *recording) withArgRules(names []string, arches []catalog.Arch) (plain []string, rules []*profile.Rule, notes []string) {
	for _, n := range names {
		s := r.args[n]
		if s == nil {
			plain = append(plain, n)
			continue
		}
		rs, note, ok := r.argRules(s, arches)
		if note != "" {
			notes = append(notes, note)
		}
		if !ok {
			plain = append(plain, n)
			continue
		}
		rules = append(rules, rs...)
	}
	return plain, rules, notes
}

// always lists the alwaysRecorded syscalls that exist on one of arches.
func (r *recording) always(arches []catalog.Arch) []string {
	var out []string
	for _, n := range alwaysRecorded() {
		ent, ok := r.cat.Lookup(n)
		if !ok {
			continue
		}
		for _, a := range arches {
			if _, ok := ent.Number(a); ok {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

// MergeRecorded is the profile of several finished record-mode runs made
// with the same base (Config.Effective, or none): what Recorded would be
// for one run that made all of their calls. It also returns the merged
// counts (as Syscalls) and the syscalls the allow rule names (as
// RecordedNames). A run that is not over, was not recorded or did not
// start is an error.
func MergeRecorded(runs []*Run) (*profile.Profile, []SyscallCount, []string, error) {
	m, err := mergeRecordings(runs)
	if err != nil {
		return nil, nil, nil, err
	}
	p, names, _ := m.profile()
	return p, m.list(), names, nil
}

// MergeRecordedNotes is RecordedNotes for the profile MergeRecorded
// makes of runs.
func MergeRecordedNotes(runs []*Run) ([]string, error) {
	m, err := mergeRecordings(runs)
	if err != nil {
		return nil, err
	}
	_, _, notes := m.profile()
	return notes, nil
}

func mergeRecordings(runs []*Run) (*recording, error) {
	if len(runs) == 0 {
		return nil, errors.New("no recordings to merge")
	}
	var m *recording
	for i, r := range runs {
		if r.Recorded() == nil {
			return nil, fmt.Errorf("run %d of %d has no recording (not over, not record mode, or it did not start)", i+1, len(runs))
		}
		if err := r.RecordError(); err != nil {
			return nil, fmt.Errorf("run %d of %d: %w", i+1, len(runs), err)
		}
		if m == nil {
			m = &recording{cat: r.rec.cat, base: r.rec.base, counts: map[archNr]int{}, needs: map[string]bool{},
				namesOnly: r.rec.namesOnly, args: map[string]*argSeen{}, argsBy: map[archNr]*argSeen{}, native: r.rec.native}
		}
		for k, n := range r.rec.counts {
			m.counts[k] += n
		}
		for n := range r.rec.needs {
			m.needs[n] = true
		}
		m.clone3Answered += r.rec.clone3Answered
		for n, s := range r.rec.args {
			if have := m.args[n]; have != nil {
				have.merge(s)
			} else {
				c := newArgSeen(m.cat, n)
				c.merge(s)
				m.args[n] = c
			}
		}
	}
	return m, nil
}
