package runner

// The attacks of testdata/escape, through Start: the workbench they go
// after is this test process itself (its binary is the shim too). The
// CLI's tests run the same programs as root and as an unprivileged user;
// these pin the Config knobs: Isolate and Caps.

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// escapeProfile lets a target do everything but make directories and
// mount, so one that appears was made on its behalf.
const escapeProfile = `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
	{"names": ["mkdir", "mkdirat", "mount", "umount2", "fsopen", "fsmount", "move_mount", "open_tree"], "action": "SCMP_ACT_ERRNO"}]}`

func escapeProg(t *testing.T, name string) string {
	return buildBinary(t, "escape-"+name, "escape/"+name+".c")
}

func mountedAt(t *testing.T, path string) bool {
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

func TestEscapeAttacksFail(t *testing.T) {
	needAmd64(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, iso := range []Isolation{IsolateAuto, IsolateNone} {
		for _, prog := range []string{"ptrace", "mem", "getfd"} {
			t.Run(string(iso)+"/"+prog, func(t *testing.T) {
				dir := t.TempDir()
				made, mnt := filepath.Join(dir, "made"), filepath.Join(dir, "mnt")
				if err := os.Mkdir(mnt, 0o755); err != nil {
					t.Fatal(err)
				}
				// The walk up the tree stops below the process that runs
				// this test binary.
				argv := []string{escapeProg(t, prog), self, strconv.Itoa(os.Getppid())}
				switch prog {
				case "ptrace":
					argv = append(argv, made, mnt)
				case "getfd":
					argv = append(argv, made)
				}
				res := runIt(t, Config{Effective: eff(t, escapeProfile), Argv: argv, Isolate: iso})
				for mountedAt(t, mnt) {
					t.Errorf("a filesystem is mounted on %s: the target had the workbench mount it", mnt)
					if err := unix.Unmount(mnt, unix.MNT_DETACH); err != nil {
						t.Fatal(err)
					}
				}
				if strings.Contains(res.stdout, ": BREACH") {
					t.Errorf("the target reached the workbench (this test process, pid %d)", os.Getpid())
				}
				if _, err := os.Stat(made); err == nil {
					t.Errorf("%s exists: something made it for the target", made)
				}
				if !strings.Contains(res.stdout, "TARGETS ") {
					t.Errorf("the attack did not run")
				}
				if iso == IsolateNone && !regexp.MustCompile(`TARGETS .* `+strconv.Itoa(os.Getpid())+`\(`).MatchString(res.stdout) {
					t.Errorf("with IsolateNone the attack should find the workbench (pid %d) among its targets", os.Getpid())
				}
				if t.Failed() || res.verdict.Result != ResultPass {
					t.Errorf("verdict %+v\nstdout:\n%s\nstderr:\n%s", res.verdict, res.stdout, res.stderr)
				} else {
					t.Logf("what the attack saw (go test -v shows it):\n%s", res.stdout)
				}
			})
		}
	}
}

func TestEscapeDaemonEndsWithRun(t *testing.T) {
	needAmd64(t)
	// kill-parent: the target then kills its parent, the run's init (a
	// signal PID 1 of a namespace ignores, but a plain subreaper dies of).
	for _, c := range []struct {
		iso  Isolation
		plan string
	}{
		{IsolateAuto, ""}, {IsolateNone, ""}, {IsolateAuto, "kill-parent"}, {IsolateNone, "kill-parent"},
	} {
		iso := c.iso
		t.Run(strings.TrimSuffix(string(iso)+"/"+c.plan, "/"), func(t *testing.T) {
			dir := t.TempDir()
			// The daemon holds the FIFO's write end: end-of-file on the
			// read end means it is gone.
			fifo := filepath.Join(dir, "alive")
			if err := unix.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			alive, err := unix.Open(fifo, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer unix.Close(alive)
			token := fmt.Sprintf("escape-daemon-%d", time.Now().UnixNano())
			argv := []string{escapeProg(t, "daemon"), dir, token}
			if c.plan != "" {
				argv = append(argv, c.plan)
			}
			res := runIt(t, Config{Effective: eff(t, escapeProfile), Isolate: iso, Argv: argv})
			// Wait returned: the run is over, and so is everything it started.
			if _, err := unix.Read(alive, make([]byte, 1)); err == unix.EAGAIN {
				time.Sleep(300 * time.Millisecond) // let it answer a later call
				notes, _ := os.ReadFile(filepath.Join(dir, "notes"))
				t.Errorf("the daemon outlived the run: %v; its notes:\n%s", survivors(token), notes)
				for _, pid := range processesOf(token) {
					unix.Kill(pid, unix.SIGKILL)
					// Orphans come to this process, the subreaper.
					unix.Wait4(pid, nil, 0, nil)
				}
			}
			// A target whose init died is re-parented to this process, the
			// subreaper; reap it, as the run should have, so no other test
			// finds it.
			if c.plan == "kill-parent" {
				unix.Wait4(res.run.Pid(), nil, 0, nil) // ECHILD unless it is ours
			}
			d, ok := res.denied("mkdir")
			if !ok || !strings.Contains(d.ArgText, filepath.Join(dir, "made")) {
				t.Errorf("the daemon's denied mkdir, made before the target ended, is not reported: %+v", res.denials)
			}
			if (c.plan == "" && res.verdict.Result != ResultFail) || !strings.Contains(res.stdout, "DAEMON made its denied call") {
				t.Errorf("verdict %+v\nstdout:\n%s\nstderr:\n%s", res.verdict, res.stdout, res.stderr)
			}
		})
	}
}

// processesOf lists the pids whose command line holds token.
func processesOf(token string) []int {
	var pids []int
	names, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range names {
		if b, err := os.ReadFile(dir + "/cmdline"); err == nil && strings.Contains(string(b), token) {
			pid, _ := strconv.Atoi(filepath.Base(dir))
			pids = append(pids, pid)
		}
	}
	return pids
}

var capLine = regexp.MustCompile(`(?m)^STATUS uid=0 CapEff=([0-9a-f]+) CapPrm=([0-9a-f]+) CapBnd=([0-9a-f]+) CapAmb=([0-9a-f]+)`)

func TestRootTargetCapabilities(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("only a root target has capabilities to keep: run the tests as root")
	}
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^CapBnd:\s*([0-9a-f]+)$`).FindSubmatch(st)
	host, _ := strconv.ParseUint(string(m[1]), 16, 64)
	for _, c := range []struct {
		name string
		caps []string
	}{
		{"default", nil}, // the set the profile was resolved for: Docker's
		{"chosen", []string{"CAP_CHOWN", "CAP_NET_BIND_SERVICE"}},
		{"none", []string{}},
	} {
		for _, iso := range []Isolation{IsolateAuto, IsolateNone} {
			t.Run(c.name+"/"+string(iso), func(t *testing.T) {
				want := profile.CapMask(c.caps)
				if c.caps == nil {
					want = profile.CapMask(profile.DockerDefaultCaps())
				}
				want &= host
				res := runIt(t, Config{Effective: dockerDefault(t), Argv: []string{escapeProg(t, "status")}, Isolate: iso, Caps: c.caps})
				m := capLine.FindStringSubmatch(res.stdout)
				if m == nil {
					t.Fatalf("no status line: verdict %+v\nstdout:\n%s\nstderr:\n%s", res.verdict, res.stdout, res.stderr)
				}
				for i, set := range []string{"CapEff", "CapPrm", "CapBnd"} {
					if got, _ := strconv.ParseUint(m[1+i], 16, 64); got != want {
						t.Errorf("%s = %016x, want %016x", set, got, want)
					}
				}
				if m[4] != "0000000000000000" {
					t.Errorf("CapAmb = %s, want none", m[4])
				}
				if inh := regexp.MustCompile(`CapInh=([0-9a-f]+)`).FindStringSubmatch(res.stdout); inh == nil || inh[1] != "0000000000000000" {
					t.Errorf("CapInh %v, want none", inh)
				}
			})
		}
	}
}

func TestIsolatedTargetSeesOnlyItsRun(t *testing.T) {
	if out, _ := exec.Command(escapeProg(t, "status"), "can-isolate").Output(); strings.TrimSpace(string(out)) != "CAN-ISOLATE yes" {
		t.Skipf("this kernel does not let this user make PID and mount namespaces (%s)", strings.TrimSpace(string(out)))
	}
	res := runIt(t, Config{Effective: dockerDefault(t), Argv: []string{escapeProg(t, "status")}})
	m := regexp.MustCompile(`(?m)^STATUS pid=(\d+) ppid=(\d+) procs=(\d+)\nSTATUS fds=([0-9,]*)$`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no status line: verdict %+v\nstdout:\n%s\nstderr:\n%s", res.verdict, res.stdout, res.stderr)
	}
	ppid, _ := strconv.Atoi(m[2])
	procs, _ := strconv.Atoi(m[3])
	if ppid > 1 || procs > 4 {
		t.Errorf("the target sees ppid %d and %d processes in /proc; isolated, it should see its parent as 1 (or 0) and only the run's processes", ppid, procs)
	}
}

// An fd the workbench inherited without close-on-exec (its caller's leak)
// reaches neither the init nor the target.
func TestInheritedFdsDoNotReachTheTarget(t *testing.T) {
	null, err := unix.Open(os.DevNull, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(null)
	fd, err := unix.FcntlInt(uintptr(null), unix.F_DUPFD, 100) // above the shim's slots, no close-on-exec
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	res := runIt(t, Config{Effective: dockerDefault(t), Argv: []string{escapeProg(t, "status")}})
	m := regexp.MustCompile(`(?m)^STATUS fds=([0-9,]*)$`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no fds line: verdict %+v\nstdout:\n%s\nstderr:\n%s", res.verdict, res.stdout, res.stderr)
	}
	if m[1] != "0,1,2" {
		t.Errorf("the target holds fds %s, want 0,1,2 (the workbench's fd %d is open without close-on-exec)", m[1], fd)
	}
}
