package profile

import (
	"fmt"

	seccomp "github.com/seccomp/libseccomp-golang"
)

// Two libseccomps matter and they need not be the same: the one whose
// tables generated the catalog (catalog.LibseccompVersion, fixed when
// numbers.json was made) and the one linked into this binary, which
// compiles the filters. A name the linked library cannot resolve is
// compiled by number in the workbench's prelude, and conditions on it
// are refused; the functions below ask the linked library at run time.

// LinkedLibseccomp is the version of the libseccomp this binary runs
// with ("2.5.4").
func LinkedLibseccomp() string {
	major, minor, micro := seccomp.GetLibraryVersion()
	return fmt.Sprintf("%d.%d.%d", major, minor, micro)
}

// LinkedKnows reports whether the linked libseccomp resolves name to a
// syscall (on some ABI it knows, not necessarily this one).
func LinkedKnows(name string) bool {
	_, err := seccomp.GetSyscallFromName(name)
	return err == nil
}
