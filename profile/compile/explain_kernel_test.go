package compile

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"syscall"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// probeResult is what the probe saw, or how it died.
type probeResult struct {
	ret    int64
	errno  int
	signal syscall.Signal // non-zero when the probe was killed
}

func (r probeResult) String() string {
	if r.signal != 0 {
		return "killed by " + r.signal.String()
	}
	if r.ret == -1 {
		return fmt.Sprintf("-1/%s", profile.ErrnoName(uint(r.errno)))
	}
	return fmt.Sprintf("ret %d", r.ret)
}

var probeOutRE = regexp.MustCompile(`^ret=(-?\d+) errno=(\d+)\n$`)

// buildProbe compiles testdata/explain/probe.c.
func buildProbe(t *testing.T) string {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the probe's syscall table and int $0x80 gate are x86_64's")
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed")
	}
	bin := filepath.Join(t.TempDir(), "probe")
	out, err := exec.Command(gcc, "-O2", "-Wall", "-Werror", "-mno-red-zone", "-o", bin, "../../testdata/explain/probe.c").CombinedOutput()
	if err != nil {
		t.Fatalf("building the probe: %v\n%s", err, out)
	}
	return bin
}

// probeForAll copies the probe built by buildProbe into a directory
// nobody can reach too (t.TempDir makes the test's directory and this one
// 0700), where the test also writes its filters; it returns the directory
// and the copy.
func probeForAll(t *testing.T, bin string) (dir, probe string) {
	t.Helper()
	dir = t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	probe = filepath.Join(dir, "probe")
	if err := os.WriteFile(probe, data, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir, probe
}

func runProbe(t *testing.T, bin string, flags []string, filter string, nr int64, args []uint64) probeResult {
	t.Helper()
	return runProbeAs(t, nil, bin, flags, filter, nr, args)
}

// runProbeAs is runProbe as the user cred gives (nil: this process's).
func runProbeAs(t *testing.T, cred *syscall.Credential, bin string, flags []string, filter string, nr int64, args []uint64) probeResult {
	t.Helper()
	argv := append(append([]string(nil), flags...), filter, strconv.FormatInt(nr, 10))
	for _, a := range args {
		argv = append(argv, fmt.Sprintf("%#x", a))
	}
	cmd := exec.Command(bin, argv...)
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return probeResult{signal: ws.Signal()}
		}
		t.Fatalf("probe %v: %v", argv, err)
	} else if err != nil {
		t.Fatalf("probe %v: %v", argv, err)
	}
	m := probeOutRE.FindSubmatch(out)
	if m == nil {
		t.Fatalf("probe %v printed %q", argv, out)
	}
	ret, _ := strconv.ParseInt(string(m[1]), 10, 64)
	errno, _ := strconv.Atoi(string(m[2]))
	return probeResult{ret: ret, errno: errno}
}

// allowedOutcome is what a call the filter lets through must return: the
// real syscall's own result with those arguments.
type allowedOutcome struct {
	errno    int  // the errno it fails with, or 0
	positive bool // succeeds with a value > 0 (a pid)
}

func (o allowedOutcome) check(r probeResult) bool {
	switch {
	case r.signal != 0:
		return false
	case o.errno != 0:
		return r.ret == -1 && r.errno == o.errno
	case o.positive:
		return r.ret > 0
	}
	return r.ret >= 0
}

// kernelCase is one call; want is what explain must say (its String());
// allowed is checked when the filter lets the call through.
type kernelCase struct {
	arch    catalog.Arch
	syscall string
	args    []uint64
	want    string
	allowed allowedOutcome
}

// The compiled filter, installed by the real kernel in a child, behaves
// as Explain predicts: allowed calls return what the syscall itself
// returns, errno actions fail with that errno, kill and trap end the
// child by SIGSYS, trace and notify without a tracer or listener fail
// with ENOSYS. Explain's own answers are written out too, so the test
// fails if both were wrong the same way.
func TestExplainAgreesWithKernel(t *testing.T) {
	bin := buildProbe(t)
	ia32 := runProbe(t, bin, []string{"--no-filter", "--int80"}, "-", 20, nil).ret > 0

	ebadf := allowedOutcome{errno: int(syscall.EBADF)}
	minus1 := ^uint64(0)
	docker := []kernelCase{
		{catalog.X86_64, "getpid", nil, "allow", allowedOutcome{positive: true}},
		{catalog.X86_64, "close", []uint64{minus1}, "allow", ebadf},
		{catalog.X86_64, "read", []uint64{minus1, 0, 0}, "allow", ebadf},
		// Allowed, add_key(NULL, ...) would fail with EFAULT.
		{catalog.X86_64, "add_key", nil, "errno(EPERM)", allowedOutcome{}},
		// Allowed, clone3(NULL, 0) would fail with EINVAL.
		{catalog.X86_64, "clone3", []uint64{0, 0}, "errno(ENOSYS)", allowedOutcome{}},
		// 0xffffffff queries the persona without changing it.
		{catalog.X86_64, "personality", []uint64{0xffffffff}, "allow", allowedOutcome{}},
		{catalog.X86_64, "personality", []uint64{0x1234}, "errno(EPERM)", allowedOutcome{}},
		{catalog.X86_64, "socket", []uint64{1, 1, 0}, "allow", allowedOutcome{positive: true}},
		{catalog.X86_64, "socket", []uint64{40, 1, 0}, "errno(EPERM)", allowedOutcome{}},
		// Newer than anything Docker names: the stub says ENOSYS; the
		// call itself would fail with EBADF.
		{catalog.X86_64, "file_getattr", []uint64{minus1}, "errno(ENOSYS)", allowedOutcome{}},
		// Through the 64-bit entry with the x32 bit: the filter decides
		// before the kernel finds out whether it supports x32.
		{catalog.X32, "add_key", nil, "errno(EPERM)", allowedOutcome{}},
		{catalog.X86, "getpid", nil, "allow", allowedOutcome{positive: true}},
		{catalog.X86, "close", []uint64{0xffffffff}, "allow", ebadf},
		{catalog.X86, "add_key", nil, "errno(EPERM)", allowedOutcome{}},
		{catalog.X86, "socket", []uint64{40, 1, 0}, "errno(EPERM)", allowedOutcome{}},
	}
	small, err := profile.Parse("kill.json", []byte(`{
		"defaultAction": "SCMP_ACT_ALLOW",
		"architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [
			{"names": ["getppid"], "action": "SCMP_ACT_KILL_PROCESS"},
			{"names": ["gettid"], "action": "SCMP_ACT_KILL_THREAD"},
			{"names": ["getuid"], "action": "SCMP_ACT_TRAP"},
			{"names": ["getgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 99},
			{"names": ["getegid"], "action": "SCMP_ACT_LOG"},
			{"names": ["getpgrp"], "action": "SCMP_ACT_TRACE", "errnoRet": 7},
			{"names": ["getsid"], "action": "SCMP_ACT_NOTIFY"},
			{"names": ["umask"], "action": "SCMP_ACT_KILL_PROCESS", "args": [{"index": 0, "value": 511, "op": "SCMP_CMP_EQ"}]}
		]}`))
	if err != nil {
		t.Fatal(err)
	}
	kill := []kernelCase{
		{catalog.X86_64, "getpid", nil, "allow", allowedOutcome{positive: true}},
		{catalog.X86_64, "getppid", nil, "kill_process", allowedOutcome{}},
		{catalog.X86_64, "gettid", nil, "kill_thread", allowedOutcome{}},
		{catalog.X86_64, "getuid", nil, "trap", allowedOutcome{}},
		{catalog.X86_64, "getgid", nil, "errno(EADDRNOTAVAIL)", allowedOutcome{}},
		{catalog.X86_64, "getegid", nil, "log", allowedOutcome{}},
		{catalog.X86_64, "getpgrp", nil, "trace(7)", allowedOutcome{}},
		{catalog.X86_64, "getsid", nil, "notify", allowedOutcome{}},
		{catalog.X86_64, "umask", []uint64{0o777}, "kill_process", allowedOutcome{}},
		{catalog.X86_64, "umask", []uint64{0o22}, "allow", allowedOutcome{}},
		// x86 is not in this filter: the kernel kills the caller.
		{catalog.X86, "getpid", nil, "kill_thread", allowedOutcome{}},
		{catalog.X86, "close", []uint64{0xffffffff}, "kill_thread", allowedOutcome{}},
	}

	// The ABIs in another order: the dispatch in front of the per-ABI
	// programs tests x32's arch value first, and each ABI still reaches
	// its own program (x86's 20 is getpid, x86_64's is writev). The
	// probe itself needs write and exit_group after the filter is in.
	order, err := profile.Parse("order.json", []byte(`{
		"defaultAction": "SCMP_ACT_ERRNO",
		"architectures": ["SCMP_ARCH_X32", "SCMP_ARCH_X86", "SCMP_ARCH_X86_64"],
		"syscalls": [
			{"names": ["getpid", "write", "exit_group"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]}
		]}`))
	if err != nil {
		t.Fatal(err)
	}
	ordered := []kernelCase{
		{catalog.X86_64, "getpid", nil, "allow", allowedOutcome{positive: true}},
		{catalog.X86_64, "writev", []uint64{minus1}, "errno(EPERM)", allowedOutcome{}},
		{catalog.X86_64, "personality", []uint64{0xffffffff}, "allow", allowedOutcome{}},
		{catalog.X86_64, "personality", []uint64{0x1234}, "errno(EPERM)", allowedOutcome{}},
		{catalog.X32, "close", nil, "errno(EPERM)", allowedOutcome{}},
		{catalog.X86, "getpid", nil, "allow", allowedOutcome{positive: true}},
		{catalog.X86, "close", []uint64{0xffffffff}, "errno(EPERM)", allowedOutcome{}},
		{catalog.X86, "personality", []uint64{0xffffffff}, "allow", allowedOutcome{}},
		{catalog.X86, "personality", []uint64{0x1234}, "errno(EPERM)", allowedOutcome{}},
	}

	dir := t.TempDir()
	filters := map[string]string{}
	for _, set := range []struct {
		name  string
		p     *profile.Profile
		cases []kernelCase
	}{
		{"docker-default", mustOpen(t, "preset:docker-default"), docker},
		{"kill", small, kill},
		{"order", order, ordered},
	} {
		prog, err := Build(set.p.Effective(profile.HostEnv()), profile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		filter := filepath.Join(dir, set.name+".bpf")
		if err := os.WriteFile(filter, prog.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		filters[set.name] = filter
		for _, c := range set.cases {
			var args [6]uint64
			copy(args[:], c.args)
			name := fmt.Sprintf("%s/%s/%s%s", set.name, c.arch, c.syscall, profile.FormatArgs(args))
			t.Run(name, func(t *testing.T) {
				kernelProbe{bin, filter, ia32}.check(t, prog, c.arch, c.syscall, c.args, c.want, c.allowed)
			})
		}
	}

	// A control: under a filter that lets add_key through, the probe sees
	// the syscall's own EFAULT, which the EPERM check must not accept.
	t.Run("control", func(t *testing.T) {
		got := runProbe(t, bin, nil, filters["kill"], nrOf(t, catalog.X86_64, "add_key"), nil)
		if got.ret != -1 || got.errno != int(syscall.EFAULT) {
			t.Fatalf("add_key(NULL, ...) allowed: %s, want -1/EFAULT", got)
		}
		if kernelAgrees(profile.Decision{Action: profile.ActErrno, Errno: 1}, allowedOutcome{}, got) {
			t.Error("an allowed add_key passed for errno(EPERM)")
		}
	})
}

func kernelAgrees(d profile.Decision, allowed allowedOutcome, got probeResult) bool {
	switch d.Action.Canon() {
	case profile.ActAllow, profile.ActLog:
		return allowed.check(got)
	case profile.ActErrno:
		return got.signal == 0 && got.ret == -1 && got.errno == int(d.Errno)
	case profile.ActKillProcess, profile.ActKillThread, profile.ActTrap:
		return got.signal == syscall.SIGSYS
	case profile.ActTrace, profile.ActNotify:
		// No tracer, no listener: the kernel fails the call.
		return got.signal == 0 && got.ret == -1 && got.errno == int(syscall.ENOSYS)
	}
	return false
}

// kernelProbe runs explain's answer for one call past the real kernel:
// the probe binary makes the call (through int 0x80 for x86, when this
// kernel has the gate) under the filter file.
type kernelProbe struct {
	bin, filter string
	ia32        bool
}

// check asserts what explain says for the call, then that the kernel
// agrees; it returns explain's answer.
func (k kernelProbe) check(t *testing.T, prog *Program, arch catalog.Arch, name string, argv []uint64, want string, allowed allowedOutcome) *Explanation {
	t.Helper()
	var args [6]uint64
	copy(args[:], argv)
	var flags []string
	if arch == catalog.X86 {
		if !k.ia32 {
			t.Skip("this kernel has no int $0x80 gate (IA32 emulation is off)")
		}
		flags = []string{"--int80"}
	}
	x, err := ExplainName(prog, arch, name, args)
	if err != nil {
		t.Fatal(err)
	}
	if x.Decision.String() != want {
		t.Fatalf("explain says %s, want %s", x.Decision, want)
	}
	got := runProbe(t, k.bin, flags, k.filter, x.Nr, argv)
	if !kernelAgrees(x.Decision, allowed, got) {
		t.Errorf("explain says %s; the kernel: %s", x.Decision, got)
	}
	return x
}
