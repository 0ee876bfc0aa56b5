package runner

import (
	"os"
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

func TestSignatureNamesAreSyscalls(t *testing.T) {
	cat := catalog.MustDefault()
	for name := range signatures() {
		if _, ok := cat.Lookup(name); !ok {
			t.Errorf("signatures: %q is not a syscall in the catalog", name)
		}
	}
	for name := range extraSignatures() {
		if _, ok := cat.Lookup(name); !ok {
			t.Errorf("moreSignatures: %q is not a syscall in the catalog", name)
		}
		if _, dup := signatures()[name]; dup {
			t.Errorf("%q is in both tables", name)
		}
	}
}

func TestFormatArg(t *testing.T) {
	cases := []struct {
		arch catalog.Arch
		name string
		kind argKind
		v    uint64
		want string
	}{
		{catalog.X86_64, "openat", kDirFd, 0xffffffffffffff9c, "AT_FDCWD"},
		{catalog.X86, "openat", kDirFd, 0xffffff9c, "AT_FDCWD"},
		{catalog.X86_64, "openat", kDirFd, 3, "3"},
		{catalog.X86_64, "openat", kOpenFlags, 0o2 | 0o100 | 0o1000 | 0o2000000, "O_RDWR|O_CREAT|O_TRUNC|O_CLOEXEC"},
		{catalog.X86_64, "open", kOpenFlags, 0, "O_RDONLY"},
		{catalog.X86_64, "mkdir", kMode, 0o755, "0755"},
		{catalog.X86_64, "clone", kCloneFlags, 0x01200011, "SIGCHLD|CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID"},
		{catalog.X86_64, "unshare", kNsFlags, 0x10000000 | 0x20000, "CLONE_NEWNS|CLONE_NEWUSER"},
		{catalog.X86_64, "socket", kSockDomain, 16, "AF_NETLINK"},
		{catalog.X86_64, "socket", kSockDomain, 99, "99"},
		{catalog.X86_64, "socket", kSockType, 0x80803, "SOCK_RAW|SOCK_NONBLOCK|SOCK_CLOEXEC"},
		{catalog.X86_64, "mmap", kProt, 5, "PROT_READ|PROT_EXEC"},
		{catalog.X86_64, "mmap", kProt, 0, "PROT_NONE"},
		{catalog.X86_64, "mmap", kMapFlags, 0x22, "MAP_PRIVATE|MAP_ANONYMOUS"},
		{catalog.X86_64, "kill", kSignal, 9, "SIGKILL"},
		{catalog.X86_64, "ptrace", kPtraceReq, 16, "PTRACE_ATTACH"},
		{catalog.X86_64, "prctl", kPrctlOpt, 38, "PR_SET_NO_NEW_PRIVS"},
		{catalog.X86_64, "faccessat", kAccessMode, 6, "R_OK|W_OK"},
		{catalog.X86_64, "unlinkat", kUnlinkFlags, 0x200, "AT_REMOVEDIR"},
		{catalog.X86, "kill", kInt, 0xffffffff, "-1"},
		{catalog.X86_64, "read", kPtr, 0, "NULL"},
		{catalog.X86_64, "x", kAtFlags, 0x100 | 0x8000000, "AT_SYMLINK_NOFOLLOW|0x8000000"},
	}
	for _, c := range cases {
		if got := formatArg(c.arch, c.name, c.kind, c.v); got != c.want {
			t.Errorf("formatArg(%s %s %d %#x) = %q, want %q", c.arch, c.name, c.kind, c.v, got, c.want)
		}
	}
}

func TestReadString(t *testing.T) {
	// Reading our own memory exercises the page-by-page reads.
	buf := []byte("hello\x00world")
	s, ok := readString(os.Getpid(), uint64(addrOf(buf)), 256)
	if !ok || s != `"hello"` {
		t.Errorf("readString = %q, %v", s, ok)
	}
	long := make([]byte, 300)
	for i := range long {
		long[i] = 'a'
	}
	s, _ = readString(os.Getpid(), uint64(addrOf(long)), 8)
	if s != `"aaaaaaaa"…` {
		t.Errorf("a long string: %q", s)
	}
	if _, ok := readString(os.Getpid(), 8, 16); ok {
		t.Error("reading address 8 succeeded")
	}
}

func addrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

func TestArgTextCreateMode(t *testing.T) {
	path := []byte("/tmp\x00")
	p := uint64(addrOf(path))
	fdcwd := uint64(0xffffffffffffff9c)
	cases := []struct {
		flags uint64
		want  string
	}{
		// opendir's flags: O_DIRECTORY is part of O_TMPFILE's value, but
		// without O_CREAT or the tmpfile bit the kernel ignores the mode.
		{unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC, `openat(AT_FDCWD, "/tmp", O_RDONLY|O_DIRECTORY|O_CLOEXEC)`},
		{unix.O_WRONLY | unix.O_CREAT, `openat(AT_FDCWD, "/tmp", O_WRONLY|O_CREAT, 0644)`},
		{unix.O_RDWR | unix.O_TMPFILE, `openat(AT_FDCWD, "/tmp", O_RDWR|O_TMPFILE, 0644)`},
	}
	for _, c := range cases {
		got, readMem := argText(os.Getpid(), catalog.X86_64, "openat", [6]uint64{fdcwd, p, c.flags, 0o644})
		if got != c.want || !readMem {
			t.Errorf("flags %#x: %q (read memory %v), want %q", c.flags, got, readMem, c.want)
		}
	}
	runtime.KeepAlive(path)
}

// The arguments whose values the catalog names (catalog.RiskyArgs) are
// shown by name, as record's notes show them; values without a name stay
// numbers.
func TestDecodeRiskyNames(t *testing.T) {
	for _, tc := range []struct {
		name string
		args [6]uint64
		want string
	}{
		{"ioctl", [6]uint64{1, 0x5413, 0x7000}, "ioctl(1, TIOCGWINSZ, 0x7000)"},
		{"ioctl", [6]uint64{1, 0x1234, 0x7000}, "ioctl(1, 0x1234, 0x7000)"},
		{"ioctl", [6]uint64{1, 1<<32 | 0x5413, 0x7000}, "ioctl(1, 0x100005413, 0x7000)"},
		{"fcntl", [6]uint64{3, 1030, 0}, "fcntl(3, F_DUPFD_CLOEXEC, 0x0)"},
		{"bpf", [6]uint64{5, 0x7000, 128}, "bpf(BPF_PROG_LOAD, 0x7000, 128)"},
		{"keyctl", [6]uint64{1, 0, 0, 0, 0}, "keyctl(KEYCTL_JOIN_SESSION_KEYRING, 0x0, 0x0, 0x0, 0x0)"},
		{"setsockopt", [6]uint64{3, 1, 2, 0x7000, 4}, "setsockopt(3, SOL_SOCKET, 2, 0x7000, 4)"},
		{"personality", [6]uint64{0x40000}, "personality(ADDR_NO_RANDOMIZE)"},
	} {
		if got, _ := argText(0, catalog.X86_64, tc.name, tc.args); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
