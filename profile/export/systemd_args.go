package export

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// SystemCallFilter= cannot compare arguments, but systemd has directives
// that install filters of their own for some argument rules (systemd's
// seccomp-util.c):
//
//   - RestrictAddressFamilies= fails socket() for the families it does
//     not allow with EAFNOSUPPORT. An allow-list also fails every family
//     above the highest listed; a "~" list fails only those listed. Not on
//     ABIs that reach socket() through socketcall (x86, s390, ppc).
//   - RestrictNamespaces= fails with EPERM unshare() and clone() (arg0)
//     with a flag of a namespace type it does not list, and setns()
//     (arg1) for those types and for nstype 0 unless every type is
//     allowed; clone3() answers ENOSYS, so that glibc falls back to clone.
//   - LockPersonality=yes fails personality() with EPERM unless arg0 is
//     the current personality (PER_LINUX, 0): a query (0xffffffff) too.
//   - MemoryDenyWriteExecute=yes fails with EPERM mmap() with both
//     PROT_WRITE and PROT_EXEC, mprotect() and pkey_mprotect() with
//     PROT_EXEC, and shmat() with SHM_EXEC; on x86 and s390 it filters
//     mmap2 and fails the old mmap whatever its arguments, and arm has
//     only mmap2: those ABIs are left to the notes.
//
// A directive is written only when everything it fails the profile fails
// too, so the drop-in never denies what the profile allows (for socket
// families: every family number below AF_MAX; the kernel fails the
// others itself, and an allow-list also fails a 64-bit value whose low
// half names a family); what it lets through that the profile does not,
// or answers with another errno, is a note.

// sdArgs is what the directives say: lines for the [Service] section and,
// per syscall, the directive that restricts it and what still differs.
type sdArgs struct {
	lines []string
	// by names the directive restricting a call; rest says what it does
	// not carry ("" when exact).
	by, rest map[string]string
}

// shmExec is SHM_EXEC (<linux/shm.h>).
const shmExec = 0o100000

// planArgs decides the argument directives for e on its first ABI (the
// host's): the others are noted where systemd treats them differently.
func planArgs(e *profile.Effective) sdArgs {
	a := sdArgs{by: map[string]string{}, rest: map[string]string{}}
	arch := e.Arches[0]
	dec := func(name string, args ...uint64) (profile.Decision, bool) {
		var in [6]uint64
		copy(in[:], args)
		return e.DecideName(arch, name, in, profile.Options{NoENOSYS: true})
	}
	allows := func(name string, args ...uint64) bool {
		d, ok := dec(name, args...)
		return ok && d.Action.LetsThrough()
	}
	// safe: the directive fails no call of name that the profile lets
	// through, over the inputs around every comparison the profile makes
	// (its outcome is the same between them) and the extra ones given.
	// exact records a call whose outcome differs on some probe (the
	// directive lets through what the profile fails, or fails it with
	// another errno than EPERM).
	inexact := map[string]bool{}
	safe := func(name string, fails func([6]uint64) bool, extra ...[6]uint64) bool {
		for _, in := range append(profile.ArgInputs(arch, name, e), extra...) {
			d, ok := e.DecideName(arch, name, in, profile.Options{NoENOSYS: true})
			if !ok {
				continue
			}
			through := d.Action.LetsThrough()
			if through && fails(in) {
				return false
			}
			if !through && (!fails(in) || d.Action.Canon() != profile.ActErrno || d.Errno != uint(unix.EPERM)) {
				inexact[name] = true
			}
		}
		return true
	}
	onlyIndex := func(name string, idx uint) bool {
		views := e.RulesOn(arch, name)
		for _, v := range views {
			for _, c := range v.Args {
				if c.Index != idx {
					return false
				}
			}
		}
		return true
	}
	a.families(arch, e.Arches, dec, allows, onlyIndex)
	a.namespaces(arch, allows, safe, onlyIndex)
	a.personality(allows, safe, onlyIndex)
	a.writeExecute(e.Arches, allows, safe)
	for name, d := range a.by {
		if inexact[name] && a.rest[name] == "" && d != "RestrictAddressFamilies=" {
			a.rest[name] = "the profile fails more of its calls, or with another errno than EPERM"
		}
	}
	return a
}

func (a *sdArgs) families(arch catalog.Arch, abis []catalog.Arch, dec func(string, ...uint64) (profile.Decision, bool), allows func(string, ...uint64) bool, onlyIndex func(string, uint) bool) {
	if arch.Multiplexes() || !onlyIndex("socket", 0) {
		return
	}
	var allowed, denied []string
	var errnos []string
	for v := uint64(1); v < catalog.AFMax; v++ {
		if allows("socket", v) {
			allowed = append(allowed, catalog.AddressFamilyName(v))
			continue
		}
		denied = append(denied, catalog.AddressFamilyName(v))
		if d, _ := dec("socket", v); !(d.Action.Canon() == profile.ActErrno && d.Errno == uint(unix.EAFNOSUPPORT)) {
			errnos = appendOnce(errnos, d.String())
		}
	}
	if len(denied) == 0 || len(allowed) == 0 {
		// SystemCallFilter= says it: socket() allowed, or denied.
		return
	}
	line := "RestrictAddressFamilies=~" + strings.Join(denied, " ")
	if len(allowed) < len(denied) {
		line = "RestrictAddressFamilies=" + strings.Join(allowed, " ")
	}
	a.lines = append(a.lines, line)
	a.by["socket"] = "RestrictAddressFamilies="
	var rest []string
	if len(errnos) > 0 {
		rest = append(rest, fmt.Sprintf("the families it fails answer errno(EAFNOSUPPORT), not %s", strings.Join(errnos, ", ")))
	}
	var mux []catalog.Arch
	for _, ab := range abis {
		if ab.Multiplexes() {
			mux = append(mux, ab)
		}
	}
	if len(mux) > 0 {
		rest = append(rest, fmt.Sprintf("systemd does not restrict families on %s, where socket() is reached through socketcall", profile.JoinArches(mux)))
	}
	a.rest["socket"] = strings.Join(rest, "; ")
}

func (a *sdArgs) namespaces(arch catalog.Arch, allows func(string, ...uint64) bool, safe func(string, func([6]uint64) bool, ...[6]uint64) bool, onlyIndex func(string, uint) bool) {
	if arch == catalog.S390 || arch == catalog.S390X || !onlyIndex("clone", 0) || !allows("clone", 0) {
		return
	}
	var retain []string
	var restricted uint64
	var probes [][6]uint64
	for _, ns := range catalog.NamespaceTypes() {
		probes = append(probes, [6]uint64{ns.Flag}, [6]uint64{1: ns.Flag})
		if allows("clone", ns.Flag) {
			retain = append(retain, ns.Name)
		} else {
			restricted |= ns.Flag
		}
	}
	if restricted == 0 {
		return
	}
	// Everything the directive fails the profile must fail too: clone and
	// unshare with a restricted flag, setns with one or with nstype 0,
	// and clone3.
	flagged := func(i int) func([6]uint64) bool {
		return func(in [6]uint64) bool { return in[i]&restricted != 0 }
	}
	if !safe("clone", flagged(0), probes...) || !safe("unshare", flagged(0), probes...) ||
		!safe("setns", func(in [6]uint64) bool { return in[1]&restricted != 0 || in[1] == 0 }, probes...) ||
		allows("clone3") {
		return
	}
	line := "RestrictNamespaces=yes"
	if len(retain) > 0 {
		line = "RestrictNamespaces=" + strings.Join(retain, " ")
	}
	a.lines = append(a.lines, line)
	for _, n := range []string{"clone", "unshare", "setns"} {
		a.by[n] = "RestrictNamespaces="
	}
}

func (a *sdArgs) personality(allows func(string, ...uint64) bool, safe func(string, func([6]uint64) bool, ...[6]uint64) bool, onlyIndex func(string, uint) bool) {
	if !onlyIndex("personality", 0) || !allows("personality", 0) {
		return
	}
	// systemd fails every personality() but PER_LINUX, a query
	// (0xffffffff) too. A few values programs use besides the profile's
	// own: the query, PER_LINUX32, ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC.
	locked := func(in [6]uint64) bool { return in[0] != 0 }
	if !safe("personality", locked, [6]uint64{0xffffffff}, [6]uint64{0x8}, [6]uint64{0x40000}, [6]uint64{0x0400000}) {
		return
	}
	a.lines = append(a.lines, "LockPersonality=yes")
	a.by["personality"] = "LockPersonality="
}

func (a *sdArgs) writeExecute(abis []catalog.Arch, allows func(string, ...uint64) bool, safe func(string, func([6]uint64) bool, ...[6]uint64) bool) {
	const w, x = unix.PROT_WRITE, unix.PROT_EXEC
	if !allows("mmap", 0, 4096, unix.PROT_READ) {
		return
	}
	for _, ab := range abis {
		if ab == catalog.X86 || ab == catalog.S390 || ab == catalog.ARM {
			return
		}
	}
	wx := func(in [6]uint64) bool { return in[2]&(w|x) == w|x }
	exec := func(in [6]uint64) bool { return in[2]&x != 0 }
	if !safe("mmap", wx, [6]uint64{2: w | x}, [6]uint64{2: unix.PROT_READ | w | x}) ||
		!safe("mprotect", exec, [6]uint64{2: x}, [6]uint64{2: unix.PROT_READ | x}) ||
		!safe("pkey_mprotect", exec, [6]uint64{2: x}) ||
		!safe("shmat", func(in [6]uint64) bool { return in[2]&shmExec != 0 }, [6]uint64{2: shmExec}) {
		return
	}
	a.lines = append(a.lines, "MemoryDenyWriteExecute=yes")
	for _, n := range []string{"mmap", "mprotect", "pkey_mprotect", "shmat"} {
		a.by[n] = "MemoryDenyWriteExecute="
	}
}

// note is the note for an argument-dependent call: what the drop-in does
// with it instead of comparing arguments.
func (a sdArgs) note(c sdCall, otherwise string) string {
	d, ok := a.by[c.name]
	if !ok {
		return fmt.Sprintf("%s: %s; %s", c.name, c.desc, otherwise)
	}
	if r := a.rest[c.name]; r != "" {
		return fmt.Sprintf("%s: %s; SystemCallFilter= cannot compare arguments: %s restricts it, but %s", c.name, c.desc, d, r)
	}
	return fmt.Sprintf("%s: %s; SystemCallFilter= cannot compare arguments, and %s says the same", c.name, c.desc, d)
}

func appendOnce(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	s = append(s, v)
	sort.Strings(s)
	return s
}
