package lint

import (
	"fmt"
	"strings"
)

// Checks about the container runtime that loads the filter.
//
// runc's init loads the filter as late as it can, but not last: with
// no_new_privs (Docker with --security-opt no-new-privileges, Kubernetes
// with allowPrivilegeEscalation: false, Podman by default) the calls
// after seccomp_load, in libcontainer's standard_init_linux.go, are: close
// of the sync and log pipes; openat of /proc/thread-self/fd/N to reopen
// the exec fifo, write of "0" into it (what `runc start` waits for) and
// close; openat of /proc/thread-self/fd/ and getdents64 over it to close
// every inherited fd above the passed ones; and execve of the container's
// process. Without no_new_privs the filter is loaded earlier still, before
// the switch to the container's user (setgroups, setresgid, setresuid,
// capset, prctl), so the list only grows. Go's runtime in runc also fstats
// each file it opens and parks threads on futexes throughout. When any of
// these is denied the container does not start: runc reports the failed
// step, or the process is killed, before the workload runs.

// runtimeNeed is one call runc's init makes under the filter; any of
// names will do (the ABIs spell some calls differently).
type runtimeNeed struct {
	names []string
	why   string
}

var runtimeNeeds = []runtimeNeed{
	{[]string{"execve"}, "it execs the container's process under the filter, its last call"},
	{[]string{"write"}, `it writes "0" to the exec fifo, which is what "runc start" waits for`},
	{[]string{"close"}, "it closes its sync and log pipes, the fifo, and every inherited fd above the passed ones"},
	{[]string{"openat", "open"}, "it reopens the exec fifo through /proc/thread-self/fd and opens that directory to find the fds to close"},
	{[]string{"getdents64", "getdents"}, "it lists /proc/thread-self/fd to close the fds the container must not inherit"},
	{[]string{"fstat", "newfstatat", "fstat64", "statx"}, "Go's os package (runc is written in Go) fstats every file it opens"},
	{[]string{"futex"}, "Go's runtime parks and wakes runc's threads with futex"},
}

// runtimeNeeds reports the calls runc's init needs after loading the
// filter that the profile denies on the host's ABI. A profile meant only
// for a program started under the filter by something else (the
// workbench's run, bubblewrap, systemd) does not need them, so these are
// warnings.
func (l *linter) runtimeNeeds() {
	if len(l.e.Arches) == 0 || l.has("empty-allowlist") {
		return
	}
	host := l.e.Arches[0]
	for _, need := range runtimeNeeds {
		var present, denied, sometimes []string
		passes := false
		for _, n := range need.names {
			t := l.treat(host, n)
			if !t.Exists {
				continue
			}
			present = append(present, n)
			switch {
			case t.Denied():
				denied = append(denied, fmt.Sprintf("%s: %s", n, t.Decision))
			case t.Conditional && !t.AllowedAlways():
				sometimes = append(sometimes, n)
			default:
				// Allowed, or handed to a supervisor (the notify
				// checks say what that costs).
				passes = true
			}
		}
		if len(present) == 0 || passes {
			continue
		}
		subject := present[0]
		if len(denied) == 1 {
			denied[0] = strings.TrimPrefix(denied[0], subject+": ")
		}
		if len(sometimes) > 0 {
			l.add(SevWarning, "runtime-needs", -1, subject,
				fmt.Sprintf("allowed on %s only for some arguments, and runc's init needs it after loading the filter: %s; a container may not start", host, need.why),
				fmt.Sprintf("allow %s unconditionally", orList(present)))
			continue
		}
		l.add(SevWarning, "runtime-needs", -1, subject,
			fmt.Sprintf("denied on %s (%s), and runc's init needs it after loading the filter: %s; under runc (Docker, Podman, containerd, Kubernetes) the container does not start", host, strings.Join(denied, ", "), need.why),
			fmt.Sprintf("allow %s, unless the profile is only for programs started under the filter by something else (seccomp-workbench run, bubblewrap, systemd)", orList(present)))
	}
}

// has reports whether a finding with code was already made.
func (l *linter) has(code string) bool {
	for _, f := range l.out {
		if f.Code == code {
			return true
		}
	}
	return false
}

// runtimeDrops reports, per name, what a runtime built on the linked
// libseccomp does differently: it drops the names the library does not
// know (see profile.RuntimeDrops).
func (l *linter) runtimeDrops() {
	for _, d := range l.e.RuntimeDrops() {
		l.add(SevWarning, "runtime-drops", d.Rule, d.Name, d.String(),
			"expect this on hosts whose runtime links this libseccomp; a newer libseccomp knows the name")
	}
}
