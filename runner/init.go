package runner

import (
	"encoding/binary"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The shim is the init of the run: it forks the target and stays behind
// as its parent, with no filter, until the target's main process ends.
//
//   - Isolated, it is PID 1 of a new PID namespace. The kernel ignores
//     signals to an init that has no handler for them, so a target that is
//     PID 1 itself would not die of ctrl-c; here the init forwards every
//     signal to the target. When the init exits, the kernel kills every
//     other process of the namespace: nothing the target started, however
//     it detached, outlives the run.
//   - Not isolated, it is a child subreaper: orphans of the target are
//     re-parented to it, and it kills and reaps them all before it exits.
//
// It is not dumpable, so a target running as the same user cannot ptrace
// it, open its /proc/PID/mem or take its fds with pidfd_getfd without
// CAP_SYS_PTRACE (which Docker's default set, and so the target's, lacks).
//
// The init tells the workbench the target's wait status over initExitFD
// (its own exit status cannot say "killed by SIGSYS": an init cannot be
// killed by its own signals), and ends the whole tree when the workbench
// writes to initCtlFD or goes away (end of file).

const (
	initExitFD = 6 // pipe to the workbench: the target's wait status
	initCtlFD  = 7 // pipe from the workbench: any byte or EOF = kill everything

	exitRecordLen = 5 // 'W', wait status (little-endian u32)
	// treeKillLimit bounds how long the init keeps killing and reaping.
	treeKillLimit = 3 * time.Second
)

// kernelSigaction mirrors the kernel's struct sigaction for
// rt_sigaction(2) on the 64-bit ABIs (handler, flags, restorer, mask).
type kernelSigaction struct {
	handler  uintptr
	flags    uint64
	restorer uintptr
	mask     uint64
}

// capHeader and capData are the capset(2) structs of version 3.
type capHeader struct {
	version uint32
	pid     int32
}

type capData struct{ effective, permitted, inheritable uint32 }

const (
	linuxCapabilityVersion3 = 0x20080522
	sigIgn                  = 1
	maxSignal               = 64
)

// forkArgs is everything the forked child needs, prepared by the init: the
// child runs no Go code that could allocate, grow the stack or call into
// the runtime (it is a copy of one thread of a multi-threaded process).
type forkArgs struct {
	exec *execArgs

	allSigs, oldMask uint64
	act              kernelSigaction // scratch for reading a handler
	dfl              kernelSigaction // SIG_DFL

	terminal bool
	dropCaps bool
	capDrop  uint64 // capabilities to drop from the bounding set
	capHdr   capHeader
	capData  [2]capData

	pidMsg unix.Msghdr // one byte on the handoff socket: the kernel adds our pid
	pidIov unix.Iovec
	pidB   [1]byte

	waitTracked bool
	ackB        [1]byte
}

// shimInit runs the init side of the shim: prepare, fork the target, then
// forward signals and reap until the target ends. It never returns.
func shimInit(spec *shimSpec, a *execArgs, fail func(int, string, ...any)) {
	// PID 1 means the workbench gave the shim new PID and mount namespaces
	// (they always come together).
	pid1 := os.Getpid() == 1
	if pid1 {
		if err := mountNamespace(os.Geteuid() == 0 && !inUserNamespace()); err != nil {
			fail(125, "isolation: %v; run with --isolate none to share the workbench's namespaces", err)
		}
	}
	if !pid1 {
		unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	}
	f, err := newForkArgs(spec, a)
	if err != nil {
		fail(125, "shim: %v", err)
	}
	for _, fd := range []int{initExitFD, initCtlFD} {
		unix.CloseOnExec(fd)
	}
	// Catch every signal before the fork so none sent in between is lost.
	sigs := make(chan os.Signal, 64)
	signal.Notify(sigs)
	pid, errno := forkTarget(f)
	if errno != 0 {
		fail(125, "shim: fork: %v", errno)
	}
	target := int(pid)
	// Signals go through a pidfd: once the target is reaped its pid may
	// name another process.
	pidfd, err := unix.PidfdOpen(target, 0)
	if err != nil {
		unix.Kill(target, unix.SIGKILL)
		fail(125, "shim: pidfd_open: %v", err)
	}
	// What the target holds must not stay open here: the status pipe and
	// the handoff socket signal their end by closing, and a terminal's
	// master sees the end of the session only when no slave fd is left.
	unix.Close(shimStatusFD)
	unix.Close(shimHandoffFD)
	if null, err := unix.Open("/dev/null", unix.O_RDWR|unix.O_CLOEXEC, 0); err == nil {
		for fd := 0; fd <= 2; fd++ {
			unix.Dup3(null, fd, 0)
		}
		unix.Close(null)
	}
	go func() {
		for s := range sigs {
			switch s {
			case syscall.SIGCHLD, syscall.SIGURG:
				continue
			}
			unix.PidfdSendSignal(pidfd, s.(syscall.Signal), nil, 0)
		}
	}()
	go func() {
		var b [1]byte
		for {
			_, err := unix.Read(initCtlFD, b[:])
			if err != unix.EINTR {
				break
			}
		}
		unix.PidfdSendSignal(pidfd, unix.SIGKILL, nil, 0)
		killTree(pid1)
	}()
	var ws unix.WaitStatus
	for {
		wpid, err := unix.Wait4(-1, &ws, 0, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || wpid == target {
			break
		}
	}
	// Kill what is left (nothing, most often) and reap it all.
	deadline := time.Now().Add(treeKillLimit)
	for {
		var other unix.WaitStatus
		n, err := unix.Wait4(-1, &other, unix.WNOHANG, nil)
		if err == unix.ECHILD || time.Now().After(deadline) {
			break
		}
		if n > 0 {
			continue
		}
		killTree(pid1)
		time.Sleep(time.Millisecond)
	}
	var rec [exitRecordLen]byte
	rec[0] = 'W'
	binary.LittleEndian.PutUint32(rec[1:], uint32(ws))
	unix.Write(initExitFD, rec[:])
	os.Exit(0)
}

// killTree sends SIGKILL to every descendant of the init. As PID 1 of its
// namespace, kill(-1) reaches exactly the namespace's other processes;
// otherwise the descendants are found through /proc's children lists
// (orphans are re-parented to the init, a subreaper, so none is missed
// for long: each pass kills a generation).
func killTree(pid1 bool) {
	if pid1 {
		unix.Kill(-1, unix.SIGKILL)
		return
	}
	killDescendants(os.Getpid())
}

// killDescendants stops and kills every descendant of pid it finds.
func killDescendants(pid int) {
	queue := childrenOf(pid)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		unix.Kill(p, unix.SIGSTOP) // no more forks while we look
		queue = append(queue, childrenOf(p)...)
		unix.Kill(p, unix.SIGKILL)
	}
}

// childrenOf lists the children of every thread of pid.
func childrenOf(pid int) []int {
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/task/*/children")
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// inUserNamespace reports whether the shim runs in a user namespace of
// its own (the unprivileged launch), where uid 0 maps to nobody.
func inUserNamespace() bool {
	b, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return true
	}
	f := strings.Fields(string(b))
	return len(f) != 3 || f[0] != "0" || f[1] != "0" || f[2] != "4294967295"
}

func newForkArgs(spec *shimSpec, a *execArgs) (*forkArgs, error) {
	f := &forkArgs{exec: a, terminal: spec.Terminal, allSigs: ^uint64(0), waitTracked: spec.WaitTracked}
	f.pidB[0] = 'P'
	f.pidIov = unix.Iovec{Base: &f.pidB[0], Len: 1}
	f.pidMsg.Iov = &f.pidIov
	f.pidMsg.Iovlen = 1
	// Capabilities: only a process that holds CAP_SETPCAP can shrink its
	// bounding set; one that holds nothing has nothing to drop.
	var hdr = capHeader{version: linuxCapabilityVersion3}
	var cur [2]capData
	if _, _, e := unix.RawSyscall(unix.SYS_CAPGET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&cur[0])), 0); e != 0 {
		return nil, os.NewSyscallError("capget", e)
	}
	eff := uint64(cur[0].effective) | uint64(cur[1].effective)<<32
	if eff&(1<<unix.CAP_SETPCAP) != 0 {
		f.dropCaps = true
		last := lastCap()
		for c := 0; c <= last && c < 64; c++ {
			if spec.CapMask&(1<<uint(c)) == 0 {
				f.capDrop |= 1 << uint(c)
			}
		}
		keep := spec.CapMask & eff
		f.capHdr = capHeader{version: linuxCapabilityVersion3}
		f.capData[0] = capData{effective: uint32(keep), permitted: uint32(keep)}
		f.capData[1] = capData{effective: uint32(keep >> 32), permitted: uint32(keep >> 32)}
	}
	return f, nil
}

// lastCap is the highest capability number this kernel knows.
func lastCap() int {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err == nil {
		if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			return n
		}
	}
	return unix.CAP_LAST_CAP
}

// forkTarget forks the target and returns its pid in the parent. Signals
// are blocked on this thread across the fork, so no Go signal handler
// can run in the child before childStage has reset them all.
//
//go:nosplit
//go:norace
func forkTarget(f *forkArgs) (uintptr, unix.Errno) {
	unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&f.allSigs)), uintptr(unsafe.Pointer(&f.oldMask)), 8, 0, 0)
	pid, _, e := unix.RawSyscall6(unix.SYS_CLONE, uintptr(unix.SIGCHLD), 0, 0, 0, 0, 0)
	if e == 0 && pid == 0 {
		childStage(f)
	}
	unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&f.oldMask)), 0, 8, 0, 0)
	return pid, e
}

// childStage is the target before execve: default signal dispositions
// (ignored ones stay ignored, as execve would keep them), the init's
// signal mask, death with the init, the terminal, the pid report, the
// capability set, then the filter and execve (installAndExec).
//
//go:nosplit
//go:norace
func childStage(f *forkArgs) {
	a := f.exec
	for sig := uintptr(1); sig <= maxSignal; sig++ {
		if sig == uintptr(unix.SIGKILL) || sig == uintptr(unix.SIGSTOP) {
			continue
		}
		_, _, e := unix.RawSyscall6(unix.SYS_RT_SIGACTION, sig, 0, uintptr(unsafe.Pointer(&f.act)), 8, 0, 0)
		if e == 0 && f.act.handler != sigIgn {
			unix.RawSyscall6(unix.SYS_RT_SIGACTION, sig, uintptr(unsafe.Pointer(&f.dfl)), 0, 8, 0, 0)
		}
	}
	unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_SETMASK, uintptr(unsafe.Pointer(&f.oldMask)), 0, 8, 0, 0)
	unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_PDEATHSIG, uintptr(unix.SIGKILL), 0, 0, 0, 0)
	if f.terminal {
		if _, _, e := unix.RawSyscall(unix.SYS_SETSID, 0, 0, 0); e != 0 {
			rawFail(a, stageTerminal, e, 125)
		}
		if _, _, e := unix.RawSyscall(unix.SYS_IOCTL, 0, unix.TIOCSCTTY, 0); e != 0 {
			rawFail(a, stageTerminal, e, 125)
		}
	}
	if _, _, e := unix.RawSyscall6(unix.SYS_SENDMSG, a.handoff, uintptr(unsafe.Pointer(&f.pidMsg)), 0, 0, 0, 0); e != 0 {
		rawFail(a, stagePid, e, 125)
	}
	if f.waitTracked {
		if n, _, e := unix.RawSyscall(unix.SYS_READ, a.handoff, uintptr(unsafe.Pointer(&f.ackB[0])), 1); e != 0 || n != 1 {
			rawFail(a, stagePid, e, 125)
		}
	}
	// Ambient capabilities (the shim's own, in a user namespace) would
	// survive the execve.
	unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0, 0)
	if f.dropCaps {
		for c := uintptr(0); c < 64; c++ {
			if f.capDrop&(1<<c) == 0 {
				continue
			}
			if _, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_CAPBSET_DROP, c, 0, 0, 0, 0); e != 0 {
				rawFail(a, stageCaps, e, 125)
			}
		}
		if _, _, e := unix.RawSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&f.capHdr)), uintptr(unsafe.Pointer(&f.capData[0])), 0); e != 0 {
			rawFail(a, stageCaps, e, 125)
		}
	}
	stage, e := installAndExec(a)
	rawFail(a, stage, e, 125)
}
