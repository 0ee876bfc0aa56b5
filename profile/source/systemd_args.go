package source

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// sdExtra holds the directives whose own filters systemd stacks on
// SystemCallFilter=, combined line by line as systemd's parsers combine
// them. Stacked filters: a denial beats an allow, so each becomes rules
// in front of the profile's, for the calls the main filter lets through.
type sdExtra struct {
	// RestrictAddressFamilies=: used, allow-list or "~" list, the set.
	afUsed, afAllow bool
	af              map[uint64]bool
	// RestrictNamespaces=: the flags kept; nsSet once assigned.
	nsSet  bool
	retain uint64
	lock   bool // LockPersonality=
	mdwe   bool // MemoryDenyWriteExecute=
}

func sdBool(name string, l sdLine) (bool, error) {
	switch strings.ToLower(l.val) {
	case "", "no", "false", "off", "0", "n":
		return false, nil
	case "yes", "true", "on", "1", "y":
		return true, nil
	}
	return false, fmt.Errorf("%s:%d:%d: %s=%s: use yes or no", name, l.line, l.col, l.key, l.val)
}

func (x *sdExtra) apply(name string, l sdLine, o *Opened) error {
	var err error
	switch l.key {
	case "LockPersonality":
		x.lock, err = sdBool(name, l)
	case "MemoryDenyWriteExecute":
		x.mdwe, err = sdBool(name, l)
	case "RestrictNamespaces":
		err = x.namespaces(name, l)
	case "RestrictAddressFamilies":
		x.families(name, l, o)
	}
	return err
}

func (x *sdExtra) namespaces(name string, l sdLine) error {
	all := uint64(0)
	for _, ns := range catalog.NamespaceTypes() {
		all |= ns.Flag
	}
	if l.val == "" {
		x.nsSet, x.retain = false, 0
		return nil
	}
	if b, err := sdBool(name, l); err == nil {
		// A boolean replaces what came before: yes restricts every type.
		x.nsSet, x.retain = true, all
		if b {
			x.retain = 0
		}
		return nil
	}
	invert := strings.HasPrefix(l.val, "~")
	var flags uint64
	for _, w := range strings.Fields(strings.TrimPrefix(l.val, "~")) {
		found := false
		for _, ns := range catalog.NamespaceTypes() {
			if ns.Name == w {
				flags, found = flags|ns.Flag, true
			}
		}
		if !found {
			return fmt.Errorf("%s:%d:%d: RestrictNamespaces=: unknown namespace type %q: use cgroup, ipc, net, mnt, pid, user, uts", name, l.line, l.col+strings.Index(l.val, w), w)
		}
	}
	switch {
	case !x.nsSet && invert:
		x.retain = all &^ flags
	case !x.nsSet:
		x.retain = flags
	case invert:
		x.retain &^= flags
	default:
		x.retain |= flags
	}
	x.nsSet = true
	return nil
}

func (x *sdExtra) families(name string, l sdLine, o *Opened) {
	if l.val == "" {
		x.afUsed, x.af = false, nil
		return
	}
	if l.val == "none" {
		x.afUsed, x.afAllow, x.af = true, true, map[uint64]bool{}
		return
	}
	invert := strings.HasPrefix(l.val, "~")
	if !x.afUsed {
		x.afUsed, x.afAllow, x.af = true, !invert, map[uint64]bool{}
	}
	val := strings.TrimPrefix(l.val, "~")
	for _, w := range strings.Fields(val) {
		v, ok := catalog.AddressFamily(w)
		if !ok {
			o.warnf("%s:%d:%d: unknown address family %s: systemd ignores it", name, l.line, l.col+strings.Index(l.val, w), w)
			continue
		}
		if invert != x.afAllow {
			x.af[v] = true
		} else {
			delete(x.af, v)
		}
	}
}

func masked(idx uint, mask, datum uint64) []*profile.Arg {
	return []*profile.Arg{{Index: idx, Op: profile.OpMaskedEqual, Value: mask, ValueTwo: datum}}
}

func cmp(idx uint, op profile.Operator, v uint64) []*profile.Arg {
	return []*profile.Arg{{Index: idx, Op: op, Value: v}}
}

// argRule is what one directive does to one call: fails it with errno
// when any deny set of conditions holds; allow are the sets under which
// it lets the call through (the complement), used when errno is the
// profile's default action, which a rule cannot repeat.
type argRule struct {
	name        string
	errno       uint
	deny, allow [][]*profile.Arg
}

// argRules are the directives' filters, call by call.
func (x *sdExtra) argRules() []argRule {
	var out []argRule
	eperm := uint(unix.EPERM)
	if x.afUsed {
		r := argRule{name: "socket", errno: uint(unix.EAFNOSUPPORT)}
		fams := make([]uint64, 0, len(x.af))
		for f := range x.af {
			fams = append(fams, f)
		}
		sort.Slice(fams, func(i, j int) bool { return fams[i] < fams[j] })
		in := func(v uint64) bool { return x.af[v] }
		if !x.afAllow {
			in = func(v uint64) bool { return !x.af[v] }
		}
		// As systemd writes an allow-list: below the first, above the
		// last, and each gap; a "~" list names its families.
		var lo, hi uint64 = 1, catalog.AFMax - 1
		if x.afAllow {
			if len(fams) == 0 {
				r.deny = [][]*profile.Arg{nil}
			} else {
				lo, hi = fams[0], fams[len(fams)-1]
				r.deny = append(r.deny, cmp(0, profile.OpLessThan, lo), cmp(0, profile.OpGreaterThan, hi))
			}
		}
		for v := uint64(0); v <= hi+1 && v < catalog.AFMax+1; v++ {
			switch {
			case x.afAllow && v > lo && v < hi && !in(v):
				r.deny = append(r.deny, cmp(0, profile.OpEqualTo, v))
			case !x.afAllow && x.af[v]:
				r.deny = append(r.deny, cmp(0, profile.OpEqualTo, v))
			}
		}
		for _, f := range fams {
			if x.afAllow {
				r.allow = append(r.allow, cmp(0, profile.OpEqualTo, f))
			}
		}
		if !x.afAllow && len(fams) > 0 {
			// The complement of a "~" list: below the first, the gaps,
			// above the last.
			first, last := fams[0], fams[len(fams)-1]
			r.allow = append(r.allow, cmp(0, profile.OpLessThan, first))
			for v := first + 1; v < last; v++ {
				if !x.af[v] {
					r.allow = append(r.allow, cmp(0, profile.OpEqualTo, v))
				}
			}
			r.allow = append(r.allow, cmp(0, profile.OpGreaterThan, last))
		}
		out = append(out, r)
	}
	if x.nsSet {
		var restricted, kept []uint64
		var mask uint64
		for _, ns := range catalog.NamespaceTypes() {
			if x.retain&ns.Flag == 0 {
				restricted, mask = append(restricted, ns.Flag), mask|ns.Flag
			} else {
				kept = append(kept, ns.Flag)
			}
		}
		if len(restricted) > 0 {
			for _, n := range []string{"clone", "unshare"} {
				r := argRule{name: n, errno: eperm, allow: [][]*profile.Arg{masked(0, mask, 0)}}
				for _, f := range restricted {
					r.deny = append(r.deny, masked(0, f, f))
				}
				out = append(out, r)
			}
			r := argRule{name: "setns", errno: eperm}
			if len(kept) == 0 {
				r.deny = [][]*profile.Arg{nil}
			} else {
				for _, f := range restricted {
					r.deny = append(r.deny, masked(1, f, f))
				}
				r.deny = append(r.deny, cmp(1, profile.OpEqualTo, 0))
				for _, f := range kept {
					r.allow = append(r.allow, cmp(1, profile.OpEqualTo, f))
				}
			}
			out = append(out, r, argRule{name: "clone3", errno: profile.ENOSYS, deny: [][]*profile.Arg{nil}})
		}
	}
	if x.lock {
		// systemd fails every personality() but the current one
		// (PER_LINUX), queries (0xffffffff) included.
		out = append(out, argRule{name: "personality", errno: eperm,
			deny: [][]*profile.Arg{cmp(0, profile.OpNotEqual, 0)}, allow: [][]*profile.Arg{cmp(0, profile.OpEqualTo, 0)}})
	}
	if x.mdwe {
		const w, ex, shmExec = unix.PROT_WRITE, unix.PROT_EXEC, 0o100000
		out = append(out,
			argRule{name: "mmap", errno: eperm, deny: [][]*profile.Arg{masked(2, w|ex, w|ex)}, allow: [][]*profile.Arg{masked(2, w, 0), masked(2, ex, 0)}},
			argRule{name: "mprotect", errno: eperm, deny: [][]*profile.Arg{masked(2, ex, ex)}, allow: [][]*profile.Arg{masked(2, ex, 0)}},
			argRule{name: "pkey_mprotect", errno: eperm, deny: [][]*profile.Arg{masked(2, ex, ex)}, allow: [][]*profile.Arg{masked(2, ex, 0)}},
			argRule{name: "shmat", errno: eperm, deny: [][]*profile.Arg{masked(2, shmExec, shmExec)}, allow: [][]*profile.Arg{masked(2, shmExec, 0)}})
	}
	return out
}

// rules turns the directives into the profile's rules for the calls the
// main filter lets through (a denial there stays the denial). main holds
// the main filter's explicit rules by name; def is its default. A call
// with an explicit rule gets the directive's deny and allow sets in its
// place: libseccomp refuses an unconditional rule after conditional ones
// of the same call, and a rule whose action is the default, so a denial
// equal to the default is left to it.
func (x *sdExtra) rules(archs []catalog.Arch, main map[string]profile.Rule, def profile.Decision, o *Opened) []*profile.Rule {
	var out []*profile.Rule
	for _, r := range x.argRules() {
		act, explicit := def.Action, false
		if m, ok := main[r.name]; ok {
			act, explicit = m.Action, true
		}
		if !act.LetsThrough() {
			continue
		}
		own := !(profile.Decision{Action: profile.ActErrno, Errno: r.errno}).Same(def)
		if own && explicit && muxed(archs, r.name) {
			// On an ABI that multiplexes the call every rule becomes a
			// rule of the multiplexer with the same operation test, and
			// libseccomp refuses two of them with different actions.
			own = false
			o.warnf("%s: what the directives fail answers the default %s in the profile, not errno(%s): on %s its rules are the multiplexer's too, which cannot carry two errnos", r.name, def, profile.ErrnoName(r.errno), profile.JoinArches(archs))
		}
		if own {
			for _, a := range r.deny {
				out = append(out, errnoRule(r.name, r.errno, a))
			}
		}
		if explicit {
			delete(main, r.name)
			for _, a := range r.allow {
				out = append(out, &profile.Rule{Names: []string{r.name}, Action: act, Args: a})
			}
		}
	}
	var special []catalog.Arch
	for _, a := range archs {
		if a.Multiplexes() || a == catalog.ARM {
			special = append(special, a)
		}
	}
	if len(special) > 0 && (x.afUsed || x.mdwe) {
		o.warnf("RestrictAddressFamilies= and MemoryDenyWriteExecute= work differently on %s (socket() through socketcall, mmap2): the profile applies the x86_64 form to every ABI", profile.JoinArches(special))
	}
	return out
}

func errnoRule(name string, errno uint, args []*profile.Arg) *profile.Rule {
	return &profile.Rule{Names: []string{name}, Action: profile.ActErrno, ErrnoRet: &errno, Args: args}
}

// muxed: some ABI reaches the call through socketcall or ipc.
func muxed(archs []catalog.Arch, name string) bool {
	for _, a := range archs {
		if a.Multiplexes() && (name == "socket" || name == "shmat") {
			return true
		}
	}
	return false
}
