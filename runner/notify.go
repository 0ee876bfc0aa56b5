package runner

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The seccomp user-notification interface, used through raw ioctls so the
// supervisor's hot loop allocates nothing per notification.

// seccompData mirrors the kernel's struct seccomp_data.
type seccompData struct {
	Nr   int32
	Arch uint32
	IP   uint64
	Args [6]uint64
}

// seccompNotif mirrors struct seccomp_notif (80 bytes). Pid is the thread
// id of the caller, in the supervisor's pid namespace.
type seccompNotif struct {
	ID    uint64
	Pid   uint32
	Flags uint32
	Data  seccompData
}

// seccompNotifResp mirrors struct seccomp_notif_resp (24 bytes). The
// kernel returns Val to the caller when Error is 0, else Error (a negative
// errno); with FlagContinue the call runs as if it had been allowed.
type seccompNotifResp struct {
	ID    uint64
	Val   int64
	Error int32
	Flags uint32
}

const (
	ioctlNotifRecv    = 0xc0502100 // _IOWR('!', 0, struct seccomp_notif)
	ioctlNotifSend    = 0xc0182101 // _IOWR('!', 1, struct seccomp_notif_resp)
	ioctlNotifIDValid = 0x40082102 // _IOW('!', 2, __u64)
	ioctlNotifSetFlag = 0x40082104 // _IOW('!', 4, __u64), Linux 6.6

	notifFlagContinue = 1 // SECCOMP_USER_NOTIF_FLAG_CONTINUE
	notifFdSyncWakeUp = 1 // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP

	// filterFlagWaitKillableRecv (Linux 5.19): once the supervisor has
	// received a notification, only a fatal signal interrupts the caller.
	// Without it a signal (Go's preemption signal, say) between receive
	// and reply makes the kernel drop the notification and, when the
	// call restarts, send it again under a new id; the supervisor counts
	// such a restart once, except when the signal lands while an already
	// accepted reply is being delivered (the kernel then drops the reply
	// too, and the restart looks new). A Go target whose garbage
	// collector waits for a thread blocked in a raw syscall signals it
	// every few microseconds, so a slow reply (learn mode waiting for the
	// user) can keep such a call restarting until it is answered.
	filterFlagWaitKillableRecv = 0x20
)

// The ioctl numbers encode the structs' sizes: a layout mistake does not
// compile.
var (
	_ [80]byte = [unsafe.Sizeof(seccompNotif{})]byte{}
	_ [24]byte = [unsafe.Sizeof(seccompNotifResp{})]byte{}
)

// notifRecv takes the next notification; call it only after poll has
// shown the fd readable. ENOENT means the caller was interrupted or died
// since; EINTR that a signal hit the supervisor thread.
//
// It is a raw system call (the Go scheduler is not told): the kernel
// counts each queued notification when it is added and only RECV takes
// the count down, and a notification withdrawn before RECV leaves its
// count behind, so after poll has seen one RECV returns at once — with
// it, or with ENOENT — and never sleeps (kernel/seccomp.c,
// recv_wait_event; the uapi promises RECV does not block after poll).
// The supervisor is the only receiver.
//
// The supervisor does not wait in RECV itself, though that would save the
// look before it. A waiting RECV (TASK_INTERRUPTIBLE in recv_wait_event)
// ends only when a notification is queued or, on kernels that end it when
// no task uses the filter any more (6.18 does, with ENOENT), when the last
// user is released. Closing the fd does not end it: the ioctl holds the
// file. A signal does not either: the wait returns -ERESTARTSYS, every
// handler the Go runtime installs has SA_RESTART, so the kernel restarts
// the ioctl after the handler (tried: SIGURG, SIGWINCH and SIGCHLD sent to
// the waiting thread). So the quit path could not wake it while a process
// that left the session still uses the filter. As a raw call it would also
// keep its P running, and a stop-the-world would wait for the next
// notification. Told to the scheduler, it saved nothing in a minimal Go
// supervisor: the sysmon and futex wake-ups around each wait cost what
// the look saves.
func notifRecv(fd int, n *seccompNotif) error {
	*n = seccompNotif{}
	_, _, e := unix.RawSyscall(unix.SYS_IOCTL, uintptr(fd), ioctlNotifRecv, uintptr(unsafe.Pointer(n)))
	if e != 0 {
		return e
	}
	return nil
}

// notifPending reports whether the listener has a notification queued
// (or, false, nothing yet, or no task uses the filter any more). With a
// zero timeout poll joins no wait queue and never sleeps, so this is a
// raw call: the Go scheduler need not be told.
func notifPending(fd int) bool {
	pfd := unix.PollFd{Fd: int32(fd), Events: unix.POLLIN}
	var zero unix.Timespec
	n, _, e := unix.RawSyscall6(unix.SYS_PPOLL, uintptr(unsafe.Pointer(&pfd)), 1, uintptr(unsafe.Pointer(&zero)), 0, 0, 0)
	return e == 0 && n == 1 && pfd.Revents&unix.POLLIN != 0
}

// notifSend replies. ENOENT means the notification is no longer valid:
// the caller died, or a signal interrupted it (the call will then restart
// and arrive again under a new id). The kernel takes the listener's lock
// interruptibly before it looks at the reply, so EINTR means nothing was
// sent: send again.
//
// It is a raw call too: SEND does not wait for anything but that lock.
// With the synchronous wake-up the caller runs on this CPU as the reply
// is sent and the supervisor thread waits, runnable, until it next gets
// the CPU (usually when the caller's next call is queued). Told of a
// syscall, the Go scheduler would hand this thread's P to others
// meanwhile, and the locked thread would then have to wait for a P to
// be handed back — more switches than the reply itself costs.
func notifSend(fd int, r *seccompNotifResp) error {
	for {
		_, _, e := unix.RawSyscall(unix.SYS_IOCTL, uintptr(fd), ioctlNotifSend, uintptr(unsafe.Pointer(r)))
		switch e {
		case 0:
			return nil
		case unix.EINTR:
			continue
		}
		return e
	}
}

// notifIDValid reports whether the notification is still pending: memory
// read from the caller before this check succeeds really was the caller's
// (its pid cannot have been reused while the notification was pending).
// It only looks the id up, so it is a raw call too; EINTR (the lock is
// taken interruptibly) says nothing about the id: ask again.
func notifIDValid(fd int, id uint64) bool {
	for {
		_, _, e := unix.RawSyscall(unix.SYS_IOCTL, uintptr(fd), ioctlNotifIDValid, uintptr(unsafe.Pointer(&id)))
		if e != unix.EINTR {
			return e == 0
		}
	}
}

// notifSyncWakeUp asks the kernel to switch straight to the caller when a
// reply is sent (Linux 6.6+); it saves a scheduler round trip per call.
// Older kernels reject it, which is harmless.
func notifSyncWakeUp(fd int) bool {
	_, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), ioctlNotifSetFlag, notifFdSyncWakeUp)
	return e == 0
}

// respondErrno fills r to fail the call with errno.
func respondErrno(r *seccompNotifResp, id uint64, errno uint) {
	*r = seccompNotifResp{ID: id, Error: -int32(errno)}
}

// respondContinue fills r to let the call run.
func respondContinue(r *seccompNotifResp, id uint64) {
	*r = seccompNotifResp{ID: id, Flags: notifFlagContinue}
}

// recvListener takes the notification fd the shim passes over the
// handoff socket with SCM_RIGHTS. io.EOF-like errors mean the shim exited
// before it got that far (its status pipe says why).
func recvListener(sock int) (int, error) {
	buf := make([]byte, 1)
	// Room for the sender's credentials too (the socket has SO_PASSCRED).
	oob := make([]byte, unix.CmsgSpace(4)+unix.CmsgSpace(unix.SizeofUcred))
	for {
		n, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1, err
		}
		if n == 0 && oobn == 0 {
			return -1, errShimGone
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return -1, err
		}
		for _, m := range msgs {
			fds, err := unix.ParseUnixRights(&m)
			if err != nil {
				continue
			}
			for i := 1; i < len(fds); i++ {
				unix.Close(fds[i])
			}
			if len(fds) > 0 {
				return fds[0], nil
			}
		}
		return -1, errors.New("the shim's handoff message carried no file descriptor")
	}
}

var errShimGone = errors.New("the shim exited before handing over the notification fd")
