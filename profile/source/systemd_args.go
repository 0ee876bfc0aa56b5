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

func masked(idx uint, bit uint64) []*profile.Arg {
	return []*profile.Arg{{Index: idx, Op: profile.OpMaskedEqual, Value: bit, ValueTwo: bit}}
}

func errnoRule(name string, errno uint, args []*profile.Arg) *profile.Rule {
	return &profile.Rule{Names: []string{name}, Action: profile.ActErrno, ErrnoRet: &errno, Args: args}
}

// rules are the directives' filters as rules to put before the main
// filter's; main is what that filter does with a call.
func (x *sdExtra) rules(archs []catalog.Arch, main func(string) profile.Action, o *Opened) []*profile.Rule {
	var out []*profile.Rule
	through := func(n string) bool { return main(n).LetsThrough() }
	eperm := uint(unix.EPERM)
	if x.afUsed && through("socket") {
		fams := make([]uint64, 0, len(x.af))
		for f := range x.af {
			fams = append(fams, f)
		}
		sort.Slice(fams, func(i, j int) bool { return fams[i] < fams[j] })
		for _, f := range fams {
			arg := []*profile.Arg{{Index: 0, Op: profile.OpEqualTo, Value: f}}
			if x.afAllow {
				out = append(out, &profile.Rule{Names: []string{"socket"}, Action: main("socket"), Args: arg})
			} else {
				out = append(out, errnoRule("socket", uint(unix.EAFNOSUPPORT), arg))
			}
		}
		if x.afAllow {
			out = append(out, errnoRule("socket", uint(unix.EAFNOSUPPORT), nil))
		}
		var mux []catalog.Arch
		for _, a := range archs {
			if a.Multiplexes() {
				mux = append(mux, a)
			}
		}
		if len(mux) > 0 {
			o.warnf("RestrictAddressFamilies=: systemd does not restrict families on %s, where socket() is reached through socketcall; the profile restricts them there too", profile.JoinArches(mux))
		}
	}
	if x.nsSet {
		var restricted []uint64
		for _, ns := range catalog.NamespaceTypes() {
			if x.retain&ns.Flag == 0 {
				restricted = append(restricted, ns.Flag)
			}
		}
		for _, f := range restricted {
			if through("clone") {
				out = append(out, errnoRule("clone", eperm, masked(0, f)))
			}
			if through("unshare") {
				out = append(out, errnoRule("unshare", eperm, masked(0, f)))
			}
			if through("setns") {
				out = append(out, errnoRule("setns", eperm, masked(1, f)))
			}
		}
		if len(restricted) > 0 {
			if through("setns") {
				if x.retain == 0 {
					out = append(out, errnoRule("setns", eperm, nil))
				} else {
					out = append(out, errnoRule("setns", eperm, []*profile.Arg{{Index: 1, Op: profile.OpEqualTo, Value: 0}}))
				}
			}
			if through("clone3") {
				out = append(out, errnoRule("clone3", profile.ENOSYS, nil))
			}
		}
	}
	if x.lock && through("personality") {
		for _, v := range []uint64{0, 0xffffffff} {
			out = append(out, &profile.Rule{Names: []string{"personality"}, Action: main("personality"), Args: []*profile.Arg{{Index: 0, Op: profile.OpEqualTo, Value: v}}})
		}
		out = append(out, errnoRule("personality", eperm, nil))
	}
	if x.mdwe {
		const w, ex = unix.PROT_WRITE, unix.PROT_EXEC
		for _, r := range []struct {
			name string
			idx  uint
			bits uint64
		}{{"mmap", 2, w | ex}, {"mprotect", 2, ex}, {"pkey_mprotect", 2, ex}, {"shmat", 2, 0o100000}} {
			if through(r.name) {
				out = append(out, errnoRule(r.name, eperm, masked(r.idx, r.bits)))
			}
		}
	}
	return out
}
