package runner

import (
	"fmt"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
)

// UnknownSyscallsError refuses a profile whose rules name syscalls that
// exist on none of the supported ABIs. libseccomp cannot resolve such a
// name, so the compiled filter would leave the rule out without a word:
// a misspelt allow would deny, a misspelt deny would allow. Findings are
// check's own unknown-syscall findings, so both say the same.
type UnknownSyscallsError struct {
	Findings []lint.Finding
	// Override, when set, says how the caller lets such a profile run
	// anyway ("--allow-unknown"); the message then offers it.
	Override string
}

func (e *UnknownSyscallsError) Error() string {
	parts := make([]string, len(e.Findings))
	for i, f := range e.Findings {
		// check prints "error: NAME: MESSAGE (HINT)"; here the rule is
		// named too, since the refusal has no line of its own per finding.
		parts[i] = fmt.Sprintf("syscalls[%d]: %s", f.Rule, strings.TrimPrefix(f.String(), string(f.Severity)+": "))
	}
	msg := "the profile names syscalls that exist on none of its ABIs, so the filter would leave them out: " +
		strings.Join(parts, "; ") + "; fix the names"
	if e.Override != "" {
		msg += ", or pass " + e.Override + " to run it anyway"
	}
	return msg
}

// checkUnknown is the refusal prepare applies unless Config.AllowUnknown
// is set. A nil profile (record mode without a base) has no names.
func checkUnknown(e *profile.Effective) error {
	if fs := lint.UnknownSyscalls(e); len(fs) > 0 {
		return &UnknownSyscallsError{Findings: fs}
	}
	return nil
}
