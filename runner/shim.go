package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The shim is the workbench binary re-executed with ShimArg. It receives
// a spec over an inherited fd, prepares everything the target needs, then
// installs the filter and execve's the target without running any Go code
// in between (see installAndExec). Its session and parent-death signal
// are set up by the fork that starts it (SysProcAttr); the kernel keeps
// the death signal across execve, except into a set-user-ID, set-group-ID
// or file-capability program.

// ShimArg is the first argument that makes a binary run ShimMain: the
// workbench's main checks IsShim before anything else, and a test binary
// of a package that starts runs should call ShimMain from TestMain when
// IsShim(os.Args) is true; the default Config.Shim re-executes
// os.Executable() with this argument.
const ShimArg = "__shim"

// IsShim reports whether args (os.Args) ask for the shim.
func IsShim(args []string) bool { return len(args) > 1 && args[1] == ShimArg }

// File descriptors the parent places in the shim.
const (
	shimSpecFD    = 3 // memfd with the JSON spec
	shimStatusFD  = 4 // pipe: closes on a successful execve, else says why not
	shimHandoffFD = 5 // unix socket for the listener fd (notifying modes)
)

// shimSpec is what the parent tells the shim.
type shimSpec struct {
	Argv   []string
	Env    []string
	Dir    string
	Prog   []byte // struct sock_filter array, host order
	Listen bool   // install with a notification listener and hand it over
	Flags  uint   // extra SECCOMP_FILTER_FLAG_* bits
	Magic  [3]uint64
	// NoKillableWait leaves out SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, as
	// on kernels before 5.19 (tests use it to exercise re-sent calls).
	NoKillableWait bool
	// Terminal: the target leads a session of its own with stdin as its
	// controlling terminal.
	Terminal bool
	// CapMask is the capability set a privileged target keeps.
	CapMask uint64
	// WaitTracked: after reporting its pid, the child waits for a byte on
	// the handoff socket (the eBPF recorder follows it from then on).
	WaitTracked bool
}

// Status records on the status pipe. A text record is "E<code> <message>"
// written before the filter exists; a binary record comes from the raw
// path after a syscall failed there.
const (
	stageNoNewPrivs = 1
	stageSeccomp    = 2
	stageHandoff    = 3
	stageExec       = 4
	stageTerminal   = 5
	stagePid        = 6
	stageCaps       = 7
	rawRecordLen    = 8 // 'X', stage, 2 unused, errno (little-endian u32)
)

// ShimMain runs the shim: it never returns. Every failure before the
// filter is installed is reported on the status pipe and ends the shim
// with 125 (the workbench failed), 126 (cannot execute) or 127 (not found).
func ShimMain() {
	// The filter is installed in the forked child, a copy of this one
	// thread (no TSYNC needed): the other Go threads never run filtered.
	runtime.LockOSThread()
	debug.SetGCPercent(-1)
	// Not dumpable before anything else: the target runs as the same user
	// and must not be able to ptrace its unfiltered parent.
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	status := os.NewFile(shimStatusFD, "status")
	fail := func(code int, format string, a ...any) {
		fmt.Fprintf(status, "E%d %s", code, fmt.Sprintf(format, a...))
		os.Exit(code)
	}
	spec, err := readSpec()
	if err != nil {
		fail(125, "shim: reading the launch spec: %v", err)
	}
	for _, fd := range []int{shimStatusFD, shimHandoffFD} {
		unix.CloseOnExec(fd)
	}
	if spec.Dir != "" {
		if err := os.Chdir(spec.Dir); err != nil {
			fail(126, "working directory %s: %v", spec.Dir, unwrapErrno(err))
		}
	}
	path, code, err := lookPath(spec.Argv[0], spec.Env)
	if err != nil {
		fail(code, "%v", err)
	}
	a, err := newExecArgs(spec, path)
	if err != nil {
		fail(126, "%v", err)
	}
	shimInit(spec, a, fail)
}

func readSpec() (*shimSpec, error) {
	f := os.NewFile(shimSpecFD, "spec")
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	var s shimSpec
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	if len(s.Argv) == 0 || len(s.Prog) == 0 || len(s.Prog)%8 != 0 {
		return nil, errors.New("incomplete spec")
	}
	return &s, nil
}

func unwrapErrno(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// defaultPath is used when the target's environment has no PATH (the
// same list Docker gives containers).
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// lookPath resolves name as execvp does, with the target's PATH: a name
// with a slash is used as is; otherwise the first executable regular file
// in PATH wins. It returns the exit code for a failure: 127 not found,
// 126 found but not executable.
func lookPath(name string, env []string) (string, int, error) {
	if name == "" {
		return "", 127, errors.New("empty command name")
	}
	if strings.Contains(name, "/") {
		if err := checkExec(name); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return "", 127, fmt.Errorf("%s: not found", name)
			}
			return "", 126, fmt.Errorf("%s: %v", name, err)
		}
		return name, 0, nil
	}
	pathVar, ok := "", false
	for _, kv := range env {
		if v, found := strings.CutPrefix(kv, "PATH="); found {
			pathVar, ok = v, true
		}
	}
	if !ok {
		pathVar = defaultPath
	}
	var denied error
	for _, dir := range filepath.SplitList(pathVar) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		if !strings.Contains(p, "/") {
			p = "./" + p
		}
		err := checkExec(p)
		if err == nil {
			return p, 0, nil
		}
		if !errors.Is(err, os.ErrNotExist) && denied == nil {
			denied = fmt.Errorf("%s: %v", p, err)
		}
	}
	if denied != nil {
		return "", 126, denied
	}
	return "", 127, fmt.Errorf("%s: not found in PATH", name)
}

func checkExec(p string) error {
	st, err := os.Stat(p)
	if err != nil {
		return unwrapErrno(err)
	}
	if st.IsDir() {
		return errors.New("is a directory")
	}
	if !st.Mode().IsRegular() {
		return errors.New("not a regular file")
	}
	if err := unix.Access(p, unix.X_OK); err != nil || st.Mode()&0o111 == 0 {
		return errors.New("permission denied (not executable)")
	}
	return nil
}

// execArgs holds everything installAndExec touches, prepared in advance:
// after the filter is installed no Go code may run on this thread (no
// allocation, no runtime call, no stack growth), because any syscall the
// runtime made there would go through the filter — and in the notifying
// modes, before the parent holds the listener, would wait forever.
type execArgs struct {
	flags   uintptr
	fprog   unix.SockFprog
	listen  uintptr
	handoff uintptr
	msg     unix.Msghdr
	fdSlot  *int32
	path    *byte
	argv    unsafe.Pointer
	envp    unsafe.Pointer
	magic   [3]uintptr
	record  *[rawRecordLen]byte

	// Keep the backing storage reachable.
	prog  []byte
	oob   []byte
	iov   []unix.Iovec
	body  []byte
	argvS []*byte
	envpS []*byte
}

func newExecArgs(spec *shimSpec, path string) (*execArgs, error) {
	a := &execArgs{prog: spec.Prog, record: new([rawRecordLen]byte)}
	a.fprog.Len = uint16(len(spec.Prog) / 8)
	a.fprog.Filter = (*unix.SockFilter)(unsafe.Pointer(&a.prog[0]))
	a.flags = uintptr(spec.Flags)
	if spec.Listen {
		a.listen = 1
		a.flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
		if !spec.NoKillableWait {
			a.flags |= filterFlagWaitKillableRecv
		}
	}
	a.handoff = shimHandoffFD
	a.body = []byte{'L'}
	a.iov = []unix.Iovec{{Base: &a.body[0], Len: 1}}
	a.oob = unix.UnixRights(0)
	// The fd number goes into the control message's data, which starts
	// right after the aligned header.
	a.fdSlot = (*int32)(unsafe.Pointer(&a.oob[unix.CmsgLen(0)]))
	a.msg.Iov = &a.iov[0]
	a.msg.Iovlen = 1
	a.msg.Control = &a.oob[0]
	a.msg.SetControllen(len(a.oob))
	for i, m := range spec.Magic {
		a.magic[i] = uintptr(m)
	}
	var err error
	if a.path, err = syscall.BytePtrFromString(path); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if a.argvS, err = syscall.SlicePtrFromStrings(spec.Argv); err != nil {
		return nil, fmt.Errorf("arguments: %v", err)
	}
	if a.envpS, err = syscall.SlicePtrFromStrings(spec.Env); err != nil {
		return nil, fmt.Errorf("environment: %v", err)
	}
	a.argv = unsafe.Pointer(&a.argvS[0])
	a.envp = unsafe.Pointer(&a.envpS[0])
	a.record[0] = 'X'
	return a, nil
}

// installAndExec sets no_new_privs, installs the filter and — in the
// notifying modes — sends the listener fd to the parent, then execve's the
// target. The last two calls carry the run's secret in argument registers
// 3..5, which the kernel ignores for them and the filter's exemption
// checks, so they pass without a notification nobody could answer yet.
//
// It is nosplit and norace and calls only raw syscall stubs, so nothing
// can grow the stack, call into the scheduler or the race runtime on this
// thread once the filter is in place. Asynchronous preemption (SIGURG) is
// off in the shim (GODEBUG=asyncpreemptoff=1) so no runtime signal
// handler runs here either. It returns only for a failure before the
// filter exists; later failures are written to the status pipe as a raw
// record and end the process.
//
//go:nosplit
//go:norace
func installAndExec(a *execArgs) (stage int, errno unix.Errno) {
	_, _, e := unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0)
	if e != 0 {
		return stageNoNewPrivs, e
	}
	fd, _, e := unix.RawSyscall6(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, a.flags, uintptr(unsafe.Pointer(&a.fprog)), 0, 0, 0)
	if e == unix.EINVAL && a.flags&filterFlagWaitKillableRecv != 0 {
		// Before Linux 5.19: the supervisor copes with re-sent calls.
		a.flags &^= filterFlagWaitKillableRecv
		fd, _, e = unix.RawSyscall6(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, a.flags, uintptr(unsafe.Pointer(&a.fprog)), 0, 0, 0)
	}
	if e != 0 {
		return stageSeccomp, e
	}
	// The filter is active from here on.
	if a.listen != 0 {
		*a.fdSlot = int32(fd)
		_, _, e = unix.RawSyscall6(unix.SYS_SENDMSG, a.handoff, uintptr(unsafe.Pointer(&a.msg)), 0, a.magic[0], a.magic[1], a.magic[2])
		if e != 0 {
			rawFail(a, stageHandoff, e, 125)
		}
	}
	_, _, e = unix.RawSyscall6(unix.SYS_EXECVE, uintptr(unsafe.Pointer(a.path)), uintptr(a.argv), uintptr(a.envp), a.magic[0], a.magic[1], a.magic[2])
	code := uintptr(126)
	if e == unix.ENOENT {
		code = 127
	}
	rawFail(a, stageExec, e, code)
	return stageExec, e
}

// rawFail reports a failure after the filter is installed and exits. The
// write and exit go through the filter like any other call (in the
// notifying modes the supervisor recognises them by the secret).
//
//go:nosplit
//go:norace
func rawFail(a *execArgs, stage int, e unix.Errno, code uintptr) {
	a.record[1] = byte(stage)
	a.record[4] = byte(e)
	a.record[5] = byte(e >> 8)
	// The secret marks these calls as the shim's for the supervisor, which
	// lets them run: the target has not started.
	unix.RawSyscall6(unix.SYS_WRITE, shimStatusFD, uintptr(unsafe.Pointer(a.record)), rawRecordLen, a.magic[0], a.magic[1], a.magic[2])
	for {
		unix.RawSyscall6(unix.SYS_EXIT_GROUP, code, 0, 0, a.magic[0], a.magic[1], a.magic[2])
	}
}

// decodeStatus turns what the shim wrote on its status pipe into an exit
// code and a message.
func decodeStatus(data []byte, argv0 string) (int, string) {
	if len(data) >= rawRecordLen && data[0] == 'X' {
		errno := syscall.Errno(uint32(data[4]) | uint32(data[5])<<8)
		switch data[1] {
		case stageNoNewPrivs:
			return 125, "the shim could not set no_new_privs: " + errno.Error()
		case stageSeccomp:
			return 125, "the kernel refused the filter (seccomp SECCOMP_SET_MODE_FILTER): " + errno.Error()
		case stageTerminal:
			return 125, "the target could not take the terminal as its controlling terminal: " + errno.Error()
		case stagePid:
			return 125, "the target could not report its pid to the workbench: " + errno.Error()
		case stageCaps:
			return 125, "the target could not drop its capabilities: " + errno.Error()
		case stageHandoff:
			return 125, "the shim could not hand the notification fd to the workbench: " + errno.Error()
		case stageExec:
			switch errno {
			case unix.ENOENT:
				return 127, argv0 + ": " + errno.Error()
			case unix.EPERM, unix.EACCES:
				return 126, fmt.Sprintf("execve %s: %v (the profile or a security module refused it)", argv0, errno)
			}
			return 126, "execve " + argv0 + ": " + errno.Error()
		}
	}
	if len(data) > 1 && data[0] == 'E' {
		head, msg, _ := strings.Cut(string(data[1:]), " ")
		var code int
		if _, err := fmt.Sscanf(head, "%d", &code); err == nil && code > 0 {
			return code, msg
		}
	}
	return 125, "the shim failed: " + strings.TrimSpace(string(data))
}
