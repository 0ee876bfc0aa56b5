package decompile

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// The helper process loads the raw programs named in DECOMPILE_FILTERS
// (colon-separated, oldest first) with seccomp(2) on every thread, says
// what mkdir and chdir now answer, and waits on stdin.
func TestHelperProcess(t *testing.T) {
	list := os.Getenv("DECOMPILE_FILTERS")
	if list == "" {
		t.Skip("helper process only")
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	for _, f := range strings.Split(list, ":") {
		data, err := os.ReadFile(f)
		if err != nil {
			fmt.Println("error", err)
			os.Exit(1)
		}
		fprog := unix.SockFprog{Len: uint16(len(data) / 8), Filter: (*unix.SockFilter)(unsafe.Pointer(&data[0]))}
		if _, _, e := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog))); e != 0 {
			fmt.Println("error seccomp:", e)
			os.Exit(1)
		}
	}
	errnoOf := func(err error) int {
		var e unix.Errno
		if errors.As(err, &e) {
			return int(e)
		}
		return 0
	}
	fmt.Printf("mkdir=%d chdir=%d\n", errnoOf(unix.Mkdir("/proc/decompile-test", 0o700)), errnoOf(unix.Chdir("/")))
	bufio.NewReader(os.Stdin).ReadString('\n')
	os.Exit(0)
}

// underFilters starts the helper with progs loaded and returns its pid
// and the line it printed.
func underFilters(t *testing.T, progs ...[]bpf.RawInstruction) (int, string) {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i, p := range progs {
		f := filepath.Join(dir, fmt.Sprintf("f%d.bpf", i))
		if err := os.WriteFile(f, compileBytes(p), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "DECOMPILE_FILTERS="+strings.Join(files, ":"))
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || strings.HasPrefix(line, "error") {
		t.Fatalf("helper: %q %v", line, err)
	}
	return cmd.Process.Pid, strings.TrimSpace(line)
}

func compileBytes(insns []bpf.RawInstruction) []byte {
	p := compile.Program{Insns: insns, Effective: &profile.Effective{Arches: []catalog.Arch{profile.NativeArch()}}}
	return p.Bytes()
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("reading a process's filters needs CAP_SYS_ADMIN: run as root")
	}
}

// Two filters stacked on a live process: read back exactly as loaded,
// and the recovered profile answers what the kernel answered.
func TestLiveStackedFilters(t *testing.T) {
	needRoot(t)
	older := compiled(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
		{"names":["chdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`)
	newer := compiled(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[
		{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
		{"names":["chdir"],"action":"SCMP_ACT_LOG"}]}`)
	pid, line := underFilters(t, older, newer)
	// The kernel: equal actions, the newer filter's errno; errno beats log.
	if line != "mkdir=13 chdir=1" {
		t.Fatalf("the kernel answered %q", line)
	}
	proc, err := ReadProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	if proc.Mode != ModeFilter || proc.Count != 2 || len(proc.Filters) != 2 {
		t.Fatalf("mode %s, %d filters (%d read)", proc.Mode, proc.Count, len(proc.Filters))
	}
	if !slices.Equal(proc.Filters[0], older) || !slices.Equal(proc.Filters[1], newer) {
		t.Fatal("the filters read back differ from those loaded, or are out of order")
	}
	res, err := proc.Decompile()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"mkdirat": "errno(EACCES)", "chdir": "errno(EPERM)", "read": "allow"} {
		if got := decideName(t, res.Profile, name, [6]uint64{}).String(); got != want {
			t.Errorf("%s: recovered %s, the kernel did %s", name, got, want)
		}
	}
	// The process is left running and untraced.
	if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); !strings.Contains(string(st), "TracerPid:\t0") {
		t.Error("the process is still traced after inspection")
	}
}

// A live filter that reads the instruction pointer: reported with the
// instruction, and the raw program is there to disassemble.
func TestLiveInexpressible(t *testing.T) {
	needRoot(t)
	raw, err := bpf.Assemble([]bpf.Instruction{
		bpf.LoadAbsolute{Off: 8, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0x1000, SkipTrue: 1},
		bpf.RetConstant{Val: profile.RetAllow},
		bpf.RetConstant{Val: profile.RetErrno | 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := underFilters(t, raw)
	proc, err := ReadProcess(pid)
	if err != nil {
		t.Fatal(err)
	}
	_, err = proc.Decompile()
	var ie *Inexpressible
	if !errors.As(err, &ie) || ie.PC != 0 || !strings.Contains(ie.Reason, "instruction pointer") {
		t.Fatalf("want the instruction pointer load reported, got %v", err)
	}
	if len(proc.Filters) != 1 || !slices.Equal(proc.Filters[0], raw) {
		t.Fatal("the raw program is not kept")
	}
}

// A process someone else traces: refused, naming the tracer.
func TestLiveAlreadyTraced(t *testing.T) {
	needRoot(t)
	raw := compiled(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["acct"],"action":"SCMP_ACT_ERRNO"}]}`)
	pid, _ := underFilters(t, raw)
	done, release := make(chan error), make(chan struct{})
	go func() {
		runtime.LockOSThread() // the tracer is this thread; it ends with it
		err := unix.PtraceSeize(pid)
		done <- err
		<-release
		if err == nil {
			unix.PtraceInterrupt(pid)
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, unix.WALL, nil)
			unix.PtraceDetach(pid)
		}
	}()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	_, err := ReadProcess(pid)
	close(release)
	if err == nil || !strings.Contains(err.Error(), "already traced by") {
		t.Fatalf("got %v, want the tracer named", err)
	}
}

// A strict-mode process has no program: said so.
func TestLiveStrictMode(t *testing.T) {
	needRoot(t)
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("gcc is not installed")
	}
	dir := t.TempDir()
	src, bin := filepath.Join(dir, "strict.c"), filepath.Join(dir, "strict")
	prog := `#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>
int main(void) { char c; prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT); write(1, "ready\n", 6); read(0, &c, 1); return 0; }
`
	if err := os.WriteFile(src, []byte(prog), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(gcc, "-o", bin, src).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	cmd := exec.Command(bin)
	stdin, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Process.Kill(); cmd.Wait() }()
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("%q %v", line, err)
	}
	proc, err := ReadProcess(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	if proc.Mode != ModeStrict {
		t.Fatalf("mode %s", proc.Mode)
	}
	if _, err := proc.Decompile(); err == nil || !strings.Contains(err.Error(), "strict seccomp mode") {
		t.Fatalf("got %v", err)
	}
}

// Open, the PROFILE hook: pid:PID and raw program files are read here,
// anything else is left to the caller.
func TestOpenHook(t *testing.T) {
	needRoot(t)
	raw := compiled(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["acct"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}`)
	pid, _ := underFilters(t, raw)
	dir := t.TempDir()
	file, js := filepath.Join(dir, "f.bpf"), filepath.Join(dir, "p.json")
	if err := os.WriteFile(file, compileBytes(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(js, []byte(`{"defaultAction":"SCMP_ACT_ALLOW"}`+"\n\n\n\n\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, arg := range []string{fmt.Sprintf("pid:%d", pid), file} {
		p, _, handled, err := Open(arg)
		if err != nil || !handled {
			t.Fatalf("%s: handled %v, %v", arg, handled, err)
		}
		if d := decideName(t, p, "acct", [6]uint64{}).String(); d != "errno(EACCES)" {
			t.Errorf("%s: acct %s", arg, d)
		}
	}
	if _, _, handled, _ := Open(js); handled {
		t.Error("a JSON profile is taken for a raw program")
	}
	if _, _, handled, err := Open("pid:x"); !handled || err == nil {
		t.Errorf("pid:x: handled %v, err %v", handled, err)
	}
}
