package runner

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// readProcStat parses /proc/PID/stat.
func readProcStat(pid int) (procStat, bool) {
	var buf [512]byte
	return readProcStatBuf(pid, buf[:])
}

// survivors lists processes whose command line or environment holds
// marker, and zombies whose parent is this test process.
func survivors(marker string) []string {
	var out []string
	names, _ := filepath.Glob("/proc/[0-9]*")
	self := os.Getpid()
	for _, dir := range names {
		pid, _ := strconv.Atoi(filepath.Base(dir))
		if pid == self {
			continue
		}
		cmdline, _ := os.ReadFile(dir + "/cmdline")
		environ, _ := os.ReadFile(dir + "/environ")
		st, ok := readProcStat(pid)
		if bytes.Contains(cmdline, []byte(marker)) || bytes.Contains(environ, []byte(marker)) {
			out = append(out, fmt.Sprintf("pid %d state %c: %q", pid, st.state, strings.ReplaceAll(string(cmdline), "\x00", " ")))
		} else if ok && st.state == 'Z' && st.ppid == self {
			out = append(out, fmt.Sprintf("zombie pid %d (our child)", pid))
		}
	}
	return out
}

func TestTimeoutLeavesNothingBehind(t *testing.T) {
	needAmd64(t)
	marker := fmt.Sprintf("#marker-timeout-%d", time.Now().UnixNano())
	// The target starts a grandchild in a process group of its own (same
	// session), then exits. No timeout here: on a loaded machine the
	// start-up alone can outlast a short one.
	cfg := Config{Effective: eff(t, allowAll), Argv: []string{probe(t), marker, "bg", "sleep:100"}}
	r, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	res := collect(t, r)
	// The main process exits right away; the grandchild keeps sleeping
	// until the cleanup kills it.
	if s := survivors(marker); len(s) > 0 {
		t.Fatalf("left behind: %v", s)
	}
	if res.verdict.Result != ResultPass {
		t.Errorf("verdict %+v", res.verdict)
	}

	// A shell that ignores SIGTERM, with a grandchild in its own group
	// and two sleeping children: the timeout's SIGKILL ends them all.
	marker2 := marker + "-2"
	cfg.Timeout, cfg.Grace = 300*time.Millisecond, 200*time.Millisecond
	cfg.Argv = []string{"sh", "-c", "trap '' TERM; " + probe(t) + " '" + marker2 + "' bg sleep:100 & sleep 100 & sleep 100; echo never"}
	start := time.Now()
	res = runIt(t, cfg)
	if res.verdict.Result != ResultTimeout || !strings.Contains(res.verdict.Reason, "timed out after 300ms") {
		t.Fatalf("verdict %+v", res.verdict)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("the timeout took %v", took)
	}
	if s := survivors(marker2); len(s) > 0 {
		t.Fatalf("left behind after the timeout: %v", s)
	}
}

func TestStop(t *testing.T) {
	needAmd64(t)
	marker := fmt.Sprintf("#marker-stop-%d", time.Now().UnixNano())
	r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{probe(t), marker, "fork", "sleep:100"}})
	if err != nil {
		t.Fatal(err)
	}
	// Stop once the target runs (its fork has a moment to happen too):
	// a fixed sleep can end a slow start-up before the execve.
	started := make(chan struct{})
	go func() {
		for ev := range r.Events() {
			if _, ok := ev.(Started); ok {
				close(started)
			}
		}
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("the target did not start within 10s")
	}
	time.Sleep(100 * time.Millisecond)
	r.Stop()
	if s := survivors(marker); len(s) > 0 {
		t.Fatalf("left behind after Stop: %v", s)
	}
	v := r.Wait()
	if v.Result != ResultKilled || !v.Stopped || v.Signal != "SIGTERM" {
		t.Errorf("verdict %+v", v)
	}
	r.Stop() // again: returns at once
	// Stop after a normal end, and without anyone reading the events.
	r, err = Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{"true"}})
	if err != nil {
		t.Fatal(err)
	}
	if v := r.Wait(); v.Result != ResultPass {
		t.Errorf("true: %+v", v)
	}
	r.Stop()
	r.Stop()
}

func TestContextCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	r, err := Start(ctx, Config{Effective: eff(t, allowAll), Argv: []string{"sleep", "100"}})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-r.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("cancelling the context did not end the run")
	}
	if v := r.Wait(); !v.Stopped {
		t.Errorf("verdict %+v", v)
	}
	r.Stop()
}

func TestCouldNotStart(t *testing.T) {
	dir := t.TempDir()
	noexec := filepath.Join(dir, "noexec")
	os.WriteFile(noexec, []byte("#!/bin/sh\necho hi\n"), 0o644)
	cases := []struct {
		argv   []string
		code   int
		reason string
	}{
		{[]string{"/no/such/program"}, 127, "could not start: /no/such/program: not found"},
		{[]string{"no-such-program-xyz"}, 127, "could not start: no-such-program-xyz: not found in PATH"},
		{[]string{noexec}, 126, "could not start: " + noexec + ": permission denied"},
		{[]string{dir}, 126, "is a directory"},
	}
	// Executable but not a program: execve itself fails, after the filter
	// is installed, and the shim reports it from its raw path.
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, []byte("not a program\x00\x01"), 0o755)
	cases = append(cases, struct {
		argv   []string
		code   int
		reason string
	}{[]string{garbage}, 126, "could not start: execve " + garbage + ": exec format error"})
	// A profile that denies write: in watch mode the shim's report is
	// still let through (it carries the run's secret).
	denyWrite := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["write"], "action": "SCMP_ACT_ERRNO"}]}`
	res := runIt(t, Config{Effective: eff(t, denyWrite), Argv: []string{garbage}})
	if v := res.verdict; v.ExitCode != 126 || !strings.Contains(v.Reason, "exec format error") || len(res.denials) != 0 {
		t.Errorf("watch, write denied, exec fails: %+v, denials %+v", v, res.denials)
	}
	// Not found, permission denied and is a directory are the shim's
	// words for errnos, which the workbench words whichever libc it has.
	for name, shim := range shimsUnderTest(t) {
		for _, mode := range []Mode{ModeWatch, ModeEnforce} {
			for _, c := range cases {
				res := runIt(t, Config{Effective: eff(t, allowAll), Mode: mode, Argv: c.argv, Shim: shim})
				v := res.verdict
				if v.Result != ResultError || v.ExitCode != c.code || !strings.Contains(v.Reason, c.reason) {
					t.Errorf("%s shim, %s %v: verdict %+v, want error %d %q", name, mode, c.argv, v, c.code, c.reason)
				}
				if len(res.events) != 1 {
					t.Errorf("%s shim, %s %v: events %v, want only the verdict", name, mode, c.argv, res.events)
				}
			}
		}
	}
}

func TestExecveDenied(t *testing.T) {
	js := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["execve"], "action": "SCMP_ACT_ERRNO"}]}`
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: eff(t, js), Mode: mode, Argv: []string{"true"}})
		v := res.verdict
		want := "could not start: the profile denies execve (errno EPERM), so the target could not start"
		if v.Result != ResultError || v.ExitCode != 126 || v.Reason != want {
			t.Errorf("%s: verdict %+v, want %q", mode, v, want)
		}
	}
}

func TestShimExemptionIsNotTheTargets(t *testing.T) {
	needAmd64(t)
	// The profile denies sendmsg, and execve with a NULL environment; the
	// probe calls both with junk in registers 3..5, on the handoff fd's
	// number. They must get the profile's outcome, in both modes.
	js := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["sendmsg"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13},
		{"names": ["execve"], "action": "SCMP_ACT_ERRNO", "errnoRet": 95, "args": [{"index": 2, "value": 0, "op": "SCMP_CMP_EQ"}]}]}`
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: eff(t, js), Mode: mode, Argv: []string{probe(t), "sendmsg", "execve-nullenv"}})
		for _, want := range []string{"sendmsg = -1 EACCES", "execve-nullenv = -1 EOPNOTSUPP"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("%s: stdout %q lacks %q", mode, res.stdout, want)
			}
		}
		if mode == ModeWatch {
			for _, n := range []string{"sendmsg", "execve"} {
				if _, ok := res.denied(n); !ok {
					t.Errorf("watch: no denial row for %s", n)
				}
			}
		}
	}
	// In record mode the target's own execve is seen (the shim's is not).
	res := runIt(t, Config{Mode: ModeRecord, Argv: []string{"sh", "-c", "exec /bin/true"}})
	if n := res.run.Counts()["execve/x86_64"]; n != 2 {
		t.Errorf("record: execve counted %d times, want 2 (the launch and the shell's exec)", n)
	}
}

func TestWatchAndEnforceAgree(t *testing.T) {
	needAmd64(t)
	// The same denied program: same exit status in both modes.
	dir := t.TempDir()
	js := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}`
	var codes []int
	for _, mode := range []Mode{ModeWatch, ModeEnforce} {
		res := runIt(t, Config{Effective: eff(t, js), Mode: mode, Argv: []string{"mkdir", filepath.Join(dir, "x")}})
		codes = append(codes, res.verdict.ExitCode)
		if !strings.Contains(res.stderr, "Operation not permitted") {
			t.Errorf("%s: stderr %q", mode, res.stderr)
		}
		if mode == ModeWatch && !strings.Contains(res.verdict.Reason, "exit status 1; denied: mkdir") {
			t.Errorf("watch reason %q", res.verdict.Reason)
		}
	}
	if codes[0] != codes[1] || codes[0] != 1 {
		t.Errorf("exit codes watch %d enforce %d, want 1 and 1", codes[0], codes[1])
	}
}

func TestStdinEnvDir(t *testing.T) {
	dir := t.TempDir()
	res := runIt(t, Config{
		Effective: eff(t, allowAll), Argv: []string{"sh", "-c", `read x; echo "$x $FOO $(pwd)"; env | grep -c GODEBUG || true`},
		Stdin: strings.NewReader("hello\n"), Env: []string{"FOO=bar", "PATH=/usr/bin:/bin"}, Dir: dir,
	})
	if want := "hello bar " + dir + "\n0\n"; res.stdout != want {
		t.Errorf("stdout %q, want %q", res.stdout, want)
	}
	// The shim's own GODEBUG setting does not reach the target, whose
	// environment is the workbench's (Env nil).
	t.Setenv("GODEBUG", "madvdontneed=1")
	res = runIt(t, Config{Effective: eff(t, allowAll), Argv: []string{"sh", "-c", "echo $GODEBUG"}})
	if res.stdout != "madvdontneed=1\n" {
		t.Errorf("the target's GODEBUG is %q, want the workbench's own", res.stdout)
	}
}

// openFds counts this process's open file descriptors.
func openFds(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestNoFdsLeft(t *testing.T) {
	runIt(t, Config{Effective: eff(t, allowAll), Argv: []string{"true"}}) // first-use fds (poller, ...)
	before := openFds(t)
	for _, mode := range []Mode{ModeWatch, ModeEnforce, ModeRecord} {
		for _, argv := range [][]string{{"sh", "-c", "echo hi; echo err >&2"}, {"/no/such/program"}, {"/etc/passwd"}} {
			runIt(t, Config{Effective: eff(t, allowAll), Mode: mode, Argv: argv, Stdin: strings.NewReader("x")})
		}
	}
	r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{"sleep", "10"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Stop()
	if _, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{"true"}, Shim: []string{"/no/such/shim"}}); err == nil {
		t.Fatal("a missing shim started")
	}
	if after := openFds(t); after != before {
		t.Fatalf("%d open fds before the runs, %d after", before, after)
	}
}

func TestNoGoroutinesLeft(t *testing.T) {
	before := runtime.NumGoroutine()
	for _, mode := range []Mode{ModeWatch, ModeEnforce, ModeRecord} {
		runIt(t, Config{Effective: eff(t, allowAll), Mode: mode, Argv: []string{"sh", "-c", "echo hi; echo err >&2"}, Stdin: strings.NewReader("x")})
	}
	r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Argv: []string{"sleep", "10"}})
	if err != nil {
		t.Fatal(err)
	}
	r.Stop() // nobody reads its events
	deadline := time.Now().Add(3 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines before, %d after:\n%s", before, n, buf[:runtime.Stack(buf, true)])
	}
}

// The target gets SIGKILL when the workbench dies (its parent-death
// signal, armed when the shim is forked and kept across both execve's).
func TestTargetDiesWithWorkbench(t *testing.T) {
	marker := fmt.Sprintf("marker-orphan-%d", time.Now().UnixNano())
	parent := exec.Command(os.Args[0], "-test.run=^$")
	parent.Env = append(os.Environ(), orphanEnv+"=sleep 100", "RUNNER_TEST_MARKER="+marker)
	out, err := parent.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := parent.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	pid, err := strconv.Atoi(strings.TrimSpace(strings.TrimPrefix(line, "pid ")))
	if err != nil {
		parent.Process.Kill()
		parent.Wait()
		t.Fatalf("the workbench process printed %q, want the target's pid", line)
	}
	parent.Process.Kill()
	parent.Wait()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, ok := readProcStat(pid)
		if !ok || st.state == 'Z' || st.state == 'X' {
			// Reap it if it was re-parented to this (subreaper) process.
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, unix.WNOHANG, nil)
			break
		}
		if time.Now().After(deadline) {
			unix.Kill(pid, unix.SIGKILL)
			t.Fatalf("the target (pid %d) outlived the workbench by 5s", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The target's init died with it (its own parent-death signal) and is
	// re-parented to this process, a subreaper: reap it once it is there.
	deadline = time.Now().Add(5 * time.Second)
	for {
		reapZombieChildren()
		s := survivors(marker)
		if len(s) == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("left behind: %v", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// reapZombieChildren reaps the children of this process that have ended.
func reapZombieChildren() {
	names, _ := filepath.Glob("/proc/[0-9]*")
	self := os.Getpid()
	for _, dir := range names {
		pid, _ := strconv.Atoi(filepath.Base(dir))
		if st, ok := readProcStat(pid); ok && st.ppid == self && st.state == 'Z' {
			var ws unix.WaitStatus
			unix.Wait4(pid, &ws, unix.WNOHANG, nil)
		}
	}
}

// slowInitArg makes the test binary a stand-in init that does what the
// shim's init does for an enforce-mode run of a target that exits 0 at
// once, then does not exit itself until the file named by its next
// argument exists, as an init whose namespaces the kernel is slow to
// tear down.
const slowInitArg = "slow-init"

func slowInit() {
	os.NewFile(shimHandoffFD, "handoff").Write([]byte{'P'})
	os.NewFile(shimStatusFD, "status").Close() // the target's execve succeeded
	// As the init does once its target runs: stdio is /dev/null.
	if null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0); err == nil {
		for fd := 0; fd <= 2; fd++ {
			unix.Dup2(int(null.Fd()), fd)
		}
	}
	os.NewFile(initExitFD, "exit").Write([]byte{'W', 0, 0, 0, 0})
	if len(os.Args) > 2 {
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			if _, err := os.Stat(os.Args[2]); err == nil {
				break
			}
		}
	}
	os.Exit(0)
}

// The events end with the verdict as soon as the init reports the
// target's status; Wait and Done come only once the init itself is
// reaped, so nothing of the run is left when they return. The stand-in
// init stays until it is released, so this holds whatever the load.
func TestVerdictDoesNotWaitForTheInit(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	release := filepath.Join(t.TempDir(), "release")
	released := false
	free := func() {
		if !released {
			released = true
			os.WriteFile(release, nil, 0o600)
		}
	}
	defer free()
	reapZombieChildren()
	kids := children(t)
	r, err := Start(context.Background(), Config{Effective: eff(t, allowAll), Mode: ModeEnforce, Isolate: IsolateNone,
		Argv: []string{"true"}, Shim: []string{self, slowInitArg, release}})
	if err != nil {
		t.Fatal(err)
	}
	var v Verdict
	timeout := time.After(30 * time.Second)
	for got := false; !got; {
		select {
		case ev, ok := <-r.Events():
			if !ok {
				t.Fatal("the events ended without a verdict")
			}
			v, got = ev.(Verdict)
		case <-timeout:
			t.Fatal("no verdict in 30 s while the init had reported and was alive: the verdict waits for the init's own exit")
		}
	}
	if v.Result != ResultPass {
		t.Errorf("verdict %+v, want pass", v)
	}
	select {
	case <-r.Done():
		t.Error("Done before the init was reaped")
	default:
	}
	for range r.Events() {
	}
	select {
	case <-r.Done():
		t.Error("Done before the init was reaped")
	default:
	}
	// What the run found (Recorded, Counts) is final with the verdict,
	// not only once the init is reaped.
	if !r.over() {
		t.Error("the events ended but the run's results are not final until the init is reaped")
	}
	free()
	r.Wait()
	if got := children(t); len(got) != len(kids) {
		t.Errorf("children before %v, after Wait %v", kids, got)
	}
}

// Warm's check leaves nothing behind: no child, no fd.
func TestWarmLeavesNothing(t *testing.T) {
	reapZombieChildren()
	kids, fds := children(t), openFds(t)
	<-Warm()
	reapZombieChildren()
	if got := children(t); len(got) != len(kids) {
		t.Errorf("children before %v, after %v", kids, got)
	}
	if got := openFds(t); got != fds {
		t.Errorf("%d fds open before Warm, %d after", fds, got)
	}
	res := runIt(t, Config{Effective: eff(t, allowAll), Argv: []string{"true"}})
	if res.verdict.Result != ResultPass {
		t.Errorf("a run after Warm: %+v", res.verdict)
	}
}

// awaitExit returns once the child has exited, not before, and leaves it
// unreaped (the caller reaps it, and until then its pid is not reused).
func TestAwaitExit(t *testing.T) {
	cmd := exec.Command("/bin/sh", "-c", "read x; exit 0")
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	pid := cmd.Process.Pid
	done := make(chan struct{})
	go func() {
		awaitExit(pid)
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("awaitExit returned while the child was alive")
	case <-time.After(100 * time.Millisecond):
	}
	in.Close() // read gets EOF: the shell exits
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("awaitExit did not return within 10 s of the child's exit")
	}
	if st, ok := readProcStat(pid); !ok || st.state != 'Z' {
		t.Errorf("after awaitExit the child is %+v (found: %v), want a zombie not yet reaped", st, ok)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("reaping the child: %v", err)
	}
}
