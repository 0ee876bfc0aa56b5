package catalog

import (
	"testing"

	"golang.org/x/sys/unix"
)

// Every family below AF_MAX has one name, read back both ways, and the
// names are the kernel's.
func TestAddressFamilies(t *testing.T) {
	for v := uint64(1); v < AFMax; v++ {
		n := AddressFamilyName(v)
		if n == "" {
			t.Errorf("family %d has no name", v)
			continue
		}
		if got, ok := AddressFamily(n); !ok || got != v {
			t.Errorf("AddressFamily(%s) = %d, %v; want %d", n, got, ok, v)
		}
	}
	for n, want := range map[string]uint64{"AF_UNIX": unix.AF_UNIX, "AF_INET6": unix.AF_INET6, "AF_PACKET": unix.AF_PACKET, "AF_MCTP": unix.AF_MCTP} {
		if got, ok := AddressFamily(n); !ok || got != want {
			t.Errorf("AddressFamily(%s) = %d, %v; want %d", n, got, ok, want)
		}
	}
	if _, ok := AddressFamily("AF_UNSPEC"); ok {
		t.Error("AF_UNSPEC is not a family systemd restricts")
	}
}
