package lint

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Checks about what the filter does with calls: families split between
// allow and deny, glibc's ENOSYS fallbacks, critical calls, multiplexers
// and notify on calls a supervisor handoff depends on.

// familySplit: the catalog's families group calls that do the same job
// (mkdir and mkdirat). A rule that denies one member while another is
// allowed on the same ABI does not stop the job. Only denials made by a
// rule count: in a deny-by-default profile a member that is merely not
// named (pread64 next to an allowed read) is an omission, which the run
// shows at once, not a denial that silently fails to hold — and listing
// every such member would bury the findings that matter. Denials with
// ENOSYS are left out too: they say "not implemented here" and exist
// precisely so that callers fall back to the older member (clone3 →
// clone).
func (l *linter) familySplit() {
	type split struct {
		d       profile.Decision
		arches  []catalog.Arch
		allowed []string
	}
	fams := l.cat.Families()
	ids := make([]string, 0, len(fams))
	for id := range fams {
		if substitutes(id) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		members := fams[id]
		splits := map[string]*split{}
		var order []string
		for _, a := range l.e.Arches {
			var denied, allowed []string
			ts := map[string]treatment{}
			for _, m := range members {
				t := l.treat(a, m)
				ts[m] = t
				switch {
				case t.AllowedAlways():
					// A sibling allowed only for some arguments is
					// usually the narrowing itself (open for reading
					// next to a denied creat).
					allowed = append(allowed, m)
				case t.Denied() && !t.ENOSYS() && l.splitMatters(m, t):
					denied = append(denied, m)
				}
			}
			for _, m := range denied {
				dent, _ := l.cat.Lookup(m)
				var subs []string
				for _, x := range allowed {
					// A less risky member is a narrower tool, not a way
					// round the denial: process_vm_readv cannot do what
					// process_vm_writev does. Nor can a getter stand in
					// for a setter (getrlimit for setrlimit).
					xent, _ := l.cat.Lookup(x)
					if xent.Risk.Rank() <= dent.Risk.Rank() && (!strings.Contains(x, "get") || strings.Contains(m, "get")) {
						subs = append(subs, x)
					}
				}
				if len(subs) == 0 {
					continue
				}
				s, ok := splits[m]
				if !ok {
					s = &split{d: ts[m].Decision}
					splits[m] = s
					order = append(order, m)
				}
				s.arches = appendOnce(s.arches, a)
				for _, x := range subs {
					if !slices.Contains(s.allowed, x) {
						s.allowed = append(s.allowed, x)
					}
				}
			}
		}
		for _, m := range order {
			s := splits[m]
			rule, by := l.decidedBy(s.d)
			verbs := "does the same job, is"
			if len(s.allowed) > 1 {
				verbs = "do the same job, are"
			}
			l.add(SevWarning, "family-split", rule, m,
				fmt.Sprintf("denied (%s, by %s) but %s, which %s allowed on %s: the denial does not stop the job",
					s.d, by, strings.Join(s.allowed, ", "), verbs, profile.JoinArches(s.arches)),
				fmt.Sprintf("deny %s as well, or allow %s", strings.Join(s.allowed, ", "), m))
		}
	}
}

// substitutes are the catalog families whose members can stand in for
// each other, so that allowing one undoes denying another. Families that
// group the calls of one API (shmget, shmat, shmctl; io_uring_setup and
// io_uring_enter; timer_create and timer_settime) are left out: denying
// one of those is a narrowing that the others do not undo. (A switch, not
// a map: nothing to build when the package starts.)
func substitutes(id string) bool {
	switch id {
	case "open", "close", "read", "write", "seek", "stat", "statfs", "access", "mkdir", "mknod",
		"rmdir-unlink", "rename", "link", "symlink", "readlink", "chmod", "chown", "truncate",
		"chdir", "getdents", "utime", "setxattr", "getxattr", "listxattr", "removexattr", "sync",
		"sync-range", "fadvise", "fcntl", "dup", "pipe", "sendfile", "poll", "eventfd", "fork",
		"exec", "exit", "wait", "kill", "sigaction", "sigprocmask", "sigreturn", "sigsuspend",
		"sigpending", "sigtimedwait", "signalfd", "mmap", "mprotect", "madvise", "process-vm",
		"futex", "thread-area", "clock-get", "clock-getres", "clock-set", "sleep", "accept", "send",
		"recv", "setuid", "setgid", "setgroups", "getuid", "getgid", "getgroups", "rlimit",
		"priority", "sched-set", "sched-get", "sched-rr", "namespaces", "kexec", "uname", "x86-io",
		"vm86":
		return true
	}
	return false
}

// splitMatters keeps denials made by a rule, except where the call needs
// a capability the Env lacks (Docker allows clock_settime only with
// CAP_SYS_TIME): the kernel then refuses the job whichever call asks, so
// allowing adjtimex gives nothing away.
func (l *linter) splitMatters(name string, t treatment) bool {
	if t.Decision.Rule < 0 {
		return false
	}
	ent, _ := l.cat.Lookup(name)
	return ent.Capability == "" || slices.Contains(l.e.Env.Caps, ent.Capability)
}

// fallback is a call that glibc tries first and replaces by an older one
// only when the kernel answers ENOSYS; any other failure is returned to
// the program as is.
type fallback struct {
	newer, older string
	sev          Severity
	code         string
	// why completes "... while older is allowed: ".
	why string
}

// The glibc behaviour behind each entry: since 2.34, pthread_create and
// posix_spawn create the child with clone3 and retry with clone on ENOSYS
// only; since 2.33 faccessat() calls faccessat2 first and retries with
// faccessat on ENOSYS only; since 2.39 fchmodat() with AT_SYMLINK_NOFOLLOW
// calls fchmodat2 and falls back on ENOSYS only. A thread that cannot be
// created breaks nearly every program, hence an error for clone3.
var knownFallbacks = []fallback{
	{"clone3", "clone", SevError, "clone3-errno",
		"glibc 2.34 and later create threads and posix_spawn children with clone3 and fall back to clone only on ENOSYS, so pthread_create and posix_spawn fail"},
	{"faccessat2", "faccessat", SevWarning, "enosys-fallback",
		"glibc 2.33 and later implement faccessat() with faccessat2 and fall back to faccessat only on ENOSYS, so faccessat() fails"},
	{"fchmodat2", "fchmodat", SevWarning, "enosys-fallback",
		"glibc 2.39 and later implement fchmodat() with AT_SYMLINK_NOFOLLOW (lchmod) with fchmodat2 and fall back only on ENOSYS, so it fails"},
}

// clone3 and fallbacks report a newer call denied with something other
// than ENOSYS while its older replacement is allowed: glibc never reaches
// the replacement. The decision includes the ENOSYS stub (on by default),
// which covers the newer call only when the profile names nothing above
// it.
func (l *linter) clone3()    { l.fallbackCheck(knownFallbacks[:1]) }
func (l *linter) fallbacks() { l.fallbackCheck(knownFallbacks[1:]) }

func (l *linter) fallbackCheck(fbs []fallback) {
	for _, fb := range fbs {
		var arches []catalog.Arch
		var d profile.Decision
		for _, a := range l.e.Arches {
			t := l.treat(a, fb.newer)
			if !t.Denied() || t.ENOSYS() || !l.treat(a, fb.older).Allowed() {
				continue
			}
			if len(arches) == 0 {
				d = t.Decision
			}
			arches = appendOnce(arches, a)
		}
		if len(arches) == 0 {
			continue
		}
		rule, by := l.decidedBy(d)
		// An error is a filter that breaks programs on a platform that
		// runs the ABI. x32 alone is a warning: few x86_64 kernels run
		// x32 programs (most are built without it or boot with it off),
		// and x32 numbers its own calls above clone3's, so a profile
		// that names one of them leaves clone3 out of the ENOSYS stub
		// there without meaning to.
		sev, note := fb.sev, ""
		if len(arches) == 1 && arches[0] == catalog.X32 {
			sev, note = SevWarning, " (x32 only: few systems run x32 programs)"
		}
		l.add(sev, fb.code, rule, fb.newer,
			fmt.Sprintf("gets %s (by %s) on %s while %s is allowed: %s%s",
				d, by, profile.JoinArches(arches), fb.older, fb.why, note),
			fmt.Sprintf(`answer %s with ENOSYS, as Docker's default does: {"names": ["%s"], "action": "SCMP_ACT_ERRNO", "errnoRet": %d}`, fb.newer, fb.newer, profile.ENOSYS))
	}
}

// noENOSYS is about a deny-by-default profile that leaves clone3 to the
// ENOSYS stub. What is true:
//   - With the stub (the default here, and what runc does), calls numbered
//     above every call the profile names get ENOSYS, so clone3 falls back
//     to clone — but only while the profile names nothing newer than
//     clone3; when it does, clone3 gets the default and clone3-errno says
//     so.
//   - Without the stub (Options.NoENOSYS, or a loader that compiles the
//     JSON with plain libseccomp) every unnamed call gets the default
//     action, and a default other than errno(ENOSYS) breaks thread
//     creation as above.
//
// So the finding is raised exactly when clone3's ENOSYS comes from the
// stub alone (its decision is RuleNewer) while clone is allowed: the
// profile works here and under runc but not everywhere. A default of
// errno(ENOSYS) or allow needs nothing; an explicit clone3 rule is judged
// by clone3-errno.
func (l *linter) noENOSYS() {
	if def := l.e.DefaultDecision(); !def.Action.Denies() || def.Errno == profile.ENOSYS {
		return
	}
	var arches []catalog.Arch
	for _, a := range l.e.Arches {
		t := l.treat(a, "clone3")
		if t.Exists && t.Decision.Rule == profile.RuleNewer && l.treat(a, "clone").Allowed() {
			arches = appendOnce(arches, a)
		}
	}
	if len(arches) == 0 {
		return
	}
	l.add(SevWarning, "no-enosys-default", -1, "clone3",
		fmt.Sprintf("gets ENOSYS on %s only from the stub for calls newer than the profile; loaded by something that adds no such stub (plain libseccomp, or this workbench with the stub off) it gets the default %s and glibc cannot create threads",
			profile.JoinArches(arches), l.e.DefaultDecision()),
		fmt.Sprintf(`name it: {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": %d}, as Docker's default does`, profile.ENOSYS))
}

// maxCritical: up to this many allowed critical calls get a
// finding each (with the catalog's reason); more are listed in one
// finding, which is the case for allow-by-default profiles.
const maxCritical = 5

// maxListed caps lists of names inside one message.
const maxListed = 4

// critical reports allowed calls of the catalog's critical tier.
func (l *linter) critical() {
	type hit struct {
		name string
		rule int
		cond bool
		ent  *catalog.Entry
	}
	var hits []hit
	for _, ent := range l.cat.All() {
		if ent.Risk != catalog.Critical {
			continue
		}
		for _, a := range l.e.Arches {
			t := l.treat(a, ent.Name)
			if !t.Allowed() {
				continue
			}
			h := hit{name: ent.Name, rule: -1, ent: ent}
			if t.Decision.Action.LetsThrough() {
				h.rule, _ = l.decidedBy(t.Decision)
				h.cond = t.Decision.Rule >= 0 && len(l.e.Rules[t.Decision.Rule].Args) > 0
			} else {
				h.cond = true
				for _, r := range l.e.Rules {
					if r.Has(ent.Name) && len(r.Args) > 0 && r.Action.LetsThrough() {
						h.rule = r.Index
						break
					}
				}
			}
			hits = append(hits, h)
			break
		}
	}
	if len(hits) == 0 {
		return
	}
	if len(hits) <= maxCritical {
		for _, h := range hits {
			how := "allowed"
			if h.cond {
				how = "allowed for some arguments"
			}
			if h.rule < 0 {
				how += " by the default action"
			}
			l.add(SevWarning, "critical-allowed", h.rule, h.name,
				fmt.Sprintf("%s, and it is in the critical tier: %s", how, h.ent.Rationale),
				"deny it unless the workload needs it; see seccomp-workbench catalog "+h.name)
		}
		return
	}
	names := make([]string, len(hits))
	uring := false
	for i, h := range hits {
		names[i] = h.name
		uring = uring || h.ent.FamilyID == "io-uring"
	}
	note := ""
	if uring {
		note = "; io_uring's queued operations never pass through seccomp at all"
	}
	l.add(SevWarning, "critical-allowed", -1, "",
		fmt.Sprintf("%d critical-tier calls are allowed: %s%s", len(hits), strings.Join(names, ", "), note),
		"deny those the workload does not need; see seccomp-workbench catalog --risk critical")
}

// A multiplexer carries the operation in its first argument and the
// operation's own arguments behind a pointer, which seccomp cannot read:
// allowing it unconditionally allows every operation behind it, whatever
// the profile says about the direct calls.
var muxes = []struct {
	name, what string
	ops        []string
}{
	{"socketcall", "socket", []string{"socket", "bind", "connect", "listen", "accept", "accept4", "getsockname", "getpeername",
		"socketpair", "send", "sendto", "recv", "recvfrom", "shutdown", "setsockopt", "getsockopt", "sendmsg", "recvmsg",
		"sendmmsg", "recvmmsg"}},
	{"ipc", "System V IPC", []string{"semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl",
		"shmat", "shmdt", "shmget", "shmctl"}},
}

func (l *linter) multiplexers() {
	for _, mx := range muxes {
		var arches []catalog.Arch
		var rule int
		for _, a := range l.e.Arches {
			t := l.treat(a, mx.name)
			if !t.Exists || !t.Decision.Action.LetsThrough() {
				continue
			}
			// A rule with conditions can pick operations by arg 0.
			if t.Decision.Rule >= 0 && len(l.e.Rules[t.Decision.Rule].Args) > 0 {
				continue
			}
			if len(arches) == 0 {
				rule, _ = l.decidedBy(t.Decision)
			}
			arches = appendOnce(arches, a)
		}
		if len(arches) == 0 {
			continue
		}
		var denied []string
		for _, op := range mx.ops {
			if len(denied) == maxListed {
				denied = append(denied, "other "+mx.what+" calls")
				break
			}
			for _, a := range l.e.Arches {
				t := l.treat(a, op)
				if t.Denied() {
					denied = append(denied, op)
					break
				}
				if t.Allowed() && !t.AllowedAlways() && t.Conditional {
					// Its conditions read the call's own arguments,
					// which the multiplexer hides behind a pointer.
					denied = append(denied, op+" (for some arguments)")
					break
				}
			}
		}
		if len(denied) == 0 {
			continue
		}
		l.add(SevWarning, "multiplexer", rule, mx.name,
			fmt.Sprintf("allowed on %s while %s denied: through %s a program reaches every %s operation, and the filter sees only the operation number",
				profile.JoinArches(arches), andList(denied)+map[bool]string{true: " is", false: " are"}[len(denied) == 1], mx.name, mx.what),
			fmt.Sprintf("deny %s too, or allow only the operations you mean with a condition on argument 0, the operation number", mx.name))
	}
}

// Notify hands a call to a supervisor through the listener fd, which the
// filtered process itself passes on after installing the filter; until
// that handoff completes nobody can answer. runc and youki refuse notify
// as the default action and on write (runc's init reports the listener fd
// to its parent with write after loading the filter); the handoff itself
// is a sendmsg with SCM_RIGHTS (the workbench's shim exempts its own in
// watch and record modes, not in enforce mode). Notify on exec, exit and
// signal return works while the supervisor answers, but once it is gone
// those calls fail with ENOSYS: the process cannot exec, exit cleanly or
// return from a signal handler.
var notifyBlocking = map[string]string{
	"write":   "runc and youki refuse it: runc's init reports the listener fd to its parent with write after loading the filter, which would wait for a supervisor that does not have the fd yet",
	"sendmsg": "the listener fd is passed to the supervisor with sendmsg after the filter is loaded (the workbench's shim does so); notifying that call makes it wait for a supervisor that does not have the fd yet, so the start hangs unless the loader exempts its own handoff",
}

var notifyFragile = map[string]string{
	"execve":       "starting the program waits for the supervisor",
	"execveat":     "starting a program waits for the supervisor",
	"exit":         "a thread cannot exit without the supervisor",
	"exit_group":   "the process cannot exit without the supervisor",
	"rt_sigreturn": "returning from every signal handler waits for the supervisor",
	"sigreturn":    "returning from every signal handler waits for the supervisor",
}

func (l *linter) notify() {
	if l.e.DefaultAction.Canon() == profile.ActNotify {
		l.add(SevError, "notify-default", -1, "",
			"the default action is notify: every call after the filter is loaded, including the listener-fd handoff, waits for a supervisor that cannot have the fd yet; runc and youki refuse it",
			"use errno or allow as the default and notify only the calls you want to supervise")
	}
	for _, r := range l.e.Rules {
		if r.Action.Canon() != profile.ActNotify {
			continue
		}
		for _, n := range r.Names {
			if why, ok := notifyBlocking[n]; ok {
				l.add(SevError, "notify-runner", r.Index, n, "notified: "+why,
					fmt.Sprintf("take %s out of the notify rule and allow or deny it instead", n))
			} else if why, ok := notifyFragile[n]; ok {
				l.add(SevWarning, "notify-runner", r.Index, n,
					"notified: "+why+"; once the supervisor is gone the call fails with ENOSYS",
					fmt.Sprintf("notify %s only if the supervisor outlives the program", n))
			}
		}
	}
}
