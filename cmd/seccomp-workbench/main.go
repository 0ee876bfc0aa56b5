// Command seccomp-workbench is an interactive workbench for Linux seccomp
// profiles: browse the syscall catalog, edit a profile, run a command
// under it and see what was denied, then export it.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// Exit statuses of the CLI contract (run has its own, see run.go).
const (
	exitOK      = 0
	exitFailed  = 1 // a check or expectation failed
	exitUsage   = 2
	exitRunFail = 125 // the workbench itself failed during run
)

// usageError marks a mistake in how the command was called (exit 2).
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// exitError carries a specific exit status; msg may be empty when the
// command already reported what went wrong.
type exitError struct {
	code int
	msg  string
}

func (e exitError) Error() string { return e.msg }

func main() {
	// run and record re-execute this binary as the runner's shim. It
	// dispatches before the command tree is built, so that the shim runs
	// only its own code between the fork and the target's execve.
	if runner.IsShim(os.Args) {
		runner.ShimMain() // never returns
	}
	if restore := deferGC(); restore != nil {
		time.AfterFunc(startPhase, restore)
	}
	exitsAfterCommand = true
	os.Exit(execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// exitsAfterCommand is set by main: the process ends as soon as execute
// returns, so what only the rest of a process's life would notice need
// not be undone (attachment.close). Tests call execute in-process and
// get everything undone.
var exitsAfterCommand bool

func execute(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(args, stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(stderr, "seccomp-workbench:", ee.msg)
		}
		return ee.code
	}
	fmt.Fprintln(stderr, "seccomp-workbench:", err)
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintln(stderr, "Run 'seccomp-workbench --help' for usage.")
		return exitUsage
	}
	return exitFailed
}

// A command's first milliseconds allocate a few MB (the catalog, the
// parsed and compiled profile, the command tree): with the default GOGC a
// warm run of /bin/true stops for one collection at 4 MB that finds 1 MB
// live, and exits soon after. deferGC holds collections off for
// startPhase, or until the Go heap reaches startLimit, then restores the
// defaults: a run of hours is collected as always. GOGC or GOMEMLIMIT in
// the environment win.
const (
	startPhase = 200 * time.Millisecond
	startLimit = 16 << 20
)

// deferGC turns collections off below startLimit and returns what puts
// the settings back; nil when the environment has its own.
func deferGC() (restore func()) {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return nil
	}
	gogc := debug.SetGCPercent(-1)
	limit := debug.SetMemoryLimit(startLimit)
	return func() {
		debug.SetGCPercent(gogc)
		debug.SetMemoryLimit(limit)
	}
}
