package runner

import (
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// rowsOf lists the denial rows of syscall name as "pid text ×count",
// the target's own pid written as "main".
func rowsOf(res *result, name string) string {
	var out []string
	for _, d := range res.denials {
		if d.Syscall != name {
			continue
		}
		pid := fmt.Sprint(d.Pid)
		if d.Pid == res.run.Pid() {
			pid = "main"
		}
		out = append(out, fmt.Sprintf("%s %s ×%d", pid, d.ArgText, d.Count))
	}
	sort.Strings(out)
	return strings.Join(out, "; ")
}

// A repeated denial is counted in its row without being decoded again:
// calls that differ in a register, or come from another process, still
// get rows of their own; another thread of the same process shares the
// row.
func TestRepeatedDenialRows(t *testing.T) {
	needAmd64(t)
	prof := eff(t, denyOne("setuid", "SCMP_ACT_ERRNO", 1))
	res := runIt(t, Config{Effective: prof, Argv: []string{probe(t),
		"raw:105:7", "raw:105:7", "raw:105:8", "raw:105:7", "thread", "raw:105:7", "raw:105:8"}})
	if got, want := rowsOf(res, "setuid"), "main setuid(7) ×4; main setuid(8) ×2"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
	res = runIt(t, Config{Effective: prof, Argv: []string{probe(t), "raw:105:7", "raw:105:7", "fork", "raw:105:7"}})
	got := rowsOf(res, "setuid")
	if !strings.Contains(got, "main setuid(7) ×2") || strings.Count(got, "setuid(7) ×1") != 1 || strings.Count(got, ";") != 1 {
		t.Errorf("rows %q, want the target's row counting 2 and the child's counting 1", got)
	}
}

// A call that repeats the last one is answered without deciding again,
// but only a true repeat: the same number with other arguments, where
// the profile's rules differ by argument, gets its own errno, in the
// target's thread and in another one.
func TestRepeatedDenialReplies(t *testing.T) {
	needAmd64(t)
	prof := eff(t, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 0, "value": 7, "op": "SCMP_CMP_EQ"}]},
		{"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13, "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`)
	ops := []string{"raw:121:7", "raw:121:7", "raw:121:8", "raw:121:8", "raw:121:7", "raw:121:999999", "raw:121:7", "thread", "raw:121:8", "raw:121:7", "raw:121:7"}
	res := runIt(t, Config{Effective: prof, Argv: append([]string{probe(t)}, ops...)})
	want := []string{"EPERM", "EPERM", "EACCES", "EACCES", "EPERM", "ESRCH", "EPERM", "EACCES", "EPERM", "EPERM"}
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if len(lines) != len(want) {
		t.Fatalf("probe printed %q, want %d results", res.stdout, len(want))
	}
	for i, l := range lines {
		if !strings.HasSuffix(l, "= -1 "+want[i]) {
			t.Errorf("call %d: %q, want -1 %s", i+1, l, want[i])
		}
	}
	if got, want := rowsOf(res, "getpgid"), "main getpgid(7) ×6; main getpgid(8) ×3"; got != want {
		t.Errorf("rows %q, want %q", got, want)
	}
}

// tgid's cache answers for a thread only while the thread has its id:
// the pidfd it keeps for a thread other than the leader shows when the
// thread is gone, and the next lookup reads /proc again.
func TestTgidCacheFollowsThread(t *testing.T) {
	cmd := exec.Command(probe(t), "thread", "sleep:30")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	pid := cmd.Process.Pid
	var tid int
	for deadline := time.Now().Add(5 * time.Second); tid == 0 && time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
		for _, e := range ents {
			if n, _ := strconv.Atoi(e.Name()); n != pid && n > 0 {
				tid = n
			}
		}
	}
	if tid == 0 {
		t.Fatal("the probe's second thread did not appear")
	}
	s := &supervisor{tgids: map[uint32]thread{}}
	defer s.forgetThreads()
	if got := s.tgid(uint32(tid)); got != pid {
		t.Fatalf("tgid(%d) = %d, want %d", tid, got, pid)
	}
	th := s.tgids[uint32(tid)]
	if th.pidfd < 0 {
		t.Skip("no PIDFD_THREAD pidfd (Linux 6.9): the /proc check is used")
	}
	if !threadHeld(th.pidfd) || s.tgid(uint32(tid)) != pid {
		t.Fatal("the live thread's cached answer was not kept")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if threadHeld(th.pidfd) {
		t.Fatal("the pidfd still shows the thread after its process was reaped")
	}
	if got := s.tgid(uint32(tid)); got == pid {
		t.Fatalf("tgid(%d) still answers %d after the thread is gone", tid, got)
	}
}
