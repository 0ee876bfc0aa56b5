package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

var (
	cpusLine = regexp.MustCompile(`(?m)^Cpus_allowed_list:\s*(\S+)$`)
	procPid  = regexp.MustCompile(`/proc/\d+/status`)
)

// cpusOf is the Cpus_allowed_list of a /proc/PID[/task/TID] directory.
func cpusOf(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		t.Fatal(err)
	}
	m := cpusLine.FindSubmatch(b)
	if m == nil {
		t.Fatalf("%s/status has no Cpus_allowed_list", dir)
	}
	return string(m[1])
}

// callerCPUs is the test's CPU mask and its Cpus_allowed_list; it skips
// the test on one CPU, where the workbench has nothing to narrow.
func callerCPUs(t *testing.T) (unix.CPUSet, string) {
	t.Helper()
	var own unix.CPUSet
	if err := unix.SchedGetaffinity(0, &own); err != nil {
		t.Fatal(err)
	}
	if own.Count() < 2 {
		t.Skip("one CPU: the workbench has nothing to narrow")
	}
	return own, cpusOf(t, "/proc/self")
}

// While `run` launches, the workbench keeps to one CPU (runner's
// launch_cpu.go); none of that may reach the target. Whatever mask the
// workbench is started with, the target and its init have exactly that
// mask, with either shim, in enforce and watch mode, as root and as
// nobody.
func TestRunGivesTargetCallersCPUs(t *testing.T) {
	own, all := callerCPUs(t)
	last := 0
	for i := 0; i < len(own)*64; i++ {
		if own.IsSet(i) {
			last = i
		}
	}
	for shim, bin := range cpuTestBinaries(t) {
		for _, u := range escapeUsers() {
			for _, cpus := range []string{all, fmt.Sprint(last)} {
				for _, mode := range []string{"enforce", "watch"} {
					t.Run(fmt.Sprintf("%s/%s/cpus=%s/%s", shim, u.name, cpus, mode), func(t *testing.T) {
						cmd := exec.Command("taskset", "-c", cpus, bin, "run", "--mode", mode, "--profile", "preset:docker-default", "--",
							"/bin/sh", "-c", `grep Cpus_allowed_list /proc/self/status /proc/$PPID/status`)
						cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1"}
						cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
						stdout, stderr, code := runCmd(t, cmd)
						want := fmt.Sprintf("/proc/self/status:Cpus_allowed_list:\t%s\n/proc/PPID/status:Cpus_allowed_list:\t%s\n", cpus, cpus)
						got := procPid.ReplaceAllString(stdout, "/proc/PPID/status")
						if code != 0 || got != want {
							t.Errorf("exit %d, the target and its init report\n%s\nwant\n%s\n%s", code, stdout, want, stderr)
						}
					})
				}
			}
		}
	}
}

// The hold is real, and released where the run has work of its own: an
// enforce run waiting for its target keeps every thread on one of the
// caller's CPUs, a watch run (its supervisor) gives them all back.
func TestRunHoldsOneCPUWhileOnlyWaiting(t *testing.T) {
	own, all := callerCPUs(t)
	bin := workbenchBinary(t)
	for _, mode := range []string{"enforce", "watch"} {
		t.Run(mode, func(t *testing.T) {
			up := filepath.Join(t.TempDir(), "up")
			cmd := exec.Command(bin, "run", "--mode", mode, "--profile", "preset:docker-default", "--",
				"/bin/sh", "-c", `: > "$1"; sleep 2`, "sh", up)
			cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1"}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Wait()
			defer cmd.Process.Kill()
			for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				if _, err := os.Stat(up); err == nil {
					break
				}
				if time.Now().After(deadline) {
					t.Fatal("the target did not start in 10 s")
				}
			}
			// The watch run releases its threads in the background once
			// the filter is built: give it a moment.
			for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
				seen, ok := workbenchCPUs(t, cmd.Process.Pid, mode, all, &own)
				if ok {
					break
				}
				if mode == "enforce" || time.Now().After(deadline) {
					t.Fatalf("%s run: the workbench's threads keep to %s, want %s", mode, strings.Join(seen, " "),
						map[string]string{"enforce": "one and the same of " + all, "watch": all}[mode])
				}
			}
		})
	}
}

// workbenchCPUs lists the masks of pid's threads, and whether they are
// what a run in mode keeps to: one and the same of own's CPUs in enforce
// mode, all of them (the list all) in watch mode.
func workbenchCPUs(t *testing.T, pid int, mode, all string, own *unix.CPUSet) ([]string, bool) {
	t.Helper()
	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil || len(tasks) < 2 {
		t.Fatalf("threads of the workbench: %v %v", tasks, err)
	}
	var seen []string
	ok := true
	for _, task := range tasks {
		c := cpusOf(t, task)
		seen = append(seen, c)
		if mode == "enforce" {
			var n int
			_, err := fmt.Sscan(c, &n)
			ok = ok && err == nil && fmt.Sprint(n) == c && own.IsSet(n) && c == seen[0]
		} else {
			ok = ok && c == all
		}
	}
	return seen, ok
}

// cpuTestBinaries are the workbench re-executing itself as its shim and
// a copy with the static shim beside it (make build's layout).
func cpuTestBinaries(t *testing.T) map[string]string {
	t.Helper()
	self := workbenchBinary(t)
	dir := openTempDir(t)
	static := filepath.Join(dir, "seccomp-workbench")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(static, data, 0o755); err != nil {
		t.Fatal(err)
	}
	buildStaticShim(t, dir)
	return map[string]string{"self-shim": self, "static-shim": static}
}
