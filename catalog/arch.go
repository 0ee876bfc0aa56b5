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
)

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
	// Audit is the AUDIT_ARCH_* value the kernel puts in seccomp_data.arch.
	Audit uint32
	// Bits is the width of a native long: 32-bit ABIs see only the low
	// 32 bits of each syscall argument.
	Bits int
	// Aliases are other spellings accepted on the command line.
	Aliases []string
}

var archTable = []ArchInfo{
	{X86_64, "SCMP_ARCH_X86_64", "amd64", 0xC000003E, 64, []string{"amd64", "x86-64"}},
	{X86, "SCMP_ARCH_X86", "x86", 0x40000003, 32, []string{"i386", "i686", "386"}},
	{X32, "SCMP_ARCH_X32", "x32", 0xC000003E, 32, nil},
	{AArch64, "SCMP_ARCH_AARCH64", "arm64", 0xC00000B7, 64, []string{"arm64"}},
	{ARM, "SCMP_ARCH_ARM", "arm", 0x40000028, 32, []string{"armhf", "armv7"}},
	{RISCV64, "SCMP_ARCH_RISCV64", "riscv64", 0xC00000F3, 64, nil},
	{S390X, "SCMP_ARCH_S390X", "s390x", 0x80000016, 64, nil},
	{PPC64LE, "SCMP_ARCH_PPC64LE", "ppc64le", 0xC0000015, 64, nil},
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
	for _, ai := range archTable {
		if ai.Arch == a {
			return ai, true
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
	}
	return []Arch{a}
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
