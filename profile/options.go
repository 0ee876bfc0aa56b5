package profile

import (
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Variant is the form of the filter compiled (and meant by Decide): the
// one production loads, or one whose outcomes pass through the runner's
// supervisor first. A run's mode (runner.Mode) picks it.
type Variant int

const (
	// VariantEnforce is the filter exactly as production loads it.
	VariantEnforce Variant = iota
	// VariantWatch keeps the profile's outcomes but turns every non-allow
	// action into SECCOMP_RET_USER_NOTIF, so the supervisor sees each
	// denial and then applies the profile's action itself. (Stacking an
	// observer filter cannot work: the kernel lets ERRNO beat USER_NOTIF.)
	VariantWatch
	// VariantRecord notifies every syscall.
	VariantRecord
)

func (m Variant) String() string {
	switch m {
	case VariantWatch:
		return "watch"
	case VariantRecord:
		return "record"
	}
	return "enforce"
}

// ParseVariant accepts enforce, watch or record.
func ParseVariant(s string) (Variant, error) {
	for _, m := range []Variant{VariantEnforce, VariantWatch, VariantRecord} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q: use watch, enforce or record", s)
}

// Exemption lets the runner's shim make its last two syscalls after the
// filter is installed — sendmsg to hand the notification fd to the parent
// and execve of the target — without being routed to the supervisor,
// which cannot answer before it has the fd. The shim passes a per-run
// secret in the unused argument registers 3..5 (the kernel ignores them
// for these calls); the target cannot guess it, so its own sendmsg and
// execve still get exactly the profile's outcome.
type Exemption struct {
	Arch      catalog.Arch
	HandoffFD int
	Magic     [3]uint64
}

func (x *Exemption) matches(name string, args [6]uint64) bool {
	if args[3] != x.Magic[0] || args[4] != x.Magic[1] || args[5] != x.Magic[2] {
		return false
	}
	switch name {
	case "sendmsg":
		return args[0] == uint64(x.HandoffFD)
	case "execve":
		return true
	}
	return false
}

// Options select the variant of the filter compile.Compile builds and
// Decide means.
type Options struct {
	Variant Variant
	// NoENOSYS turns off the stub that answers ENOSYS for syscall numbers
	// newer than any the profile names (so glibc falls back from clone3
	// to clone, faccessat2 to faccessat ...).
	NoENOSYS bool
	// NoOptimize keeps libseccomp's linear layout instead of its binary
	// tree.
	NoOptimize bool
	// Exempt is set by the runner for watch and record modes.
	Exempt *Exemption
}
