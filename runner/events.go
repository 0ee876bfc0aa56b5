package runner

import (
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Event is one item on a run's event channel: Started, Output, Denied,
// Logged, WouldDeny (audit mode), Exited or Verdict. The channel always
// ends with a Verdict (a run that could not start sends only the
// Verdict) and is then closed.
type Event interface{ isEvent() }

// Started: the target is running under the filter (its execve succeeded).
type Started struct {
	Pid  int
	Argv []string
	Mode Mode
	Time time.Time
	// Isolation says in words how the target is kept apart from the
	// workbench: "pid, mount namespaces; capabilities: Docker's default
	// set", or "none (--isolate none)".
	Isolation string
}

// Stream tells the target's stdout and stderr apart.
type Stream int

const (
	Stdout Stream = 1
	Stderr Stream = 2
)

func (s Stream) String() string {
	if s == Stderr {
		return "stderr"
	}
	return "stdout"
}

// Output is a batch of the target's output on one stream: what was
// pending when OutputBatchLines lines had come or its oldest byte was
// OutputBatchDelay old, up to 64 KiB (cut at a line end where one is in
// reach, never inside a UTF-8 character). Dropped
// counts bytes lost just before Data because the reader of the events fell
// behind (never when Config.LosslessOutput is set).
type Output struct {
	Stream  Stream
	Data    string
	Lines   int
	Dropped int64
}

// Denial is one row of denied (or logged) calls: repeats of the same call
// from the same process with the same decoded arguments and outcome are
// counted in one row.
type Denial struct {
	// ID numbers the rows of a run from 1; an update of a row keeps it.
	ID int
	// Pid is the process (thread group) id, Tid the calling thread.
	Pid     int
	Tid     int
	Arch    catalog.Arch
	Nr      int64
	Syscall string
	Args    [6]uint64
	// ArgText is the call with decoded arguments, for example
	// openat(AT_FDCWD, "/etc/x", O_WRONLY|O_CREAT, 0644).
	ArgText string
	// Outcome is what the profile did (errno, kill_process, trap ...);
	// with Audit, what it would have done.
	Outcome profile.Decision
	Count   int
	// First and Last are when the row was first and last seen.
	First, Last time.Time
	// Audit: the run is in audit mode and the call was let through; the
	// profile would have given it Outcome.
	Audit bool
}

// Denied reports a denial row. Update is false the first time a row is
// sent and true when only its Count (and Last) changed; updates are
// coalesced to at most one per row every DenialUpdateEvery.
type Denied struct {
	Denial Denial
	Update bool
}

// Logged reports a call the profile lets through with SCMP_ACT_LOG.
type Logged struct {
	Denial Denial
	Update bool
}

// WouldDeny reports, in audit mode, a row of calls that ran although
// the profile would not have let them through (Denial.Audit is set and
// Denial.Outcome is what the profile would have done). It is a type of
// its own so that no reader of Denied mistakes it for a real denial.
type WouldDeny struct {
	Denial Denial
	Update bool
}

// Exited: the target's main process ended. Code is its exit status, or
// 128+N when signal N ended it (for a kill the supervisor carried out for
// a kill action, the SIGSYS the kernel would have used).
type Exited struct {
	Code   int
	Signal string
	Time   time.Time
}

func (Started) isEvent() {}
func (Output) isEvent()  {}
func (Denied) isEvent()  {}
func (Logged) isEvent()  {}
func (Exited) isEvent()  {}
func (Verdict) isEvent() {}

func (WouldDeny) isEvent() {}
