// Command seccomp-workbench is an interactive workbench for Linux seccomp
// profiles: browse the syscall catalog, edit a profile, run a command
// under it and see what was denied, then export it.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

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
	os.Exit(execute(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

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
