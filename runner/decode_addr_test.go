package runner

import (
	"encoding/binary"
	"os"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// sa builds a socket address: the family in host order, then raw bytes.
func sa(family uint16, rest ...byte) []byte {
	b := binary.NativeEndian.AppendUint16(nil, family)
	return append(b, rest...)
}

func TestSockaddrText(t *testing.T) {
	in6 := func(port uint16, ip [16]byte, scope uint32) []byte {
		b := sa(unix.AF_INET6, byte(port>>8), byte(port), 0, 0, 0, 0)
		b = append(b, ip[:]...)
		return binary.NativeEndian.AppendUint32(b, scope)
	}
	loop6 := [16]byte{15: 1}
	ll6 := [16]byte{0: 0xfe, 1: 0x80, 15: 1}
	cases := []struct {
		b    []byte
		want string
	}{
		{sa(unix.AF_INET, 0x1f, 0x40, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0), "AF_INET 127.0.0.1:8000"},
		{sa(unix.AF_INET, 0, 53, 127, 0, 0, 53), "AF_INET 127.0.0.53:53"},
		{sa(unix.AF_INET, 0, 53, 127), "AF_INET (5 bytes)"},
		{in6(53, loop6, 0), "AF_INET6 [::1]:53"},
		{in6(443, ll6, 2), "AF_INET6 [fe80::1%2]:443"},
		{sa(unix.AF_INET6, 0, 53), "AF_INET6 (4 bytes)"},
		{sa(unix.AF_UNIX, []byte("/run/x.sock\x00\x00\x00")...), `AF_UNIX "/run/x.sock"`},
		{sa(unix.AF_UNIX, []byte("/no/nul")...), `AF_UNIX "/no/nul"`},
		{sa(unix.AF_UNIX, []byte("\x00name\x00x")...), `AF_UNIX @"name\x00x"`},
		{sa(unix.AF_UNIX), "AF_UNIX unnamed"},
		{sa(unix.AF_NETLINK, 0, 0, 0, 0), "AF_NETLINK"},
		{sa(200, 1, 2), "family 200"},
		{[]byte{1}, "short address (1 bytes)"},
	}
	for _, c := range cases {
		if got := sockaddrText(c.b); got != c.want {
			t.Errorf("sockaddrText(% x) = %q, want %q", c.b, got, c.want)
		}
	}
}

func TestMknodArgs(t *testing.T) {
	modes := []struct {
		v    uint64
		want string
		dev  bool
	}{
		{unix.S_IFCHR | 0o600, "S_IFCHR|0600", true},
		{unix.S_IFBLK | 0o660, "S_IFBLK|0660", true},
		{unix.S_IFIFO | 0o644, "S_IFIFO|0644", false},
		{unix.S_IFSOCK | 0o755, "S_IFSOCK|0755", false},
		{unix.S_IFREG | 0o4755, "S_IFREG|04755", false},
		{0o644, "0644", false},
		{0o110644, "0110000|0644", false},
	}
	for _, m := range modes {
		if got := mknodMode(m.v); got != m.want {
			t.Errorf("mknodMode(%#o) = %q, want %q", m.v, got, m.want)
		}
		if isDevice(m.v) != m.dev {
			t.Errorf("isDevice(%#o) = %v", m.v, !m.dev)
		}
	}
	devs := []struct {
		major, minor uint32
		want         string
	}{
		{1, 3, "makedev(1, 3)"},
		{8, 17, "makedev(8, 17)"},
		{259, 65536, "makedev(259, 65536)"},
		{0, 0, "makedev(0, 0)"},
	}
	for _, d := range devs {
		// The kernel's encoding of a 32-bit dev_t (new_encode_dev),
		// which is glibc's for numbers that fit.
		v := uint64(unix.Mkdev(d.major, d.minor))
		if got := devText(v); got != d.want {
			t.Errorf("devText(%#x) = %q, want %q", v, got, d.want)
		}
	}
}

// The row key leaves pointer values out, and keeps what was read.
func TestDecodeCallKey(t *testing.T) {
	path := []byte("/tmp\x00")
	var in4 [16]byte
	copy(in4[:], sa(unix.AF_INET, 0x1f, 0x40, 127, 0, 0, 1))
	pid := os.Getpid()
	cases := []struct {
		name      string
		args      [6]uint64
		text, key string
	}{
		{"uname", [6]uint64{0x7000}, "uname(0x7000)", "uname(*)"},
		{"uname", [6]uint64{0}, "uname(NULL)", "uname(NULL)"},
		{"read", [6]uint64{3, 0x7000, 10}, "read(3, 0x7000, 10)", "read(3, *, 10)"},
		{"stat", [6]uint64{uint64(uintptr(unsafe.Pointer(&path[0]))), 0x9000}, `stat("/tmp", 0x9000)`, `stat("/tmp", *)`},
		{"stat", [6]uint64{8, 0x9000}, `stat(0x8, 0x9000)`, `stat(?, *)`},
		{"connect", [6]uint64{3, uint64(uintptr(unsafe.Pointer(&in4[0]))), 16}, "connect(3, {AF_INET 127.0.0.1:8000}, 16)", "connect(3, {AF_INET 127.0.0.1:8000}, 16)"},
		{"connect", [6]uint64{3, 8, 16}, "connect(3, 0x8, 16)", "connect(3, ?, 16)"},
		{"connect", [6]uint64{3, 0x1000, 0}, "connect(3, 0x1000, 0)", "connect(3, ?, 0)"},
		{"syscall_999", [6]uint64{1, 0x7000}, "syscall_999(0x1, 0x7000)", "syscall_999(0x1, 0x7000)"},
	}
	for _, c := range cases {
		got := decodeCall(pid, catalog.X86_64, c.name, c.args)
		if got.text != c.text || got.key != c.key {
			t.Errorf("%s%v: text %q key %q, want %q and %q", c.name, c.args, got.text, got.key, c.text, c.key)
		}
	}
	runtime.KeepAlive(path)
	runtime.KeepAlive(&in4)
}
