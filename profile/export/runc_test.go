package export

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
)

// The differential test: the OCI export of a profile, loaded by the real
// runc into a container whose root holds nothing but a static probe,
// does to each call what explain says, except where runc built on the
// linked libseccomp drops a name it does not know, and there it does
// what RuntimeDrops says (and explain does not).

// runcBundle is a minimal bundle: rootfs with the probe, /proc and /dev
// mount points; config.json is rewritten for every call.
type runcBundle struct {
	runc, root, dir string
	n               int
	// withoutNNP starts the container without no_new_privs: runc then
	// loads the filter before switching to the container's user.
	withoutNNP bool
}

func newRuncBundle(t *testing.T) *runcBundle {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the probe's syscall numbers and int $0x80 gate are x86_64's")
	}
	rc, err := exec.LookPath("runc")
	if err != nil {
		t.Skip("runc is not installed (scripts/deps.sh test installs it): the runc differential test cannot run")
	}
	if os.Geteuid() != 0 {
		t.Skip("runc needs root to start a container here: the runc differential test cannot run")
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed: no static probe")
	}
	dir := t.TempDir()
	b := &runcBundle{runc: rc, root: filepath.Join(dir, "state"), dir: filepath.Join(dir, "bundle")}
	// The containers' cgroups go under one parent of this test's; a
	// container that failed to start may leave its own behind.
	t.Cleanup(func() {
		leftover, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", b.cgroupParent(), "*"))
		parents, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", "*", b.cgroupParent()))
		parents2, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup", b.cgroupParent()))
		for _, d := range append(append(leftover, parents...), parents2...) {
			_ = os.Remove(d)
		}
	})
	for _, d := range []string{"rootfs/proc", "rootfs/dev"} {
		if err := os.MkdirAll(filepath.Join(b.dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(gcc, "-static", "-O2", "-Wall", "-Werror", "-mno-red-zone", "-o",
		filepath.Join(b.dir, "rootfs", "probe"), "../../testdata/explain/probe.c").CombinedOutput()
	if err != nil {
		t.Skipf("cannot build a static probe (is libc6-dev's libc.a installed?): %v\n%s", err, out)
	}
	// runc that cannot start a container without seccomp cannot run
	// this test at all; anything later is a failure.
	if _, err := b.run(nil, "--no-filter", "-", "39"); err != nil {
		t.Skipf("runc cannot start a container here: %v", err)
	}
	return b
}

var runcProbeRE = regexp.MustCompile(`^ret=(-?\d+) errno=(\d+)\n$`)

func (b *runcBundle) cgroupParent() string { return fmt.Sprintf("wb-probe-%d", os.Getpid()) }

// run starts the probe with args in a container under seccomp (nil: no
// filter) and reports what it saw or how it died.
func (b *runcBundle) run(seccomp *specs.LinuxSeccomp, args ...string) (probeOutcome, error) {
	caps := profile.DockerDefaultCaps()
	cfg := specs.Spec{
		Version: specs.Version,
		Process: &specs.Process{
			User: specs.User{UID: 0, GID: 0}, Args: append([]string{"/probe"}, args...), Env: []string{"PATH=/"}, Cwd: "/",
			Capabilities:    &specs.LinuxCapabilities{Bounding: caps, Effective: caps, Permitted: caps},
			NoNewPrivileges: !b.withoutNNP,
			Rlimits:         []specs.POSIXRlimit{{Type: "RLIMIT_CORE"}},
		},
		Root:     &specs.Root{Path: "rootfs", Readonly: true},
		Hostname: "probe",
		Mounts:   []specs.Mount{{Destination: "/proc", Type: "proc", Source: "proc"}},
		Linux: &specs.Linux{
			Namespaces:  []specs.LinuxNamespace{{Type: "pid"}, {Type: "mount"}, {Type: "ipc"}, {Type: "uts"}, {Type: "network"}},
			Seccomp:     seccomp,
			CgroupsPath: fmt.Sprintf("/%s/%d", b.cgroupParent(), b.n+1),
		},
	}
	data, err := json.Marshal(cfg)
	if err != nil {
		return probeOutcome{}, err
	}
	if err := os.WriteFile(filepath.Join(b.dir, "config.json"), data, 0o644); err != nil {
		return probeOutcome{}, err
	}
	b.n++
	id := fmt.Sprintf("wb-probe-%d-%d", os.Getpid(), b.n)
	cmd := exec.Command(b.runc, "--root", b.root, "run", "--bundle", b.dir, id)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err = cmd.Run()
	if err != nil {
		// A container that did not start may be left in runc's state.
		_ = exec.Command(b.runc, "--root", b.root, "delete", "--force", id).Run()
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) && stdout.Len() == 0 {
		// runc run exits 128+N when a signal killed the container's
		// process.
		if c := ee.ExitCode(); c > 128 && c < 128+65 && stderr.Len() == 0 {
			return probeOutcome{signal: syscall.Signal(c - 128)}, nil
		}
	}
	if err != nil {
		return probeOutcome{}, fmt.Errorf("runc run: %v: %s%s", err, stdout.Bytes(), stderr.Bytes())
	}
	m := runcProbeRE.FindSubmatch(stdout.Bytes())
	if m == nil {
		return probeOutcome{}, fmt.Errorf("the probe printed %q (stderr %q)", stdout.Bytes(), stderr.Bytes())
	}
	ret, _ := strconv.ParseInt(string(m[1]), 10, 64)
	errno, _ := strconv.Atoi(string(m[2]))
	return probeOutcome{ret: ret, errno: errno}, nil
}

type probeOutcome struct {
	ret    int64
	errno  int
	signal syscall.Signal
}

func (r probeOutcome) String() string {
	if r.signal != 0 {
		return "killed by " + r.signal.String()
	}
	if r.ret == -1 {
		return "-1/" + profile.ErrnoName(uint(r.errno))
	}
	return fmt.Sprintf("ret %d", r.ret)
}

// allowedAs says what the call returns when the filter lets it through
// (the syscall's own result with those arguments): fails with errno, or
// succeeds (positive: with a value above 0).
type allowedAs struct {
	errno    syscall.Errno
	positive bool
}

// agrees reports whether what the probe saw is decision d.
func agrees(d profile.Decision, allowed allowedAs, got probeOutcome) bool {
	switch d.Action.Canon() {
	case profile.ActAllow, profile.ActLog:
		switch {
		case got.signal != 0:
			return false
		case allowed.errno != 0:
			return got.ret == -1 && got.errno == int(allowed.errno)
		case allowed.positive:
			return got.ret > 0
		}
		return got.ret >= 0
	case profile.ActErrno:
		return got.signal == 0 && got.ret == -1 && got.errno == int(d.Errno)
	case profile.ActKillProcess, profile.ActKillThread, profile.ActTrap:
		return got.signal == syscall.SIGSYS
	}
	return false
}

type runcCase struct {
	arch    catalog.Arch
	syscall string
	args    []uint64
	allowed allowedAs
}

func TestRuncAgreesWithExplain(t *testing.T) {
	b := newRuncBundle(t)
	env := profile.HostEnv()
	minus1 := ^uint64(0)
	efault, ebadf := allowedAs{errno: syscall.EFAULT}, allowedAs{errno: syscall.EBADF}
	pos := allowedAs{positive: true}
	newer := []runcCase{
		// Calls libseccomp 2.5.4 does not know.
		{catalog.X86_64, "listmount", []uint64{0, 0, 0, 0}, efault},
		{catalog.X86_64, "statmount", []uint64{0, 0, 0, 0}, efault},
		{catalog.X86_64, "open_tree_attr", []uint64{minus1, 0, 0, 0, 0}, efault},
	}
	sets := []struct {
		src   string
		cases []runcCase
	}{
		{"preset:docker-default", append([]runcCase{
			{catalog.X86_64, "getpid", nil, pos},
			{catalog.X86_64, "close", []uint64{minus1}, ebadf},
			{catalog.X86_64, "add_key", nil, efault},
			{catalog.X86_64, "mount", nil, efault},
			{catalog.X86_64, "clone3", []uint64{0, 0}, allowedAs{errno: syscall.EINVAL}},
			{catalog.X86_64, "personality", []uint64{0xffffffff}, allowedAs{}},
			{catalog.X86_64, "personality", []uint64{0x1234}, allowedAs{}},
			{catalog.X86_64, "socket", []uint64{1, 1, 0}, pos},
			{catalog.X86_64, "socket", []uint64{40, 1, 0}, pos},
			{catalog.X86_64, "500", nil, allowedAs{errno: syscall.ENOSYS}},
			{catalog.X86, "getpid", nil, pos},
			{catalog.X86, "add_key", nil, efault},
			{catalog.X32, "add_key", nil, efault},
		}, newer...)},
		{"../../testdata/profiles/podman-default.json", append([]runcCase{
			{catalog.X86_64, "getpid", nil, pos},
			{catalog.X86_64, "add_key", nil, efault},
			{catalog.X86_64, "mount", nil, efault},
			{catalog.X86_64, "socket", []uint64{40, 1, 0}, pos},
			{catalog.X86, "getpid", nil, pos},
		}, newer...)},
		{"../../testdata/profiles/runc-denylist.json", append([]runcCase{
			{catalog.X86_64, "getpid", nil, pos},
			{catalog.X86_64, "mkdir", []uint64{0}, efault},
			{catalog.X86_64, "getppid", nil, allowedAs{}},
			{catalog.X86_64, "umount2", []uint64{0, 0}, efault},
			{catalog.X86_64, "socket", []uint64{16, 3, 0}, pos},
			{catalog.X86_64, "socket", []uint64{1, 1, 0}, pos},
			{catalog.X86_64, "personality", []uint64{0x1234}, allowedAs{}},
			{catalog.X86_64, "personality", []uint64{0xffffffff}, allowedAs{}},
			{catalog.X32, "mkdir", []uint64{0}, efault},
			// x86 is not in the filter: the bad-arch action kills.
			{catalog.X86, "getpid", nil, pos},
		}, newer...)},
	}
	ia32 := true
	if got, err := b.run(nil, "--no-filter", "--int80", "-", "20"); err != nil || got.ret <= 0 {
		ia32 = false // no int $0x80 gate on this kernel
	}
	checked, dropped := 0, 0
	for _, set := range sets {
		p := mustOpen(t, set.src)
		e := p.Effective(env)
		out, _, err := Export(p, env, FormatOCI, ExportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", set.src, err)
		}
		var sc specs.LinuxSeccomp
		if err := json.Unmarshal(out, &sc); err != nil {
			t.Fatal(err)
		}
		prog, err := compile.Build(e, profile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		drops := map[string]profile.Decision{}
		for _, d := range e.RuntimeDrops() {
			drops[d.Name] = d.Runtime
		}
		for _, c := range set.cases {
			var args [6]uint64
			copy(args[:], c.args)
			name := fmt.Sprintf("%s/%s/%s%s", filepath.Base(set.src), c.arch, c.syscall, profile.FormatArgs(args))
			t.Run(name, func(t *testing.T) {
				flags := []string{"--no-filter"}
				if c.arch == catalog.X86 {
					if !ia32 {
						t.Skip("this kernel has no int $0x80 gate (IA32 emulation is off)")
					}
					flags = append(flags, "--int80")
				}
				nr, err := profile.ResolveSyscall(c.arch, c.syscall)
				if err != nil {
					t.Fatal(err)
				}
				x, err := compile.Explain(prog, c.arch, nr, args)
				if err != nil {
					t.Fatal(err)
				}
				want := x.Decision
				if rt, ok := drops[c.syscall]; ok && c.arch == catalog.X86_64 {
					// runc on this libseccomp drops the name: what
					// check and the export notes say it does instead.
					if rt.Same(want) {
						t.Fatalf("RuntimeDrops lists %s with the same outcome as explain, %s", c.syscall, want)
					}
					want = rt
					dropped++
				}
				argv := append(flags, "-", strconv.FormatInt(x.Nr, 10))
				for _, a := range c.args {
					argv = append(argv, fmt.Sprintf("%#x", a))
				}
				got, err := b.run(&sc, argv...)
				if err != nil {
					t.Fatal(err)
				}
				if !agrees(want, c.allowed, got) {
					t.Errorf("explain says %s (expected under runc: %s); runc: %s", x.Decision, want, got)
				}
				checked++
			})
		}
	}
	// A control: an allowed add_key(NULL, ...) fails with EFAULT, which
	// the errno(EPERM) check must not take for the filter's answer.
	t.Run("control", func(t *testing.T) {
		got, err := b.run(nil, "--no-filter", "-", "248")
		if err != nil {
			t.Fatal(err)
		}
		if got.ret != -1 || got.errno != int(syscall.EFAULT) || agrees(profile.Decision{Action: profile.ActErrno, Errno: 1}, allowedAs{}, got) {
			t.Errorf("unfiltered add_key: %s", got)
		}
	})
	if !profile.LinkedKnows("listmount") && dropped == 0 {
		t.Error("no case exercised a name runc drops")
	}
	t.Logf("%d probes under runc, %d of them on names runc drops", checked, dropped)
}

// runtime-needs names exactly the calls without which runc cannot start
// a container: each one denied alone, in a profile that allows all else,
// stops it (with no_new_privs only the Always ones); calls it does not
// list, denied, do not, and lint flags the one and not the other.
func TestRuncNeeds(t *testing.T) {
	b := newRuncBundle(t)
	env := profile.HostEnv()
	type probe struct {
		name     string
		nnp      bool // run with no_new_privs
		needed   bool
		lintSays bool
	}
	var cases []probe
	for _, n := range lint.RuntimeNeeds() {
		cases = append(cases, probe{n.Name, false, true, true}, probe{n.Name, true, n.Always, true})
	}
	// Calls runc's own code does not make; Go's runtime calls (mmap,
	// rt_sigprocmask ...) are left out: whether it makes them during the
	// start depends on timing.
	for _, n := range []string{"setresuid", "fchdir", "umask", "open", "getdents", "close_range", "mkdir"} {
		cases = append(cases, probe{n, false, false, false})
	}
	for _, c := range cases {
		t.Run(fmt.Sprintf("%s/nnp=%v", c.name, c.nnp), func(t *testing.T) {
			p, err := profile.Parse("t.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
				"syscalls": [{"names": ["`+c.name+`"], "action": "SCMP_ACT_ERRNO"}]}`))
			if err != nil {
				t.Fatal(err)
			}
			flagged := false
			for _, f := range lint.Lint(p, env) {
				flagged = flagged || f.Code == "runtime-needs" && strings.Contains(f.Message, " "+c.name+" (")
			}
			if flagged != c.lintSays {
				t.Errorf("lint flags %s: %v, want %v", c.name, flagged, c.lintSays)
			}
			out, _, err := Export(p, env, FormatOCI, ExportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var sc specs.LinuxSeccomp
			if err := json.Unmarshal(out, &sc); err != nil {
				t.Fatal(err)
			}
			b.withoutNNP = !c.nnp
			defer func() { b.withoutNNP = false }()
			got, err := b.run(&sc, "--no-filter", "-", "39")
			started := err == nil && got.signal == 0 && got.ret > 0
			if c.name == "futex" {
				// Needed only when two of runc's threads meet.
				return
			}
			if started == c.needed {
				t.Errorf("%s denied, no_new_privs %v: the container started %v (%v %v); runtime-needs says it needs the call: %v", c.name, c.nnp, started, got, err, c.needed)
			}
		})
	}
}
