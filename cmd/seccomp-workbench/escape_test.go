package main

// Attacks a target tries on the workbench that runs it: each is a real
// program (runner/testdata/escape) run under `seccomp-workbench run`, as
// root and as an unprivileged user, and each must fail with nothing
// created, mounted or left running.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// nobody is the unprivileged user the attacks also run as.
const nobody = 65534

// escapeDenyMkdir lets everything through but making directories and
// mounting: a target cannot do those itself, so a directory or mount that
// appears was made by someone else on its behalf.
const escapeDenyMkdir = `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["mkdir", "mkdirat", "mount", "umount2", "fsopen", "fsmount", "move_mount", "open_tree"], "action": "SCMP_ACT_ERRNO"}]}`

// escapeKit is a directory every user can read and execute, holding the
// workbench binary (its own copy: the attacks look for processes running
// it, and must not find another test's), the escape programs and the
// profiles.
type escapeKit struct {
	dir       string
	workbench string
	denyMkdir string
	allowAll  string
}

func (k *escapeKit) prog(name string) string { return filepath.Join(k.dir, "escape-"+name) }

// openTempDir is a temporary directory every user may enter and read
// (a binary there runs as nobody too): t.TempDir is mode 0700 inside a
// 0700 directory of its own.
func openTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func newEscapeKit(t *testing.T) *escapeKit {
	t.Helper()
	dir := openTempDir(t)
	k := &escapeKit{dir: dir, workbench: filepath.Join(dir, "seccomp-workbench"),
		denyMkdir: filepath.Join(dir, "deny-mkdir.json"), allowAll: filepath.Join(dir, "allow-all.json")}
	if out, err := exec.Command("go", "build", "-o", k.workbench, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the workbench: %v\n%s", err, out)
	}
	src, err := filepath.Abs("../../runner/testdata/escape")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"ptrace", "mem", "getfd", "ownlistener", "reveal", "procsys", "devices", "daemon", "status"} {
		out, err := exec.Command("gcc", "-O2", "-Wall", "-o", k.prog(name), filepath.Join(src, name+".c"), "-lpthread").CombinedOutput()
		if err != nil {
			t.Fatalf("building %s.c: %v\n%s", name, err, out)
		}
	}
	for path, js := range map[string]string{k.denyMkdir: escapeDenyMkdir, k.allowAll: `{"defaultAction": "SCMP_ACT_ALLOW"}`} {
		if err := os.WriteFile(path, []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// escapeUser is who runs the workbench: root, or an unprivileged user.
type escapeUser struct {
	name string
	cred *syscall.Credential // nil: the test's own user
	root bool
	// isolable: the kernel lets this user make the namespaces of an
	// isolated run, so the isolation itself is checked too.
	isolable bool
}

// canIsolate asks the kernel, as u, for the namespaces an isolated run
// needs.
func canIsolate(t *testing.T, k *escapeKit, u escapeUser) bool {
	t.Helper()
	cmd := exec.Command(k.prog("status"), "can-isolate")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
	out, _ := cmd.Output()
	if strings.TrimSpace(string(out)) == "CAN-ISOLATE yes" {
		return true
	}
	t.Logf("%s cannot make PID and mount namespaces here (%s): the isolation itself is not checked", u.name, strings.TrimSpace(string(out)))
	return false
}

// escapeUsers gives root and nobody when the test runs as root, and the
// test's own (unprivileged) user otherwise.
func escapeUsers() []escapeUser {
	if os.Getuid() != 0 {
		return []escapeUser{{name: "unprivileged"}}
	}
	return []escapeUser{
		{name: "root", root: true},
		{name: "nobody", cred: &syscall.Credential{Uid: nobody, Gid: nobody, Groups: []uint32{}}},
	}
}

// caseDir is a fresh directory the attacked workbench could write to
// whoever runs it: a directory made on the target's behalf lands there.
func caseDir(t *testing.T, parent string) string {
	t.Helper()
	d, err := os.MkdirTemp(parent, "case-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(d, 0o777); err != nil {
		t.Fatal(err)
	}
	return d
}

// escapeRun is the outcome of one `seccomp-workbench run`.
type escapeRun struct {
	stdout, stderr string
	code           int
	workbenchPid   int
}

// runWorkbenchAs runs the kit's workbench as u with args.
func runWorkbenchAs(t *testing.T, k *escapeKit, u escapeUser, args ...string) escapeRun {
	t.Helper()
	cmd := exec.Command(k.workbench, args...)
	cmd.Dir = k.dir
	cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	res := escapeRun{workbenchPid: cmd.Process.Pid}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		res.code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	res.stdout, res.stderr = out.String(), errb.String()
	return res
}

// escapeAttack is one attack program under one profile.
type escapeAttack struct {
	prog    string
	profile string // preset:NAME, "allow-all", or "" for escapeDenyMkdir
	mode    string // "" for watch, the default (a listener exists), enforce, or audit
}

func (a escapeAttack) name() string {
	p := strings.TrimPrefix(a.profile, "preset:")
	if p == "" {
		p = "deny-mkdir"
	}
	if a.mode != "" {
		p += "/" + a.mode
	}
	return a.prog + "/" + p
}

var escapeAttacks = []escapeAttack{
	{prog: "ptrace", profile: "preset:docker-default"},
	{prog: "ptrace"},
	{prog: "mem", profile: "preset:strict-baseline"},
	{prog: "mem", profile: "preset:docker-default"},
	{prog: "mem"},
	{prog: "getfd", profile: "preset:read-only-fs"},
	{prog: "getfd"},
	{prog: "reveal", profile: "allow-all"},
	// Not with --isolate none: sharing the host's /proc and /dev, a root
	// target has the host's /proc/sys and disks as any root process does.
	{prog: "procsys", profile: "preset:docker-default"},
	{prog: "devices", profile: "preset:docker-default"},
	{prog: "ownlistener"},
	{prog: "ownlistener", profile: "preset:read-only-fs"},
	{prog: "ownlistener", mode: "enforce"},
	// Audit mode lets through every call the profile denies (strict-
	// baseline denies ptrace, process_vm_writev and pidfd_getfd), so what
	// keeps the target apart must hold without the filter's help.
	{prog: "ptrace", profile: "preset:strict-baseline", mode: "audit"},
	{prog: "mem", profile: "preset:strict-baseline", mode: "audit"},
	{prog: "getfd", profile: "preset:strict-baseline", mode: "audit"},
	{prog: "procsys", profile: "preset:docker-default", mode: "audit"},
	{prog: "devices", profile: "preset:docker-default", mode: "audit"},
	{prog: "ownlistener", mode: "audit"},
}

// With --isolate none the workbench is in plain sight: being
// non-dumpable and the root target's capabilities must stop these alone.
var escapeAttacksNoIsolation = []escapeAttack{
	{prog: "ptrace", profile: "preset:docker-default"},
	{prog: "mem", profile: "preset:docker-default"},
	{prog: "getfd", profile: "preset:read-only-fs"},
	{prog: "ptrace", profile: "preset:strict-baseline", mode: "audit"},
	{prog: "mem", profile: "preset:strict-baseline", mode: "audit"},
	{prog: "getfd", profile: "preset:strict-baseline", mode: "audit"},
}

var targetsLine = regexp.MustCompile(`(?m)^TARGETS (\d+):(.*)$`)

// The cases run one after another: an attack looks for every process
// running the workbench binary, and must meet only its own run's.
// staticShim builds the runner's static shim beside the kit's workbench
// (make build's recipe), which the workbench then starts for its runs.
func (k *escapeKit) staticShim(t *testing.T) { buildStaticShim(t, k.dir) }

// buildStaticShim builds the static shim into dir with make build's
// recipe.
func buildStaticShim(t *testing.T, dir string) {
	t.Helper()
	out, err := exec.Command("make", "-s", "-C", "../..", "shim", "SHIM="+filepath.Join(dir, runner.StaticShim)).CombinedOutput()
	if err != nil {
		t.Fatalf("building the static shim (make shim): %v\n%s", err, out)
	}
}

// The attacks run against both shims: the workbench re-executing itself
// (go build, go install) and the static shim beside it (make build).
func TestEscape(t *testing.T) {
	k := newEscapeKit(t)
	t.Run("self-shim", func(t *testing.T) { runEscapes(t, k) })
	k.staticShim(t)
	t.Run("static-shim", func(t *testing.T) {
		// The runs really use it: their init's command line says so.
		out := runWorkbenchAs(t, k, escapeUsers()[0], "run", "--mode", "enforce", "--profile", k.allowAll, "--",
			"/bin/sh", "-c", `tr "\0" " " < /proc/$PPID/cmdline`)
		if want := filepath.Join(k.dir, runner.StaticShim) + " " + runner.ShimArg; !strings.Contains(out.stdout, want) {
			t.Fatalf("the run's init is %q, want %q", out.stdout, want)
		}
		runEscapes(t, k)
	})
}

func runEscapes(t *testing.T, k *escapeKit) {
	for _, u := range escapeUsers() {
		u.isolable = canIsolate(t, k, u)
		t.Run(u.name, func(t *testing.T) {
			for _, isolateNone := range []bool{false, true} {
				attacks, suffix := escapeAttacks, ""
				if isolateNone {
					attacks, suffix = escapeAttacksNoIsolation, "/isolate-none"
				}
				for _, a := range attacks {
					t.Run(a.name()+suffix, func(t *testing.T) {
						runEscapeAttack(t, k, u, a, isolateNone)
					})
				}
			}
			for _, isolateNone := range []bool{false, true} {
				suffix := ""
				if isolateNone {
					suffix = "/isolate-none"
				}
				for _, plan := range []string{"", "hop", "kill-parent"} {
					t.Run(strings.TrimSuffix("daemon-"+plan, "-")+suffix, func(t *testing.T) {
						runEscapeDaemon(t, k, u, plan, isolateNone)
					})
				}
				t.Run("daemon-workbench-killed"+suffix, func(t *testing.T) {
					runEscapeWorkbenchKilled(t, k, u, isolateNone)
				})
			}
			// Unprivileged, the owner of a run's user namespace has every
			// capability in it: a target of the same user sharing the host's
			// namespaces (--isolate none) can ptrace that run's processes. The
			// README states it; as root, the capability rules must stop it.
			if u.name == "root" {
				t.Run("cross-run", func(t *testing.T) {
					runEscapeCrossRun(t, k, u)
				})
			}
			t.Run("status", func(t *testing.T) {
				runEscapeStatus(t, k, u)
			})
			t.Run("caps", func(t *testing.T) {
				runEscapeCaps(t, k, u)
			})
		})
	}
}

func runEscapeAttack(t *testing.T, k *escapeKit, u escapeUser, a escapeAttack, isolateNone bool) {
	dir := caseDir(t, k.dir)
	made := filepath.Join(dir, "made-by-"+a.prog)
	mountpoint := filepath.Join(dir, "mnt")
	if err := os.Mkdir(mountpoint, 0o777); err != nil {
		t.Fatal(err)
	}
	ceiling := strconv.Itoa(os.Getpid())
	argv := []string{k.prog(a.prog), k.workbench, ceiling}
	switch a.prog {
	case "ptrace":
		argv = append(argv, made, mountpoint)
	case "getfd", "ownlistener":
		argv = append(argv, made)
	case "reveal":
		argv = append(argv, hostMountNS(t))
	case "devices":
		argv = append(argv, dir)
	}
	prof := a.profile
	switch prof {
	case "":
		prof = k.denyMkdir
	case "allow-all":
		prof = k.allowAll
	}
	args := []string{"run", "--profile", prof}
	if a.mode != "" {
		args = append(args, "--mode", a.mode)
	}
	if isolateNone {
		args = append(args, "--isolate", "none")
	}
	res := runWorkbenchAs(t, k, u, append(append(args, "--"), argv...)...)
	defer unmountIfMounted(t, mountpoint)

	var breaches []string
	sc := bufio.NewScanner(strings.NewReader(res.stdout))
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "RESULT ") && strings.Contains(sc.Text(), ": BREACH") {
			breaches = append(breaches, sc.Text())
		}
	}
	if len(breaches) > 0 {
		t.Errorf("the target reached the workbench:\n%s", strings.Join(breaches, "\n"))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("%s holds %v: something made a directory for the target", dir, names)
	}
	if isMounted(t, mountpoint) {
		t.Errorf("a filesystem is mounted on %s: the target had the workbench mount it", mountpoint)
	}
	m := targetsLine.FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("the attack did not run (exit %d)\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	seen := strings.Contains(m[2], " "+strconv.Itoa(res.workbenchPid)+"(")
	if isolateNone && !seen {
		t.Errorf("with --isolate none the attack should find the workbench (pid %d) among its targets: %s", res.workbenchPid, m[0])
	}
	if !isolateNone && u.isolable && seen {
		t.Errorf("isolated, the target still sees the workbench (pid %d): %s", res.workbenchPid, m[0])
	}
	if a.mode == "audit" {
		// The attack's call went past the filter: the kernel refused it.
		call := map[string]string{"ptrace": "ptrace", "mem": "process_vm_writev", "getfd": "pidfd_getfd"}[a.prog]
		if strings.Contains(res.stderr, "seccomp: denied") || !strings.Contains(res.stderr, "AUDIT ") ||
			call != "" && !strings.Contains(res.stderr, "seccomp: audit: would deny "+call+"(") {
			t.Errorf("audit mode denied a call, was not labelled, or did not let %q through:\n%s", call, res.stderr)
		}
	}
	if res.code != 0 || t.Failed() {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	} else {
		t.Logf("what the attack saw (go test -v shows it):\n%s\n%s", res.stdout, res.stderr)
	}
}

// hostMountNS is the test's mount namespace, "mnt:[N]".
func hostMountNS(t *testing.T) string {
	t.Helper()
	ns, err := os.Readlink("/proc/self/ns/mnt")
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

func isMounted(t *testing.T, path string) bool {
	t.Helper()
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[1] == path {
			return true
		}
	}
	return false
}

func unmountIfMounted(t *testing.T, path string) {
	for isMounted(t, path) {
		if err := unix.Unmount(path, unix.MNT_DETACH); err != nil {
			t.Errorf("unmounting %s: %v", path, err)
			return
		}
	}
}

// runEscapeCrossRun attacks another run of the same user: an isolated run
// (a victim) is going on when a target that shares the host's PID
// namespace (--isolate none) looks for processes running the workbench
// binary, and finds the victim's init among them. An unprivileged
// victim's user namespace belongs to the user, and so to the attacker,
// which holds every capability over it: the init must not be one that
// namespace's capabilities let a ptrace through.
func runEscapeCrossRun(t *testing.T, k *escapeKit, u escapeUser) {
	dir := caseDir(t, k.dir)
	made, mountpoint := filepath.Join(dir, "made-by-ptrace"), filepath.Join(dir, "mnt")
	if err := os.Mkdir(mountpoint, 0o777); err != nil {
		t.Fatal(err)
	}
	victim := startWorkbenchAs(t, k, u, "run", "--profile", "preset:docker-default", "--", "sh", "-c", "echo victim ready; exec sleep 20")
	if !victim.waitFor("victim ready", 5*time.Second) {
		t.Fatalf("the victim run did not start:\n%s", victim.output())
	}
	res := runWorkbenchAs(t, k, u, "run", "--isolate", "none", "--profile", "preset:docker-default", "--",
		k.prog("ptrace"), k.workbench, strconv.Itoa(os.Getpid()), made, mountpoint)
	victim.stop()
	defer unmountIfMounted(t, mountpoint)
	m := targetsLine.FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("the attack did not run (exit %d)\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	if !strings.Contains(m[2], "(workbench binary)") {
		t.Errorf("the attack did not find the victim run's processes: %s", m[0])
	}
	for _, line := range strings.Split(res.stdout, "\n") {
		if strings.Contains(line, ": BREACH") {
			t.Errorf("the target reached another run: %s", line)
		}
	}
	if _, err := os.Stat(made); err == nil {
		t.Errorf("%s exists: another run's process made it for the target", made)
	}
	if res.code != 0 || t.Failed() {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nthe victim run said:\n%s", res.code, res.stdout, res.stderr, victim.output())
	} else {
		t.Logf("what the attack saw (go test -v shows it):\n%s", res.stdout)
	}
}

var statusLine = regexp.MustCompile(`(?m)^STATUS uid=(\d+) CapEff=([0-9a-f]+) CapPrm=([0-9a-f]+) CapBnd=([0-9a-f]+) CapAmb=([0-9a-f]+) NoNewPrivs=(\d) CapInh=([0-9a-f]+)\nSTATUS pid=(\d+) ppid=(\d+) procs=(\d+)\nSTATUS fds=([0-9,]*)$`)

// runEscapeStatus checks what the target sees: Docker's capabilities
// (none for an unprivileged user), and, isolated, only its own processes.
func runEscapeStatus(t *testing.T, k *escapeKit, u escapeUser) {
	for _, isolateNone := range []bool{false, true} {
		args := []string{"run", "--profile", "preset:docker-default"}
		if isolateNone {
			args = append(args, "--isolate", "none")
		}
		res := runWorkbenchAs(t, k, u, append(args, "--", k.prog("status"))...)
		m := statusLine.FindStringSubmatch(res.stdout)
		if res.code != 0 || m == nil {
			t.Errorf("isolate none=%v: exit %d\nstdout:\n%s\nstderr:\n%s", isolateNone, res.code, res.stdout, res.stderr)
			continue
		}
		want := uint64(0)
		if u.root {
			// Docker's set, less what this host does not have to give.
			want = profile.CapMask(profile.DockerDefaultCaps()) & ownBoundingSet(t)
		}
		for i, set := range []string{"CapEff", "CapPrm", "CapBnd"} {
			if set == "CapBnd" && !u.root {
				continue // an unprivileged process cannot lower its bounding set, and need not
			}
			got, _ := strconv.ParseUint(m[2+i], 16, 64)
			if got != want {
				t.Errorf("isolate none=%v: the target's %s is %016x, want %016x (extra: %s; missing: %s)",
					isolateNone, set, got, want, capList(got&^want), capList(want&^got))
			}
		}
		// Inheritable ones would become permitted through a program's
		// file capabilities, as Docker no longer lets happen.
		for _, set := range []struct {
			name string
			hex  string
		}{{"ambient", m[5]}, {"inheritable", m[7]}} {
			if v, _ := strconv.ParseUint(set.hex, 16, 64); v != 0 {
				t.Errorf("isolate none=%v: the target keeps %s capabilities %s", isolateNone, set.name, capList(v))
			}
		}
		ppid, _ := strconv.Atoi(m[9])
		procs, _ := strconv.Atoi(m[10])
		if !isolateNone && u.isolable && (ppid > 1 || procs > 4) {
			t.Errorf("isolated, the target sees ppid %d and %d processes in /proc; want ppid 0 or 1 and only the run's own processes", ppid, procs)
		}
		if extra := foreignFDs(t, m[11]); extra != "" {
			t.Errorf("isolate none=%v: the target has fds %s open; want only 0,1,2 and what the workbench itself inherited (the listener, spec and pipes stay with it): %s", isolateNone, m[11], extra)
		}
		if isolateNone && ppid <= 1 {
			t.Errorf("with --isolate none the target's parent is %d: it should be in the workbench's PID namespace", ppid)
		}
	}
}

// foreignFDs lists the fds of a target's "STATUS fds=" list that are not
// 0, 1, 2 or one this test process passes on to every child (fds it
// inherited without close-on-exec, which the workbench inherits in turn).
func foreignFDs(t *testing.T, list string) string {
	t.Helper()
	var extra []string
	for _, f := range strings.Split(list, ",") {
		n, err := strconv.Atoi(f)
		if err != nil || n <= 2 {
			continue
		}
		info, err := os.ReadFile(fmt.Sprintf("/proc/self/fdinfo/%d", n))
		m := regexp.MustCompile(`(?m)^flags:\s*([0-7]+)$`).FindSubmatch(info)
		if err == nil && m != nil {
			if flags, _ := strconv.ParseUint(string(m[1]), 8, 64); flags&unix.O_CLOEXEC == 0 {
				continue
			}
		}
		extra = append(extra, f)
	}
	return strings.Join(extra, ",")
}

// ownBoundingSet is the test process's CapBnd.
func ownBoundingSet(t *testing.T) uint64 {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^CapBnd:\s*([0-9a-f]+)$`).FindSubmatch(b)
	if m == nil {
		t.Fatalf("no CapBnd in /proc/self/status:\n%s", b)
	}
	v, _ := strconv.ParseUint(string(m[1]), 16, 64)
	return v
}

// runEscapeCaps checks that --caps is what a root target keeps.
func runEscapeCaps(t *testing.T, k *escapeKit, u escapeUser) {
	if !u.root {
		t.Skip("only a root target has capabilities to keep")
	}
	for _, c := range []struct{ arg, want string }{
		{"none", ""}, {"CAP_CHOWN,net_raw", "CAP_CHOWN,CAP_NET_RAW"},
	} {
		res := runWorkbenchAs(t, k, u, "run", "--profile", "preset:docker-default", "--caps", c.arg, "--", k.prog("status"))
		m := statusLine.FindStringSubmatch(res.stdout)
		if res.code != 0 || m == nil {
			t.Errorf("--caps %s: exit %d\nstdout:\n%s\nstderr:\n%s", c.arg, res.code, res.stdout, res.stderr)
			continue
		}
		want := profile.CapMask(strings.Split(c.want, ",")) & ownBoundingSet(t)
		for i, set := range []string{"CapEff", "CapPrm", "CapBnd"} {
			if got, _ := strconv.ParseUint(m[2+i], 16, 64); got != want {
				t.Errorf("--caps %s: the target's %s is %s, want %s", c.arg, set, capList(got), capList(want))
			}
		}
	}
}

// capList names the capabilities of a mask.
func capList(m uint64) string {
	var names []string
	for i, n := range profile.AllCaps() {
		if m&(1<<uint(i)) != 0 {
			names = append(names, n)
		}
	}
	if m>>uint(len(profile.AllCaps())) != 0 {
		names = append(names, fmt.Sprintf("bits %#x", m>>uint(len(profile.AllCaps()))<<uint(len(profile.AllCaps()))))
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ",")
}
