package runner

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// What keeps a target apart from the workbench, besides its filter:
//   - the workbench and the shim (the target's init) are not dumpable, so
//     a target of the same user cannot ptrace them, open their
//     /proc/PID/mem or take their fds with pidfd_getfd;
//   - a root target keeps only the capabilities its profile was resolved
//     for (Docker's default set has no CAP_SYS_PTRACE or CAP_SYS_ADMIN),
//     so it cannot step around the above either;
//   - where the kernel allows it, the target runs in PID and mount
//     namespaces of its own, with its own /proc: the workbench is not even
//     visible, and nothing it starts outlives its init. An unprivileged
//     workbench gets them through a user namespace that maps only the
//     user's own uid and gid, so the target has the same identity and no
//     capabilities on the host.

// isolation is what one launch asks of the kernel.
type isolation struct {
	user, pidMnt bool
	reason       string // why there are no namespaces
}

func (i isolation) namespaces() bool { return i.pidMnt }

// chooseIsolation picks the namespaces for a run of this process.
func chooseIsolation(mode Isolation) isolation {
	if mode == IsolateNone {
		return isolation{reason: "--isolate none"}
	}
	return isolation{pidMnt: true, user: os.Geteuid() != 0}
}

func (i isolation) sysProcAttr() *syscall.SysProcAttr {
	a := &syscall.SysProcAttr{Setsid: true}
	if i.pidMnt {
		a.Cloneflags |= unix.CLONE_NEWPID | unix.CLONE_NEWNS
		// If the workbench dies, the init dies, and with it the namespace.
		// Without namespaces the init itself ends the tree when its control
		// pipe reaches its end; a parent-death SIGKILL would kill it first.
		a.Pdeathsig = syscall.SIGKILL
	}
	if i.user {
		a.Cloneflags |= unix.CLONE_NEWUSER
		uid, gid := os.Getuid(), os.Getgid()
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: uid, HostID: uid, Size: 1}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: gid, HostID: gid, Size: 1}}
		a.GidMappingsEnableSetgroups = false
		// The user keeps their own uid inside, so the shim would lose its
		// capabilities in the new namespace at execve; ambient ones survive
		// it. The shim needs them to mount /proc and to drop the bounding
		// set; the target gets none (the shim clears the ambient set).
		a.AmbientCaps = []uintptr{unix.CAP_SYS_ADMIN, unix.CAP_SETPCAP}
	}
	return a
}

// namespacesRefused reports whether a failed fork was the kernel saying
// no to the namespaces (user namespaces disabled, a limit reached, or a
// seccomp filter or security module of the workbench's own).
func namespacesRefused(err error) bool {
	var e syscall.Errno
	if !errors.As(err, &e) {
		return false
	}
	return slices.Contains([]syscall.Errno{unix.EPERM, unix.EACCES, unix.EINVAL, unix.ENOSPC, unix.EUSERS, unix.ENOSYS}, e)
}

func errnoText(err error) string {
	var e syscall.Errno
	if errors.As(err, &e) {
		if n := unix.ErrnoName(e); n != "" {
			return n
		}
	}
	return err.Error()
}

// words describes the isolation and the capabilities for Started.
func (i isolation) words(caps []string) string {
	var s string
	switch {
	case i.user:
		s = "user, pid, mount namespaces"
	case i.pidMnt:
		s = "pid, mount namespaces"
	default:
		s = "no namespaces (" + i.reason + ")"
	}
	if os.Geteuid() != 0 {
		return s + "; no capabilities (unprivileged)"
	}
	switch {
	case slices.Equal(caps, profile.DockerDefaultCaps()):
		return s + "; capabilities: Docker's default set"
	case len(caps) == 0:
		return s + "; no capabilities"
	case len(caps) >= len(profile.AllCaps()):
		return s + "; capabilities: all"
	}
	return fmt.Sprintf("%s; capabilities: %d (%v)", s, len(caps), caps)
}

// recvPid reads the target's first message on the handoff socket: one
// byte, with the sender's credentials, which the kernel gives in the
// receiver's PID namespace (SO_PASSCRED) — the target's pid on this side.
func recvPid(sock int) (int, error) {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred))
	for {
		n, oobn, _, _, err := unix.Recvmsg(sock, buf, oob, unix.MSG_CMSG_CLOEXEC)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return 0, err
		}
		if n == 0 && oobn == 0 {
			return 0, errShimGone
		}
		msgs, err := unix.ParseSocketControlMessage(oob[:oobn])
		if err != nil {
			return 0, err
		}
		for _, m := range msgs {
			if c, err := unix.ParseUnixCredentials(&m); err == nil && buf[0] == 'P' {
				return int(c.Pid), nil
			}
		}
		return 0, errors.New("the target's first handoff message carried no credentials")
	}
}

// The workbench is not dumpable while it runs targets, but a parent can
// write a child's uid_map and gid_map (how a user namespace gets its
// mapping) only while the child is dumpable, and a child created by fork
// inherits the parent's flag until its execve. So an unprivileged launch
// into a user namespace makes the workbench dumpable for the length of
// that fork — never while a target without a PID namespace of its own is
// alive in this process (it could see the workbench then), in which case
// the launch goes without namespaces. The flag is process-wide, and so is
// this record of the launches (which also tells the inits of live runs
// from orphans that a killed init left to the workbench, a subreaper).
var launches struct {
	mu          sync.Mutex
	nonIsolated int          // live runs whose target shares the workbench's PID namespace
	inits       map[int]bool // the inits of live runs
}

// launch starts a shim and records its init. With user set it makes the
// workbench dumpable for the fork, unless a target that could reach it is
// alive (ok is false then, and nothing was started). done(false) is to be
// called once the target's tree is gone (the init reported it: the
// exiting init is the workbench's own code), done(true) once the init is
// reaped.
func launchShim(cmd *exec.Cmd, iso isolation) (ok bool, done func(initReaped bool), err error) {
	launches.mu.Lock()
	defer launches.mu.Unlock()
	if iso.user {
		if launches.nonIsolated > 0 {
			return false, nil, nil
		}
		unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0)
		err = cmd.Start()
		unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	} else {
		err = cmd.Start()
	}
	if err != nil {
		return true, nil, err
	}
	pid := cmd.Process.Pid
	if launches.inits == nil {
		launches.inits = map[int]bool{}
	}
	launches.inits[pid] = true
	if !iso.namespaces() {
		launches.nonIsolated++
	}
	gone := false // counted out of nonIsolated (guarded by launches.mu)
	return true, func(initReaped bool) {
		launches.mu.Lock()
		defer launches.mu.Unlock()
		if !gone && !iso.namespaces() {
			launches.nonIsolated--
		}
		gone = true
		if initReaped {
			delete(launches.inits, pid)
		}
	}, nil
}

// sweepOrphans kills and reaps the workbench's children that are not the
// init of a live run: what an init killed before it could end its tree
// (a target can kill its own init when they share a PID namespace) left
// behind, re-parented to the workbench.
func sweepOrphans(limit time.Duration) {
	deadline := time.Now().Add(limit)
	self := os.Getpid()
	for {
		launches.mu.Lock()
		var victims []int
		for _, c := range childrenOf(self) {
			if !launches.inits[c] {
				victims = append(victims, c)
			}
		}
		launches.mu.Unlock()
		if len(victims) == 0 || time.Now().After(deadline) {
			return
		}
		for _, v := range victims {
			unix.Kill(v, unix.SIGSTOP)
			killDescendants(v)
			unix.Kill(v, unix.SIGKILL)
			var ws unix.WaitStatus
			unix.Wait4(v, &ws, unix.WNOHANG, nil)
		}
		time.Sleep(2 * time.Millisecond)
	}
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
