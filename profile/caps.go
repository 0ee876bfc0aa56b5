package profile

import (
	"fmt"
	"slices"
	"strings"
)

// Capabilities by number, as in <linux/capability.h>. A profile's
// includes/excludes name them (Docker resolves them against the
// container's bounding set), and a root target keeps exactly the set its
// profile was resolved for.
var capNames = [...]string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK",
	"CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
	"CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
	"CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG",
	"CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
}

// CapNumber returns the number of a capability name ("CAP_SYS_ADMIN" or
// "sys_admin", any case).
func CapNumber(name string) (int, bool) {
	n := strings.ToUpper(strings.TrimSpace(name))
	if !strings.HasPrefix(n, "CAP_") {
		n = "CAP_" + n
	}
	i := slices.Index(capNames[:], n)
	return i, i >= 0
}

// AllCaps lists every capability this table knows, by number.
func AllCaps() []string { return slices.Clone(capNames[:]) }

// ParseCaps reads a --caps value: "docker" (Docker's default set), "all",
// "none", or a comma-separated list of names (CAP_NET_ADMIN or net_admin).
// The result is sorted and without duplicates.
func ParseCaps(s string) ([]string, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "docker", "default":
		return DockerDefaultCaps(), nil
	case "all":
		return AllCaps(), nil
	case "none":
		return []string{}, nil
	}
	var out []string
	for _, part := range strings.Split(s, ",") {
		i, ok := CapNumber(part)
		if !ok {
			return nil, fmt.Errorf("--caps: %q is not a capability: use docker, all, none or names such as CAP_NET_ADMIN,CAP_SYS_PTRACE", strings.TrimSpace(part))
		}
		if !slices.Contains(out, capNames[i]) {
			out = append(out, capNames[i])
		}
	}
	slices.Sort(out)
	return out, nil
}

// CapMask is the bit mask of a capability list (names CapNumber does not
// know are left out).
func CapMask(caps []string) uint64 {
	var m uint64
	for _, c := range caps {
		if i, ok := CapNumber(c); ok {
			m |= 1 << uint(i)
		}
	}
	return m
}
