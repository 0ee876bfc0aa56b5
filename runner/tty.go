package runner

import (
	"slices"
	"syscall"

	"golang.org/x/sys/unix"
)

// stopPasses bounds the walks SignalAll makes over a growing tree.
const stopPasses = 16

// SignalAll sends sig to every process of the run but its init: the
// target and all it started (they are all descendants of the init, which
// adopts orphans). It does nothing once the target has ended.
//
// It is how a run is suspended and resumed as one job (SIGSTOP, then
// SIGCONT). Neither Signal nor SIGTSTP would do: the init cannot forward
// SIGSTOP, and the kernel discards SIGTSTP, SIGTTIN and SIGTTOU sent to
// an orphaned process group — the target's, whose parent, the init, is in
// another session — instead of stopping it.
func (r *Run) SignalAll(sig syscall.Signal) {
	r.reapMu.Lock()
	defer r.reapMu.Unlock()
	if r.reaped || r.cmd == nil || r.cmd.Process == nil {
		return
	}
	// A process that forks while the walk goes on adds one the walk may
	// have passed; once stopped it cannot fork, so a walk that finds the
	// same processes as the one before has found them all.
	var prev []int
	for range stopPasses {
		seen := signalDescendants(r.cmd.Process.Pid, sig)
		slices.Sort(seen)
		if sig != unix.SIGSTOP || slices.Equal(seen, prev) {
			return
		}
		prev = seen
	}
}

// signalDescendants sends sig to every descendant of root, parents first,
// and returns their pids in the order met. Each is signalled through a
// pidfd taken while its parent is checked again, so a pid reused by then
// is not signalled.
func signalDescendants(root int, sig syscall.Signal) []int {
	var seen []int
	queue := []int{root}
	for len(queue) > 0 {
		parent := queue[0]
		queue = queue[1:]
		for _, c := range childrenOf(parent) {
			fd, err := unix.PidfdOpen(c, 0)
			if err != nil {
				continue
			}
			if parentOf(c) == parent {
				unix.PidfdSendSignal(fd, sig, nil, 0)
				seen = append(seen, c)
				queue = append(queue, c)
			}
			unix.Close(fd)
		}
	}
	return seen
}

// parentOf reads the parent of pid from /proc/PID/stat (0 if gone).
func parentOf(pid int) int {
	var buf [512]byte
	st, ok := readProcStatBuf(pid, buf[:])
	if !ok {
		return 0
	}
	return st.ppid
}
