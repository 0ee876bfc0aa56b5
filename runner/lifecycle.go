package runner

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The life of a run: launch the shim, supervise, wait, clean up, judge.

func (p *prepared) start(ctx context.Context) (*Run, error) {
	cfg := p.cfg
	r := &Run{
		p: p, cfg: cfg, mode: p.mode,
		events:       make(chan Event, eventBuffer),
		begin:        time.Now(),
		stopCh:       make(chan struct{}),
		supQuit:      make(chan struct{}),
		launcherDone: make(chan struct{}),
		waiterDone:   make(chan struct{}),
		readersDone:  make(chan struct{}),
		doneCh:       make(chan struct{}),
		finalCh:      make(chan struct{}),
		reapedCh:     make(chan struct{}),
		wake:         make(chan struct{}, 1),
		rowIndex:     map[rowKey]int{},
	}
	r.end.mode = p.mode
	r.end.timeout = cfg.Timeout
	if p.mode == ModeRecord || p.mode == ModeLearn {
		r.rec = newRecording(p.eff, p.mode == ModeRecord)
		r.rec.namesOnly = p.mode != ModeRecord || cfg.RecordNamesOnly
	}
	for i, s := range []Stream{Stdout, Stderr} {
		r.streams[i] = newOutStream(s, cfg.OutputLimit, cfg.LosslessOutput, &r.mu)
	}
	if p.execDenied != "" {
		r.end.startCode, r.end.startMsg = 126, p.execDenied
		close(r.reapedCh) // there is no init
		go r.pump()
		r.finish()
		return r, nil
	}
	if err := r.launch(ctx); err != nil {
		if p.bpf != nil {
			p.bpf.close()
		}
		return nil, err
	}
	return r, nil
}

// launch creates the shim's fds and process and the run's goroutines.
func (r *Run) launch(ctx context.Context) error {
	cfg := r.cfg
	becomeSubreaper()
	// The workbench holds the listener and reads its targets' memory; a
	// target running as the same user must not be able to ptrace it, open
	// its /proc/PID/mem or pidfd_getfd its fds (a process-wide setting).
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	var child []io.Closer // child-side fds, closed once the shim has them
	fail := func(err error) error {
		for _, c := range append(child, r.closers...) {
			c.Close()
		}
		return err
	}
	// The spec goes down a pipe once the filter is ready (sendSpec).
	specFile, specW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	child = append(child, specFile)
	r.closers = append(r.closers, specW)
	statusR, statusW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	child = append(child, statusW)
	r.closers = append(r.closers, statusR)
	// The handoff socket carries the target's pid (as credentials the
	// kernel translates into this PID namespace) and, when notifying, the
	// listener.
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("handoff socket: %w", err))
	}
	handoff := fds[0]
	r.closers = append(r.closers, fdCloser(fds[0]))
	cf := os.NewFile(uintptr(fds[1]), "handoff")
	child = append(child, cf)
	if err := unix.SetsockoptInt(handoff, unix.SOL_SOCKET, unix.SO_PASSCRED, 1); err != nil {
		return fail(fmt.Errorf("handoff socket: %w", err))
	}
	exitR, exitW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	child = append(child, exitW)
	r.closers = append(r.closers, exitR)
	ctlR, ctlW, err := os.Pipe()
	if err != nil {
		return fail(err)
	}
	child = append(child, ctlR)
	r.closers = append(r.closers, ctlW)
	r.ctl, r.exitR = ctlW, exitR
	var copiers []func()
	stdio := &exec.Cmd{}
	if err := r.wireStdio(stdio, &child, &copiers); err != nil {
		return fail(err)
	}
	shimArgs := slices.Concat(cfg.Shim[1:], shimCPUArgs())
	newCmd := func(iso isolation) *exec.Cmd {
		cmd := exec.Command(cfg.Shim[0], shimArgs...)
		// The shim runs no Go code and needs no environment of its own;
		// the target's travels in the spec.
		cmd.Env = []string{}
		cmd.ExtraFiles = []*os.File{specFile, statusW, cf, exitW, ctlR}
		cmd.Stdin, cmd.Stdout, cmd.Stderr = stdio.Stdin, stdio.Stdout, stdio.Stderr
		cmd.SysProcAttr = iso.sysProcAttr()
		return cmd
	}
	// The launcher starts the shim, then compiles (or loads) and verifies
	// the filter while the shim execs and builds its mount namespace
	// (which it does before it reads the spec), and sends the spec. With
	// the build first, the shim started only once the build was done (its
	// clone came 1.4-2 ms after a cache hit in ftrace timelines of 12
	// runs), so nothing overlapped. All of it is the launcher's: with the
	// build left to this goroutine, the launcher, locked to its thread,
	// kept the only P of a run holding one CPU (launch_cpu.go) in its
	// wait for the target's pid, a system call, until the runtime's
	// monitor took the P back (0.1-0.25 ms in ftrace timelines), or a
	// thread was made for this goroutine.
	done := make(chan launched, 1)
	closeChild := func() {
		for _, c := range child {
			c.Close()
		}
	}
	go r.launcher(ctx, done, newCmd, closeChild, specW, statusR, handoff)
	switch res := <-done; {
	case res.shim != nil:
		return fail(fmt.Errorf("starting the shim (%s): %w", cfg.Shim[0], res.shim))
	case res.spec != nil:
		r.abandon(specW)
		return res.spec
	}
	if r.mode.notifies() || cfg.Terminal != nil || len(r.readers) > 0 || len(copiers) > 0 {
		// Work beyond waiting for the target: see launch_cpu.go.
		go releaseCPU()
	}
	for _, c := range copiers {
		go c()
	}
	go r.readAll()
	go r.waiter()
	go r.watch(ctx)
	go r.pump()
	go r.finisher()
	return nil
}

type fdCloser int

func (f fdCloser) Close() error { return unix.Close(int(f)) }

// sendSpec waits for Config.Hold, then writes the spec (built: the
// filter's p.build result) and closes the pipe. The shim, started
// meanwhile, reads the whole spec before it forks the target, so nothing
// runs without the verified filter. An error here is the run's (the filter does not
// compile, the spec is too large); a shim that ended early (its status
// says why) is not.
func (r *Run) sendSpec(ctx context.Context, w *os.File, built error) error {
	p, cfg := r.p, r.cfg
	if built != nil {
		return built
	}
	if cfg.Hold != nil {
		select {
		case <-cfg.Hold:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	data, err := (&shimSpec{
		Argv: cfg.Argv, Env: cfg.Env, Dir: cfg.Dir, Prog: p.prog.Bytes(),
		Listen: p.mode.notifies(), Flags: p.flags, Magic: p.magic,
		NoKillableWait: p.noKillableWait, Terminal: cfg.Terminal != nil,
		CapMask: profile.CapMask(p.caps), WaitTracked: p.bpf != nil,
	}).encode()
	if err != nil {
		return fmt.Errorf("writing the launch spec: %w", err)
	}
	w.Write(data) // EPIPE: the shim is gone, and its status says why
	w.Close()
	return nil
}

// abandon ends a launch whose spec will not come: the shim reads the end
// of its spec pipe and exits without starting anything; it is reaped
// here, and the launcher ends with it.
func (r *Run) abandon(specW *os.File) {
	specW.Close()
	r.waiter()
	<-r.launcherDone
	for _, c := range r.closers {
		c.Close()
	}
}

// wireStdio connects the target's stdin, stdout and stderr.
func (r *Run) wireStdio(cmd *exec.Cmd, child *[]io.Closer, copiers *[]func()) error {
	if t := r.cfg.Terminal; t != nil {
		// The target starts a session of its own and takes the terminal as
		// its controlling terminal (TIOCSCTTY on its stdin), which makes it
		// the terminal's foreground process group.
		cmd.Stdin, cmd.Stdout, cmd.Stderr = t, t, t
		return nil
	}
	switch in := r.cfg.Stdin.(type) {
	case nil:
	case *os.File:
		cmd.Stdin = in
	default:
		pr, pw, err := os.Pipe()
		if err != nil {
			return err
		}
		cmd.Stdin = pr
		*child = append(*child, pr)
		r.closers = append(r.closers, pw)
		*copiers = append(*copiers, func() {
			io.Copy(pw, in)
			pw.Close()
		})
	}
	for i, w := range []io.Writer{r.cfg.Stdout, r.cfg.Stderr} {
		set := func(f *os.File) {
			if i == 0 {
				cmd.Stdout = f
			} else {
				cmd.Stderr = f
			}
		}
		if f, ok := w.(*os.File); ok {
			set(f) // the target writes to the caller's file itself
			continue
		}
		pr, pw, err := os.Pipe()
		if err != nil {
			return err
		}
		set(pw)
		*child = append(*child, pw)
		r.closers = append(r.closers, pr)
		r.readers = append(r.readers, pr)
		if w != nil {
			r.streams[i].copyTo = w
		}
		r.streams[i].pipe = pr
	}
	return nil
}

// launched is what the launcher tells launch: the shim did not start
// (shim), or the spec could not be sent (spec: the filter does not
// build, the spec is too large, the run was cancelled while held).
type launched struct{ shim, spec error }

// launcher starts the shim and sends it the spec, from a goroutine locked
// to its thread for the whole run: the kernel sends the parent-death
// signal when the thread that forked exits, not the process, so that
// thread must outlive the run. The supervisor then runs on the same
// thread. closeChild closes the workbench's copies of the shim's fds.
func (r *Run) launcher(ctx context.Context, done chan<- launched, newCmd func(isolation) *exec.Cmd, closeChild func(),
	specW, statusR *os.File, handoff int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cmd, iso, err := r.startShim(newCmd)
	if err != nil {
		done <- launched{shim: err}
		close(r.launcherDone)
		return
	}
	r.cmd = cmd
	r.iso = iso
	closeChild()
	done <- launched{spec: r.sendSpec(ctx, specW, r.p.build())}
	r.p.storeProgram()
	// Without a spec the shim exits: recvPid sees it go.
	defer close(r.launcherDone)
	pid, err := recvPid(handoff)
	if err != nil {
		r.shimGone(statusR)
		return
	}
	r.mu.Lock()
	r.pid = pid
	r.mu.Unlock()
	r.releaseSignals()
	if err := r.followTarget(pid, handoff); err != nil {
		r.killNow()
		io.ReadAll(statusR)
		r.mu.Lock()
		r.end.startCode, r.end.startMsg = 125, err.Error()
		r.mu.Unlock()
		<-r.waiterDone
		return
	}
	if !r.mode.notifies() {
		r.readStatus(statusR)
		<-r.waiterDone
		return
	}
	listener, err := recvListener(handoff)
	if err != nil {
		r.shimGone(statusR)
		return
	}
	defer unix.Close(listener)
	s := newSupervisor(r, listener, statusR)
	if err := s.loop(); err != nil {
		r.mu.Lock()
		r.end.supervisor = err
		r.mu.Unlock()
		r.killNow()
	}
}

// startShim starts the shim with the isolation the run asks for, or, in
// auto mode, without namespaces where the kernel refuses them.
func (r *Run) startShim(newCmd func(isolation) *exec.Cmd) (*exec.Cmd, isolation, error) {
	iso := r.p.iso
	if iso.namespaces() {
		cmd := newCmd(iso)
		ok, done, err := launchShim(cmd, iso)
		switch {
		case ok && err == nil:
			r.launchDone = done
			return cmd, iso, nil
		case !r.p.isoAuto:
			if !ok {
				err = errors.New("a run without namespaces is alive in this workbench")
			}
			return nil, iso, fmt.Errorf("new namespaces for the target: %w (try --isolate none)", err)
		case !ok:
			iso = isolation{reason: "a run without namespaces is alive in this workbench"}
		case namespacesRefused(err):
			// The kernel (or a security module, or a container's filter)
			// does not allow new namespaces here.
			iso = isolation{reason: "the kernel refused new namespaces (" + errnoText(err) + ")"}
		default:
			return nil, iso, err
		}
	}
	cmd := newCmd(iso)
	_, done, err := launchShim(cmd, iso)
	if err != nil {
		return nil, iso, err
	}
	r.launchDone = done
	return cmd, iso, nil
}

// shimGone handles a shim that ended before handing over what it should:
// the target never ran, and the status pipe says why (unless the shim was
// killed before it could write).
func (r *Run) shimGone(statusR *os.File) {
	data, _ := io.ReadAll(statusR)
	if len(data) == 0 {
		<-r.waiterDone
		r.mu.Lock()
		ws, known := r.end.status, r.end.exited
		r.mu.Unlock()
		if known && ws.Signaled() {
			// A signal (one forwarded to the target while it was being
			// set up) ended it before its execve: the run ends as that
			// signal would have ended the command.
			return
		}
		data = []byte("E125 the shim ended before starting the command")
	}
	r.statusDone(data)
	<-r.waiterDone
}

// readStatus reads the shim's status pipe to its end: nothing means the
// execve succeeded; otherwise it says why the target did not start.
func (r *Run) readStatus(f *os.File) {
	data, _ := io.ReadAll(f)
	r.statusDone(data)
}

// statusDone records the shim's status: empty means started.
func (r *Run) statusDone(data []byte) {
	if len(data) == 0 {
		r.markStarted()
		return
	}
	code, msg := decodeStatus(data, r.cfg.Argv[0])
	r.mu.Lock()
	r.end.startCode, r.end.startMsg = code, msg
	r.mu.Unlock()
	// After a raw failure the shim may be unable to exit (a profile that
	// denies exit_group); it has nothing left to do.
	r.killNow()
}

// markStarted queues the Started event (once).
func (r *Run) markStarted() {
	r.mu.Lock()
	if r.startEv == nil && !r.startSent {
		r.startEv = &Started{Pid: r.pid, Argv: append([]string(nil), r.cfg.Argv...), Mode: r.mode, Time: time.Now(),
			Isolation: r.iso.words(r.p.caps)}
	}
	r.mu.Unlock()
	r.kick()
}

// waiter waits for the init's report of the target's wait status, which
// it writes once the target and everything it started are gone. Its own
// exit (the end of its PID and mount namespaces, which can take the
// kernel a while) does not hold up the run: it is reaped after the run is
// told it ended. An init that ended without a report was killed: its tree
// is then swept from here, while the unreaped init still holds the
// session and group ids.
func (r *Run) waiter() {
	ws, exited := readExitRecord(r.exitR)
	exitTime := time.Now()
	killed := !exited
	if killed {
		exitTime, ws, exited = r.killedInit()
	}
	r.mu.Lock()
	r.end.exitTime = exitTime
	r.end.status, r.end.exited = ws, exited
	r.mu.Unlock()
	r.launchDone(false)
	close(r.waiterDone)
	if !killed {
		awaitExit(r.cmd.Process.Pid)
		r.reapInit()
	}
}

// killedInit waits for an init that ended without its report, sweeps
// what its tree left and reaps it; the status is the init's own.
func (r *Run) killedInit() (time.Time, syscall.WaitStatus, bool) {
	initPid := r.cmd.Process.Pid
	awaitExit(initPid)
	exitTime := time.Now()
	if !r.iso.namespaces() {
		// The init was killed before it could end the tree (the target can
		// kill it: they share a PID namespace and a user).
		killSession(initPid, cleanupLimit)
		sweepOrphans(cleanupLimit)
	}
	st, err := r.reapInit()
	if err != nil {
		return exitTime, 0, false
	}
	return exitTime, st.Sys().(syscall.WaitStatus), true
}

// awaitExit returns once the child pid has exited, leaving it unreaped.
// Its exit can take a while after its report (its namespaces end with
// it), and a waitid blocked meanwhile would keep this goroutine's P,
// which on a run held to one CPU (launch_cpu.go) is the only one, from
// the goroutines the report woke until the runtime's monitor took it
// back (0.1 ms in ftrace timelines). So it waits in the runtime's poller
// on a pidfd, which polls readable once its process has exited; without
// pidfds (Linux < 5.3), in waitid.
func awaitExit(pid int) {
	if fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK); err == nil {
		f := os.NewFile(uintptr(fd), "pidfd")
		exited := false
		if rc, err := f.SyscallConn(); err == nil {
			// An error: the pidfd is not in the poller after all.
			rc.Read(func(fd uintptr) bool {
				pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
				n, err := unix.Poll(pfd, 0)
				exited = n > 0
				return exited || (err != nil && err != unix.EINTR)
			})
		}
		f.Close()
		if exited {
			return
		}
	}
	var info unix.Siginfo
	for unix.Waitid(unix.P_PID, pid, &info, unix.WEXITED|unix.WNOWAIT, nil) == unix.EINTR {
	}
}

// reapInit reaps the init. Once it is reaped its pid, and so the session
// id, may be reused: no signal after this point. The flag is set under
// reapMu so that a signal already under way finishes first.
func (r *Run) reapInit() (*os.ProcessState, error) {
	r.reapMu.Lock()
	r.reaped = true
	r.reapMu.Unlock()
	st, err := r.cmd.Process.Wait()
	r.launchDone(true)
	close(r.reapedCh)
	return st, err
}

// readExitRecord reads the init's report of the target's wait status: it
// comes once the target's tree is gone, or the pipe ends without it when
// the init was killed.
func readExitRecord(f *os.File) (syscall.WaitStatus, bool) {
	var rec [exitRecordLen]byte
	if _, err := io.ReadFull(f, rec[:]); err != nil || rec[0] != 'W' {
		return 0, false
	}
	return syscall.WaitStatus(binary.LittleEndian.Uint32(rec[1:])), true
}

// watch ends the run on Stop, timeout or context cancellation.
func (r *Run) watch(ctx context.Context) {
	var timeout <-chan time.Time
	if r.cfg.Timeout > 0 {
		t := time.NewTimer(r.cfg.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case <-r.waiterDone:
		return
	case <-r.stopCh:
	case <-ctx.Done():
		r.requestStop()
	case <-timeout:
		r.mu.Lock()
		r.end.timedOut = true
		r.mu.Unlock()
		r.requestStop()
	}
	r.signal(unix.SIGTERM)
	select {
	case <-r.waiterDone:
	case <-time.After(r.cfg.Grace):
		r.signal(unix.SIGKILL)
	}
}

// requestStop marks the run as stopped (unless it timed out) and starts
// the termination.
func (r *Run) requestStop() {
	r.stopOnce.Do(func() {
		r.mu.Lock()
		if !r.end.timedOut {
			r.end.stopped = true
		}
		r.stopAt = time.Now()
		r.mu.Unlock()
		close(r.stopCh)
		r.kick()
	})
}

// signal sends sig to the target's main process through the init, which
// forwards every signal it can catch. SIGKILL ends the whole run instead:
// the init kills the tree when told on its control pipe; isolated, killing
// the init itself ends its PID namespace at once.
func (r *Run) signal(sig syscall.Signal) {
	r.reapMu.Lock()
	defer r.reapMu.Unlock()
	if r.reaped || r.cmd == nil || r.cmd.Process == nil {
		return
	}
	if sig != unix.SIGKILL {
		// Until it blocks them to fork the target, the init is the shim
		// starting up, and as PID 1 of a namespace it would lose every
		// signal it neither handles nor blocks (the kernel drops those for
		// an init); outside one, it would die of it, the target unstarted.
		if !r.initReady {
			if len(r.early) < maxEarlySignals {
				r.early = append(r.early, sig)
			}
			return
		}
		r.cmd.Process.Signal(sig)
		return
	}
	if r.iso.namespaces() {
		r.cmd.Process.Signal(sig)
		return
	}
	r.ctl.Write([]byte{'K'})
	// An init the target stopped (it may: same user) cannot act on that;
	// killed instead, the waiter sweeps what it leaves behind.
	proc := r.cmd.Process
	time.AfterFunc(time.Second, func() {
		r.reapMu.Lock()
		defer r.reapMu.Unlock()
		if !r.reaped {
			proc.Signal(unix.SIGKILL)
		}
	})
}

// maxEarlySignals bounds the signals kept for an init not yet ready.
const maxEarlySignals = 16

// releaseSignals marks the init ready for signals (it has forked the
// target with every signal blocked, and reads them from a signalfd) and
// sends those that came before, in order.
func (r *Run) releaseSignals() {
	r.reapMu.Lock()
	defer r.reapMu.Unlock()
	r.initReady = true
	for _, sig := range r.early {
		if !r.reaped {
			r.cmd.Process.Signal(sig)
		}
	}
	r.early = nil
}

// killNow kills the target at once (a failed start, a failed supervisor).
func (r *Run) killNow() { r.signal(unix.SIGKILL) }

// finisher waits for the end of everything, then computes the verdict.
func (r *Run) finisher() {
	<-r.waiterDone
	close(r.supQuit)
	<-r.launcherDone
	select {
	case <-r.readersDone:
	case <-time.After(drainWait):
		// A descendant that escaped the session still holds the pipes.
		for _, f := range r.readers {
			f.Close()
		}
		<-r.readersDone
	}
	for _, c := range r.closers {
		c.Close()
	}
	r.finish()
}

// finish computes the verdict and queues the final events.
func (r *Run) finish() {
	r.drainEBPF()
	r.mu.Lock()
	r.end.duration = time.Since(r.begin)
	if r.p.auditExec != "" {
		r.end.notes = append(r.end.notes, r.p.auditExec)
		r.end.wouldDeny = map[string]int{"execve": 1}
	}
	for _, row := range r.rows {
		switch o := row.d.Outcome; {
		case row.d.Audit:
			if o.Action == profile.ActErrno && o.Errno == profile.ENOSYS {
				r.end.wouldENOSYS = appendUnique(r.end.wouldENOSYS, row.d.Syscall)
				break
			}
			if r.end.wouldDeny == nil {
				r.end.wouldDeny = map[string]int{}
			}
			r.end.wouldDeny[row.d.Syscall] += row.d.Count
		case row.logged || lets(o):
		case o.Action == profile.ActErrno && o.Errno == profile.ENOSYS:
			r.end.enosys = appendUnique(r.end.enosys, row.d.Syscall)
		default:
			r.end.denied = appendUnique(r.end.denied, row.d.Syscall)
		}
	}
	if len(r.end.wouldENOSYS) > 0 {
		slices.Sort(r.end.wouldENOSYS)
		r.end.notes = appendUnique(r.end.notes, noteAuditENOSYS(strings.Join(r.end.wouldENOSYS, ", ")))
	}
	v := r.end.verdict()
	r.verdict = v
	if r.rec != nil && r.mode == ModeRecord && r.end.startCode == 0 && r.RecordError() == nil {
		r.recorded, r.recordedNames, r.recordedNotes = r.rec.profile()
	}
	if r.end.startCode == 0 && r.end.exited {
		code, sig := exitCodeOf(r.end.status)
		if v.KilledIn != "" {
			code, sig = v.ExitCode, v.Signal
		}
		r.finals = append(r.finals, Exited{Code: code, Signal: sig, Time: r.end.exitTime})
	}
	r.finals = append(r.finals, v)
	r.finishing = true
	r.mu.Unlock()
	close(r.finalCh)
	r.kick()
	// The events end with the verdict now; Wait returns once the init is
	// reaped too (its exit can outlast the target's by a while).
	<-r.reapedCh
	close(r.doneCh)
}
