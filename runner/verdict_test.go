package runner

import (
	"errors"
	"maps"
	"slices"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// How a run ended → its verdict, without running anything. A wait
// status is (code << 8) for an exit and the signal number for a kill.
func TestVerdict(t *testing.T) {
	exit := func(code int) syscall.WaitStatus { return syscall.WaitStatus(code << 8) }
	killed := func(sig unix.Signal) syscall.WaitStatus { return syscall.WaitStatus(sig) }
	for _, c := range []struct {
		name string
		e    ending
		want Verdict
	}{
		{"clean exit", ending{mode: ModeWatch, exited: true, status: exit(0)},
			Verdict{Result: ResultPass, Outcome: "exit status 0", Reason: "exit status 0"}},
		{"exit 0 with denials fails", ending{mode: ModeWatch, exited: true, status: exit(0), denied: []string{"mkdir", "chmod", "mkdir"}},
			Verdict{Result: ResultFail, Denied: []string{"chmod", "mkdir", "mkdir"}, Outcome: "exit status 0", Reason: "exit status 0; denied: chmod, mkdir, mkdir"}},
		{"non-zero exit", ending{mode: ModeEnforce, exited: true, status: exit(3)},
			Verdict{Result: ResultFail, ExitCode: 3, Outcome: "exit status 3", Reason: "exit status 3"}},
		{"ENOSYS answers do not fail", ending{mode: ModeWatch, exited: true, status: exit(0), enosys: []string{"clone3"}},
			Verdict{Result: ResultPass, NotImplemented: []string{"clone3"}, Outcome: "exit status 0", Reason: "exit status 0; answered ENOSYS: clone3"}},
		{"could not start", ending{mode: ModeWatch, startCode: 127, startMsg: "/bin/nope: not found"},
			Verdict{Result: ResultError, ExitCode: 127, Outcome: "could not start: /bin/nope: not found", Reason: "could not start: /bin/nope: not found"}},
		{"lost track", ending{mode: ModeWatch},
			Verdict{Result: ResultError, ExitCode: 125, Outcome: "the workbench lost track of the command", Reason: "the workbench lost track of the command"}},
		{"kill action in watch mode", ending{mode: ModeWatch, exited: true, status: killed(unix.SIGKILL), killedIn: "ptrace", denied: []string{"ptrace"}},
			Verdict{Result: ResultKilled, ExitCode: 128 + 31, Signal: "SIGSYS", KilledIn: "ptrace", Denied: []string{"ptrace"},
				Outcome: "killed by seccomp (SIGSYS) in ptrace", Reason: "killed by seccomp (SIGSYS) in ptrace; denied: ptrace"}},
		{"trap action", ending{mode: ModeWatch, exited: true, status: killed(unix.SIGSYS), trappedIn: "mount"},
			Verdict{Result: ResultKilled, ExitCode: 128 + 31, Signal: "SIGSYS", Outcome: "killed by SIGSYS from the seccomp trap in mount", Reason: "killed by SIGSYS from the seccomp trap in mount"}},
		{"kernel kill in enforce mode", ending{mode: ModeEnforce, exited: true, status: killed(unix.SIGSYS)},
			Verdict{Result: ResultKilled, ExitCode: 128 + 31, Signal: "SIGSYS", Outcome: "killed by seccomp (SIGSYS); run in watch mode to see which call",
				Reason: "killed by seccomp (SIGSYS); run in watch mode to see which call"}},
		{"SIGSYS in watch mode came from a process", ending{mode: ModeWatch, exited: true, status: killed(unix.SIGSYS)},
			Verdict{Result: ResultKilled, ExitCode: 128 + 31, Signal: "SIGSYS", Outcome: "killed by signal SIGSYS, not by the filter (a process sent it)",
				Reason: "killed by signal SIGSYS, not by the filter (a process sent it)"}},
		{"trap made fatal", ending{mode: ModeWatch, exited: true, status: killed(unix.SIGKILL), killedIn: "getppid", killedByTrap: true, notes: []string{"a note"}},
			Verdict{Result: ResultKilled, ExitCode: 128 + 31, Signal: "SIGSYS", KilledIn: "getppid", Notes: []string{"a note"},
				Outcome: "killed by SIGSYS from the seccomp trap in getppid (SIGSYS was blocked or ignored, which the kernel overrides)",
				Reason:  "killed by SIGSYS from the seccomp trap in getppid (SIGSYS was blocked or ignored, which the kernel overrides)"}},
		{"other signal", ending{mode: ModeWatch, exited: true, status: killed(unix.SIGTERM)},
			Verdict{Result: ResultKilled, ExitCode: 128 + 15, Signal: "SIGTERM", Outcome: "killed by signal SIGTERM", Reason: "killed by signal SIGTERM"}},
		{"timeout wins over the kill", ending{mode: ModeWatch, exited: true, status: killed(unix.SIGKILL), timedOut: true, timeout: 5 * time.Second},
			Verdict{Result: ResultTimeout, ExitCode: 128 + 9, Signal: "SIGKILL", Outcome: "timed out after 5s", Reason: "timed out after 5s"}},
		{"stopped", ending{mode: ModeWatch, exited: true, status: killed(unix.SIGKILL), stopped: true},
			Verdict{Result: ResultKilled, ExitCode: 128 + 9, Signal: "SIGKILL", Stopped: true, Outcome: "stopped (SIGKILL)", Reason: "stopped (SIGKILL)"}},
		{"stopped before it started", ending{mode: ModeWatch, startCode: 126, startMsg: "permission denied", stopped: true},
			Verdict{Result: ResultError, ExitCode: 126, Stopped: true, Outcome: "could not start: permission denied", Reason: "could not start: permission denied"}},
		{"audit: would-be denials do not fail", ending{mode: ModeAudit, exited: true, status: exit(0), wouldDeny: map[string]int{"socket": 1, "mkdir": 2}, wouldENOSYS: []string{"clone3"}},
			Verdict{Result: ResultPass, WouldDeny: []string{"mkdir", "socket"}, WouldDenyCounts: map[string]int{"mkdir": 2, "socket": 1}, WouldNotImplement: []string{"clone3"},
				Outcome: "exit status 0", Reason: "exit status 0; audit mode, nothing was denied; would deny: mkdir ×2, socket; would answer ENOSYS: clone3"}},
		{"audit: the exit status decides", ending{mode: ModeAudit, exited: true, status: exit(4)},
			Verdict{Result: ResultFail, ExitCode: 4, WouldDeny: []string{}, WouldDenyCounts: map[string]int{},
				Outcome: "exit status 4", Reason: "exit status 4; audit mode, nothing was denied; the profile would deny nothing"}},
		{"supervisor failure overrides", ending{mode: ModeWatch, exited: true, status: exit(0), supervisor: errors.New("read notification: EBADF")},
			Verdict{Result: ResultError, ExitCode: 125, Outcome: "the workbench failed while supervising: read notification: EBADF",
				Reason: "the workbench failed while supervising: read notification: EBADF"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.e.verdict()
			if !equalVerdict(got, c.want) {
				t.Errorf("verdict\n got %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func equalVerdict(a, b Verdict) bool {
	return a.Result == b.Result && a.ExitCode == b.ExitCode && a.Signal == b.Signal &&
		slices.Equal(a.Denied, b.Denied) && slices.Equal(a.NotImplemented, b.NotImplemented) &&
		a.Duration == b.Duration && a.Outcome == b.Outcome && a.Reason == b.Reason &&
		a.KilledIn == b.KilledIn && a.Stopped == b.Stopped && slices.Equal(a.Notes, b.Notes) &&
		slices.Equal(a.WouldDeny, b.WouldDeny) && maps.Equal(a.WouldDenyCounts, b.WouldDenyCounts) &&
		slices.Equal(a.WouldNotImplement, b.WouldNotImplement)
}
