package runner

// The shim is the workbench binary re-executed with ShimArg, or the same
// C code linked as a static program of its own, against musl (StaticShim).
// It is written in C (shim_*.c) and, in the workbench binary, runs as a
// constructor, before the Go runtime and every package's init: it receives the spec over an inherited fd,
// prepares everything the target needs, forks it, installs the filter in
// it and execve's it, and stays behind as the target's init. Its session
// and parent-death signal are set up by the fork that starts it
// (SysProcAttr); the kernel keeps the death signal across execve, except
// into a set-user-ID, set-group-ID or file-capability program.

// #cgo CFLAGS: -Wall -Wextra -O2
// #include "shim.h"
import "C"

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// ShimArg is the first argument that makes a binary run the shim. Any
// binary that links this package runs it before main when started so; the
// default Config.Shim re-executes os.Executable() with this argument.
const ShimArg = C.SHIM_ARG

// StaticShim is the file name of the shim built as a static program of
// its own (runner/shimexe), which `make build` puts beside the workbench.
const StaticShim = "seccomp-workbench-shim"

// defaultShim is the shim for a workbench binary exe: the static one
// beside it, or exe itself.
func defaultShim(exe string) []string {
	p := filepath.Join(filepath.Dir(exe), StaticShim)
	if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
		return []string{p, ShimArg}
	}
	return []string{exe, ShimArg}
}

// IsShim reports whether args (os.Args) ask for the shim.
func IsShim(args []string) bool { return len(args) > 1 && args[1] == ShimArg }

// ShimMain is what a main or a TestMain calls when IsShim(os.Args): the
// shim has run before main and never returns, so reaching ShimMain means
// it did not start; the status pipe says so. It never returns.
func ShimMain() {
	fmt.Fprintf(os.NewFile(shimStatusFD, "status"), "E125 the shim did not run before main (a build without cgo?)")
	os.Exit(125)
}

// File descriptors the parent places in the shim.
const (
	shimSpecFD    = C.SHIM_SPEC_FD    // memfd with the spec (encodeSpec)
	shimStatusFD  = C.SHIM_STATUS_FD  // pipe: closes on a successful execve, else says why not
	shimHandoffFD = C.SHIM_HANDOFF_FD // unix socket for the pid and the listener fd
	initExitFD    = C.SHIM_EXIT_FD    // pipe to the workbench: the target's wait status
	initCtlFD     = C.SHIM_CTL_FD     // pipe from the workbench: any byte or EOF = kill everything

	exitRecordLen = C.SHIM_EXIT_RECORD_LEN // 'W', wait status (little-endian u32)
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

// encode lays the spec out as shim.h describes. The seccomp flags are
// final here: the shim adds nothing but drops the killable wait where the
// kernel predates it.
func (s *shimSpec) encode() ([]byte, error) {
	flags := uint64(s.Flags)
	if s.Listen {
		flags |= unix.SECCOMP_FILTER_FLAG_NEW_LISTENER
		if !s.NoKillableWait {
			flags |= filterFlagWaitKillableRecv
		}
	}
	var opts uint32
	if s.Terminal {
		opts |= C.SHIM_OPT_TERMINAL
	}
	if s.WaitTracked {
		opts |= C.SHIM_OPT_WAIT_TRACKED
	}
	ne := binary.NativeEndian
	b := ne.AppendUint32(nil, C.SHIM_SPEC_MAGIC)
	b = ne.AppendUint32(b, opts)
	b = ne.AppendUint64(b, flags)
	for _, m := range s.Magic {
		b = ne.AppendUint64(b, m)
	}
	b = ne.AppendUint64(b, s.CapMask)
	b = ne.AppendUint32(b, uint32(len(s.Argv)))
	b = ne.AppendUint32(b, uint32(len(s.Env)))
	field := func(v []byte) { b = append(ne.AppendUint32(b, uint32(len(v))), v...) }
	field([]byte(s.Dir))
	field(s.Prog)
	for _, list := range [][]string{s.Argv, s.Env} {
		for _, v := range list {
			field([]byte(v))
		}
	}
	if len(b) > C.SHIM_SPEC_MAX {
		return nil, errors.New("the command's arguments and environment are too large")
	}
	return b, nil
}

// decodeStatus turns what the shim wrote on its status pipe into an exit
// code and a message.
func decodeStatus(data []byte, argv0 string) (int, string) {
	if len(data) >= C.SHIM_RAW_RECORD_LEN && data[0] == 'X' {
		errno := syscall.Errno(uint32(data[4]) | uint32(data[5])<<8)
		switch data[1] {
		case C.SHIM_STAGE_NO_NEW_PRIVS:
			return 125, "the shim could not set no_new_privs: " + errno.Error()
		case C.SHIM_STAGE_SECCOMP:
			return 125, "the kernel refused the filter (seccomp SECCOMP_SET_MODE_FILTER): " + errno.Error()
		case C.SHIM_STAGE_TERMINAL:
			return 125, "the target could not take the terminal as its controlling terminal: " + errno.Error()
		case C.SHIM_STAGE_PID:
			return 125, "the target could not report its pid to the workbench: " + errno.Error()
		case C.SHIM_STAGE_CAPS:
			return 125, "the target could not drop its capabilities: " + errno.Error()
		case C.SHIM_STAGE_HANDOFF:
			return 125, "the shim could not hand the notification fd to the workbench: " + errno.Error()
		case C.SHIM_STAGE_EXEC:
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
			return code, wordErrnos(msg)
		}
	}
	return 125, "the shim failed: " + strings.TrimSpace(wordErrnos(string(data)))
}

const shimErrnoMark = C.SHIM_ERRNO_MARK

// wordErrnos writes each errno the shim named (SHIM_ERRNO_MARK, number,
// SHIM_ERRNO_MARK) in Go's words. Anything else between two marks is
// left as it is.
func wordErrnos(msg string) string {
	const mark = shimErrnoMark
	var b strings.Builder
	for {
		before, rest, ok := strings.Cut(msg, mark)
		if !ok {
			break
		}
		num, after, ok := strings.Cut(rest, mark)
		n, err := strconv.ParseUint(num, 10, 16)
		if !ok || err != nil || n == 0 {
			b.WriteString(before + mark)
			msg = rest
			continue
		}
		b.WriteString(before + syscall.Errno(n).Error())
		msg = after
	}
	return b.String() + msg
}
