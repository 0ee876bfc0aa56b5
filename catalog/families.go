package catalog

import "golang.org/x/sys/unix"

// Address families by the names systemd's RestrictAddressFamilies= and
// the kernel's <linux/socket.h> give them; AF_UNSPEC (0) is not one.
var addressFamilies = map[string]uint64{
	"AF_UNIX": unix.AF_UNIX, "AF_INET": unix.AF_INET, "AF_AX25": unix.AF_AX25, "AF_IPX": unix.AF_IPX,
	"AF_APPLETALK": unix.AF_APPLETALK, "AF_NETROM": unix.AF_NETROM, "AF_BRIDGE": unix.AF_BRIDGE,
	"AF_ATMPVC": unix.AF_ATMPVC, "AF_X25": unix.AF_X25, "AF_INET6": unix.AF_INET6, "AF_ROSE": unix.AF_ROSE,
	"AF_DECnet": unix.AF_DECnet, "AF_NETBEUI": unix.AF_NETBEUI, "AF_SECURITY": unix.AF_SECURITY,
	"AF_KEY": unix.AF_KEY, "AF_NETLINK": unix.AF_NETLINK, "AF_PACKET": unix.AF_PACKET, "AF_ASH": unix.AF_ASH,
	"AF_ECONET": unix.AF_ECONET, "AF_ATMSVC": unix.AF_ATMSVC, "AF_RDS": unix.AF_RDS, "AF_SNA": unix.AF_SNA,
	"AF_IRDA": unix.AF_IRDA, "AF_PPPOX": unix.AF_PPPOX, "AF_WANPIPE": unix.AF_WANPIPE, "AF_LLC": unix.AF_LLC,
	"AF_IB": unix.AF_IB, "AF_MPLS": unix.AF_MPLS, "AF_CAN": unix.AF_CAN, "AF_TIPC": unix.AF_TIPC,
	"AF_BLUETOOTH": unix.AF_BLUETOOTH, "AF_IUCV": unix.AF_IUCV, "AF_RXRPC": unix.AF_RXRPC, "AF_ISDN": unix.AF_ISDN,
	"AF_PHONET": unix.AF_PHONET, "AF_IEEE802154": unix.AF_IEEE802154, "AF_CAIF": unix.AF_CAIF, "AF_ALG": unix.AF_ALG,
	"AF_NFC": unix.AF_NFC, "AF_VSOCK": unix.AF_VSOCK, "AF_KCM": unix.AF_KCM, "AF_QIPCRTR": unix.AF_QIPCRTR,
	"AF_SMC": unix.AF_SMC, "AF_XDP": unix.AF_XDP, "AF_MCTP": unix.AF_MCTP,
}

// AFMax is AF_MAX: the kernel fails socket() for a family at or above it
// with EAFNOSUPPORT.
const AFMax = unix.AF_MCTP + 1

// AddressFamily reads a family name ("AF_INET").
func AddressFamily(name string) (uint64, bool) {
	v, ok := addressFamilies[name]
	return v, ok
}

// AddressFamilyName names a family number; "" when it has no name.
func AddressFamilyName(v uint64) string {
	for n, x := range addressFamilies {
		if x == v {
			return n
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
