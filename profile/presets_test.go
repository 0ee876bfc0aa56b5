package profile

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// The checked-in presets are exactly what their generator makes.
func TestPresetsUpToDate(t *testing.T) {
	gen, err := generatePresets()
	if err != nil {
		t.Fatal(err)
	}
	update := os.Getenv("SECCOMP_WORKBENCH_UPDATE_PRESETS") != ""
	for _, g := range gen {
		want, err := Marshal(g.p)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, '\n')
		path := filepath.Join("presets", g.name+".json")
		if update {
			if err := os.WriteFile(path, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v: run SECCOMP_WORKBENCH_UPDATE_PRESETS=1 go test ./profile -run TestPresetsUpToDate", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from its generator (presets_gen_test.go): run SECCOMP_WORKBENCH_UPDATE_PRESETS=1 go test ./profile -run TestPresetsUpToDate", path)
		}
	}
}

func presetProfile(t testing.TB, name string) *Profile {
	t.Helper()
	p, err := Open(PresetPrefix + name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type presetCase struct {
	arch catalog.Arch
	call string
	args []uint64
	want string
}

func checkPreset(t *testing.T, name string, cases []presetCase) {
	t.Helper()
	p := presetProfile(t, name)
	for _, c := range cases {
		host := c.arch
		switch host {
		case catalog.X86, catalog.X32:
			host = catalog.X86_64
		case catalog.ARM:
			host = catalog.AArch64
		}
		var a [6]uint64
		copy(a[:], c.args)
		d, ok := p.Effective(testEnv(host)).DecideName(c.arch, c.call, a, Options{})
		if !ok {
			t.Errorf("%s: %s does not exist on %s", name, c.call, c.arch)
			continue
		}
		if d.String() != c.want {
			t.Errorf("%s: %s%v on %s: %s, want %s", name, c.call, c.args, c.arch, d, c.want)
		}
	}
}

func TestPresetDenyCritical(t *testing.T) {
	p := presetProfile(t, "deny-critical")
	cat := catalog.MustDefault()
	n := 0
	for _, host := range []catalog.Arch{catalog.X86_64, catalog.AArch64} {
		e := p.Effective(testEnv(host))
		for _, arch := range e.Arches {
			for _, ent := range cat.All() {
				nr, ok := ent.Number(arch)
				if !ok {
					continue
				}
				d := e.Decide(arch, nr, [6]uint64{}, Options{})
				want := "allow"
				switch {
				case ent.Risk == catalog.Critical:
					want = "errno(EPERM)"
				case ent.Name == "clone3":
					want = "errno(ENOSYS)"
				}
				if d.String() != want {
					t.Errorf("%s on %s: %s, want %s", ent.Name, arch, d, want)
				}
				n++
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d calls checked", n)
	}
	checkPreset(t, "deny-critical", []presetCase{
		{catalog.X86_64, "clone", []uint64{cloneNewUser | 17}, "errno(EPERM)"},
		{catalog.X86_64, "clone", []uint64{cloneNewNet}, "errno(EPERM)"},
		{catalog.X86, "clone", []uint64{cloneNewNS}, "errno(EPERM)"},
		{catalog.AArch64, "clone", []uint64{cloneNewPID}, "errno(EPERM)"},
		{catalog.X86_64, "clone", []uint64{0x3d0f00}, "allow"}, // pthread_create's flags
		{catalog.X86_64, "clone", []uint64{17}, "allow"},       // fork: SIGCHLD only
	})
}

func TestPresetStrictBaseline(t *testing.T) {
	checkPreset(t, "strict-baseline", []presetCase{
		{catalog.X86_64, "read", nil, "allow"},
		{catalog.X86_64, "execve", nil, "allow"},
		{catalog.X86_64, "mmap", nil, "allow"},
		{catalog.X86_64, "bpf", nil, "errno(EPERM)"},
		{catalog.X86_64, "mount", nil, "errno(EPERM)"},
		{catalog.X86_64, "ptrace", nil, "errno(EPERM)"},
		{catalog.X86_64, "io_uring_setup", nil, "errno(EPERM)"},
		{catalog.X86_64, "setuid", nil, "errno(EPERM)"},
		{catalog.X86_64, "chown", nil, "errno(EPERM)"},
		{catalog.X86_64, "mknodat", nil, "errno(EPERM)"},
		{catalog.X86_64, "socket", []uint64{afUnix}, "allow"},
		{catalog.X86_64, "socket", []uint64{2}, "errno(EPERM)"},
		{catalog.X86_64, "socket", []uint64{10}, "errno(EPERM)"},
		{catalog.X86_64, "clone", []uint64{0x3d0f00}, "allow"},
		{catalog.X86_64, "clone", []uint64{cloneNewUser}, "errno(EPERM)"},
		{catalog.X86_64, "clone3", nil, "errno(ENOSYS)"},
		{catalog.X86_64, "prlimit64", []uint64{0}, "allow"},
		{catalog.X86_64, "prlimit64", []uint64{1}, "errno(EPERM)"},
		{catalog.X86_64, "arch_prctl", nil, "allow"},
		{catalog.X86, "set_thread_area", nil, "allow"},
		{catalog.X86, "socketcall", nil, "errno(EPERM)"},
		{catalog.X86, "mmap2", nil, "allow"},
		{catalog.X32, "read", nil, "allow"},
		{catalog.AArch64, "openat", nil, "allow"},
		{catalog.AArch64, "bpf", nil, "errno(EPERM)"},
		{catalog.ARM, "set_tls", nil, "allow"},
	})
	// Nothing of the critical and high tiers is allowed on any ABI of the
	// preset, but prlimit64 on the calling process (pid 0).
	p := presetProfile(t, "strict-baseline")
	for _, host := range []catalog.Arch{catalog.X86_64, catalog.AArch64} {
		e := p.Effective(testEnv(host))
		for _, arch := range e.Arches {
			for _, ent := range catalog.MustDefault().All() {
				if ent.Risk.Rank() > catalog.High.Rank() || ent.Name == "prlimit64" {
					continue
				}
				if d, ok := e.DecideName(arch, ent.Name, [6]uint64{}, Options{}); ok && d.Action == ActAllow {
					t.Errorf("%s-tier %s allowed on %s", ent.Risk, ent.Name, arch)
				}
			}
		}
	}
}

func TestPresetNoNetwork(t *testing.T) {
	checkPreset(t, "no-network", []presetCase{
		{catalog.X86_64, "socket", []uint64{afUnix, 1}, "allow"},
		{catalog.X86_64, "socket", []uint64{2, 1}, "errno(EPERM)"},  // AF_INET
		{catalog.X86_64, "socket", []uint64{10, 2}, "errno(EPERM)"}, // AF_INET6
		{catalog.X86_64, "socket", []uint64{16}, "errno(EPERM)"},    // AF_NETLINK
		{catalog.X86_64, "socket", []uint64{17}, "errno(EPERM)"},    // AF_PACKET
		{catalog.X86_64, "socket", []uint64{40}, "errno(EPERM)"},    // AF_VSOCK
		{catalog.X86_64, "socket", []uint64{1<<32 | afUnix}, "errno(EPERM)"},
		{catalog.X86_64, "socketpair", []uint64{afUnix}, "allow"},
		{catalog.X86_64, "connect", nil, "allow"},
		{catalog.X86, "socket", []uint64{afUnix}, "allow"},
		{catalog.X86, "socket", []uint64{2}, "errno(EPERM)"},
		{catalog.X86, "socketcall", nil, "errno(EPERM)"},
		{catalog.AArch64, "socket", []uint64{2}, "errno(EPERM)"},
		{catalog.X86_64, "io_uring_setup", nil, "errno(EPERM)"},
		{catalog.X86_64, "read", nil, "allow"},
		{catalog.X86_64, "execve", nil, "allow"},
	})
	// Apart from socket and socketcall it is Docker's profile.
	nn := presetProfile(t, "no-network")
	dd := presetProfile(t, "docker-default")
	for _, host := range []catalog.Arch{catalog.X86_64, catalog.AArch64} {
		a, b := nn.Effective(testEnv(host)), dd.Effective(testEnv(host))
		for _, arch := range a.Arches {
			for _, ent := range catalog.MustDefault().All() {
				if ent.Name == "socket" || ent.Name == "socketcall" {
					continue
				}
				x, ok := a.DecideName(arch, ent.Name, [6]uint64{}, Options{})
				y, _ := b.DecideName(arch, ent.Name, [6]uint64{}, Options{})
				if ok && !x.Same(y) {
					t.Errorf("%s on %s: %s, Docker's default says %s", ent.Name, arch, x, y)
				}
			}
		}
	}
}

func TestPresetNoExecAfterStart(t *testing.T) {
	checkPreset(t, "no-exec-after-start", []presetCase{
		{catalog.X86_64, "execve", nil, "errno(EPERM)"},
		{catalog.X86_64, "execveat", nil, "errno(EPERM)"},
		{catalog.X86, "execve", nil, "errno(EPERM)"},
		{catalog.AArch64, "execve", nil, "errno(EPERM)"},
		{catalog.X86_64, "bpf", nil, "errno(EPERM)"},
		{catalog.X86_64, "clone", []uint64{17}, "allow"},
		{catalog.X86_64, "socket", []uint64{2}, "allow"},
		{catalog.X86_64, "openat", []uint64{0, 0, oWronly | oCreat}, "allow"},
	})
	// Under the runner (watch mode) the shim's exec carries the run's
	// secret and goes through; the target's own execs are reported and
	// refused.
	p := presetProfile(t, "no-exec-after-start")
	x := &Exemption{Arch: catalog.X86_64, HandoffFD: 3, Magic: [3]uint64{7, 8, 9}}
	e := p.Effective(testEnv(catalog.X86_64))
	o := Options{Variant: VariantWatch, Exempt: x}
	if d, _ := e.DecideName(catalog.X86_64, "execve", [6]uint64{0, 0, 0, 7, 8, 9}, o); d.Action != ActAllow {
		t.Errorf("the shim's execve: %s, want allow", d)
	}
	if d, _ := e.DecideName(catalog.X86_64, "execve", [6]uint64{}, o); d.Action != ActNotify {
		t.Errorf("the target's execve in watch mode: %s, want notify", d)
	}
}

func TestPresetReadOnlyFS(t *testing.T) {
	const atFDCWD = 0xffffff9c // AT_FDCWD
	checkPreset(t, "read-only-fs", []presetCase{
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, 0}, "allow"},               // O_RDONLY
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, 0x80000 | 0x800}, "allow"}, // O_CLOEXEC|O_NONBLOCK
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, 0x10000 | 0x200000}, "allow"},
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, oWronly}, "errno(EROFS)"},
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, oRdwr}, "errno(EROFS)"},
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, oWronly | oCreat | oTrunc}, "errno(EROFS)"},
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, oCreat}, "errno(EROFS)"},
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, oTrunc}, "errno(EROFS)"},
		{catalog.X86_64, "openat", []uint64{atFDCWD, 0, 0x410000 | oRdwr}, "errno(EROFS)"}, // O_TMPFILE
		{catalog.X86_64, "open", []uint64{0, 0}, "allow"},
		{catalog.X86_64, "open", []uint64{0, oWronly | 0x400}, "errno(EROFS)"}, // O_APPEND
		{catalog.X86_64, "openat2", nil, "errno(ENOSYS)"},
		{catalog.X86_64, "creat", nil, "errno(EROFS)"},
		{catalog.X86, "openat", []uint64{atFDCWD, 0, oWronly}, "errno(EROFS)"},
		{catalog.X86, "openat", []uint64{atFDCWD, 0, 0}, "allow"},
		{catalog.AArch64, "openat", []uint64{atFDCWD, 0, oRdwr}, "errno(EROFS)"},
		{catalog.AArch64, "openat", []uint64{atFDCWD, 0, 0}, "allow"},
		{catalog.X86_64, "mkdir", nil, "errno(EROFS)"},
		{catalog.X86_64, "unlinkat", nil, "errno(EROFS)"},
		{catalog.X86_64, "renameat2", nil, "errno(EROFS)"},
		{catalog.X86_64, "fchmod", nil, "errno(EROFS)"},
		{catalog.X86_64, "fchownat", nil, "errno(EROFS)"},
		{catalog.X86_64, "utimensat", nil, "errno(EROFS)"},
		{catalog.X86_64, "fsetxattr", nil, "errno(EROFS)"},
		{catalog.X86_64, "truncate", nil, "errno(EROFS)"},
		{catalog.X86_64, "symlinkat", nil, "errno(EROFS)"},
		{catalog.X86_64, "ioctl", []uint64{3, fsIocSetflags}, "errno(EROFS)"},
		{catalog.X86_64, "ioctl", []uint64{3, 1<<32 | fsIocSetflags}, "errno(EROFS)"},
		{catalog.X86_64, "ioctl", []uint64{3, 0x5401}, "allow"}, // TCGETS
		{catalog.X86_64, "write", nil, "allow"},
		{catalog.X86_64, "ftruncate", nil, "allow"},
		{catalog.X86_64, "mount", nil, "errno(EPERM)"},
		{catalog.X86_64, "io_uring_setup", nil, "errno(EPERM)"},
		{catalog.X86_64, "read", nil, "allow"},
	})
}
