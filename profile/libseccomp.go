package profile

import (
	"fmt"
	"sync"

	seccomp "github.com/seccomp/libseccomp-golang"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Two libseccomps matter and they need not be the same: the one whose
// tables generated the catalog (catalog.LibseccompVersion, fixed when
// numbers.json was made) and the one linked into this binary, which
// compiles the filters. A name the linked library cannot resolve is
// compiled by number in the workbench's prelude, and conditions on it
// are refused; the functions below ask the linked library at run time.

// LinkedLibseccomp is the version of the libseccomp this binary runs
// with ("2.5.4").
func LinkedLibseccomp() string {
	major, minor, micro := seccomp.GetLibraryVersion()
	return fmt.Sprintf("%d.%d.%d", major, minor, micro)
}

// LinkedKnows reports whether the linked libseccomp resolves name to a
// syscall (on some ABI it knows, not necessarily this one). The library
// cannot change while the process runs, so each answer is kept.
func LinkedKnows(name string) bool {
	if v, ok := linkedKnows.Load(name); ok {
		return v.(bool)
	}
	_, err := seccomp.GetSyscallFromName(name)
	linkedKnows.Store(name, err == nil)
	return err == nil
}

var linkedKnows sync.Map // name -> bool

// A container runtime built on the linked libseccomp reads the same file
// differently from the workbench in one way: runc's matchCall resolves
// each name with seccomp_syscall_resolve_name and, when the library does
// not know it, logs "unknown seccomp syscall ignored" at debug level and
// leaves the name out; its ENOSYS stub likewise counts only the names the
// library resolves. So a call newer than the library is dropped from
// runc's filter, where the workbench compiles it by number: an allowed
// call falls to the default action or to runc's ENOSYS stub, a denied
// one to the default (allow, in a deny-list).

// RuntimeDrop is one name that such a runtime leaves out, with what the
// call gets here and there.
type RuntimeDrop struct {
	// Rule is the index in Source.Syscalls of the first rule naming it.
	Rule int
	Name string
	Arch catalog.Arch
	// Here is what the workbench's filter does with the call (all-zero
	// arguments); Runtime is what the runtime's filter does.
	Here, Runtime Decision
}

// RuntimeDrops lists, per name, the calls on the host's ABI whose outcome
// differs in a runtime built on the linked libseccomp.
func (e *Effective) RuntimeDrops() []RuntimeDrop {
	if len(e.Arches) == 0 {
		return nil
	}
	host := e.Arches[0]
	sa, err := seccomp.GetArchFromString(host.Native())
	if err != nil {
		return nil
	}
	knows := func(n string) bool {
		_, err := seccomp.GetSyscallFromNameByArch(n, sa)
		return err == nil
	}
	rt := *e
	rt.Rules = nil
	type drop struct {
		name string
		rule int
	}
	var dropped []drop
	seen := map[string]bool{}
	for _, r := range e.Rules {
		kept := r
		kept.Names = nil
		for _, n := range r.Names {
			if knows(n) {
				kept.Names = append(kept.Names, n)
			} else if !seen[n] {
				seen[n] = true
				dropped = append(dropped, drop{n, r.Index})
			}
		}
		if len(kept.Names) > 0 {
			rt.Rules = append(rt.Rules, kept)
		}
	}
	if len(dropped) == 0 {
		return nil
	}
	rt.maxNr = rt.maxNumbers()
	var out []RuntimeDrop
	for _, d := range dropped {
		here, ok := e.DecideName(host, d.name, [6]uint64{}, Options{})
		if !ok {
			continue // not a call on this ABI
		}
		there, _ := rt.DecideName(host, d.name, [6]uint64{}, Options{})
		if here.Same(there) {
			continue
		}
		out = append(out, RuntimeDrop{Rule: d.rule, Name: d.name, Arch: host, Here: here, Runtime: there})
	}
	return out
}

// String says the difference in one sentence.
func (d RuntimeDrop) String() string {
	why := "its default action"
	if d.Runtime.Rule == RuleNewer {
		why = "its ENOSYS stub, as the number is above every call it kept"
	}
	return fmt.Sprintf("libseccomp %s does not know the name, so runc built on it drops it (runc ignores names the library cannot resolve): under such a runc the call on %s gets %s from %s, where this filter gives %s",
		LinkedLibseccomp(), d.Arch, d.Runtime, why, d.Here)
}
