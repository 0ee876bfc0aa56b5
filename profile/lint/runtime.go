package lint

import (
	"fmt"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Checks about the container runtime that loads the filter.
//
// runc's init loads the filter as late as it can, but not last. With
// no_new_privs set (Docker's --security-opt no-new-privileges,
// Kubernetes' allowPrivilegeEscalation: false) it loads it just before
// the end, and then still: closes its log pipe (close), reopens the exec
// fifo through /proc/self/fd (openat) and writes "0" into it for `runc
// start` (write), lists /proc/self/fd to close the fds the container must
// not inherit (getdents64) and execs the container's process (execve).
// Without no_new_privs, which is Docker's, Podman's and Kubernetes'
// default, the filter goes in before the switch to the container's user
// and capabilities, so these come after it too: reading /proc/self/status
// (read), fixing the ownership of stdio (fstat, newfstatat), setgroups,
// setgid, setuid, the capability sets (capget, capset, prctl for the
// bounding set), the parent check (getppid) and the chdir to the working
// directory. Each of these, denied alone, stops Debian's runc 1.1.5 from
// starting the container (the runc differential test tries them); runc
// is written in Go, whose os package uses openat and getdents64 on every
// ABI, so open and getdents do not stand in for them. Go's runtime wakes
// its threads with futex whenever they meet: denied, runc crashes now and
// then ("futexwakeup ... returned -1"), the container with it.

// RuntimeNeed is one call runc's init makes after loading the filter.
type RuntimeNeed struct {
	Name string
	// Always: needed even with no_new_privs; otherwise only without it.
	Always bool
	Why    string
}

var runtimeNeeds = []RuntimeNeed{
	{"execve", true, "it execs the container's process, its last call"},
	{"write", true, `it writes "0" to the exec fifo, which is what "runc start" waits for`},
	{"close", true, "it closes its log and sync pipes and the fds the container must not inherit"},
	{"openat", true, "it reopens the exec fifo through /proc/self/fd"},
	{"getdents64", true, "it lists /proc/self/fd to close the fds the container must not inherit"},
	{"futex", true, "Go's runtime in runc wakes its threads with it"},
	{"read", false, "it reads /proc/self/status"},
	{"fstat", false, "it checks the ownership of the container's stdio"},
	{"newfstatat", false, "it checks the ownership of the container's stdio"},
	{"setgroups", false, "it sets the container user's groups"},
	{"setgid", false, "it switches to the container user's group"},
	{"setuid", false, "it switches to the container's user"},
	{"capget", false, "it reads its capability sets before applying the container's"},
	{"capset", false, "it applies the container's capability sets"},
	{"prctl", false, "it drops capabilities from the bounding set"},
	{"getppid", false, "it checks that its parent is still there"},
	{"chdir", false, "it changes to the container's working directory"},
}

// RuntimeNeeds lists the calls runc's init makes after loading the
// filter, in the order it makes them.
func RuntimeNeeds() []RuntimeNeed { return append([]RuntimeNeed(nil), runtimeNeeds...) }

// runtimeNeeds reports the calls runc's init needs after loading the
// filter that the profile denies on the host's ABI, one finding for
// those it always needs and one for those it needs without
// no_new_privs. A profile meant only for a program started under the
// filter by something else (the workbench's run, bubblewrap, systemd)
// does not need them, so these are warnings.
func (l *linter) runtimeNeeds() {
	if len(l.e.Arches) == 0 || l.has("empty-allowlist") {
		return
	}
	host := l.e.Arches[0]
	var denied [2][]string // [0]: always needed, [1]: without no_new_privs
	var sometimes []string
	for _, need := range runtimeNeeds {
		t := l.treat(host, need.Name)
		tier := 0
		if !need.Always {
			tier = 1
		}
		switch {
		case !t.Exists:
		case t.Denied():
			denied[tier] = append(denied[tier], fmt.Sprintf("%s (%s)", need.Name, t.Decision))
		case t.Conditional && !t.AllowedAlways():
			sometimes = append(sometimes, need.Name)
		}
	}
	const other = "unless the profile is only for programs started under the filter by something else (seccomp-workbench run, bubblewrap, systemd)"
	if d := denied[0]; len(d) > 0 {
		l.add(SevWarning, "runtime-needs", -1, "",
			fmt.Sprintf("denied on %s: %s; runc's init makes these calls after loading the filter (to reopen its exec fifo, close the fds the container must not inherit and exec its process, and futex for Go's runtime), so under runc (Docker, Podman, containerd, Kubernetes) the container does not start", host, strings.Join(d, ", ")),
			"allow them, "+other)
	}
	if d := denied[1]; len(d) > 0 {
		l.add(SevWarning, "runtime-needs", -1, "",
			fmt.Sprintf("denied on %s: %s; without no_new_privs (Docker's, Podman's and Kubernetes' default) runc's init makes these calls after loading the filter, to switch to the container's user and capabilities, so under runc such a container does not start", host, strings.Join(d, ", ")),
			"allow them, or run the container with no_new_privs (--security-opt no-new-privileges, allowPrivilegeEscalation: false), "+other)
	}
	if len(sometimes) > 0 {
		l.add(SevWarning, "runtime-needs", -1, "",
			fmt.Sprintf("allowed on %s only for some arguments: %s; runc's init makes these calls after loading the filter, and if its own do not match, the container does not start under runc", host, strings.Join(sometimes, ", ")),
			"allow them unconditionally, "+other)
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

// runtimeDrops reports what a runtime built on the linked libseccomp
// does differently: it drops the names the library does not know (see
// profile.RuntimeDrops). One finding per difference, naming every call it
// applies to.
func (l *linter) runtimeDrops() {
	type group struct {
		first profile.RuntimeDrop
		names []string
	}
	var groups []*group
	byOutcome := map[string]*group{}
	for _, d := range l.e.RuntimeDrops() {
		key := fmt.Sprint(d.Here, d.Runtime, d.Runtime.Rule == profile.RuleNewer)
		g := byOutcome[key]
		if g == nil {
			g = &group{first: d}
			byOutcome[key] = g
			groups = append(groups, g)
		}
		g.names = append(g.names, d.Name)
	}
	for _, g := range groups {
		// The finding is about its first call, so that a jump from it
		// lands on one of them; the message names them all.
		d := g.first
		them, they, numbers := "them", "they get", "numbers are"
		if len(g.names) == 1 {
			them, they, numbers = "it", "it gets", "number is"
		}
		why := "its default action"
		if d.Runtime.Rule == profile.RuleNewer {
			why = "its ENOSYS stub, as the " + numbers + " above every call it kept"
		}
		l.add(SevWarning, "runtime-drops", d.Rule, d.Name,
			fmt.Sprintf("libseccomp %s does not know %s, so runc built on it drops %s (runc ignores names the library cannot resolve): under such a runc %s %s on %s from %s, where this filter gives %s",
				profile.LinkedLibseccomp(), strings.Join(g.names, ", "), them, they, d.Runtime, d.Arch, why, d.Here),
			"expect this on hosts whose runtime links this libseccomp; a newer libseccomp knows the names")
	}
}
