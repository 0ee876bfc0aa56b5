package runner

import (
	"bytes"
	"os"
	"strconv"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// Watch mode carries out outcomes from outside the target, where the
// kernel would act from inside it. This file holds what it needs to match
// the kernel, and the notes that name what it cannot match.

// maxNotes bounds Verdict.Notes; notes are deduplicated by text, so only
// a run with many distinct differences reaches it.
const maxNotes = 16

// sigsysBit is SIGSYS's bit in the masks of /proc/PID/task/TID/status
// (bit N-1 for signal N).
const sigsysBit = uint64(1) << (31 - 1)

// sigsys is how a thread stands towards SIGSYS.
type sigsys struct {
	blocked bool // in the thread's signal mask
	ignored bool // SIG_IGN for the process
	caught  bool // a handler is installed
}

// sigsysState reads how thread tid of process pid stands towards SIGSYS.
// ok is false when its status cannot be read (it is gone).
func sigsysState(pid, tid int) (st sigsys, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/task/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return st, false
	}
	var masks [3]uint64
	for i, name := range []string{"SigBlk", "SigIgn", "SigCgt"} {
		if masks[i], ok = statusHex(b, name); !ok {
			return st, false
		}
	}
	return sigsys{masks[0]&sigsysBit != 0, masks[1]&sigsysBit != 0, masks[2]&sigsysBit != 0}, true
}

// threadCount is the number of threads of process pid (0 when unknown).
func threadCount(pid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	v, ok := statusField(b, "Threads")
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0
	}
	return n
}

// statusField returns the value of "Name:\tvalue" in a /proc status file.
func statusField(b []byte, name string) (string, bool) {
	key := []byte(name + ":")
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		if rest, ok := bytes.CutPrefix(line, key); ok {
			return string(bytes.TrimSpace(rest)), true
		}
	}
	return "", false
}

func statusHex(b []byte, name string) (uint64, bool) {
	v, ok := statusField(b, name)
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 16, 64)
	return n, err == nil
}

// trapReturn is what a trapped call returns to the caller when its
// SIGSYS handler returns without changing the registers: before raising
// the signal the kernel rolls the syscall back (syscall_rollback), which
// puts the original syscall number back in the return register on x86
// and the original first argument on the ABIs that return in the first
// argument's register. ok is false where watch mode does not know it.
func trapReturn(arch catalog.Arch, nr int32, args [6]uint64) (int64, bool) {
	switch arch {
	case catalog.X86_64, catalog.X32:
		return int64(nr), true
	case catalog.X86:
		return int64(int32(nr)), true
	case catalog.AArch64, catalog.RISCV64, catalog.S390X, catalog.PPC64LE:
		return int64(args[0]), true
	case catalog.ARM:
		return int64(int32(args[0])), true
	}
	return 0, false
}

func respondValue(r *seccompNotifResp, id uint64, val int64) {
	*r = seccompNotifResp{ID: id, Val: val}
}

// note records one line for Verdict.Notes, once per text.
func (r *Run) note(text string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.end.notes) >= maxNotes {
		return
	}
	r.end.notes = appendUnique(r.end.notes, text)
}

// The notes, one per kind of difference between watch and enforce mode.

func noteKillThread(call string) string {
	return "watch mode: kill_thread in " + call + " killed the whole process; enforce mode kills only the calling thread"
}

func noteChildKilled(action, call string) string {
	return "watch mode: " + action + " in " + call + " ended a process other than the command's own with SIGKILL; enforce mode ends it with SIGSYS, which its parent sees (status 159, not 137)"
}

func noteTrapSignal(call string) string {
	return "watch mode: the SIGSYS for the trap in " + call + " was sent by the workbench (si_code SI_TKILL); in enforce mode the kernel sends it with si_code SYS_SECCOMP and the call's number and ABI"
}

func noteTrapReturn(call string) string {
	return "watch mode: the trapped " + call + " returned ENOSYS; in enforce mode it returns what the kernel's syscall rollback leaves in the return register"
}

func noteAuditUnknownABI(call string) string {
	return "audit mode: " + call + " is from an ABI the workbench does not know; the profile's filter would kill it (it ran)"
}

func noteAuditENOSYS(calls string) string {
	return "audit mode: " + calls + " ran; under the profile they get ENOSYS and the program's fallback runs instead, which this run did not exercise"
}
