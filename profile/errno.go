package profile

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// lastErrno is EHWPOISON, the highest errno Linux gives a name.
const lastErrno = 133

// ErrnoName names an errno ("EPERM"); unknown values print as numbers.
func ErrnoName(n uint) string {
	if n > 0 && n < 4096 {
		if s := unix.ErrnoName(syscall.Errno(n)); s != "" {
			return s
		}
	}
	return strconv.FormatUint(uint64(n), 10)
}

// ParseErrno accepts a name ("EPERM", "eacces") or a number 1..4095 in
// decimal or 0x-hex (see ParseNumber: "010" is ten).
func ParseErrno(s string) (uint, error) {
	t := strings.TrimSpace(s)
	if n, err := ParseNumber(t); err == nil {
		if n == 0 || n > maxErrno {
			return 0, fmt.Errorf("errno %d is out of range: use 1..%d or a name like EPERM", n, maxErrno)
		}
		return uint(n), nil
	}
	u := strings.ToUpper(t)
	if u == "" {
		// Numbers without a name (41, 58) must not match the empty name.
		return 0, fmt.Errorf("no errno given: use a name like EPERM, EACCES, ENOSYS or a number")
	}
	for n := uint(1); n <= lastErrno; n++ {
		if unix.ErrnoName(syscall.Errno(n)) == u {
			return n, nil
		}
	}
	return 0, fmt.Errorf("unknown errno name %q: use a name like EPERM, EACCES, ENOSYS or a number", s)
}

// PodmanErrno reads an errno the way containers-common reads Podman's
// "defaultErrno" and "errno": a decimal number, or a name spelled exactly
// as the kernel headers do ("ENOSYS"); ok is false for "" and for what
// it cannot read.
func PodmanErrno(s string) (uint, bool) {
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseUint(s, 10, 32); err == nil {
		return uint(n), true
	}
	if n, ok := errnoAliases[s]; ok {
		return n, true
	}
	for n := uint(1); n <= lastErrno; n++ {
		if unix.ErrnoName(syscall.Errno(n)) == s {
			return n, true
		}
	}
	return 0, false
}

// errnoAliases are second names of errnos that ErrnoName spells the
// other way.
var errnoAliases = map[string]uint{
	"EWOULDBLOCK": uint(unix.EWOULDBLOCK), "EDEADLOCK": uint(unix.EDEADLOCK), "ENOTSUP": uint(unix.ENOTSUP),
}

// CommonErrnos are the errnos offered first in pickers, most used first.
func CommonErrnos() []uint {
	return []uint{1, 38, 13, 95, 22, 2, 30, 11, 16, 19, 4}
}

// ErrnoNames lists every errno name the kernel defines, sorted.
func ErrnoNames() []string {
	var out []string
	for n := uint(1); n <= lastErrno; n++ {
		if s := unix.ErrnoName(syscall.Errno(n)); s != "" {
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}
