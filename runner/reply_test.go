package runner

import (
	"testing"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Every action the supervisor can be asked to carry out, and what it
// answers the kernel. No kernel needed: the mapping is pure.
func TestReplyFor(t *testing.T) {
	enosys := uint(unix.ENOSYS)
	for _, c := range []struct {
		d    profile.Decision
		want reply
	}{
		{profile.Decision{Action: profile.ActAllow}, reply{kind: replyContinue}},
		{profile.Decision{Action: profile.ActLog}, reply{kind: replyContinue, report: true}},
		{profile.Decision{Action: profile.ActErrno, Errno: 1}, reply{kind: replyErrno, errno: 1, report: true}},
		{profile.Decision{Action: profile.ActErrno, Errno: 38}, reply{kind: replyErrno, errno: 38, report: true}},
		{profile.Decision{Action: profile.ActKillProcess}, reply{kind: replyKill, report: true}},
		{profile.Decision{Action: profile.ActKillThread}, reply{kind: replyKill, report: true}},
		{profile.Decision{Action: profile.ActKill}, reply{kind: replyKill, report: true}},
		{profile.Decision{Action: profile.ActTrap}, reply{kind: replyTrap, report: true}},
		// No tracer and no second supervisor can take the call over.
		{profile.Decision{Action: profile.ActTrace, Errno: 5}, reply{kind: replyErrno, errno: enosys, report: true}},
		{profile.Decision{Action: profile.ActNotify}, reply{kind: replyErrno, errno: enosys, report: true}},
	} {
		if got := replyFor(c.d, false); got != c.want {
			t.Errorf("%s: reply %+v, want %+v", c.d, got, c.want)
		}
		// Audit mode continues everything; what watch would not continue
		// is reported as a would-be outcome, log stays logged.
		want := c.want
		if want.kind != replyContinue {
			want = reply{kind: replyContinue, report: true, audit: true}
		}
		if got := replyFor(c.d, true); got != want {
			t.Errorf("audit %s: reply %+v, want %+v", c.d, got, want)
		}
	}
	// Only what lets the call through continues it, and only allow goes
	// unreported.
	for _, in := range profile.Actions() {
		r := replyFor(profile.Decision{Action: in.Action, Errno: 1}, false)
		if (r.kind == replyContinue) != in.LetsThrough {
			t.Errorf("%s: continue %v, lets through %v", in.Short, r.kind == replyContinue, in.LetsThrough)
		}
		if r.report != (in.Action != profile.ActAllow) {
			t.Errorf("%s: report %v", in.Short, r.report)
		}
		a := replyFor(profile.Decision{Action: in.Action, Errno: 1}, true)
		if a.kind != replyContinue || a.report != r.report || a.audit == in.LetsThrough {
			t.Errorf("audit %s: reply %+v (lets through %v)", in.Short, a, in.LetsThrough)
		}
	}
}
