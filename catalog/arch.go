package catalog

import (
	"fmt"
	"sort"
	"strings"
)

// Arch is one of the syscall ABIs the workbench knows. The value is the
// name used in the catalog's JSON ("x86_64", "aarch64", ...).
type Arch string

// The supported ABIs. x32 is a separate ABI of x86_64 kernels: same
// AUDIT_ARCH as x86_64, told apart by bit 30 of the syscall number.
const (
	X86_64  Arch = "x86_64"
	X86     Arch = "x86"
	X32     Arch = "x32"
	AArch64 Arch = "aarch64"
	ARM     Arch = "arm"
	RISCV64 Arch = "riscv64"
	S390X   Arch = "s390x"
	PPC64LE Arch = "ppc64le"

	// The rest of the ABIs libseccomp 2.5.4 supports. MIPS kernels number
	// each ABI from its own base: o32 from 4000, n64 from 5000, n32 from
	// 6000, in both byte orders.
	MIPS        Arch = "mips"
	MIPSEL      Arch = "mipsel"
	MIPS64      Arch = "mips64"
	MIPSEL64    Arch = "mipsel64"
	MIPS64N32   Arch = "mips64n32"
	MIPSEL64N32 Arch = "mipsel64n32"
	PPC         Arch = "ppc"
	PPC64       Arch = "ppc64"
	S390        Arch = "s390"
	PARISC      Arch = "parisc"
	PARISC64    Arch = "parisc64"
)

// AuditArchLE is __AUDIT_ARCH_LE: set in the AUDIT_ARCH_* value of every
// little-endian ABI.
const AuditArchLE = 0x40000000

// X32SyscallBit is __X32_SYSCALL_BIT: x32 syscall numbers carry it, both in
// the catalog and in seccomp_data.nr.
const X32SyscallBit = 0x40000000

// ArchInfo holds the fixed facts about one ABI.
type ArchInfo struct {
	Arch Arch
	// Docker is the name in Docker/OCI profiles (SCMP_ARCH_X86_64).
	Docker string
	// Native is libseccomp's name (amd64, arm64 ...), used by Docker's
	// includes/excludes "arches" filters.
	Native string
	// Systemd is the name in systemd's SystemCallArchitectures=
	// (seccomp_arch_to_string in systemd's seccomp-util.c).
	Systemd string
	// Audit is the AUDIT_ARCH_* value the kernel puts in seccomp_data.arch.
	Audit uint32
	// Bits is the width of a native long: 32-bit ABIs see only the low
	// 32 bits of each syscall argument.
	Bits int
	// Base is the number the ABI's syscalls start from (x32's bit 30,
	// MIPS's 4000/5000/6000); since Linux 5.1 a new call gets the same
	// number above it on every ABI.
	Base int64
	// Aliases are other spellings accepted on the command line.
	Aliases []string
}

var archTable = []ArchInfo{
	{X86_64, "SCMP_ARCH_X86_64", "amd64", "x86-64", 0xC000003E, 64, 0, []string{"amd64", "x86-64"}},
	{X86, "SCMP_ARCH_X86", "x86", "x86", 0x40000003, 32, 0, []string{"i386", "i686", "386"}},
	{X32, "SCMP_ARCH_X32", "x32", "x32", 0xC000003E, 32, X32SyscallBit, nil},
	{AArch64, "SCMP_ARCH_AARCH64", "arm64", "arm64", 0xC00000B7, 64, 0, []string{"arm64"}},
	{ARM, "SCMP_ARCH_ARM", "arm", "arm", 0x40000028, 32, 0, []string{"armhf", "armv7"}},
	{RISCV64, "SCMP_ARCH_RISCV64", "riscv64", "riscv64", 0xC00000F3, 64, 0, nil},
	{S390X, "SCMP_ARCH_S390X", "s390x", "s390x", 0x80000016, 64, 0, nil},
	{PPC64LE, "SCMP_ARCH_PPC64LE", "ppc64le", "ppc64-le", 0xC0000015, 64, 0, nil},
	{MIPS, "SCMP_ARCH_MIPS", "mips", "mips", 0x00000008, 32, 4000, nil},
	{MIPSEL, "SCMP_ARCH_MIPSEL", "mipsel", "mips-le", 0x40000008, 32, 4000, nil},
	{MIPS64, "SCMP_ARCH_MIPS64", "mips64", "mips64", 0x80000008, 64, 5000, nil},
	{MIPSEL64, "SCMP_ARCH_MIPSEL64", "mipsel64", "mips64-le", 0xC0000008, 64, 5000, []string{"mips64el"}},
	// n32 passes 64-bit registers but libseccomp (and so the filter)
	// compares arguments as 32-bit values there, as on any ILP32 ABI.
	{MIPS64N32, "SCMP_ARCH_MIPS64N32", "mips64n32", "mips64-n32", 0xA0000008, 32, 6000, nil},
	{MIPSEL64N32, "SCMP_ARCH_MIPSEL64N32", "mipsel64n32", "mips64-le-n32", 0xE0000008, 32, 6000, []string{"mips64n32el"}},
	{PPC, "SCMP_ARCH_PPC", "ppc", "ppc", 0x00000014, 32, 0, nil},
	{PPC64, "SCMP_ARCH_PPC64", "ppc64", "ppc64", 0x80000015, 64, 0, nil},
	{S390, "SCMP_ARCH_S390", "s390", "s390", 0x00000016, 32, 0, nil},
	{PARISC, "SCMP_ARCH_PARISC", "parisc", "parisc", 0x0000000F, 32, 0, []string{"hppa"}},
	{PARISC64, "SCMP_ARCH_PARISC64", "parisc64", "parisc64", 0x8000000F, 64, 0, nil},
}

// Arches returns every supported ABI in the catalog's fixed order.
func Arches() []Arch {
	out := make([]Arch, len(archTable))
	for i, a := range archTable {
		out[i] = a.Arch
	}
	return out
}

// Info returns the facts about a; ok is false for an unknown arch.
func (a Arch) Info() (ArchInfo, bool) {
	for i := range archTable {
		if archTable[i].Arch == a {
			return archTable[i], true
		}
	}
	return ArchInfo{}, false
}

// Docker returns the SCMP_ARCH_* name, or "" for an unknown arch.
func (a Arch) Docker() string {
	ai, _ := a.Info()
	return ai.Docker
}

// Native returns libseccomp's name for a, or "" for an unknown arch.
func (a Arch) Native() string {
	ai, _ := a.Info()
	return ai.Native
}

// BigEndian reports whether the ABI stores words high byte first (its
// AUDIT_ARCH_* value lacks __AUDIT_ARCH_LE).
func (a Arch) BigEndian() bool {
	ai, _ := a.Info()
	return ai.Audit&AuditArchLE == 0
}

// Base is the number the ABI's syscalls start from (0 for most).
func (a Arch) Base() int64 {
	ai, _ := a.Info()
	return ai.Base
}

// Is32Bit reports whether the ABI passes 32-bit syscall arguments.
func (a Arch) Is32Bit() bool {
	ai, _ := a.Info()
	return ai.Bits == 32
}

// DockerNames maps ABIs to their SCMP_ARCH_* names.
func DockerNames(as []Arch) []string {
	out := make([]string, len(as))
	for i, a := range as {
		out[i] = a.Docker()
	}
	return out
}

// WithCompanions is a followed by the ABIs a kernel of that arch also
// runs (an x86_64 kernel runs i386 and x32 programs; an aarch64 kernel,
// arm ones): the set a filter for that host must cover.
func (a Arch) WithCompanions() []Arch {
	switch a {
	case X86_64:
		return []Arch{X86_64, X86, X32}
	case AArch64:
		return []Arch{AArch64, ARM}
	case MIPS64, MIPS64N32:
		return []Arch{a, other(a, MIPS64, MIPS64N32), MIPS}
	case MIPSEL64, MIPSEL64N32:
		return []Arch{a, other(a, MIPSEL64, MIPSEL64N32), MIPSEL}
	case PPC64:
		return []Arch{PPC64, PPC}
	case S390X:
		return []Arch{S390X, S390}
	case PARISC64:
		return []Arch{PARISC64, PARISC}
	}
	return []Arch{a}
}

// other is whichever of x, y a is not.
func other(a, x, y Arch) Arch {
	if a == x {
		return y
	}
	return x
}

// ParseArch accepts the catalog name, an alias, libseccomp's name or the
// Docker SCMP_ARCH_* name, case-insensitively.
func ParseArch(s string) (Arch, error) {
	l := strings.ToLower(strings.TrimSpace(s))
	for _, ai := range archTable {
		if l == string(ai.Arch) || l == strings.ToLower(ai.Docker) || l == ai.Native {
			return ai.Arch, nil
		}
		for _, al := range ai.Aliases {
			if l == al {
				return ai.Arch, nil
			}
		}
	}
	return "", fmt.Errorf("unknown architecture %q: use one of %s", s, strings.Join(archNames(), ", "))
}

// ArchFromDocker maps an SCMP_ARCH_* name to a supported Arch. ok is false
// for a valid Docker arch that the workbench does not support (mips, ...).
func ArchFromDocker(s string) (Arch, bool) {
	for _, ai := range archTable {
		if ai.Docker == s {
			return ai.Arch, true
		}
	}
	return "", false
}

// ArchFromAudit maps seccomp_data's arch and nr to the ABI; the x32 bit of
// nr tells x32 from x86_64.
func ArchFromAudit(audit uint32, nr int32) (Arch, bool) {
	if audit == 0xC000003E {
		if nr >= 0 && nr&X32SyscallBit != 0 {
			return X32, true
		}
		return X86_64, true
	}
	for _, ai := range archTable {
		if ai.Audit == audit {
			return ai.Arch, true
		}
	}
	return "", false
}

func archNames() []string {
	var n []string
	for _, ai := range archTable {
		n = append(n, string(ai.Arch))
	}
	sort.Strings(n)
	return n
}
