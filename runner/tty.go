package runner

import "syscall"

// SignalAll sends sig to every process of the run: the target and all it
// started that is still in its session. It does nothing once the target
// has ended.
//
// It is how a run is suspended and resumed as one job (SIGSTOP, then
// SIGCONT). SIGTSTP would not do: the target's process group has no
// parent in its session, which makes it an orphaned group, and the kernel
// discards SIGTSTP, SIGTTIN and SIGTTOU sent to one instead of stopping it.
func (r *Run) SignalAll(sig syscall.Signal) {
	if r.cmd == nil || r.cmd.Process == nil {
		return
	}
	r.signal(sig)
}
