package runner

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Results a Verdict can have.
const (
	ResultPass    = "pass"    // exit 0 and nothing denied
	ResultFail    = "fail"    // non-zero exit, or calls were denied
	ResultKilled  = "killed"  // a signal ended the target (seccomp kill, Stop ...)
	ResultTimeout = "timeout" // Config.Timeout ran out
	ResultError   = "error"   // could not start (126/127), or the workbench failed (125)
)

// Verdict is the last event of a run and what Wait returns.
type Verdict struct {
	Result   string
	ExitCode int
	// Signal names the signal that ended the target ("SIGSYS"), if any.
	Signal string
	// Denied lists the syscalls denied at least once, sorted.
	Denied []string
	// NotImplemented lists the syscalls answered ENOSYS, sorted: the
	// profile pretends they do not exist (Docker's default does so for
	// clone3) and programs are expected to fall back, as they do on an
	// older kernel. They are reported, but do not fail the verdict.
	NotImplemented []string
	Duration       time.Duration
	// Outcome says in plain words how the command ended: "exit status 1",
	// "killed by seccomp (SIGSYS) in ptrace", "timed out after 5s",
	// "could not start: /bin/foo: not found".
	Outcome string
	// Reason is Outcome plus the denied calls: "exit status 1; denied:
	// mkdir, mkdirat" (and "; answered ENOSYS: clone3" when there were
	// such calls).
	Reason string
	// KilledIn is the syscall whose kill action ended the target (watch
	// mode knows it; enforce mode cannot).
	KilledIn string
	// Mode is the run's mode.
	Mode Mode
	// WouldDeny lists, in audit mode, the syscalls the profile would
	// have denied, killed or trapped at least once, sorted. Those calls
	// ran (Denied stays empty: nothing was denied), so Result and
	// ExitCode are what the command did as if unfiltered.
	WouldDeny []string
	// WouldDenyCounts is, in audit mode, how many calls of each WouldDeny
	// syscall ran.
	WouldDenyCounts map[string]int
	// WouldNotImplement lists, in audit mode, the syscalls the profile
	// would have answered ENOSYS (NotImplemented's counterpart); they
	// ran, so the program's fallback was not exercised.
	WouldNotImplement []string
	// Stopped is set when Stop or the context ended the run.
	Stopped bool
	// Notes says, one line each, where this run's outcome may differ
	// from what the kernel alone would have done (watch mode carries out
	// some outcomes from outside the target), e.g. "watch mode:
	// kill_thread in gettid killed the whole process; enforce mode kills
	// only the calling thread".
	Notes []string
}

// ending collects what the run learnt about how it ended.
type ending struct {
	mode      Mode
	startCode int // 125/126/127 when the target never started
	startMsg  string
	status    syscall.WaitStatus
	exited    bool // status is valid
	exitTime  time.Time
	timedOut  bool
	timeout   time.Duration
	stopped   bool
	killedIn  string // the main process was killed for a kill action in this call
	// killedByTrap: killedIn was a trap whose SIGSYS the target blocked
	// or ignored (the kernel then makes it fatal).
	killedByTrap bool
	trappedIn    string // the main process was sent SIGSYS for a trap action in this call
	supervisor   error  // the supervisor failed mid-run
	denied       []string
	enosys       []string
	wouldDeny    map[string]int // audit mode: calls per syscall
	wouldENOSYS  []string
	notes        []string // Verdict.Notes
	duration     time.Duration
}

func (e *ending) verdict() Verdict {
	v := Verdict{Denied: append([]string(nil), e.denied...), Duration: e.duration,
		NotImplemented: append([]string(nil), e.enosys...), Notes: append([]string(nil), e.notes...)}
	sort.Strings(v.Denied)
	sort.Strings(v.NotImplemented)
	v.Mode = e.mode
	if e.mode == ModeAudit {
		v.WouldNotImplement = append([]string{}, e.wouldENOSYS...)
		sort.Strings(v.WouldNotImplement)
		v.WouldDenyCounts = map[string]int{}
		v.WouldDeny = []string{}
		for n, c := range e.wouldDeny {
			v.WouldDeny = append(v.WouldDeny, n)
			v.WouldDenyCounts[n] = c
		}
		sort.Strings(v.WouldDeny)
	}
	switch {
	case e.startCode != 0:
		v.Result, v.ExitCode = ResultError, e.startCode
		v.Outcome = "could not start: " + e.startMsg
	case !e.exited:
		v.Result, v.ExitCode = ResultError, 125
		v.Outcome = "the workbench lost track of the command"
	case e.status.Signaled():
		v.Result = ResultKilled
		sig := e.status.Signal()
		v.Signal, v.ExitCode = signalName(sig), 128+int(sig)
		switch {
		case sig == unix.SIGKILL && e.killedIn != "":
			v.Signal, v.ExitCode = "SIGSYS", 128+int(unix.SIGSYS)
			v.KilledIn = e.killedIn
			v.Outcome = "killed by seccomp (SIGSYS) in " + e.killedIn
			if e.killedByTrap {
				v.Outcome = "killed by SIGSYS from the seccomp trap in " + e.killedIn + " (SIGSYS was blocked or ignored, which the kernel overrides)"
			}
		case sig == unix.SIGSYS && e.trappedIn != "":
			v.Outcome = "killed by SIGSYS from the seccomp trap in " + e.trappedIn
		case sig == unix.SIGSYS && e.mode == ModeEnforce:
			v.Outcome = "killed by seccomp (SIGSYS); run in watch mode to see which call"
		case sig == unix.SIGSYS:
			// Watch mode sees every call the filter kills or traps, so
			// this SIGSYS was sent by a process.
			v.Outcome = "killed by signal SIGSYS, not by the filter (a process sent it)"
		default:
			v.Outcome = "killed by signal " + v.Signal
		}
	default:
		v.ExitCode = e.status.ExitStatus()
		v.Outcome = fmt.Sprintf("exit status %d", v.ExitCode)
		v.Result = ResultFail
		if v.ExitCode == 0 && len(v.Denied) == 0 {
			v.Result = ResultPass
		}
	}
	switch {
	case e.timedOut:
		v.Result = ResultTimeout
		v.Outcome = "timed out after " + e.timeout.String()
	case e.stopped:
		v.Stopped = true
		if v.Result != ResultError {
			v.Result = ResultKilled
			v.Outcome = "stopped"
			if v.Signal != "" {
				v.Outcome += " (" + v.Signal + ")"
			}
		}
	}
	if e.supervisor != nil {
		v.Result, v.ExitCode = ResultError, 125
		v.Outcome = "the workbench failed while supervising: " + e.supervisor.Error()
	}
	v.Reason = v.Outcome
	if len(v.Denied) > 0 {
		v.Reason += "; denied: " + strings.Join(v.Denied, ", ")
	}
	if len(v.NotImplemented) > 0 {
		v.Reason += "; answered ENOSYS: " + strings.Join(v.NotImplemented, ", ")
	}
	if e.mode == ModeAudit {
		v.Reason += "; " + v.AuditText()
	}
	return v
}

// AuditText says what an audit-mode run found, in the words every
// interface uses: "audit mode, nothing was denied; would deny: mkdir ×2,
// socket; would answer ENOSYS: clone3" ("…; the profile would deny
// nothing" when nothing).
func (v Verdict) AuditText() string {
	t := "audit mode, nothing was denied"
	if len(v.WouldDeny) == 0 {
		t += "; the profile would deny nothing"
	} else {
		t += "; would deny: " + v.WouldDenyText()
	}
	if len(v.WouldNotImplement) > 0 {
		t += "; would answer ENOSYS: " + strings.Join(v.WouldNotImplement, ", ")
	}
	return t
}

// WouldDenyText lists WouldDeny with the number of calls where more than
// one ran: "mkdir ×2, socket".
func (v Verdict) WouldDenyText() string {
	parts := make([]string, 0, len(v.WouldDeny))
	for _, n := range v.WouldDeny {
		if c := v.WouldDenyCounts[n]; c > 1 {
			n += " ×" + strconv.Itoa(c)
		}
		parts = append(parts, n)
	}
	return strings.Join(parts, ", ")
}

// exitCodeOf maps a wait status to a shell-style exit code (128+N for a
// signal).
func exitCodeOf(ws syscall.WaitStatus) (int, string) {
	if ws.Signaled() {
		return 128 + int(ws.Signal()), signalName(ws.Signal())
	}
	return ws.ExitStatus(), ""
}

func signalName(s syscall.Signal) string {
	if n := unix.SignalName(s); n != "" {
		return n
	}
	return fmt.Sprintf("signal %d", int(s))
}
