package runner

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The supervisor answers the target's notifications. It runs on the
// launcher's locked thread, receives and replies with raw ioctls into
// buffers it owns, and keeps per-call work to a map lookup or two in
// record mode.
//
// How each outcome is carried out in watch mode (the kernel would have
// done it itself in enforce mode). Where the result can differ, the run's
// Verdict.Notes says so for the calls it happened to.
//   - errno: reply with the error.
//   - log: reply "continue"; the call runs. Only the kernel's audit
//     record of it is missing, which the target cannot see.
//   - kill_process / kill_thread, and a call from an ABI the profile does
//     not list (which the kernel kills as kill_thread): SIGKILL the
//     caller's process; the verdict reports SIGSYS (exit 159) as the
//     kernel's kill would. A thread cannot be killed alone from outside,
//     so kill_thread kills the whole process here when it has other
//     threads (noted). A process other than the main one dies of SIGKILL
//     where the kernel uses SIGSYS, which its parent can see (noted).
//   - trap: the kernel's force_sig_seccomp unblocks a blocked SIGSYS and
//     resets an ignored one to its default, so the process dies of it:
//     then SIGKILL as for a kill. Otherwise SIGSYS is sent while the call
//     waits, and stays pending until the reply: its default action ends
//     the process, a handler runs as the call returns what the kernel's
//     syscall rollback leaves in the return register. The handler sees
//     si_code SI_TKILL, not SYS_SECCOMP (noted).
//   - the newer-syscall stub: reported, then ENOSYS, as the kernel answers.
//   - trace: reply ENOSYS, what the kernel does when no tracer is attached.
//   - notify (an explicit SCMP_ACT_NOTIFY in the profile): reported, then
//     ENOSYS — what the kernel answers when no listener is attached, which
//     is also what enforce mode gets.
//
// In audit mode none of this is carried out: every call is continued and
// reported with the outcome it would have had (replyFor).

type archNr struct {
	arch catalog.Arch
	nr   int64
}

// pendingCall is a call whose reply failed because the caller was
// interrupted: the kernel restarts it and it arrives again with a new id.
type pendingCall struct {
	nr   int32
	args [6]uint64
	ttl  int
}

type supervisor struct {
	r      *Run
	fd     int
	mode   Mode
	dec    *decider // the profile's outcomes (nil in record mode)
	cat    *catalog.Catalog
	status *os.File
	// statusData collects the status pipe until it closes.
	statusData []byte
	statusOpen bool

	n    seccompNotif
	resp seccompNotifResp

	restarts  map[uint32]*pendingCall
	tgids     map[uint32]thread
	pidfds    int // open in tgids
	asked     map[string]profile.Decision
	undecided map[string]bool
	rec       *recording
	last      lastDenial
	magic     [3]uint64
	cancel    chan struct{}
	// resent counts calls recognised as re-sent after an interruption.
	resent int
}

func newSupervisor(r *Run, fd int, status *os.File) *supervisor {
	s := &supervisor{
		r: r, fd: fd, mode: r.mode, cat: catalog.MustDefault(),
		status: status, statusOpen: true,
		restarts: map[uint32]*pendingCall{}, tgids: map[uint32]thread{},
		asked: map[string]profile.Decision{}, undecided: map[string]bool{},
		rec: r.rec, magic: r.p.magic, cancel: make(chan struct{}),
	}
	if r.mode != ModeRecord {
		s.dec = newDecider(r.p.eff)
	}
	return s
}

// loop serves notifications until the finisher says the session is gone.
func (s *supervisor) loop() error {
	notifSyncWakeUp(s.fd)
	quit, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return fmt.Errorf("eventfd: %w", err)
	}
	// The eventfd is closed under qmu so that a late wake-up can never
	// write into a reused descriptor number.
	var qmu sync.Mutex
	closed := false
	// quitting: the eventfd is about to be written; the loop must wait on
	// all its descriptors again to see it.
	var quitting atomic.Bool
	defer s.forgetThreads()
	defer func() {
		qmu.Lock()
		closed = true
		unix.Close(quit)
		qmu.Unlock()
		s.r.mu.Lock()
		s.r.resent = s.resent
		s.r.mu.Unlock()
	}()
	go func() {
		select {
		case <-s.r.supQuit:
			close(s.cancel)
		case <-s.r.stopCh:
			// Let a pending Ask return; keep serving until the end.
			close(s.cancel)
			<-s.r.supQuit
		}
		quitting.Store(true)
		qmu.Lock()
		if !closed {
			unix.Write(quit, []byte{1, 0, 0, 0, 0, 0, 0, 0})
		}
		qmu.Unlock()
	}()
	// The listener nearly always has a notification queued when the
	// supervisor gets here: the caller ran its next call while the reply
	// was being sent. So once the target has started and while nothing
	// asks the loop to end, a look at the listener alone, which cannot
	// sleep, comes first; only when it finds nothing does the loop wait on
	// all its descriptors. In that wait the listener comes first too:
	// until poll finds a descriptor ready it adds the thread to the wait
	// queue of each one it looks at, and after the first ready one it no
	// longer does.
	fds := []unix.PollFd{
		{Fd: int32(s.fd), Events: unix.POLLIN},
		{Fd: int32(quit), Events: unix.POLLIN},
		{Fd: int32(s.status.Fd()), Events: unix.POLLIN},
	}
	for {
		if !s.statusOpen && fds[0].Fd >= 0 && !quitting.Load() && notifPending(s.fd) {
			if err := s.handle(); err != nil {
				return err
			}
			continue
		}
		n := 3
		if !s.statusOpen {
			n = 2
		}
		if _, err := unix.Poll(fds[:n], -1); err != nil {
			if err == unix.EINTR {
				continue
			}
			return fmt.Errorf("poll: %w", err)
		}
		if fds[1].Revents != 0 {
			// The shim is gone; what it wrote on the status pipe may not
			// have been read yet.
			for s.statusOpen {
				s.readStatus()
			}
			return nil
		}
		if n == 3 && fds[2].Revents != 0 {
			s.readStatus()
		}
		switch ev := fds[0].Revents; {
		case ev&unix.POLLIN != 0:
			if err := s.handle(); err != nil {
				return err
			}
		case ev&(unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0:
			// No task uses the filter any more; wait for the finisher.
			fds[0].Fd = -1
		}
	}
}

// readStatus reads what is available on the status pipe; at its end the
// target has started (nothing was written) or failed to.
func (s *supervisor) readStatus() {
	buf := make([]byte, 512)
	n, err := unix.Read(int(s.status.Fd()), buf)
	if n > 0 {
		s.statusData = append(s.statusData, buf[:n]...)
		return
	}
	if err == unix.EINTR || err == unix.EAGAIN {
		return
	}
	s.statusOpen = false
	s.r.statusDone(s.statusData)
}

func (s *supervisor) handle() error {
	if err := notifRecv(s.fd, &s.n); err != nil {
		if err == unix.ENOENT || err == unix.EINTR {
			return nil
		}
		return fmt.Errorf("receiving a seccomp notification: %w", err)
	}
	n := &s.n
	if n.Data.Args[3] == s.magic[0] && n.Data.Args[4] == s.magic[1] && n.Data.Args[5] == s.magic[2] {
		// The shim reporting a failed execve: the target never ran.
		respondContinue(&s.resp, n.ID)
		notifSend(s.fd, &s.resp)
		return nil
	}
	if s.statusOpen {
		// The target is running even if the status pipe has not shown its
		// end yet (a concurrent fork elsewhere in this process may hold a
		// copy of its write end for a moment).
		s.r.markStarted()
	}
	arch, ok := catalog.ArchFromAudit(n.Data.Arch, n.Data.Nr)
	if !ok {
		// An ABI the workbench does not know is not in the profile
		// either: the kernel's filter would kill the caller.
		call := fmt.Sprintf("syscall %d [audit arch %#x]", n.Data.Nr, n.Data.Arch)
		if s.mode == ModeAudit {
			s.r.note(noteAuditUnknownABI(call))
			respondContinue(&s.resp, n.ID)
			notifSend(s.fd, &s.resp)
			return nil
		}
		s.kill(s.tgid(n.Pid), call, profile.ActKillThread, killAction)
		return nil
	}
	nr := int64(n.Data.Nr)
	args := n.Data.Args
	if arch.Is32Bit() {
		for i := range args {
			args[i] &= 0xffffffff
		}
	}
	if s.repeatErrno(arch, nr, args) {
		return nil
	}
	s.last.errnoReply = false
	again := s.resentCall(n.Pid, n.Data.Nr, args)
	switch s.mode {
	case ModeRecord:
		if s.rec.answerENOSYS(arch, nr, args) {
			respondErrno(&s.resp, n.ID, profile.ENOSYS)
		} else {
			if !again {
				s.rec.add(arch, nr, args)
			}
			respondContinue(&s.resp, n.ID)
		}
		s.reply(n.Pid, n.Data.Nr, args)
	case ModeLearn:
		if !again {
			s.rec.add(arch, nr, args)
		}
		s.apply(arch, nr, args, s.learn(arch, nr, args), again)
	default:
		s.apply(arch, nr, args, s.dec.decide(arch, nr, args), again)
	}
	return nil
}

// learn decides a call in learn mode: ask about undecided syscalls (once
// per name and run), follow the profile for the others.
func (s *supervisor) learn(arch catalog.Arch, nr int64, args [6]uint64) profile.Decision {
	name := s.cat.Name(arch, nr)
	und, ok := s.undecided[name]
	if !ok {
		und = s.r.cfg.Undecided(name)
		s.undecided[name] = und
	}
	if !und {
		return s.dec.decide(arch, nr, args)
	}
	if d, ok := s.asked[name]; ok {
		return d
	}
	tid := int(s.n.Pid)
	text, _ := argText(tid, arch, name, args)
	q := Question{
		Pid: s.tgid(s.n.Pid), Tid: tid, Arch: arch, Nr: nr, Syscall: name, Args: args,
		ArgText: text, Profile: s.dec.decide(arch, nr, args), Cancel: s.cancel,
	}
	answer := make(chan profile.Decision, 1)
	go func() { answer <- s.r.cfg.Ask(q) }()
	select {
	case d := <-answer:
		if d.Action == "" {
			d = q.Profile // no answer: follow the profile
		}
		d.Syscall = name
		s.asked[name] = d
		return d
	case <-s.cancel:
		return q.Profile
	}
}

// apply carries out an outcome and reports it.
func (s *supervisor) apply(arch catalog.Arch, nr int64, args [6]uint64, d profile.Decision, again bool) {
	n := &s.n
	tid := n.Pid
	r := replyFor(d, s.mode == ModeAudit)
	if r.kind == replyContinue && !r.report {
		respondContinue(&s.resp, n.ID)
		s.reply(tid, n.Data.Nr, args)
		return
	}
	d.Syscall = s.callName(arch, nr)
	if r.report && !again && !s.report(arch, nr, args, d, r) {
		return // the call is gone (its caller died or was interrupted)
	}
	call := d.Syscall
	if d.Rule == profile.RuleBadArch {
		call += " [" + string(arch) + "]"
	}
	switch r.kind {
	case replyContinue:
		respondContinue(&s.resp, n.ID)
	case replyKill:
		s.kill(s.tgid(tid), call, d.Action, killAction)
		return
	case replyTrap:
		s.trap(arch, args, call, again)
		return
	case replyErrno:
		respondErrno(&s.resp, n.ID, r.errno)
		if s.mode == ModeWatch && r.report && !again && s.last.ok {
			// report has just counted this call in s.last's row.
			s.last.errnoReply, s.last.errno = true, r.errno
		}
	}
	s.reply(tid, n.Data.Nr, args)
}

// repeatErrno answers, in watch mode, a call that is the last one again
// when the last one was denied with an errno and counted in a row whose
// text came from the registers alone. The same thread (still of the same
// process: tgid), ABI, number and arguments get the same decision from
// the profile, so the same reply and the same row; deciding and matching
// the report again would find just that. A call restarted after its
// reply was lost (s.restarts) goes the long way, which knows not to count
// it twice.
func (s *supervisor) repeatErrno(arch catalog.Arch, nr int64, args [6]uint64) bool {
	l := &s.last
	tid := s.n.Pid
	if !l.errnoReply || l.tid != tid || l.nr != nr || l.arch != arch || l.args != args || len(s.restarts) > 0 || l.pid != s.tgid(tid) {
		return false
	}
	respondErrno(&s.resp, s.n.ID, l.errno)
	s.r.mu.Lock()
	s.r.countRow(l.row)
	s.reply(tid, s.n.Data.Nr, args)
	return true
}

// callName is the catalog's name of a call, or "syscall N".
func (s *supervisor) callName(arch catalog.Arch, nr int64) string {
	// ByNumber indexes a generated array: no memo is needed.
	if e, ok := s.cat.ByNumber(arch, nr); ok {
		return e.Name
	}
	return "syscall " + strconv.FormatInt(nr, 10)
}

// kill ends process pid for a kill action (or a trap whose SIGSYS the
// kernel would have made fatal) in call. The kernel kills from inside
// with SIGSYS; from outside only SIGKILL is sure to end the process, so
// the verdict reports the SIGSYS and the notes say what differs.
func (s *supervisor) kill(pid int, call string, act profile.Action, how killHow) {
	if act == profile.ActKillThread || act == profile.ActKill {
		// A lone thread's kill_thread ends its process in the kernel too.
		if threadCount(pid) > 1 {
			s.r.note(noteKillThread(call))
		}
	}
	if pid != s.r.pid {
		s.r.note(noteChildKilled(act.Short(), call))
	}
	s.r.noteKill(pid, call, how)
	unix.Kill(pid, unix.SIGKILL)
}

// trap carries out SCMP_ACT_TRAP as the kernel's force_sig_seccomp does:
// a blocked or ignored SIGSYS is reset to its default and unblocked, so
// the process dies of it; otherwise the handler runs.
func (s *supervisor) trap(arch catalog.Arch, args [6]uint64, call string, again bool) {
	n := &s.n
	tid := int(n.Pid)
	pid := s.tgid(n.Pid)
	st, ok := sigsysState(pid, tid)
	if !notifIDValid(s.fd, n.ID) {
		return // the caller is gone
	}
	if !ok || st.blocked || st.ignored {
		s.kill(pid, call, profile.ActTrap, trapFatal)
		return
	}
	if !st.caught {
		// The default action: pending when the call returns, SIGSYS
		// ends the process before it runs another instruction.
		s.r.noteKill(pid, call, trapSignal)
		unix.Tgkill(pid, tid, unix.SIGSYS)
		respondErrno(&s.resp, n.ID, uint(unix.ENOSYS))
		s.reply(n.Pid, n.Data.Nr, args)
		return
	}
	// A handler runs. The listener's wait is killable only
	// (WAIT_KILLABLE_RECV), so the signal stays pending until the reply
	// and the handler runs as the call returns, as in the kernel. Without
	// that flag it interrupts the wait and the call comes again: it has
	// had its signal then.
	if !again {
		s.r.note(noteTrapSignal(call))
		unix.Tgkill(pid, tid, unix.SIGSYS)
	}
	if v, ok := trapReturn(arch, n.Data.Nr, args); ok {
		respondValue(&s.resp, n.ID, v)
	} else {
		respondErrno(&s.resp, n.ID, uint(unix.ENOSYS))
		s.r.note(noteTrapReturn(call))
	}
	s.reply(n.Pid, n.Data.Nr, args)
}

// reply sends s.resp. When the notification is no longer valid the caller
// was interrupted (or died): remember the call, so that its restart is
// not counted twice. It reports whether the reply reached the call.
func (s *supervisor) reply(tid uint32, nr int32, args [6]uint64) bool {
	if d := s.r.p.replyDelay; d > 0 {
		time.Sleep(d)
	}
	if err := notifSend(s.fd, &s.resp); err == unix.ENOENT {
		if len(s.restarts) > 4096 {
			clear(s.restarts)
		}
		s.restarts[tid] = &pendingCall{nr: nr, args: args, ttl: 64}
		return false
	}
	return true
}

// resentCall reports whether this notification is the restart of a call
// whose earlier notification became invalid before the reply. The thread
// may make other calls in between (its signal handler's), so the record
// lives for a few notifications.
func (s *supervisor) resentCall(tid uint32, nr int32, args [6]uint64) bool {
	p, ok := s.restarts[tid]
	if !ok {
		return false
	}
	if p.nr == nr && p.args == args {
		delete(s.restarts, tid)
		s.resent++
		return true
	}
	if p.ttl--; p.ttl <= 0 {
		delete(s.restarts, tid)
	}
	return false
}

// report counts the call in its denial row (a logged row for a call the
// reply continues, a would-deny row in audit mode). Arguments read from
// the caller's memory are only trusted when the notification is still
// valid afterwards; false means it is not (nothing is reported).
func (s *supervisor) report(arch catalog.Arch, nr int64, args [6]uint64, d profile.Decision, rep reply) bool {
	logged := rep.kind == replyContinue && !rep.audit
	tid := s.n.Pid
	pid := s.tgid(tid)
	if l := &s.last; l.ok && l.tid == tid && l.pid == pid && l.arch == arch && l.nr == nr && l.args == args && l.d == d && l.logged == logged && l.audit == rep.audit {
		// The same call again, decoded without reading memory last time:
		// its text depends on nothing but the registers, so it is the
		// same row.
		s.r.mu.Lock()
		s.r.countRow(l.row)
		return true
	}
	name := d.Syscall
	if name == "" {
		name = s.cat.Name(arch, nr)
	}
	c := decodeCall(int(tid), arch, name, args)
	if c.readMem && !notifIDValid(s.fd, s.n.ID) {
		return false
	}
	row, isNew, at := s.r.noteDenial(Denial{
		Pid: pid, Tid: int(tid), Arch: arch, Nr: nr, Syscall: name, Args: args,
		ArgText: c.text, Outcome: d, Audit: rep.audit,
	}, c.key, logged)
	s.last = lastDenial{ok: !c.readMem, tid: tid, pid: pid, arch: arch, nr: nr, args: args, d: d, logged: logged, audit: rep.audit, row: at}
	if isNew && s.r.cfg.OnDenial != nil {
		s.r.cfg.OnDenial(row, logged)
	}
	return true
}

// lastDenial is the call report counted last, and its row; errnoReply
// says it was answered with errno (repeatErrno).
type lastDenial struct {
	ok     bool
	tid    uint32
	pid    int
	arch   catalog.Arch
	nr     int64
	args   [6]uint64
	d      profile.Decision
	logged bool
	audit  bool
	row    int

	errnoReply bool
	errno      uint
}

// tgid maps a thread id to its process id.
//
// Kernel rules: a thread id names one thread at a time — the number is
// freed only when the thread is released (a thread other than the leader
// at its exit, a leader when it is reaped) — and the caller of a pending
// notification is alive. A thread's process never changes while it has
// its id: a thread other than the leader that calls execve takes the
// leader's id and its own is freed (de_thread). So an answer found for a
// thread holds while that thread has not been released. For a thread
// other than the leader this is checked on a pidfd opened for it
// (PIDFD_THREAD, Linux 6.9), which polls POLLHUP once the thread is
// released: one cheap call instead of a lookup of /proc/PID/task/TID,
// which is the check where no pidfd could be kept. A leader's id is its
// process id.
func (s *supervisor) tgid(tid uint32) int {
	if t, ok := s.tgids[tid]; ok {
		if t.pid == int(tid) || t.pidfd >= 0 && threadHeld(t.pidfd) {
			return t.pid
		}
		if t.pidfd < 0 {
			if _, err := os.Stat("/proc/" + strconv.Itoa(t.pid) + "/task/" + strconv.Itoa(int(tid))); err == nil {
				return t.pid
			}
		}
	}
	pid := tgidOf(int(tid))
	if len(s.tgids) > 4096 {
		s.forgetThreads()
	}
	if old, ok := s.tgids[tid]; ok && old.pidfd >= 0 {
		unix.Close(old.pidfd)
		s.pidfds--
	}
	t := thread{pid: pid, pidfd: -1}
	if pid != int(tid) && s.pidfds < maxPidfds {
		// The caller waits for the reply, so the pidfd is for the thread
		// whose process was just read.
		if fd, err := unix.PidfdOpen(int(tid), unix.PIDFD_THREAD); err == nil {
			t.pidfd = fd
			s.pidfds++
		}
	}
	s.tgids[tid] = t
	return pid
}

// thread is what tgid knows of a thread: its process and, for a thread
// other than the leader, a pidfd for it (-1 if none).
type thread struct{ pid, pidfd int }

// maxPidfds bounds the descriptors tgid keeps open.
const maxPidfds = 64

// threadHeld reports whether the thread of pidfd still has its id.
func threadHeld(pidfd int) bool {
	fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, 0)
	return err == nil && (n == 0 || fds[0].Revents&(unix.POLLHUP|unix.POLLNVAL|unix.POLLERR) == 0)
}

// forgetThreads empties tgid's cache and closes its pidfds.
func (s *supervisor) forgetThreads() {
	for _, t := range s.tgids {
		if t.pidfd >= 0 {
			unix.Close(t.pidfd)
		}
	}
	clear(s.tgids)
	s.pidfds = 0
}

// killHow says why the supervisor ended a process.
type killHow uint8

const (
	killAction killHow = iota // a kill action: SIGKILL, reported as SIGSYS
	trapSignal                // a trap: SIGSYS sent, its default action ends the process
	trapFatal                 // a trap while SIGSYS was blocked or ignored: SIGKILL, reported as SIGSYS
)

// noteKill remembers that the supervisor ended process pid for a kill
// (or trap) action in call.
func (r *Run) noteKill(pid int, call string, how killHow) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if pid != r.pid {
		return
	}
	switch {
	case how == trapSignal:
		r.end.trappedIn = call
	case r.end.killedIn == "":
		r.end.killedIn, r.end.killedByTrap = call, how == trapFatal
	}
}
