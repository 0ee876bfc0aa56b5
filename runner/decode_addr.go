package runner

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Decoding of what some arguments point at: socket addresses (connect,
// bind, sendto, sendmsg) and device numbers (mknod).

// sockaddrMax is sizeof(struct sockaddr_storage): the kernel refuses a
// longer address (EINVAL), so no more is read.
const sockaddrMax = 128

// sockAddrArg reads and renders the socket address of n bytes at addr in
// thread tid. key is the text without the pointer when the address could
// not be read.
func sockAddrArg(tid int, arch catalog.Arch, addr, n uint64) (text, key string) {
	if addr == 0 {
		return "NULL", "NULL"
	}
	if arch.Is32Bit() {
		n &= 0xffffffff
	}
	// The kernel takes the length as an int.
	if int32(n) <= 0 {
		return ptrText(addr), "?"
	}
	if n > sockaddrMax {
		n = sockaddrMax
	}
	buf := make([]byte, n)
	if got := readMem(tid, addr, buf); got < len(buf) {
		return ptrText(addr), "?"
	}
	s := "{" + sockaddrText(buf) + "}"
	return s, s
}

// msgHdrArg renders a struct msghdr by its destination address (the only
// part a filter author usually cares about).
func msgHdrArg(tid int, arch catalog.Arch, addr uint64) (text, key string) {
	if addr == 0 {
		return "NULL", "NULL"
	}
	// msg_name, then msg_namelen: a pointer and a u32 (4-byte pointers on
	// the 32-bit ABIs and x32, whose sendmsg is the compat one).
	var buf [12]byte
	var name, namelen uint64
	if arch.Is32Bit() || arch == catalog.X32 {
		if readMem(tid, addr, buf[:8]) < 8 {
			return ptrText(addr), "?"
		}
		name, namelen = uint64(binary.NativeEndian.Uint32(buf[:4])), uint64(binary.NativeEndian.Uint32(buf[4:8]))
	} else {
		if readMem(tid, addr, buf[:]) < 12 {
			return ptrText(addr), "?"
		}
		name, namelen = binary.NativeEndian.Uint64(buf[:8]), uint64(binary.NativeEndian.Uint32(buf[8:12]))
	}
	if name == 0 || namelen == 0 {
		return "{msg_name=NULL}", "{msg_name=NULL}"
	}
	t, k := sockAddrArg(tid, arch, name, namelen)
	return "{msg_name=" + t + "}", "{msg_name=" + k + "}"
}

func ptrText(v uint64) string { return "0x" + strconv.FormatUint(v, 16) }

// sockaddrText renders a socket address as the kernel reads it:
// "AF_INET 127.0.0.1:8000", "AF_INET6 [::1]:53", `AF_UNIX "/run/s"`,
// `AF_UNIX @"name"` (abstract), "AF_UNIX unnamed". Other families, and
// addresses too short for their family, show the family alone.
func sockaddrText(b []byte) string {
	if len(b) < 2 {
		return "short address (" + strconv.Itoa(len(b)) + " bytes)"
	}
	fam := uint64(binary.NativeEndian.Uint16(b))
	name := catalog.MustDefault().ValueText("socket_domain", fam)
	if name == unnamedText(fam) {
		name = "family " + strconv.FormatUint(fam, 10)
	}
	short := name + " (" + strconv.Itoa(len(b)) + " bytes)"
	switch fam {
	case unix.AF_INET:
		if len(b) < 8 {
			return short
		}
		port := binary.BigEndian.Uint16(b[2:4])
		return name + " " + netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port).String()
	case unix.AF_INET6:
		if len(b) < 24 {
			return short
		}
		port := binary.BigEndian.Uint16(b[2:4])
		ip := netip.AddrFrom16([16]byte(b[8:24]))
		if len(b) >= 28 {
			if scope := binary.NativeEndian.Uint32(b[24:28]); scope != 0 {
				ip = ip.WithZone(strconv.FormatUint(uint64(scope), 10))
			}
		}
		return name + " " + netip.AddrPortFrom(ip, port).String()
	case unix.AF_UNIX:
		path := b[2:]
		switch {
		case len(path) == 0:
			return name + " unnamed"
		case path[0] == 0:
			// Abstract: every byte of the given length is the name.
			return name + " @" + strconv.Quote(string(path[1:]))
		}
		if i := bytes.IndexByte(path, 0); i >= 0 {
			path = path[:i]
		}
		return name + " " + strconv.Quote(string(path))
	}
	return name
}

// File types in a mode (S_IFMT), as mknod takes them.
var fileTypes = []struct {
	bits uint64
	name string
}{
	{unix.S_IFREG, "S_IFREG"}, {unix.S_IFCHR, "S_IFCHR"}, {unix.S_IFBLK, "S_IFBLK"},
	{unix.S_IFIFO, "S_IFIFO"}, {unix.S_IFSOCK, "S_IFSOCK"}, {unix.S_IFDIR, "S_IFDIR"},
	{unix.S_IFLNK, "S_IFLNK"},
}

// mknodMode renders mknod's mode: its file type and permission bits
// ("S_IFCHR|0600"); a type of 0 means a regular file to the kernel.
func mknodMode(v uint64) string {
	perm := "0" + strconv.FormatUint(v&0o7777, 8)
	typ := v & unix.S_IFMT
	if typ == 0 {
		return perm
	}
	for _, t := range fileTypes {
		if t.bits == typ {
			return t.name + "|" + perm
		}
	}
	return "0" + strconv.FormatUint(typ, 8) + "|" + perm
}

// isDevice reports whether a mknod mode makes a device, the only case in
// which the kernel reads the device number.
func isDevice(mode uint64) bool {
	t := mode & unix.S_IFMT
	return t == unix.S_IFCHR || t == unix.S_IFBLK
}

// devText renders a device number as the kernel decodes mknod's 32-bit
// dev argument (new_decode_dev): "makedev(1, 3)".
func devText(v uint64) string {
	dev := uint32(v)
	major := (dev & 0xfff00) >> 8
	minor := (dev & 0xff) | ((dev >> 12) & 0xfff00)
	var b strings.Builder
	b.WriteString("makedev(")
	b.WriteString(strconv.FormatUint(uint64(major), 10))
	b.WriteString(", ")
	b.WriteString(strconv.FormatUint(uint64(minor), 10))
	b.WriteByte(')')
	return b.String()
}
