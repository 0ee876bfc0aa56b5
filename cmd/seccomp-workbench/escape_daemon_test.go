package main

// A target leaves a process behind: a double-forked setsid daemon, one
// that hops from pid to pid, one whose target kills the run's init, one
// that is running when the workbench itself is killed. Nothing of a run
// may outlive it, and the daemon's denials until then are reported.

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// processesWith lists the processes whose command line contains token.
func processesWith(token string) []int {
	var pids []int
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && bytes.Contains(b, []byte(token)) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// aliveFIFO is the read end of a FIFO a daemon holds the write end of in
// every process it becomes: reading it says, without racing a daemon that
// keeps changing pids, whether any of them is still there.
type aliveFIFO int

func newAliveFIFO(t *testing.T, path string) aliveFIFO {
	t.Helper()
	if err := unix.Mkfifo(path, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	return aliveFIFO(fd)
}

// held reports whether a writer still has the FIFO open (nothing is ever
// written: a read gives EAGAIN while one has, end-of-file after).
func (f aliveFIFO) held() bool {
	var b [1]byte
	_, err := unix.Read(int(f), b[:])
	return err == unix.EAGAIN
}

// gone waits up to d for the last writer to close the FIFO.
func (f aliveFIFO) gone(d time.Duration) bool {
	for deadline := time.Now().Add(d); f.held(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			return false
		}
	}
	return true
}

// killAll kills every process with token in its command line until the
// FIFO they hold is closed (a hopping daemon forks anew while it is being
// killed).
func killAll(token string, alive aliveFIFO) {
	for deadline := time.Now().Add(10 * time.Second); alive.held() && time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
		for _, pid := range processesWith(token) {
			unix.Kill(pid, unix.SIGKILL)
		}
	}
}

// runEscapeDaemon runs testdata/escape/daemon.c: a daemon that outlives
// the target, following plan ("", "hop" or "kill-parent").
func runEscapeDaemon(t *testing.T, k *escapeKit, u escapeUser, plan string, isolateNone bool) {
	dir := caseDir(t, k.dir)
	alive := newAliveFIFO(t, filepath.Join(dir, "alive"))
	made := filepath.Join(dir, "made")
	token := fmt.Sprintf("escape-daemon-%d-%d", os.Getpid(), time.Now().UnixNano())
	args := []string{"run", "--profile", k.denyMkdir}
	if isolateNone {
		args = append(args, "--isolate", "none")
	}
	argv := []string{k.prog("daemon"), dir, token}
	if plan != "" {
		argv = append(argv, plan)
	}
	res := runWorkbenchAs(t, k, u, append(append(args, "--"), argv...)...)
	// The run is over once the workbench has exited: nothing of it may
	// live on. A short grace covers the kernel reaping what was killed.
	if !alive.gone(time.Second) {
		time.Sleep(300 * time.Millisecond) // let it answer a later call
		notes, _ := os.ReadFile(filepath.Join(dir, "notes"))
		t.Errorf("the daemon outlived the run: still running 1s after the workbench exited (now pids %v); its notes:\n%s",
			processesWith(token), notes)
		killAll(token, alive)
	}
	if !strings.Contains(res.stdout, "DAEMON made its denied call") {
		t.Errorf("the daemon did not run as planned")
	}
	if want := `denied mkdir("` + made + `"`; !strings.Contains(res.stderr, want) {
		t.Errorf("the daemon's denied call before the end is not reported (no %q)", want)
	}
	if _, err := os.Stat(made); err == nil {
		t.Errorf("%s exists: the daemon's mkdir was let through", made)
	}
	// Killing its parent may end the target (it dies with it); how the
	// run judges that is its own business. Otherwise it exits 0.
	if (plan != "kill-parent" && res.code != 0) || t.Failed() {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
}

// runEscapeWorkbenchKilled kills the workbench itself with SIGKILL (it
// gets no chance to clean up) while the target and its daemon run: the
// run's init must still take them all down.
func runEscapeWorkbenchKilled(t *testing.T, k *escapeKit, u escapeUser, isolateNone bool) {
	dir := caseDir(t, k.dir)
	alive := newAliveFIFO(t, filepath.Join(dir, "alive"))
	token := fmt.Sprintf("escape-daemon-%d-%d", os.Getpid(), time.Now().UnixNano())
	args := []string{"run", "--profile", k.denyMkdir}
	if isolateNone {
		args = append(args, "--isolate", "none")
	}
	wb := startWorkbenchAs(t, k, u, append(args, "--", k.prog("daemon"), dir, token, "stay")...)
	if !wb.waitFor("DAEMON made its denied call", 5*time.Second) {
		wb.kill()
		t.Fatalf("the daemon did not start\n%s", wb.output())
	}
	wb.kill()
	if !alive.gone(time.Second) {
		notes, _ := os.ReadFile(filepath.Join(dir, "notes"))
		t.Errorf("the daemon outlived the workbench: still running 1s after SIGKILL ended it (pids %v); its notes:\n%s\nthe workbench said:\n%s",
			processesWith(token), notes, wb.output())
		killAll(token, alive)
	}
}

// liveWorkbench is a workbench running in the background.
type liveWorkbench struct {
	cmd   *exec.Cmd
	mu    sync.Mutex
	out   bytes.Buffer // stdout and stderr, as they come
	lines chan string  // stdout, line by line
	done  chan struct{}
}

// startWorkbenchAs starts the kit's workbench as u with args.
func startWorkbenchAs(t *testing.T, k *escapeKit, u escapeUser, args ...string) *liveWorkbench {
	t.Helper()
	w := &liveWorkbench{cmd: exec.Command(k.workbench, args...), lines: make(chan string, 64), done: make(chan struct{})}
	w.cmd.Dir = k.dir
	w.cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1"}
	w.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
	w.cmd.Stderr = w
	stdout, err := w.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			w.Write([]byte(sc.Text() + "\n"))
			select {
			case w.lines <- sc.Text():
			default:
			}
		}
		w.cmd.Wait()
		close(w.done)
	}()
	t.Cleanup(w.kill)
	return w
}

func (w *liveWorkbench) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.Write(p)
}

func (w *liveWorkbench) output() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.out.String()
}

// waitFor waits for a stdout line containing s.
func (w *liveWorkbench) waitFor(s string, d time.Duration) bool {
	timeout := time.After(d)
	for {
		select {
		case l := <-w.lines:
			if strings.Contains(l, s) {
				return true
			}
		case <-w.done:
			return false
		case <-timeout:
			return false
		}
	}
}

// kill ends the workbench with SIGKILL and waits for it.
func (w *liveWorkbench) kill() {
	w.cmd.Process.Kill()
	<-w.done
}

// stop ends the workbench with SIGTERM (it stops its run and reports) and
// waits for it.
func (w *liveWorkbench) stop() {
	w.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-w.done:
	case <-time.After(10 * time.Second):
		w.kill()
	}
}
