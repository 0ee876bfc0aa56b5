package main

// How `run` attaches the target to the workbench's terminal and signals,
// as `docker run -it` does:
//
//	user's terminal (raw) ── stdin ──▶ pty master ──▶ slave: the target's
//	      ▲                                            controlling terminal
//	      └──── screen ◀── output ◀── pty master ◀──── (its line discipline
//	             ▲                                      turns ctrl-c into SIGINT)
//	             └── denial lines (held while the target is on the alternate screen)
//
// Without a terminal the target keeps the workbench's stdio (pipes, files)
// and only signals are forwarded.

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/creack/pty"
	"github.com/muesli/cancelreader"
	"github.com/spf13/cobra"
	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

const (
	// termRepeat is how old a forwarded SIGTERM must be for another one
	// to stop the run rather than be forwarded too.
	termRepeat = 3 * time.Second
	// stopInterrupts is the SIGINT that stops the run (the earlier ones
	// are forwarded).
	stopInterrupts = 3
	// outputDrain bounds the wait for the last of the target's output
	// once it has ended.
	outputDrain = 500 * time.Millisecond
)

// forwardedSignals reach the target instead of ending the workbench.
var forwardedSignals = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2}

// attachment connects one run to the workbench's terminal and signals.
type attachment struct {
	errw io.Writer // the workbench's stderr
	// With a terminal (both nil without):
	in, out    *os.File // the user's terminal
	scr        *screen
	sameScreen bool // stderr shows on that terminal too

	sigs     chan os.Signal
	caught   chan struct{} // closed once sigs catches every signal it forwards
	run      atomic.Pointer[runner.Run]
	master   *os.File // the pty's master side
	input    cancelreader.CancelReader
	outDone  chan struct{} // the copy of the target's output ended
	restored chan struct{} // the run is over and the terminal is the user's again

	termMu sync.Mutex
	saved  *term.State // the terminal's own mode, while it is raw
	ended  bool

	finishOnce sync.Once
}

// attach decides how a run meets the terminal: a pty of its own when the
// workbench's stdin and stdout are both a terminal and the output is not
// JSON. Output sent to a file or a pipe stays plain bytes (a pty would
// turn each "\n" into "\r\n" and make the program colour its output).
func attach(cmd *cobra.Command, asJSON bool) *attachment {
	a := &attachment{errw: cmd.ErrOrStderr(), outDone: make(chan struct{}), restored: make(chan struct{})}
	in, _ := cmd.InOrStdin().(*os.File)
	out, _ := cmd.OutOrStdout().(*os.File)
	if asJSON || in == nil || out == nil || !term.IsTerminal(int(in.Fd())) || !term.IsTerminal(int(out.Fd())) {
		return a
	}
	a.in, a.out, a.scr = in, out, &screen{out: out}
	if ef, ok := a.errw.(*os.File); ok {
		a.sameScreen = sameTerminal(in, ef)
	}
	return a
}

// sameTerminal reports whether two files are open on one terminal.
func sameTerminal(a, b *os.File) bool {
	var sa, sb unix.Stat_t
	if unix.Fstat(int(a.Fd()), &sa) != nil || unix.Fstat(int(b.Fd()), &sb) != nil {
		return false
	}
	return sa.Mode&unix.S_IFMT == unix.S_IFCHR && sa.Rdev == sb.Rdev && term.IsTerminal(int(b.Fd()))
}

// stderr returns the writer for the workbench's own lines to w (the
// workbench's stderr): w itself without a pty (a file is handed to the
// target as is). With one, a line written during the run goes through
// the screen, and one written after it (the summary) waits until the
// target's output has all been shown and the terminal is restored.
func (a *attachment) stderr(w io.Writer) io.Writer {
	if a.scr == nil {
		return w
	}
	return &ttyLines{a: a, w: w}
}

type ttyLines struct {
	a *attachment
	w io.Writer
}

func (l *ttyLines) Write(p []byte) (int, error) {
	if r := l.a.run.Load(); r != nil && closed(r.Done()) {
		// Only the summary is written once the run is over: every
		// denial line was written before it ended.
		<-l.a.restored
	}
	if l.a.sameScreen {
		return l.a.scr.line(l.w, string(p))
	}
	return l.w.Write(p)
}

func closed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// start launches the run, with a pty when there is a terminal, and
// forwards the workbench's signals to it until it ends. Call close when
// done with the run, on every path.
func (a *attachment) start(ctx context.Context, cfg runner.Config) (*runner.Run, error) {
	// Caught before the target exists, so that none ends the workbench
	// and leaves the target without its verdict; one that came early is
	// forwarded once it runs.
	a.sigs = make(chan os.Signal, 16)
	sigs := append(slices.Clone(forwardedSignals), syscall.SIGTSTP)
	var slave *os.File
	if a.scr != nil {
		var err error
		if slave, err = a.openPty(); err != nil {
			a.close()
			return nil, fmt.Errorf("opening a terminal for the command: %w", err)
		}
		cfg.Terminal = slave
		sigs = append(sigs, syscall.SIGWINCH)
	}
	// Catching a signal is a round trip to the Go runtime's signal
	// thread each (0.3-1 ms for these on a 2-CPU VM), so it is done
	// while the launch builds the filter and starts the shim; the target
	// is held back until it is done (Config.Hold).
	caught := make(chan struct{})
	a.caught = caught
	go func() {
		defer close(caught)
		for _, sig := range sigs {
			// One the workbench was started with ignored (nohup; a
			// background job of a shell without job control) stays
			// ignored, and the target inherits that.
			if sig == syscall.SIGWINCH || !signal.Ignored(sig) {
				signal.Notify(a.sigs, sig)
			}
		}
	}()
	cfg.Hold = caught
	r, err := runner.Start(ctx, cfg)
	if slave != nil {
		// The target has its own copy: once it and all it started are
		// gone, reading the master ends (EIO).
		slave.Close()
	}
	if err != nil {
		a.close()
		return nil, err
	}
	a.run.Store(r)
	if a.scr != nil {
		if err := a.raw(); err != nil {
			r.Stop()
			a.close()
			return nil, fmt.Errorf("putting the terminal in raw mode: %w", err)
		}
		go a.copyInput()
		go a.copyOutput(r)
	} else {
		close(a.outDone)
	}
	go a.forward(r)
	go func() {
		<-r.Done()
		select {
		case <-a.outDone:
		case <-time.After(outputDrain):
			// Something outside the run (it escaped the cleanup) still
			// holds the terminal; what it writes now is not the run's.
		}
		a.finish()
	}()
	return r, nil
}

// openPty makes the target's terminal: the user's terminal settings (so
// that erase, kill and the like keep the keys the user knows) and size.
func (a *attachment) openPty() (*os.File, error) {
	master, slave, err := pty.Open()
	if err != nil {
		return nil, err
	}
	// pty.Open made the master blocking (its ioctls went through Fd); a
	// pollable copy lets close end a read or write that is under way.
	fd, err := unix.FcntlInt(master.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	master.Close()
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		slave.Close()
		return nil, err
	}
	a.master = os.NewFile(uintptr(fd), "/dev/ptmx")
	if t, err := unix.IoctlGetTermios(int(a.in.Fd()), unix.TCGETS); err == nil {
		unix.IoctlSetTermios(int(slave.Fd()), unix.TCSETS, t)
	}
	a.resize()
	return slave, nil
}

// resize gives the target's terminal the user's terminal's size; the
// kernel then sends SIGWINCH to its foreground process group.
func (a *attachment) resize() {
	ws, err := unix.IoctlGetWinsize(int(a.in.Fd()), unix.TIOCGWINSZ)
	if err != nil {
		return
	}
	if sc, err := a.master.SyscallConn(); err == nil {
		sc.Control(func(fd uintptr) { unix.IoctlSetWinsize(int(fd), unix.TIOCSWINSZ, ws) })
	}
}

// raw puts the user's terminal in raw mode: every key, ctrl-c and ctrl-z
// included, goes to the target's terminal, whose line discipline acts on
// it. It does nothing once the run is over.
func (a *attachment) raw() error {
	a.termMu.Lock()
	defer a.termMu.Unlock()
	if a.ended || a.saved != nil {
		return nil
	}
	st, err := term.MakeRaw(int(a.in.Fd()))
	if err != nil {
		return err
	}
	a.saved = st
	a.scr.setRaw(true)
	return nil
}

// cooked gives the user's terminal its own mode back.
func (a *attachment) cooked() {
	a.termMu.Lock()
	defer a.termMu.Unlock()
	if a.saved == nil {
		return
	}
	term.Restore(int(a.in.Fd()), a.saved)
	a.saved = nil
	a.scr.setRaw(false)
}

func (a *attachment) copyInput() {
	in, err := cancelreader.NewReader(a.in)
	if err != nil {
		return
	}
	a.termMu.Lock()
	if a.ended {
		a.termMu.Unlock()
		in.Close()
		return
	}
	a.input = in
	a.termMu.Unlock()
	// A read of 0 from a raw terminal means it hung up; the SIGHUP that
	// comes with it is forwarded.
	io.Copy(a.master, in)
}

// copyOutput shows the target's output; when the user's terminal can no
// longer be written (it hung up), the run is stopped.
func (a *attachment) copyOutput(r *runner.Run) {
	defer close(a.outDone)
	buf := make([]byte, 32<<10)
	for {
		n, err := a.master.Read(buf)
		if n > 0 {
			if _, werr := a.scr.Write(buf[:n]); werr != nil {
				go r.Stop()
				return
			}
		}
		if err != nil {
			return // EIO: the target's terminal has no process left
		}
	}
}

// finish ends the attachment once: the terminal back in its own mode, the
// lines held back shown, the copies ended.
func (a *attachment) finish() {
	a.finishOnce.Do(func() {
		if a.scr != nil {
			a.cooked()
			a.termMu.Lock()
			a.ended = true
			if a.input != nil {
				a.input.Cancel()
				a.input.Close()
			}
			a.termMu.Unlock()
			a.scr.end()
			if a.master != nil {
				a.master.Close()
			}
		}
		close(a.restored)
	})
}

// close releases everything; safe on every path (a failed start, a panic
// in the caller) and more than once. The forwarded signals get their own
// dispositions back unless the process ends next: then undoing them is
// only a wait, a round trip to the runtime's signal thread per signal,
// and a signal in that moment is better dropped than ending the
// workbench after it told the verdict, with a status that is not the
// verdict's.
func (a *attachment) close() {
	if a.caught != nil {
		<-a.caught // none is caught after the Stop below
	}
	if a.sigs != nil && !exitsAfterCommand {
		signal.Stop(a.sigs)
	}
	a.finish()
}

// forward passes the workbench's signals on to the run until it ends.
func (a *attachment) forward(r *runner.Run) {
	var f forwarding
	for {
		select {
		case <-r.Done():
			return
		case s := <-a.sigs:
			sig := s.(syscall.Signal)
			act, note := f.decide(sig, time.Now())
			if note != "" {
				fmt.Fprintln(a.stderr(a.errw), "seccomp-workbench: "+note)
			}
			switch act {
			case sigForward:
				r.Signal(sig)
			case sigStop:
				go r.Stop()
			case sigSuspend:
				a.suspend(r)
			case sigResize:
				a.resize()
			}
		}
	}
}

// suspend stops the run and the workbench as one job, as ctrl-z does to
// any command: the target's whole tree (SIGSTOP: see runner.SignalAll),
// the terminal back to the shell, then the workbench itself. When the
// shell continues the workbench (fg, bg), so does the run.
func (a *attachment) suspend(r *runner.Run) {
	r.SignalAll(syscall.SIGSTOP)
	if a.scr != nil {
		a.cooked()
	}
	stopSelf()
	if a.scr != nil {
		a.raw()
		a.resize()
	}
	r.SignalAll(syscall.SIGCONT)
}

// stopSelf stops the workbench and returns once it is continued. SIGSTOP,
// not SIGTSTP: once caught, SIGTSTP stays with Go's handler, which drops
// it. Sent to this very thread, it takes effect before the call returns.
func stopSelf() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	unix.Tgkill(os.Getpid(), unix.Gettid(), syscall.SIGSTOP)
}

// sigAction is what the workbench does with a signal it received.
type sigAction int

const (
	sigForward sigAction = iota // to the target's main process
	sigStop                     // end the run: SIGTERM to all of it, SIGKILL after the grace period
	sigSuspend                  // stop the run and the workbench; resume both on SIGCONT
	sigResize                   // the terminal changed size
)

// forwarding remembers the signals of one run.
type forwarding struct {
	interrupts int
	termAt     time.Time // the first SIGTERM forwarded
}

// decide says what to do with sig received at now, and what to tell the
// user (or "").
func (f *forwarding) decide(sig syscall.Signal, now time.Time) (sigAction, string) {
	switch sig {
	case syscall.SIGINT:
		f.interrupts++
		switch {
		case f.interrupts >= stopInterrupts:
			return sigStop, "interrupted again: stopping the command"
		case f.interrupts == stopInterrupts-1:
			return sigForward, "SIGINT passed to the command again; a third one stops it"
		}
	case syscall.SIGTERM:
		if f.termAt.IsZero() {
			f.termAt = now
		} else if now.Sub(f.termAt) >= termRepeat {
			return sigStop, "SIGTERM again: stopping the command"
		}
	case syscall.SIGTSTP:
		return sigSuspend, ""
	case syscall.SIGWINCH:
		return sigResize, ""
	}
	return sigForward, ""
}
