package catalog

import "golang.org/x/sys/unix"

// The address families are riskyargs.json's "socket_domain" set, named
// as systemd's RestrictAddressFamilies= and the kernel's <linux/socket.h>
// name them; AF_UNSPEC (0) is not one.
const familySet = "socket_domain"

// AFMax is AF_MAX: the kernel fails socket() for a family at or above it
// with EAFNOSUPPORT.
const AFMax = unix.AF_MCTP + 1

// AddressFamily reads a family name ("AF_INET").
func AddressFamily(name string) (uint64, bool) {
	t, err := loadRisky()
	if err != nil {
		return 0, false
	}
	for _, n := range t.sets[familySet].Names {
		if n.Name == name {
			return n.Value, true
		}
	}
	return 0, false
}

// AddressFamilyName names a family number; "" when it has no name.
func AddressFamilyName(v uint64) string {
	t, err := loadRisky()
	if err != nil {
		return ""
	}
	for _, n := range t.sets[familySet].Names {
		if n.Value == v {
			return n.Name
		}
	}
	return ""
}

// NamespaceType is a namespace kind as systemd's RestrictNamespaces=
// names it, with its CLONE_NEW* flag.
type NamespaceType struct {
	Name string
	Flag uint64
}

// NamespaceTypes lists the namespace kinds RestrictNamespaces= knows, in
// its order.
func NamespaceTypes() []NamespaceType {
	return []NamespaceType{
		{"cgroup", unix.CLONE_NEWCGROUP}, {"ipc", unix.CLONE_NEWIPC}, {"net", unix.CLONE_NEWNET},
		{"mnt", unix.CLONE_NEWNS}, {"pid", unix.CLONE_NEWPID}, {"user", unix.CLONE_NEWUSER}, {"uts", unix.CLONE_NEWUTS},
	}
}
