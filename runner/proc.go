package runner

import (
	"bytes"
	"os"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// The target runs as the leader of a new session (setsid in the shim's
// fork), so everything it starts — including process groups a shell
// creates for its jobs — shares its session id. Cleanup kills by session,
// which a descendant escapes only by starting a session of its own.

// procStat is the part of /proc/PID/stat the cleanup needs.
type procStat struct {
	pid, ppid, pgid, sid int
	state                byte
}

// readProcStatBuf reads /proc/PID/stat with raw calls into buf: the
// cleanup sweeps every process, so this is kept cheap.
func readProcStatBuf(pid int, buf []byte) (procStat, bool) {
	fd, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/stat", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return procStat{}, false
	}
	n, err := unix.Read(fd, buf)
	unix.Close(fd)
	if err != nil || n <= 0 {
		return procStat{}, false
	}
	return parseProcStat(buf[:n])
}

func parseProcStat(b []byte) (procStat, bool) {
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open || end+2 >= len(b) {
		return procStat{}, false
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return procStat{}, false
	}
	f := bytes.Fields(b[end+2:])
	// state ppid pgrp session ...
	if len(f) < 4 || len(f[0]) != 1 {
		return procStat{}, false
	}
	ppid, e1 := strconv.Atoi(string(f[1]))
	pgid, e2 := strconv.Atoi(string(f[2]))
	sid, e3 := strconv.Atoi(string(f[3]))
	if e1 != nil || e2 != nil || e3 != nil {
		return procStat{}, false
	}
	return procStat{pid: pid, ppid: ppid, pgid: pgid, sid: sid, state: f[0][0]}, true
}

// sessionMembers lists the processes of session sid, zombies included.
func sessionMembers(sid int) []procStat {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	var out []procStat
	var buf [512]byte
	for _, n := range names {
		if n[0] < '0' || n[0] > '9' {
			continue
		}
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		if st, ok := readProcStatBuf(pid, buf[:]); ok && st.sid == sid {
			out = append(out, st)
		}
	}
	return out
}

// killSession kills every member of the session except the leader and
// waits (up to limit) until none is alive, reaping those that became the
// workbench's children (it is a child subreaper, so orphans of the target
// are re-parented to it). Call it while the leader is still unreaped: its
// zombie keeps the session and group ids from being reused.
func killSession(sid int, limit time.Duration) {
	deadline := time.Now().Add(limit)
	self := os.Getpid()
	for {
		live, reaped := 0, 0
		for _, p := range sessionMembers(sid) {
			if p.pid == sid {
				continue
			}
			switch p.state {
			case 'Z', 'X':
				if p.ppid == self {
					var ws unix.WaitStatus
					if n, _ := unix.Wait4(p.pid, &ws, unix.WNOHANG, nil); n > 0 {
						reaped++
					}
				}
			default:
				live++
				unix.Kill(p.pid, unix.SIGKILL)
			}
		}
		// A zombie re-parented to the workbench only once its parent died
		// shows up on the next pass, so stop after a pass with nothing to do.
		if (live == 0 && reaped == 0) || time.Now().After(deadline) {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// Warm makes, on a goroutine of its own, the check a process's first
// launch would otherwise make on the launch's way: os/exec's first start
// of a process checks that pidfds work (pidfd_open and waitid of itself,
// a signal, and a clone(CLONE_PIDFD) child that exits), which took
// 0.2-1 ms here. A command calls it as soon as it knows it will run
// something; the channel is closed when it is done.
func Warm() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			p.Release()
		}
	}()
	return done
}

// becomeSubreaper makes the workbench adopt orphaned descendants of its
// runs, so cleanup can reap them even where PID 1 does not (containers).
func becomeSubreaper() {
	unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
}

// tgidOf returns the thread group id of thread tid.
func tgidOf(tid int) int {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(tid) + "/status")
	if err != nil {
		return tid
	}
	i := bytes.Index(b, []byte("\nTgid:"))
	if i < 0 {
		return tid
	}
	rest := b[i+6:]
	if j := bytes.IndexByte(rest, '\n'); j >= 0 {
		rest = rest[:j]
	}
	n, err := strconv.Atoi(string(bytes.TrimSpace(rest)))
	if err != nil {
		return tid
	}
	return n
}
