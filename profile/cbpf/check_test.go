package cbpf

import (
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// kernelAccepts loads prog with seccomp(2) on a thread of its own, which
// ends with the goroutine (a locked goroutine that returns takes its
// thread with it), so the filter binds nothing else. Each program the
// tests load returns allow on every path it can take.
func kernelAccepts(t *testing.T, prog []bpf.RawInstruction) bool {
	t.Helper()
	res := make(chan unix.Errno, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread goes away
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			res <- err.(unix.Errno)
			return
		}
		fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: (*unix.SockFilter)(unsafe.Pointer(&prog[0]))}
		_, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
		runtime.KeepAlive(prog)
		res <- e
	}()
	var e unix.Errno
	select {
	case e = <-res:
	case <-time.After(10 * time.Second):
		t.Fatalf("loading %v did not return (the program killed its thread?)", prog)
	}
	switch e {
	case 0:
		return true
	case unix.EINVAL:
		return false
	default:
		t.Fatalf("seccomp(2): %v", e)
		return false
	}
}

const retAllow = 0x7fff0000

// Every one-byte opcode with a handful of constants, after loading
// "allow" into A and X (so that a return of A, or a division by X, still
// allows) and before a return of allow: Check accepts exactly what the
// kernel loads.
func TestCheckAgreesWithKernelOnEveryOpcode(t *testing.T) {
	accepted := 0
	for code := 0; code < 0x100; code++ {
		for _, k := range []uint32{0, 3, 4, 16, 32, 60, 64} {
			if code&0x07 == clsRET {
				// A return's constant is the action: keep it allow.
				k |= retAllow
			}
			prog := []bpf.RawInstruction{
				{Op: clsLD | modeIMM, K: retAllow},
				{Op: clsMISC}, // tax
				{Op: uint16(code), K: k},
				{Op: clsRET, K: retAllow},
			}
			want := kernelAccepts(t, prog)
			err := Check(prog)
			if (err == nil) != want {
				t.Errorf("code %#04x k %d: kernel accepts: %v, Check: %v", code, k, want, err)
			}
			if want {
				accepted++
			}
		}
	}
	// A check that accepts nothing would agree on every refusal.
	if accepted < 100 {
		t.Fatalf("only %d programs accepted: the probe is broken", accepted)
	}
}

// Structure: length, jumps, the last instruction, scratch memory on
// every path.
func TestCheckStructure(t *testing.T) {
	ret := bpf.RawInstruction{Op: clsRET, K: retAllow}
	st0 := bpf.RawInstruction{Op: clsST, K: 0}
	ld0 := bpf.RawInstruction{Op: clsLD | modeMEM, K: 0}
	long := func(n int) []bpf.RawInstruction {
		p := make([]bpf.RawInstruction, n)
		for i := range p {
			p[i] = ret
		}
		return p
	}
	cases := []struct {
		name string
		prog []bpf.RawInstruction
		ok   bool
		msg  string
	}{
		{"one return", []bpf.RawInstruction{ret}, true, ""},
		{"max length", long(MaxInsns), true, ""},
		{"too long", long(MaxInsns + 1), false, "over the kernel's limit"},
		{"ends without return", []bpf.RawInstruction{{Op: clsLD | modeIMM, K: retAllow}, {Op: clsMISC}}, false, "does not end in a return"},
		{"ja past end", []bpf.RawInstruction{{Op: clsJMP | jmpJA, K: 1}, ret}, false, "past the end"},
		{"ja to last", []bpf.RawInstruction{{Op: clsJMP | jmpJA, K: 1}, ret, ret}, true, ""},
		{"jeq true past end", []bpf.RawInstruction{{Op: clsJMP | jmpJEQ, Jt: 1}, ret}, false, "past the end"},
		{"jeq false past end", []bpf.RawInstruction{{Op: clsJMP | jmpJEQ, Jf: 1}, ret}, false, "past the end"},
		{"store then load", []bpf.RawInstruction{st0, ld0, ret}, true, ""},
		{"load on a path without the store", []bpf.RawInstruction{{Op: clsJMP | jmpJEQ, Jt: 1}, st0, ld0, ret}, false, "not written on every path"},
		{"store on both paths", []bpf.RawInstruction{st0, {Op: clsJMP | jmpJEQ, Jt: 1}, {Op: clsST, K: 1}, ld0, ret}, true, ""},
	}
	for _, c := range cases {
		err := Check(c.prog)
		if (err == nil) != c.ok || (err != nil && !strings.Contains(err.Error(), c.msg)) {
			t.Errorf("%s: Check = %v, want ok=%v (%q)", c.name, err, c.ok, c.msg)
		}
		if len(c.prog) <= MaxInsns || !c.ok {
			if got := kernelAccepts(t, c.prog); got != c.ok {
				t.Errorf("%s: the kernel accepts: %v, the test says %v", c.name, got, c.ok)
			}
		}
	}
	if err := Check(nil); err == nil {
		t.Error("Check accepts an empty program")
	}
}
