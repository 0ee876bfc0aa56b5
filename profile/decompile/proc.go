package decompile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Seccomp modes as /proc/PID/status prints them (Seccomp: 0, 1, 2).
const (
	ModeDisabled = "disabled"
	ModeStrict   = "strict"
	ModeFilter   = "filter"
)

// stopTimeout bounds the wait for a tracee to stop.
const stopTimeout = 5 * time.Second

// PIDPrefix marks a PROFILE argument naming a live process: pid:1234.
const PIDPrefix = "pid:"

// Process is the seccomp state of a live process.
type Process struct {
	PID int
	// Threads names the threads whose seccomp state differs from the
	// main thread's (filters are per thread unless loaded with TSYNC);
	// the report is of the main thread.
	Threads []string
	// File is set instead of PID for a program read from a file.
	File string
	Mode string
	// Count is Seccomp_filters: from /proc/PID/status.
	Count int
	// Filters are the stacked programs, oldest first (the index
	// PTRACE_SECCOMP_GET_FILTER counts from).
	Filters [][]bpf.RawInstruction
}

// ReadStatus reads the Seccomp: and Seccomp_filters: lines of
// /proc/PID/status.
func ReadStatus(pid int) (mode string, count int, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", 0, fmt.Errorf("inspect: no process %d", pid)
		}
		return "", 0, fmt.Errorf("inspect: %w", err)
	}
	mode = ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Seccomp":
			switch v {
			case "0":
				mode = ModeDisabled
			case "1":
				mode = ModeStrict
			case "2":
				mode = ModeFilter
			default:
				return "", 0, fmt.Errorf("inspect: /proc/%d/status: unknown seccomp mode %q", pid, v)
			}
		case "Seccomp_filters":
			if count, err = strconv.Atoi(v); err != nil {
				return "", 0, fmt.Errorf("inspect: /proc/%d/status: Seccomp_filters: %q is not a number", pid, v)
			}
		}
	}
	if mode == "" {
		return "", 0, fmt.Errorf("inspect: /proc/%d/status has no Seccomp: line (a kernel without CONFIG_SECCOMP)", pid)
	}
	return mode, count, nil
}

// ReadProcess reads pid's seccomp mode and, in filter mode, every stacked
// filter. The kernel hands a filter out (PTRACE_SECCOMP_GET_FILTER) only
// to a tracer that has CAP_SYS_ADMIN, is itself not under seccomp, and
// has the tracee stopped: ReadProcess seizes pid, interrupts it, copies
// the filters and detaches, all from one locked OS thread (a ptrace
// relation belongs to a thread).
func ReadProcess(pid int) (*Process, error) {
	mode, count, err := ReadStatus(pid)
	if err != nil {
		return nil, err
	}
	p := &Process{PID: pid, Mode: mode, Count: count}
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, t := range tasks {
		tid, err := strconv.Atoi(t.Name())
		if err != nil || tid == pid {
			continue
		}
		if m, c, err := ReadStatus(tid); err == nil && (m != mode || c != count) {
			p.Threads = append(p.Threads, fmt.Sprintf("thread %d: mode %s, %d filters", tid, m, c))
		}
	}
	if mode != ModeFilter {
		return p, nil
	}
	if pid == os.Getpid() {
		return nil, fmt.Errorf("inspect: process %d is the workbench itself, which cannot trace itself", pid)
	}
	if tracer := tracerOf(pid); tracer != 0 {
		return nil, fmt.Errorf("inspect: process %d is already traced by task %d (a debugger or strace); the kernel hands filters only to the tracer: detach it first", pid, tracer)
	}
	if self, _, err := ReadStatus(os.Getpid()); err == nil && self != ModeDisabled {
		return nil, fmt.Errorf("inspect: the workbench itself runs under seccomp (%s mode); the kernel hands filters only to an unconfined tracer: run it outside the sandbox", self)
	}
	if !hasCapSysAdmin() {
		return nil, fmt.Errorf("inspect: reading process %d's seccomp filters needs CAP_SYS_ADMIN (the kernel hands them out only to a tracer that has it): run as root", pid)
	}
	type result struct {
		filters [][]bpf.RawInstruction
		err     error
	}
	ch := make(chan result, 1)
	go func() {
		// The thread is not unlocked: it ends with the goroutine, and
		// with it any ptrace relation a failed detach would leave.
		runtime.LockOSThread()
		f, err := getFilters(pid, count)
		ch <- result{f, err}
	}()
	r := <-ch
	if r.err != nil {
		return nil, r.err
	}
	p.Filters = r.filters
	return p, nil
}

// tracerOf reads TracerPid: from /proc/PID/status.
func tracerOf(pid int) int {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "TracerPid:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(v))
			return n
		}
	}
	return 0
}

// capSysAdmin is CAP_SYS_ADMIN's bit (linux/capability.h).
const capSysAdmin = 21

// hasCapSysAdmin reads the effective set from /proc/self/status.
func hasCapSysAdmin() bool {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && caps&(1<<capSysAdmin) != 0
		}
	}
	return false
}

func getFilters(pid, count int) ([][]bpf.RawInstruction, error) {
	if err := unix.PtraceSeize(pid); err != nil {
		return nil, attachError(pid, err)
	}
	detached := false
	defer func() {
		if !detached {
			_ = unix.PtraceDetach(pid)
		}
	}()
	if err := unix.PtraceInterrupt(pid); err != nil {
		return nil, fmt.Errorf("inspect: PTRACE_INTERRUPT of %d: %w", pid, err)
	}
	// The tracee stops when it next returns to user space or sleeps
	// interruptibly; one stuck in the kernel (D state) may never, and an
	// untrusted process must not hang the workbench. On a timeout the
	// locked thread ends, and the kernel detaches its tracees.
	var ws unix.WaitStatus
	for deadline := time.Now().Add(stopTimeout); ; {
		got, err := unix.Wait4(pid, &ws, unix.WALL|unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("inspect: waiting for %d to stop: %w", pid, err)
		}
		if got == pid {
			break
		}
		if time.Now().After(deadline) {
			detached = true // nothing to detach from a running tracee; the thread's end does it
			return nil, fmt.Errorf("inspect: process %d did not stop within %s of PTRACE_INTERRUPT (stuck in the kernel?): try again", pid, stopTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if ws.Exited() || ws.Signaled() {
		detached = true
		return nil, fmt.Errorf("inspect: process %d ended while being inspected", pid)
	}
	var out [][]bpf.RawInstruction
	for i := 0; ; i++ {
		n, err := ptraceGetFilter(pid, i, nil)
		if err == unix.ENOENT {
			break // past the oldest filter
		}
		if err != nil {
			return nil, getFilterError(pid, i, err)
		}
		buf := make([]byte, 8*n)
		if _, err := ptraceGetFilter(pid, i, buf); err != nil {
			return nil, getFilterError(pid, i, err)
		}
		prog, err := ParseRaw(buf)
		if err != nil {
			return nil, fmt.Errorf("inspect: process %d, filter %d: %w", pid, i, err)
		}
		out = append(out, prog)
	}
	detached = true
	if err := unix.PtraceDetach(pid); err != nil {
		return nil, fmt.Errorf("inspect: PTRACE_DETACH of %d: %w", pid, err)
	}
	if count > 0 && len(out) != count {
		return nil, fmt.Errorf("inspect: process %d has %d filters (Seccomp_filters:) but the kernel handed out %d", pid, count, len(out))
	}
	return out, nil
}

// ptraceGetFilter is PTRACE_SECCOMP_GET_FILTER: with no buffer it returns
// the filter's length in instructions, with one it copies the filter.
func ptraceGetFilter(pid, index int, buf []byte) (int, error) {
	var p uintptr
	if len(buf) > 0 {
		p = uintptr(unsafe.Pointer(&buf[0]))
	}
	n, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_SECCOMP_GET_FILTER, uintptr(pid), uintptr(index), p, 0, 0)
	runtime.KeepAlive(buf)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

func attachError(pid int, err error) error {
	if err == unix.EPERM {
		why := "the workbench may not trace it (it needs CAP_SYS_PTRACE, or to own the process)"
		if b, rerr := os.ReadFile("/proc/sys/kernel/yama/ptrace_scope"); rerr == nil {
			if s := strings.TrimSpace(string(b)); s != "0" {
				why = fmt.Sprintf("Yama's ptrace_scope is %s (/proc/sys/kernel/yama/ptrace_scope), which lets only %s trace it", s, yamaWho(s))
			}
		}
		return fmt.Errorf("inspect: cannot attach to process %d: %s; run as root (CAP_SYS_ADMIN is needed to read filters anyway)", pid, why)
	}
	if err == unix.ESRCH {
		return fmt.Errorf("inspect: no process %d", pid)
	}
	return fmt.Errorf("inspect: PTRACE_SEIZE of %d: %w", pid, err)
}

func yamaWho(scope string) string {
	switch scope {
	case "1":
		return "its ancestors or a process with CAP_SYS_PTRACE"
	case "2":
		return "a process with CAP_SYS_PTRACE"
	}
	return "no process"
}

func getFilterError(pid, index int, err error) error {
	switch err {
	case unix.EACCES:
		return fmt.Errorf("inspect: reading process %d's seccomp filters needs CAP_SYS_ADMIN (the kernel refuses PTRACE_SECCOMP_GET_FILTER without it): run as root", pid)
	case unix.EMEDIUMTYPE:
		return fmt.Errorf("inspect: process %d, filter %d is an eBPF program, which PTRACE_SECCOMP_GET_FILTER cannot copy", pid, index)
	}
	return fmt.Errorf("inspect: PTRACE_SECCOMP_GET_FILTER %d of process %d: %w", index, pid, err)
}

// Decompile recovers the profile the process runs under, for this host.
// A process without a filter gets the profile that allows everything; a
// strict-mode one has none.
func (p *Process) Decompile() (*Result, error) {
	var res *Result
	switch p.Mode {
	case ModeDisabled:
		res = &Result{Profile: &profile.Profile{DefaultAction: profile.ActAllow, Syscalls: []*profile.Rule{}},
			Warnings: []string{fmt.Sprintf("process %d runs without seccomp: every call is allowed", p.PID)}}
	case ModeStrict:
		return nil, fmt.Errorf("inspect: process %d is in strict seccomp mode (read, write, _exit and sigreturn only, anything else kills it): no filter program to decompile", p.PID)
	default:
		var err error
		if res, err = Decompile(p.Filters, profile.NativeArch()); err != nil {
			return nil, err
		}
	}
	for _, t := range p.Threads {
		res.Warnings = append(res.Warnings, "the process's threads differ: "+t+"; this is the main thread's")
	}
	return res, nil
}

// ParsePID reads the PID of a pid:PID argument; ok is false when arg has
// another form.
func ParsePID(arg string) (pid int, ok bool, err error) {
	rest, ok := strings.CutPrefix(arg, PIDPrefix)
	if !ok {
		return 0, false, nil
	}
	pid, err = strconv.Atoi(rest)
	if err != nil || pid <= 0 {
		return 0, true, fmt.Errorf("%s: want pid:PID with a process id, as in pid:1234", arg)
	}
	return pid, true, nil
}

// Open is the hook a PROFILE resolver calls for the arguments this
// package reads: pid:PID (the live process's filters) and files holding a
// raw seccomp program. handled is false for anything else.
func Open(arg string) (p *profile.Profile, warnings []string, handled bool, err error) {
	if pid, ok, err := ParsePID(arg); ok {
		if err != nil {
			return nil, nil, true, err
		}
		proc, err := ReadProcess(pid)
		if err != nil {
			return nil, nil, true, err
		}
		res, err := proc.Decompile()
		if err != nil {
			return nil, nil, true, err
		}
		return res.Profile, res.Warnings, true, nil
	}
	data, err := os.ReadFile(arg)
	if err != nil || !LooksLikeBPF(data) {
		return nil, nil, false, nil
	}
	p, warnings, err = FromRaw(data)
	if err != nil {
		return nil, nil, true, fmt.Errorf("%s: %w", arg, err)
	}
	return p, warnings, true, nil
}
