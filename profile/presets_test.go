package profile

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

// Every preset parses, says what it is for, and compiles and verifies for
// this host in both the enforce and the watch variant (the latter with
// the runner's shim exemption, as run uses it).
func TestPresetsBuild(t *testing.T) {
	names := map[string]bool{}
	for _, pr := range Presets() {
		names[pr.Name] = true
		t.Run(pr.Name, func(t *testing.T) {
			if len(pr.Description) < 40 || strings.Contains(pr.Description, "\n") {
				t.Errorf("description %q: want a sentence or more on one line", pr.Description)
			}
			p := presetProfile(t, pr.Name)
			if pr.Name != "docker-default" {
				var meta struct{ Description string }
				data, _ := pr.Bytes()
				if err := json.Unmarshal(data, &meta); err != nil || meta.Description != pr.Description {
					t.Errorf("the file's description is not the listed one")
				}
			}
			env := HostEnv()
			for _, o := range []Options{
				{Mode: ModeEnforce},
				{Mode: ModeWatch, Exempt: &Exemption{Arch: env.Host, HandoffFD: 3, Magic: [3]uint64{0x5eccc0de, 0x1234567890abcdef, 42}}},
			} {
				prog, err := Build(p.Effective(env), o)
				if err != nil {
					t.Fatalf("%s: %v", o.Mode, err)
				}
				if len(prog.Stats.Skipped) > 0 && pr.Name != "docker-default" {
					t.Logf("%s: names no supported ABI has: %v", o.Mode, prog.Stats.Skipped)
				}
			}
		})
	}
	for _, want := range []string{"docker-default", "strict-baseline", "no-network", "no-exec-after-start", "deny-critical", "read-only-fs"} {
		if !names[want] {
			t.Errorf("preset %s is missing", want)
		}
	}
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
	o := Options{Mode: ModeWatch, Exempt: x}
	if d, _ := e.DecideName(catalog.X86_64, "execve", [6]uint64{0, 0, 0, 7, 8, 9}, o); d.Action != ActAllow {
		t.Errorf("the shim's execve: %s, want allow", d)
	}
	if d, _ := e.DecideName(catalog.X86_64, "execve", [6]uint64{}, o); d.Action != ActNotify {
		t.Errorf("the target's execve in watch mode: %s, want notify", d)
	}
	prog, err := Build(e, o)
	if err != nil {
		t.Fatal(err)
	}
	if n := catalog.MustDefault().Name(catalog.X86_64, 59); n != "execve" {
		t.Fatalf("x86_64 syscall 59 is %s", n)
	}
	if d, err := prog.Run(catalog.X86_64, 59, [6]uint64{0, 0, 0, 7, 8, 9}); err != nil || d.Action != ActAllow {
		t.Errorf("compiled filter, the shim's execve: %v %v", d, err)
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

// seccompExec is a minimal C program that loads a BPF program from a
// file, sets no_new_privs, installs the program with seccomp(2) and execs
// its remaining arguments. Exit 125 when it could not install the filter,
// 126 when the exec failed.
const seccompExec = `#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
	if (argc < 3) {
		fprintf(stderr, "usage: %s FILTER PROGRAM [ARG...]\n", argv[0]);
		return 125;
	}
	int fd = open(argv[1], O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0 || st.st_size == 0 || st.st_size % sizeof(struct sock_filter) != 0) {
		fprintf(stderr, "%s: not a BPF program\n", argv[1]);
		return 125;
	}
	struct sock_filter *insns = malloc(st.st_size);
	if (insns == NULL || read(fd, insns, st.st_size) != st.st_size) {
		fprintf(stderr, "%s: short read\n", argv[1]);
		return 125;
	}
	close(fd);
	struct sock_fprog prog = {.len = st.st_size / sizeof(struct sock_filter), .filter = insns};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		perror("prctl(PR_SET_NO_NEW_PRIVS)");
		return 125;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
		perror("seccomp(SECCOMP_SET_MODE_FILTER)");
		return 125;
	}
	execv(argv[2], argv + 2);
	fprintf(stderr, "execv %s: %s\n", argv[2], strerror(errno));
	return 126;
}
`

// Real programs under the real kernel with each curated preset installed
// as the enforce variant.
func TestPresetsRealProcess(t *testing.T) {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "seccomp-exec.c")
	helper := filepath.Join(dir, "seccomp-exec")
	if err := os.WriteFile(src, []byte(seccompExec), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-O1", "-Wall", "-Werror", "-o", helper, src).CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	python := "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		python = ""
	}
	// A raw clone(CLONE_NEWUSER|SIGCHLD) through ctypes: x86_64's number.
	const cloneNewUserPy = `import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
r = libc.syscall(56, 0x10000000 | 17, 0, 0, 0, 0)
if r == 0:
    os._exit(0)
print(r, ctypes.get_errno())`
	x86Python := python
	if NativeArch() != catalog.X86_64 {
		x86Python = ""
	}
	type run struct {
		argv     []string
		exit     int
		stdout   string // substring expected on stdout
		stderr   string // substring expected on stderr
		needs    string // a program that must exist, or the case is skipped
		inTmpDir bool
	}
	cases := map[string][]run{
		"strict-baseline": {
			{argv: []string{"/bin/true"}},
			{argv: []string{"/bin/ls", "/"}, stdout: "etc"},
			{argv: []string{"/bin/sh", "-c", "echo hello | tr a-z A-Z; cat /etc/hostname >/dev/null"}, stdout: "HELLO"},
			{argv: []string{"/bin/sh", "-c", "mkdir d && echo x > d/f && mv d/f d/g && chmod 600 d/g && ln -s g d/h && rm -r d && echo done"},
				stdout: "done", inTmpDir: true},
			{argv: []string{python, "-c", "print(1)"}, stdout: "1", needs: python},
			{argv: []string{python, "-c", "import socket; socket.socket(socket.AF_INET)"}, exit: 1,
				stderr: "PermissionError", needs: python},
			{argv: []string{"/usr/bin/unshare", "-U", "/bin/true"}, exit: 1, stderr: "Operation not permitted", needs: "/usr/bin/unshare"},
		},
		"read-only-fs": {
			{argv: []string{"/bin/cat", "/etc/hostname"}},
			{argv: []string{"/bin/sh", "-c", "echo x > f"}, exit: 2, stderr: "Read-only file system", inTmpDir: true},
			{argv: []string{"/bin/mkdir", "d"}, exit: 1, stderr: "Read-only file system", inTmpDir: true},
			{argv: []string{"/bin/sh", "-c", "echo ok"}, stdout: "ok"},
		},
		"no-network": {
			{argv: []string{"/bin/ls", "/"}, stdout: "etc"},
			{argv: []string{python, "-c", "import socket; socket.socket(socket.AF_UNIX); print('unix ok')"}, stdout: "unix ok", needs: python},
			{argv: []string{python, "-c", "import socket; socket.socket(socket.AF_INET6)"}, exit: 1, stderr: "PermissionError", needs: python},
		},
		"deny-critical": {
			{argv: []string{"/bin/sh", "-c", "echo ok"}, stdout: "ok"},
			{argv: []string{"/usr/bin/unshare", "-U", "/bin/true"}, exit: 1, stderr: "Operation not permitted", needs: "/usr/bin/unshare"},
			{argv: []string{python, "-c", cloneNewUserPy}, stdout: "-1 1\n", needs: x86Python},
		},
		// The helper's own exec is refused in enforce mode: nothing starts.
		"no-exec-after-start": {
			{argv: []string{"/bin/true"}, exit: 126, stderr: "Operation not permitted"},
		},
	}
	for name, runs := range cases {
		t.Run(name, func(t *testing.T) {
			p := presetProfile(t, name)
			prog, err := Build(p.Effective(HostEnv()), Options{Mode: ModeEnforce})
			if err != nil {
				t.Fatal(err)
			}
			filter := filepath.Join(t.TempDir(), name+".bpf")
			if err := os.WriteFile(filter, prog.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			for _, r := range runs {
				if r.needs == "" && r.argv[0] != "" {
					r.needs = r.argv[0]
				}
				if _, err := os.Stat(r.needs); r.needs == "" || err != nil {
					t.Logf("skipped %v: %s is not installed", r.argv, r.needs)
					continue
				}
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				cmd := exec.CommandContext(ctx, helper, append([]string{filter}, r.argv...)...)
				if r.inTmpDir {
					cmd.Dir = t.TempDir()
				}
				var stdout, stderr bytes.Buffer
				cmd.Stdout, cmd.Stderr = &stdout, &stderr
				err := cmd.Run()
				cancel()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatalf("%v: %v", r.argv, err)
				}
				if code != r.exit || !strings.Contains(stdout.String(), r.stdout) || !strings.Contains(stderr.String(), r.stderr) {
					t.Errorf("%v: exit %d (want %d)\nstdout: %s\nstderr: %s\nwant stdout containing %q and stderr containing %q",
						r.argv, code, r.exit, stdout.String(), stderr.String(), r.stdout, r.stderr)
				}
			}
		})
	}
}
