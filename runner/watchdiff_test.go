package runner

import (
	"os"
	"runtime"
	"slices"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

func TestTrapReturn(t *testing.T) {
	args := [6]uint64{0xffffffff00000007, 8}
	cases := []struct {
		arch catalog.Arch
		nr   int32
		want int64
		ok   bool
	}{
		{catalog.X86_64, 110, 110, true},
		{catalog.X32, 0x40000000 | 39, 0x40000000 | 39, true},
		{catalog.X86, 20, 20, true},
		{catalog.AArch64, 173, int64(args[0]), true},
		{catalog.ARM, 20, 7, true},
		{catalog.RISCV64, 173, int64(args[0]), true},
		{catalog.Arch("mips64"), 5000, 0, false},
	}
	for _, c := range cases {
		got, ok := trapReturn(c.arch, c.nr, args)
		if got != c.want || ok != c.ok {
			t.Errorf("trapReturn(%s, %d) = %d, %v; want %d, %v", c.arch, c.nr, got, ok, c.want, c.ok)
		}
	}
}

func TestStatusFields(t *testing.T) {
	st := []byte("Name:\tx\nThreads:\t3\nSigBlk:\t0000000040000000\nSigIgn:\t0000000000001000\nSigCgt:\t0000000000000000\n")
	if v, ok := statusField(st, "Threads"); !ok || v != "3" {
		t.Errorf("Threads = %q, %v", v, ok)
	}
	if v, ok := statusHex(st, "SigBlk"); !ok || v&sigsysBit == 0 {
		t.Errorf("SigBlk = %#x, %v: SIGSYS should be blocked", v, ok)
	}
	if _, ok := statusField(st, "Sig"); ok {
		t.Error("a prefix of a field name matched")
	}
	// This test's own thread: SIGSYS is not blocked (Go does not block
	// it), and Go installs a handler for it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	s, ok := sigsysState(os.Getpid(), unix.Gettid())
	if !ok || s.blocked || s.ignored || !s.caught {
		t.Errorf("sigsysState of this thread = %+v, %v", s, ok)
	}
	if n := threadCount(os.Getpid()); n < 2 {
		t.Errorf("threadCount = %d, a Go test has more than one thread", n)
	}
}

func TestVerdictNotes(t *testing.T) {
	ws := syscall.WaitStatus(unix.SIGKILL) // killed by SIGKILL
	e := ending{mode: ModeWatch, exited: true, status: ws, killedIn: "getppid", killedByTrap: true,
		notes: []string{noteKillThread("gettid")}}
	v := e.verdict()
	if v.ExitCode != 159 || v.Signal != "SIGSYS" || v.KilledIn != "getppid" {
		t.Errorf("verdict %+v", v)
	}
	if want := "killed by SIGSYS from the seccomp trap in getppid (SIGSYS was blocked or ignored, which the kernel overrides)"; v.Outcome != want {
		t.Errorf("outcome %q, want %q", v.Outcome, want)
	}
	if !slices.Equal(v.Notes, e.notes) {
		t.Errorf("notes %q", v.Notes)
	}
	var r Run
	for range 2 {
		r.note("a")
	}
	for i := range 2 * maxNotes {
		r.note(string(rune('b' + i)))
	}
	if len(r.end.notes) != maxNotes || r.end.notes[0] != "a" || r.end.notes[1] != "b" {
		t.Errorf("notes are not deduplicated and bounded: %q", r.end.notes)
	}
}

// In watch mode the supervisor knows every kill the filter causes; a
// SIGSYS it does not know of came from a process.
func TestVerdictForeignSIGSYS(t *testing.T) {
	needAmd64(t)
	res := runIt(t, Config{Effective: eff(t, allowAll), Argv: []string{"sh", "-c", "kill -SYS $$"}})
	if v := res.verdict; v.Signal != "SIGSYS" || v.Outcome != "killed by signal SIGSYS, not by the filter (a process sent it)" || len(v.Notes) != 0 {
		t.Errorf("verdict %+v", v)
	}
}
