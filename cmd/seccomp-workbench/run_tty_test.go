package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// termPane is a shell in a detached tmux server of its own, where the
// tests type command lines as a user would.
type termPane struct {
	t      *testing.T
	socket string
}

func newTermPane(t *testing.T, w, h int) *termPane {
	t.Helper()
	if testing.Short() {
		t.Skip("terminal test")
	}
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (make test installs it)")
	}
	p := &termPane{t: t, socket: fmt.Sprintf("swb-run-%d-%d", os.Getpid(), time.Now().UnixNano())}
	t.Cleanup(func() { exec.Command("tmux", "-L", p.socket, "kill-server").Run() })
	args := []string{"-L", p.socket, "-f", "/dev/null", "new-session", "-d", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h),
		"env", "-i", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TERM=xterm-256color", "NO_COLOR=1", "PS1=outer$ ", "sh"}
	if out, err := exec.Command("tmux", args...).CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v\n%s", err, out)
	}
	p.waitFor("the shell prompt", `outer\$`)
	return p
}

func (p *termPane) tmux(args ...string) string {
	p.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// keys sends tmux key names: C-c, C-z, Enter.
func (p *termPane) keys(keys ...string) { p.tmux(append([]string{"send-keys", "-t", "0"}, keys...)...) }

// line types s and Enter.
func (p *termPane) line(s string) {
	p.tmux("send-keys", "-t", "0", "-l", s)
	p.keys("Enter")
}

func (p *termPane) screen() string { return p.tmux("capture-pane", "-p", "-J", "-t", "0") }

// waitFor polls the screen until wants match it (regular expressions).
func (p *termPane) waitFor(what string, wants ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := p.screen()
		ok := true
		for _, w := range wants {
			ok = ok && regexp.MustCompile(w).MatchString(s)
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("waited 20s for %s (%q); the screen:\n%s", what, wants, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// runLine is the shell line that runs the workbench on argv and then
// shows its exit status and whether the terminal's mode is as before.
func runLine(t *testing.T, argv string) string {
	return fmt.Sprintf(`S0=$(stty -g); %s run --profile preset:docker-default -- %s; echo "EXIT=$?"; [ "$S0" = "$(stty -g)" ] && echo TTY-SAME`,
		workbenchBinary(t), argv)
}

// ctrl-c typed at the target's terminal is SIGINT from its line
// discipline; the run ends with 130 and the terminal is as it was.
func TestRunTerminalCtrlC(t *testing.T) {
	p := newTermPane(t, 120, 30)
	// Typed input is echoed by the outer and the target's terminal before
	// the target runs: only cat's own output says it is running.
	p.line(runLine(t, `sh -c 'echo cat-is-running; exec cat'`))
	p.waitFor("the target's start", `(?m)^cat-is-running`)
	p.line("hello-cat")
	p.waitFor("cat's echo", `(?s)hello-cat.*hello-cat`)
	p.keys("C-c")
	s := p.waitFor("the end of the run", `(?m)^EXIT=130$`, `(?m)^TTY-SAME$`)
	if !strings.Contains(s, "seccomp-workbench: KILLED: killed by signal SIGINT") {
		t.Fatalf("the summary says SIGINT:\n%s", s)
	}
}

// /dev/tty opens the target's own terminal, a pty that is not the user's.
func TestRunTerminalDevTty(t *testing.T) {
	p := newTermPane(t, 120, 30)
	p.line(runLine(t, `sh -c 'tty; echo to-dev-tty >/dev/tty; read x </dev/tty; echo "read $x"'`))
	p.waitFor("the write to /dev/tty", `(?m)^to-dev-tty$`)
	p.line("from-keyboard")
	s := p.waitFor("the end of the run", `(?m)^read from-keyboard$`, `(?m)^EXIT=0$`, `(?m)^TTY-SAME$`)
	m := regexp.MustCompile(`(?m)^(/dev/pts/\d+)$`).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("tty prints a /dev/pts path:\n%s", s)
	}
	if own := strings.TrimSpace(p.tmux("display-message", "-p", "-t", "0", "#{pane_tty}")); m[1] == own {
		t.Fatalf("the target runs on the user's terminal %s, not a pty of its own", own)
	}
}

// An interactive bash has job control: a background job, jobs, ctrl-z on
// a foreground job and fg.
func TestRunTerminalJobControl(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("needs bash")
	}
	p := newTermPane(t, 120, 40)
	p.line("PS1='inner$ ' " + runLine(t, "bash --norc --noprofile -i"))
	p.waitFor("bash's prompt", `(?m)^inner\$ $`)
	p.line("sleep 100 &")
	p.line("jobs")
	p.waitFor("the background job", `\[1\]\+ +Running +sleep 100 &`)
	// ctrl-z once the job runs: bash itself ignores it at its prompt.
	marker := fmt.Sprintf("200.%d", time.Now().UnixNano()%1000000)
	p.line("sleep " + marker)
	waitProcs(t, marker, "running", "S")
	p.keys("C-z")
	p.waitFor("the stopped job", `\[2\]\+ +Stopped +sleep `+regexp.QuoteMeta(marker))
	p.line("fg")
	p.waitFor("the job in the foreground again", `(?m)^sleep `+regexp.QuoteMeta(marker)+`$`)
	waitProcs(t, marker, "running again", "S")
	p.keys("C-c")
	p.line("echo after-fg")
	p.waitFor("the prompt after ctrl-c", `(?m)^after-fg$`)
	p.line("exit")
	s := p.waitFor("the end of the run", `(?m)^EXIT=0$`, `(?m)^TTY-SAME$`)
	for _, bad := range []string{"no job control", "cannot set terminal process group", "Inappropriate ioctl"} {
		if strings.Contains(s, bad) {
			t.Fatalf("bash complains %q:\n%s", bad, s)
		}
	}
}

// A new window size reaches the target's terminal, with SIGWINCH.
func TestRunTerminalResize(t *testing.T) {
	p := newTermPane(t, 100, 30)
	p.line(runLine(t, `sh -c 'trap "stty size" WINCH; stty size; echo RE""ADY; while :; do sleep 0.1; done'`))
	p.waitFor("the first size", `(?m)^30 100$`, `(?m)^READY$`)
	p.tmux("resize-window", "-t", "0", "-x", "120", "-y", "40")
	p.waitFor("the size after SIGWINCH", `(?m)^40 120$`)
	p.keys("C-c")
	p.waitFor("the end of the run", `(?m)^EXIT=130$`, `(?m)^TTY-SAME$`)
}

// markedProcs returns the state of each process whose command line holds
// marker.
func markedProcs(marker string) []byte {
	var out []byte
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		cmdline, _ := os.ReadFile(d + "/cmdline")
		stat, _ := os.ReadFile(d + "/stat")
		if i := bytes.LastIndexByte(stat, ')'); i > 0 && i+2 < len(stat) && bytes.Contains(cmdline, []byte(marker)) {
			out = append(out, stat[i+2])
		}
	}
	return out
}

func waitProcs(t *testing.T, marker, what string, want string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if s := string(markedProcs(marker)); s == want {
			return
		} else if time.Now().After(deadline) {
			t.Fatalf("waited 20s for the processes marked %s to be %s: states %q, want %q", marker, what, s, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Without a terminal for the target, ctrl-z stops the workbench and the
// whole run as one job, and fg continues both.
func TestRunSuspendWithoutTerminal(t *testing.T) {
	p := newTermPane(t, 120, 30)
	// A sleep of its own length marks the target and the workbench.
	marker := fmt.Sprintf("1000.%d", time.Now().UnixNano()%1000000)
	p.line(workbenchBinary(t) + " run --profile preset:docker-default -- sleep " + marker + " </dev/null")
	waitProcs(t, marker, "running", "SS")
	p.keys("C-z")
	waitProcs(t, marker, "stopped", "TT")
	p.waitFor("the shell's job report", `Stopped`)
	p.line("fg")
	waitProcs(t, marker, "running again", "SS")
	p.keys("C-c")
	p.waitFor("the end of the run", `seccomp-workbench: KILLED: killed by signal SIGINT`)
	p.line(`echo "EXIT=$?"`)
	p.waitFor("the exit status", `(?m)^EXIT=130$`)
}

// startWorkbench runs the built workbench with stdout on a pipe and
// returns it with a reader of its stdout.
func startWorkbench(t *testing.T, args ...string) (*exec.Cmd, *bufio.Reader, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(workbenchBinary(t), args...)
	cmd.Env = append(os.Environ(), "NO_COLOR=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, bufio.NewReader(out), &errb
}

func readLine(t *testing.T, r *bufio.Reader, want string) {
	t.Helper()
	got, err := r.ReadString('\n')
	if err != nil || got != want+"\n" {
		t.Fatalf("read %q (%v), want %q", got, err, want)
	}
}

func exitStatus(t *testing.T, cmd *exec.Cmd) int {
	t.Helper()
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

// SIGTERM to the workbench reaches the target, which decides how to end.
func TestRunForwardsSIGTERM(t *testing.T) {
	cmd, out, errb := startWorkbench(t, "run", "--profile", "preset:docker-default", "--",
		"sh", "-c", `trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done`)
	readLine(t, out, "ready")
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitStatus(t, cmd); code != 42 {
		t.Fatalf("exit %d, want 42 from the target's trap\n%s", code, errb)
	}
	if !strings.Contains(errb.String(), "FAIL: exit status 42") {
		t.Fatalf("stderr:\n%s", errb)
	}
}

// SIGINT is forwarded twice; the third stops the run.
func TestRunThirdSIGINTStops(t *testing.T) {
	cmd, out, errb := startWorkbench(t, "run", "--profile", "preset:docker-default", "--",
		"sh", "-c", `trap "echo got-int" INT; echo ready; while :; do sleep 0.1; done`)
	readLine(t, out, "ready")
	for range 2 {
		cmd.Process.Signal(syscall.SIGINT)
		readLine(t, out, "got-int")
	}
	cmd.Process.Signal(syscall.SIGINT)
	if code := exitStatus(t, cmd); code != 143 {
		t.Fatalf("exit %d, want 143 (stopped with SIGTERM)\n%s", code, errb)
	}
	if rest, _ := out.ReadString(0); rest != "" {
		t.Errorf("the third SIGINT reached the target: %q", rest)
	}
	for _, want := range []string{"a third one stops it", "stopping the command", "KILLED: stopped"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb)
		}
	}
}

// The terminal is restored when the command cannot start, and when a
// signal to the workbench ends the run.
func TestRunTerminalRestored(t *testing.T) {
	p := newTermPane(t, 120, 30)
	p.line(runLine(t, "no-such-command-xyz"))
	p.waitFor("the failed start", `(?m)^EXIT=127$`, `(?m)^TTY-SAME$`)
	p.line("clear")
	marker := fmt.Sprintf("100.%d", time.Now().UnixNano()%1000000)
	p.line(runLine(t, `sh -c 'trap "exit 42" TERM; sleep `+marker+` & wait'`))
	// The workbench, the target's shell and its sleep.
	waitProcs(t, marker, "running", "SSS")
	var wb int
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		if cmdline, _ := os.ReadFile(d + "/cmdline"); bytes.HasPrefix(cmdline, []byte(workbenchBinary(t)+"\x00run")) &&
			bytes.Contains(cmdline, []byte(marker)) {
			wb, _ = strconv.Atoi(filepath.Base(d))
		}
	}
	if wb == 0 {
		t.Fatal("the workbench's process is not found")
	}
	syscall.Kill(wb, syscall.SIGTERM)
	p.waitFor("the end of the run", `(?m)^EXIT=42$`, `(?m)^TTY-SAME$`)
}

// A SIGINT that comes while the run is starting is never lost: the
// workbench dies of it before it catches signals (the target is held back
// until then, so nothing has run), or it forwards it and the command ends
// killed by it. Sent 0, 1, 2… ms after the start until eight were
// forwarded, as root and as nobody; the window where the shim, as PID 1
// of its namespace, dropped them was a few ms after the catching began.
func TestRunEarlySIGINT(t *testing.T) {
	bin := workbenchBinary(t)
	for _, u := range escapeUsers() {
		t.Run(u.name, func(t *testing.T) {
			forwarded := 0
			for d := 0; forwarded < 8; d++ {
				if d > 300 {
					t.Fatalf("only %d of the SIGINTs sent 0-300 ms after the start were forwarded", forwarded)
				}
				cmd := exec.Command(bin, "run", "--profile", "preset:docker-default", "--", "sleep", "30")
				cmd.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "NO_COLOR=1"}
				cmd.SysProcAttr = &syscall.SysProcAttr{Credential: u.cred}
				var errb bytes.Buffer
				cmd.Stderr = &errb
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				done := make(chan struct{})
				go func() { cmd.Wait(); close(done) }()
				time.Sleep(time.Duration(d) * time.Millisecond)
				cmd.Process.Signal(syscall.SIGINT)
				select {
				case <-done:
				case <-time.After(10 * time.Second):
					cmd.Process.Kill()
					<-done
					t.Fatalf("SIGINT %d ms after the start: the run went on for 10 s (the signal was lost)\n%s", d, errb.String())
				}
				ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
				switch {
				case ws.Signaled() && ws.Signal() == syscall.SIGINT:
				case ws.Exited() && ws.ExitStatus() == 130 && strings.Contains(errb.String(), "KILLED: killed by signal SIGINT"):
					forwarded++
				default:
					t.Fatalf("SIGINT %d ms after the start: %s, want killed by SIGINT or exit 130\n%s", d, cmd.ProcessState, errb.String())
				}
			}
		})
	}
}
