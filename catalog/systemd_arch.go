package catalog

// Systemd is the ABI's name in systemd's SystemCallArchitectures=.
func (a Arch) Systemd() string {
	ai, _ := a.Info()
	return ai.Systemd
}

// ArchFromSystemd reads a SystemCallArchitectures= name ("x86-64");
// "native" is not an ABI of its own and is left to the caller.
func ArchFromSystemd(s string) (Arch, bool) {
	for _, ai := range archTable {
		if ai.Systemd == s {
			return ai.Arch, true
		}
	}
	return "", false
}
