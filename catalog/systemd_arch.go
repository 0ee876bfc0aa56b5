package catalog

// systemdArches are systemd's names for the ABIs in
// SystemCallArchitectures= (seccomp_arch_to_string in systemd's
// seccomp-util.c).
var systemdArches = map[Arch]string{
	X86_64: "x86-64", X86: "x86", X32: "x32",
	AArch64: "arm64", ARM: "arm", RISCV64: "riscv64",
	S390X: "s390x", PPC64LE: "ppc64-le",
	MIPS: "mips", MIPSEL: "mips-le", MIPS64: "mips64",
	MIPSEL64: "mips64-le", MIPS64N32: "mips64-n32", MIPSEL64N32: "mips64-le-n32",
	PPC: "ppc", PPC64: "ppc64", S390: "s390",
	PARISC: "parisc", PARISC64: "parisc64",
}

// Systemd is the ABI's name in systemd's SystemCallArchitectures=.
func (a Arch) Systemd() string { return systemdArches[a] }

// ArchFromSystemd reads a SystemCallArchitectures= name ("x86-64");
// "native" is not an ABI of its own and is left to the caller.
func ArchFromSystemd(s string) (Arch, bool) {
	for a, n := range systemdArches {
		if n == s {
			return a, true
		}
	}
	return "", false
}
