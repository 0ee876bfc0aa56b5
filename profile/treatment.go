package profile

import "github.com/seccomp-workbench/seccomp-workbench/catalog"

// Treatment is what an effective profile does with one syscall on one
// ABI. Lint, diff's descriptions, the catalog's badges and the preset
// table all read it from Treatments rather than each walking the rules.
type Treatment struct {
	// Exists: the call has a number on the ABI.
	Exists bool
	// Decision is the outcome for all-zero arguments with the default
	// options (the ENOSYS stub on), as the compiled filter answers it:
	// Decide's answer. It is zero when the call does not exist.
	Decision Decision
	// Otherwise is the outcome when no argument condition holds: the
	// first rule naming the call without conditions, else the stub for
	// calls newer than the profile, else the default.
	Otherwise Decision
	// Conditional: a rule with argument conditions names the call before
	// the one that decides it, so some argument values get another
	// outcome.
	Conditional bool
	// CondAllow: one of those conditional rules lets the call through.
	CondAllow bool
}

// Allowed reports whether some invocation of the call is let through.
func (t Treatment) Allowed() bool {
	return t.Exists && (t.Decision.Action.LetsThrough() || t.CondAllow)
}

// AllowedAlways reports whether every invocation is let through,
// whatever its arguments.
func (t Treatment) AllowedAlways() bool {
	return t.Exists && t.Decision.Action.LetsThrough() && !t.Conditional
}

// Denied reports whether no invocation is let through.
func (t Treatment) Denied() bool {
	return t.Exists && t.Decision.Action.Denies() && !t.CondAllow
}

// ENOSYS reports whether the call fails with ENOSYS, which callers such
// as glibc read as "not implemented here" and answer with a fallback.
func (t Treatment) ENOSYS() bool {
	return t.Decision.Action.Canon() == ActErrno && t.Decision.Errno == ENOSYS
}

// Treatments gives every catalog call's Treatment on arch in one pass
// over the rules (Decide answers one call at a time and scans the rules
// each time). Within the filter the kernel's first-match rule holds: the
// first rule naming a call whose conditions hold decides.
func (e *Effective) Treatments(arch catalog.Arch) map[string]Treatment {
	cat := catalog.MustDefault()
	named := make(map[string]*firstRules, 512)
	get := func(n string) *firstRules {
		f := named[n]
		if f == nil {
			f = &firstRules{zero: -1, uncond: -1}
			named[n] = f
		}
		return f
	}
	mux := arch.Multiplexes()
	for i := range e.Rules {
		r := &e.Rules[i]
		zero := r.zeroHolds(arch)
		for _, n := range r.Names {
			get(n).add(i, len(r.Args) > 0, r.Action, zero)
		}
		if mux {
			for _, v := range r.mux {
				// Argument 0 is an operation (1 and up): never zero.
				get(v.mux).add(i, true, r.Action, false)
			}
		}
	}
	tc := e.treatContext(arch)
	out := make(map[string]Treatment, cat.Len())
	for _, ent := range cat.All() {
		out[ent.Name] = tc.treatment(cat, ent, named[ent.Name])
	}
	return out
}

// Treat is one call's Treatment on arch (the zero Treatment for a name
// the catalog lacks).
func (e *Effective) Treat(arch catalog.Arch, name string) Treatment {
	cat := catalog.MustDefault()
	ent, ok := cat.Lookup(name)
	if !ok {
		return Treatment{}
	}
	var f *firstRules
	for _, v := range e.RulesOn(arch, name) {
		if f == nil {
			f = &firstRules{zero: -1, uncond: -1}
		}
		f.add(v.Rule, len(v.Args) > 0, e.Rules[v.Rule].Action, len(v.Args) == 0 || argsMatch(arch, v.Args, [6]uint64{}))
	}
	return e.treatContext(arch).treatment(cat, ent, f)
}

// firstRules is what the rules naming one call say about it, in order.
type firstRules struct {
	zero, uncond    int // the first rule all-zero arguments satisfy, the first without conditions; -1 for none
	cond, condAllow bool
}

func (f *firstRules) add(i int, conditional bool, act Action, zeroHolds bool) {
	if f.zero < 0 && zeroHolds {
		f.zero = i
	}
	if f.uncond >= 0 {
		return
	}
	if conditional {
		f.cond = true
		f.condAllow = f.condAllow || act.LetsThrough()
		return
	}
	f.uncond = i
}

func (r *EffRule) zeroHolds(arch catalog.Arch) bool {
	return len(r.Args) == 0 || argsMatch(arch, r.Args, [6]uint64{})
}

// treatContext is what every call's Treatment on one ABI shares.
type treatContext struct {
	e        *Effective
	arch     catalog.Arch
	def      Decision
	limit    int64
	stub     bool
	inFilter bool
}

func (e *Effective) treatContext(arch catalog.Arch) treatContext {
	limit, stub := e.StubLimit(arch)
	return treatContext{e: e, arch: arch, def: e.DefaultDecision(), limit: limit, stub: stub, inFilter: e.HasArch(arch)}
}

func (tc treatContext) treatment(cat *catalog.Catalog, ent *catalog.Entry, f *firstRules) Treatment {
	nr, ok := ent.Number(tc.arch)
	stubbed := ok && tc.stub && sameABI(tc.arch, nr) && nr > tc.limit
	newer := Decision{Action: ActErrno, Errno: ENOSYS, Rule: RuleNewer}
	t := Treatment{Exists: ok, Otherwise: tc.def}
	switch {
	case f != nil && f.uncond >= 0:
		t.Otherwise = tc.e.ruleDecision(f.uncond)
	case stubbed:
		t.Otherwise = newer
	}
	if f != nil {
		t.Conditional, t.CondAllow = f.cond, f.condAllow
	}
	if !ok {
		return t
	}
	d := tc.def
	switch {
	case !tc.inFilter:
		d = Decision{Action: ActKillThread, Rule: RuleBadArch}
	case stubbed:
		d = newer
	case f != nil && f.zero >= 0:
		d = tc.e.ruleDecision(f.zero)
	}
	d.Syscall = cat.Name(tc.arch, nr)
	t.Decision = d
	return t
}

// ruleDecision is the outcome rule i gives.
func (e *Effective) ruleDecision(i int) Decision {
	r := e.Rules[i]
	return Decision{Action: r.Action, Errno: r.Errno, Rule: i}
}
