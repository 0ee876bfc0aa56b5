package runner

import (
	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// replyKind is how the supervisor carries out a decision for a call the
// filter sent it.
type replyKind int

const (
	// replyContinue lets the call run (SECCOMP_USER_NOTIF_FLAG_CONTINUE).
	replyContinue replyKind = iota
	// replyErrno fails the call with reply.errno.
	replyErrno
	// replyKill kills the caller's whole process with SIGKILL; the
	// notification needs no answer (the kernel drops it with the thread).
	replyKill
	// replyTrap delivers SIGSYS to the calling thread as
	// SECCOMP_RET_TRAP would (supervisor.trap settles the reply).
	replyTrap
)

// reply is what the supervisor does with one notified call.
type reply struct {
	kind  replyKind
	errno uint
	// report: the call goes into the run's events before the reply
	// (everything but a plain allow).
	report bool
	// audit: the call is continued although the profile would not let
	// it through (audit mode); it is reported as a call the profile
	// would deny, with the outcome it would have had.
	audit bool
}

// replyFor maps a decision to the supervisor's reply. A notification
// cannot hand the call to a tracer or to a second supervisor, so trace
// and notify fail with ENOSYS, as the kernel answers a trace action when
// no tracer is attached.
//
// In audit mode every call is continued: what the profile would deny,
// kill or trap is reported as such (audit set), a log action is
// reported as logged exactly as in watch mode (the profile lets it run
// too), and an allow is not reported.
func replyFor(d profile.Decision, audit bool) reply {
	r := enforceReply(d)
	if audit && r.kind != replyContinue {
		return reply{kind: replyContinue, report: true, audit: true}
	}
	return r
}

// enforceReply is the reply that carries out the profile's outcome.
func enforceReply(d profile.Decision) reply {
	switch d.Action.Canon() {
	case profile.ActAllow:
		return reply{kind: replyContinue}
	case profile.ActLog:
		return reply{kind: replyContinue, report: true}
	case profile.ActKillProcess, profile.ActKillThread:
		return reply{kind: replyKill, report: true}
	case profile.ActTrap:
		return reply{kind: replyTrap, report: true}
	case profile.ActErrno:
		return reply{kind: replyErrno, errno: d.Errno, report: true}
	}
	return reply{kind: replyErrno, errno: uint(unix.ENOSYS), report: true}
}
