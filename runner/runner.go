// Package runner runs a command under a compiled seccomp profile and
// reports what the filter did.
//
// The pipeline of one run:
//
//	Start ── fork shim, then compile + verify ── shim: new PID + mount (+ user) namespaces,
//	         (parent) while the shim starts       │ setsid, pdeathsig; spec over fd 3
//	                                              ▼
//	          shim = the target's init (PID 1, not dumpable): own /proc, resolve
//	          program, chdir ── fork ──▶ child: signals reset, capabilities dropped,
//	                                     pid over the handoff socket (fd 5),
//	                                     no_new_privs ── seccomp(2)
//	                                          │ listener fd over SCM_RIGHTS (fd 5)
//	                                          ▼ execve (status pipe fd 4 closes)
//	target ──(denied calls)──▶ listener ──▶ supervisor (locked thread, raw ioctls)
//	   │ stdout/stderr pipes                      │ rows (coalesced)
//	   ▼                                          ▼
//	readers ──▶ ring buffer + pending batch ──▶ pump ──▶ Events() channel
//	init: forwards signals, reaps; target ends ── kill the tree ── wait status (fd 6) ── exit
//	waiter: waitid(init) ── exit record ── reap ── finisher ── Verdict
//
// In enforce mode there is no listener: the filter is the production one
// and the verdict comes from the exit status.
//
// In audit mode the filter is watch's, but the supervisor continues every
// call: what the profile would deny, kill or trap is reported as such
// (WouldDeny events, Verdict.WouldDeny) and runs, so the verdict is the
// command's as if unfiltered.
//
// Processes: the shim is the target's init (see shim_init.c). When the
// target's main process ends — or on Stop, timeout or a cancelled context
// (SIGTERM to the target first, SIGKILL to the whole tree after
// Config.Grace) — every other process of the run is killed: as PID 1 of
// its namespace by the kernel, otherwise by the init, a child subreaper.
// If the workbench dies, the init gets SIGKILL (parent-death signal), and
// with it, isolated, every process of the run. Isolation and its limits
// are in isolate.go.
package runner

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/progcache"
)

// Tuning constants, all in one place.
const (
	// OutputBatchLines and OutputBatchDelay bound an Output event: it is
	// sent when this many lines are pending or the oldest pending byte is
	// this old, whichever comes first.
	OutputBatchLines = 256
	OutputBatchDelay = 30 * time.Millisecond
	// DenialUpdateEvery limits count updates of one denial row.
	DenialUpdateEvery = 100 * time.Millisecond
	// DefaultOutputLimit is the bytes of output kept per stream.
	DefaultOutputLimit = 1 << 20
	// DefaultGrace is the time between SIGTERM and SIGKILL on Stop and
	// timeout.
	DefaultGrace = 2 * time.Second

	outputBatchBytes = 64 << 10  // one Output event at most
	maxPending       = 256 << 10 // per stream, waiting for the pump
	dropAfter        = 50 * time.Millisecond
	readChunk        = 64 << 10
	eventBuffer      = 64
	reservedSlots    = 2 // Exited and Verdict always fit
	drainWait        = 500 * time.Millisecond
	abandonAfter     = 500 * time.Millisecond
	maxRows          = 4096
	cleanupLimit     = 3 * time.Second
)

// Mode selects how a run uses the profile.
type Mode string

const (
	// ModeWatch applies the profile's outcomes but routes every non-allow
	// outcome through the supervisor, which reports it and then carries
	// it out.
	ModeWatch Mode = "watch"
	// ModeEnforce loads the filter exactly as production would.
	ModeEnforce Mode = "enforce"
	// ModeRecord lets every call through and counts it; Recorded then
	// returns a minimal profile.
	ModeRecord Mode = "record"
	// ModeLearn asks Config.Ask about each undecided syscall.
	ModeLearn Mode = "learn"
	// ModeAudit loads the watch filter but lets every call run, as if
	// there were no filter: each call the profile would not have let
	// through is reported (WouldDeny events, Verdict.WouldDeny) with the
	// outcome it would have had, and nothing is denied, killed or
	// trapped. It is for trying a profile on a live workload without
	// breaking it; a run in this mode proves nothing about the profile's
	// enforcement.
	ModeAudit Mode = "audit"
)

// ParseMode accepts watch, enforce, audit, record or learn ("" is watch).
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "":
		return ModeWatch, nil
	case ModeWatch, ModeEnforce, ModeAudit, ModeRecord, ModeLearn:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown mode %q: use watch, enforce, audit, record or learn", s)
}

func (m Mode) notifies() bool { return m != ModeEnforce }

// filter is the variant of the filter a run in mode m loads: learn
// records every call, as record does, and decides them itself; audit
// loads watch's filter (every outcome that is not allow is notified) and
// the supervisor continues each call.
func (m Mode) filter() profile.Variant {
	switch m {
	case ModeWatch, ModeAudit:
		return profile.VariantWatch
	case ModeRecord, ModeLearn:
		return profile.VariantRecord
	}
	return profile.VariantEnforce
}

// Question is what learn mode asks about a call whose syscall the user
// has not decided yet.
type Question struct {
	Pid, Tid int
	Arch     catalog.Arch
	Nr       int64
	Syscall  string
	Args     [6]uint64
	ArgText  string
	// Profile is what the profile itself would do with the call.
	Profile profile.Decision
	// Cancel is closed when the run is being stopped; Ask should return
	// promptly then (its answer is ignored).
	Cancel <-chan struct{}
}

// Config describes one run.
type Config struct {
	// Effective is the profile to apply. In record mode it is the base to
	// merge the recording onto, or nil for none.
	Effective *profile.Effective
	Mode      Mode
	Argv      []string
	Dir       string
	Env       []string      // nil = os.Environ()
	Timeout   time.Duration // 0 = none
	Stdin     io.Reader     // nil = /dev/null
	// OutputLimit is the bytes of output kept per stream for Output();
	// 0 = DefaultOutputLimit, negative = none (a caller that reads the
	// Output events and never Output saves a copy of every byte).
	OutputLimit int
	// Stdout and Stderr, when set, receive the target's output directly
	// (an *os.File is handed to the target as is) instead of Output events.
	Stdout, Stderr io.Writer
	// LosslessOutput makes the readers stop reading (so the target blocks
	// on write) instead of dropping output when the events fall behind.
	LosslessOutput bool
	// Grace is the time between SIGTERM and SIGKILL; 0 = DefaultGrace.
	Grace time.Duration
	// Ask decides, in learn mode, a call whose syscall Undecided reports;
	// the answer holds for every later call of that syscall in the run (a
	// Decision with no Action means "as the profile says"). The supervisor
	// waits for it; the target's call waits too.
	Ask func(Question) profile.Decision
	// Undecided reports whether learn mode should ask about a syscall;
	// it is asked once per syscall name and run.
	Undecided func(syscall string) bool
	// OnDenial, when set, is called by the supervisor for the first call
	// of each new denial row, before the call returns to the target — so
	// a line printed there comes before whatever the target writes about
	// the failure. It must be quick; the target waits. In audit mode
	// d.Audit is set: the call runs, d.Outcome is what it would have got.
	OnDenial func(d Denial, logged bool)
	// Shim is the argv prefix that runs the shim; nil = StaticShim beside
	// os.Executable() when it is there (make build puts it there), else
	// os.Executable() itself, each followed by ShimArg.
	Shim []string
	// Isolate says whether the target gets namespaces of its own
	// ("" = IsolateAuto).
	Isolate Isolation
	// Caps are the capabilities a root target keeps (its bounding,
	// permitted and effective sets); nil = the set Effective was resolved
	// for (Docker's default set unless chosen otherwise). An unprivileged
	// target has none whatever this says.
	Caps []string
	// AllowUnknown lets a profile whose rules name syscalls unknown on all
	// of its ABIs run anyway (otherwise Start refuses it, as check does).
	AllowUnknown bool
	// Programs, when set, is the cache of verified programs the filter
	// is taken from when it was built and proven before (enforce mode;
	// the other modes' filters hold the run's secret and are built each
	// time). nil compiles and verifies every time.
	Programs *progcache.Cache
	// Terminal, when set, is a terminal (a pty's slave side) that becomes
	// the target's stdin, stdout, stderr and controlling terminal, with the
	// target as its foreground process group; Stdin, Stdout and Stderr are
	// then unused. The caller owns the master side.
	Terminal *os.File
	// Hold, when set, holds the target back until it is closed: the
	// filter is built and the shim started meanwhile, and the target is
	// forked only after (run finishes catching its signals so, in
	// parallel with the launch). Start returns once it is closed, or
	// with ctx's error when ctx ends first.
	Hold <-chan struct{}
	// RecordNamesOnly: a recording allows whole syscalls, with no
	// argument rules (record --names-only).
	RecordNamesOnly bool
	// Engine is how record mode observes calls ("" = EngineAuto).
	Engine Engine
}

// Isolation selects how far a run is kept apart from the workbench.
type Isolation string

const (
	// IsolateAuto runs the target in its own PID and mount namespace with
	// its own /proc (and, when the workbench is unprivileged, in a user
	// namespace that maps only the user's own ids) where the kernel allows
	// it, and without them where it does not; Started says which.
	IsolateAuto Isolation = "auto"
	// IsolateNone shares the workbench's namespaces.
	IsolateNone Isolation = "none"
)

// ParseIsolation accepts auto or none ("" is auto).
func ParseIsolation(s string) (Isolation, error) {
	switch Isolation(s) {
	case "", IsolateAuto:
		return IsolateAuto, nil
	case IsolateNone:
		return IsolateNone, nil
	}
	return "", fmt.Errorf("unknown isolation %q: use auto or none", s)
}

// Run is a started command. Read Events until it is closed, or call Stop:
// a run whose events are never read keeps its event pump waiting.
type Run struct {
	p      *prepared
	cfg    Config
	mode   Mode
	events chan Event
	begin  time.Time

	cmd *exec.Cmd // the shim: the target's init
	pid int       // the target's main process (guarded by mu)
	iso isolation // what the launch got
	// launchDone marks the run's target gone (false) and its init reaped
	// (true) in the record of live launches.
	launchDone func(initReaped bool)
	// ctl asks the init to kill the tree; exitR carries its report of the
	// target's wait status.
	ctl, exitR *os.File

	stopCh       chan struct{} // closed to request termination
	stopOnce     sync.Once
	supQuit      chan struct{} // closed to end the supervisor loop
	launcherDone chan struct{}
	waiterDone   chan struct{}
	readersDone  chan struct{}
	doneCh       chan struct{} // everything gone, verdict known
	finalCh      chan struct{} // the verdict and the results are final
	reapedCh     chan struct{} // the init is reaped (or there was none)

	// reaped is set by the waiter, under reapMu, just before it reaps the
	// target; signals by session are sent under reapMu and only before.
	reapMu sync.Mutex
	reaped bool
	// initReady is set, under reapMu, once the init has forked the
	// target; signals sent before wait in early (see Run.signal).
	initReady bool
	early     []syscall.Signal

	// closers are parent-side fds to close when the run ends.
	closers []io.Closer
	readers []*os.File

	mu   sync.Mutex // guards everything below
	wake chan struct{}
	end  ending
	// pump state
	startEv   *Started // queued, not yet sent
	startSent bool
	rows      []*row
	rowIndex  map[rowKey]int
	dirtyRows int
	streams   [2]*outStream
	finishing bool
	finals    []Event
	stopAt    time.Time // when Stop was requested (abandon clock)
	fullSince time.Time
	abandoned bool
	// results
	verdict       Verdict
	recorded      *profile.Profile
	recordedNames []string
	recordedNotes []string
	rec           *recording
	resent        int // calls the supervisor recognised as re-sent
}

// prepared is a compiled run, ready to launch.
type prepared struct {
	cfg        Config
	mode       Mode
	eff        *profile.Effective // what decides outcomes (record: the base, maybe nil)
	prog       *compile.Program   // the filter; made by build
	filterEff  *profile.Effective
	opts       profile.Options
	buildOnce  sync.Once
	buildErr   error
	store      func() // writes the program's cache entry (storeProgram)
	magic      [3]uint64
	flags      uint
	execDenied string
	iso        isolation // what to ask for
	isoAuto    bool      // fall back to none when the kernel refuses
	caps       []string  // what a privileged target keeps
	// auditExec: in audit mode, the profile would deny execve (the
	// target runs anyway; the verdict says so).
	auditExec string
	engine    Engine // record mode: notify or ebpf
	engineWhy string
	bpf       *ebpfRecorder // the eBPF engine's programs, or nil
	// Test knobs.
	noKillableWait bool
	replyDelay     time.Duration
}

// Start launches the command under the filter for cfg: the shim (the
// target's init) is started first, and the filter is compiled and
// verified while it starts; nothing of the target runs before the shim
// has the verified filter. Errors are about the configuration or the
// workbench itself; a command that cannot start (not found, not
// executable, execve denied) still returns a Run whose Verdict says so.
func Start(ctx context.Context, cfg Config) (*Run, error) {
	p, err := prepare(cfg)
	if err != nil {
		return nil, err
	}
	return p.start(ctx)
}

func prepare(cfg Config) (*prepared, error) {
	mode, err := ParseMode(string(cfg.Mode))
	if err != nil {
		return nil, err
	}
	if len(cfg.Argv) == 0 || cfg.Argv[0] == "" {
		return nil, errors.New("no command to run: give the program and its arguments")
	}
	if cfg.Effective == nil && mode != ModeRecord {
		return nil, fmt.Errorf("%s mode needs a profile", mode)
	}
	if !cfg.AllowUnknown {
		if err := checkUnknown(cfg.Effective); err != nil {
			return nil, err
		}
	}
	if mode == ModeLearn && (cfg.Ask == nil || cfg.Undecided == nil) {
		return nil, errors.New("learn mode needs Config.Ask and Config.Undecided")
	}
	if cfg.Dir != "" {
		if st, err := os.Stat(cfg.Dir); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("working directory %s does not exist or is not a directory", cfg.Dir)
		}
	}
	if cfg.Env == nil {
		cfg.Env = os.Environ()
	}
	if cfg.OutputLimit == 0 {
		cfg.OutputLimit = DefaultOutputLimit
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if len(cfg.Shim) == 0 {
		exe, err := os.Executable()
		if err != nil {
			return nil, fmt.Errorf("finding the workbench binary to run the shim: %w", err)
		}
		cfg.Shim = defaultShim(exe)
	}
	iso, err := ParseIsolation(string(cfg.Isolate))
	if err != nil {
		return nil, err
	}
	p := &prepared{cfg: cfg, mode: mode, eff: cfg.Effective, iso: chooseIsolation(iso), isoAuto: iso == IsolateAuto}
	switch {
	case cfg.Caps != nil:
		p.caps = cfg.Caps
	case cfg.Effective != nil:
		p.caps = cfg.Effective.Env.Caps
	default:
		p.caps = profile.DockerDefaultCaps()
	}
	native := profile.NativeArch()
	// Kernel rule: getrandom of up to 256 bytes returns them all once the
	// pool is initialized, and no signal interrupts it. crypto/rand would
	// set up the vDSO's getrandom state on its first read (an mmap and
	// its page faults: 0.07 ms of a warm launch in perf profiles), for
	// the one draw a run makes.
	var buf [24]byte
	if n, err := unix.Getrandom(buf[:], 0); err != nil || n != len(buf) {
		return nil, fmt.Errorf("drawing the run's secret: getrandom gave %d of %d bytes (%v)", n, len(buf), err)
	}
	for i := range p.magic {
		p.magic[i] = binary.LittleEndian.Uint64(buf[8*i:])
	}
	filterEff := cfg.Effective
	opts := profile.Options{Variant: mode.filter()}
	if opts.Variant == profile.VariantRecord {
		filterEff = recordEffective(cfg.Effective)
	}
	if mode.notifies() {
		opts.Exempt = &profile.Exemption{Arch: native, HandoffFD: shimHandoffFD, Magic: p.magic}
	}
	// A profile that denies execve outright cannot start anything; say so
	// rather than launch (the shim's exempt execve would pass in watch
	// mode). Rules with argument conditions on execve cannot be judged
	// before the call, so the kernel decides those.
	if (mode == ModeWatch || mode == ModeEnforce || mode == ModeAudit) && !argRuleNames(cfg.Effective)["execve"] {
		if d, ok := cfg.Effective.DecideName(native, "execve", [6]uint64{}, profile.Options{Variant: profile.VariantEnforce}); ok && !lets(d) {
			if mode == ModeAudit {
				// The shim's execve is exempt; audit lets the target
				// start and says what the profile would have done.
				p.auditExec = fmt.Sprintf("audit mode: the profile would deny execve (%s), so under it the command could not start", outcomeWords(d))
			} else {
				p.execDenied = fmt.Sprintf("the profile denies execve (%s), so the target could not start", outcomeWords(d))
			}
		}
	}
	if filterEff.Source != nil {
		p.flags = filterFlags(filterEff.Source.Flags)
	}
	if p.engine, p.engineWhy, p.bpf, err = chooseEngine(cfg.Engine, mode, p.caps, cfg.Effective, cfg.RecordNamesOnly); err != nil {
		return nil, err
	}
	if p.bpf != nil {
		if p.prog, err = ebpfFilter(ebpfFilterCalls(cfg.RecordNamesOnly)); err != nil {
			p.bpf.close()
			return nil, err
		}
	}
	p.filterEff, p.opts = filterEff, opts
	return p, nil
}

// build compiles and verifies the filter, through the program cache,
// once per prepared run (the eBPF engine's filter is fixed, made above).
// A program new to the cache is written by storeProgram (or else by the
// cache's Close).
func (p *prepared) build() error {
	p.buildOnce.Do(func() {
		if p.prog != nil {
			return
		}
		prog, _, store, err := p.cfg.Programs.BuildDeferred(p.filterEff, p.opts)
		p.store = store
		if err != nil {
			p.buildErr = fmt.Errorf("compiling the filter: %w", err)
			return
		}
		p.prog = prog
	})
	return p.buildErr
}

// storeProgram writes, in the background, the cache entry of the program
// build made, if there is one to write: a launch calls it once the shim
// has the spec. Written sooner, on a run that keeps to one CPU
// (launch_cpu.go), it came first: the goroutine went to the runtime's
// next slot and ran as soon as the launch waited for its signals, and
// its directory and file (new inodes, 0.3-0.5 ms in ftrace timelines)
// were made before the spec went out. The run's Config.Programs.Close
// waits for it.
func (p *prepared) storeProgram() {
	if s := p.store; s != nil {
		p.store = nil
		go s()
	}
}

// argRuleNames lists the syscalls some rule of e puts argument conditions
// on: their outcome depends on the call's arguments, so it cannot be
// judged (or cached) by syscall alone. A nil e has none.
func argRuleNames(e *profile.Effective) map[string]bool {
	if e == nil {
		return map[string]bool{}
	}
	return e.ArgNames()
}

// decider gives the profile's own (enforce-mode) outcome for calls,
// cached by ABI and number for the syscalls whose outcome does not depend
// on the arguments.
type decider struct {
	eff      *profile.Effective
	argRules map[string]bool
	cache    map[archNr]profile.Decision
	// last is the entry of cache used last: a loop of one call, the common
	// case, then costs a comparison instead of hashing its ABI's name.
	last    archNr
	lastOut profile.Decision
	hasLast bool
}

func newDecider(e *profile.Effective) *decider {
	return &decider{eff: e, argRules: argRuleNames(e), cache: map[archNr]profile.Decision{}}
}

func (d *decider) decide(arch catalog.Arch, nr int64, args [6]uint64) profile.Decision {
	k := archNr{arch, nr}
	if d.hasLast && d.last == k {
		return d.lastOut
	}
	out, ok := d.cache[k]
	if !ok {
		out = d.eff.Decide(arch, nr, args, profile.Options{Variant: profile.VariantEnforce})
		if d.argRules[out.Syscall] {
			return out
		}
		d.cache[k] = out
	}
	d.last, d.lastOut, d.hasLast = k, out, true
	return out
}

// lets reports whether an outcome lets the call run.
func lets(d profile.Decision) bool {
	return d.Action.LetsThrough()
}

// outcomeWords renders an outcome for messages: "errno EPERM", "kill_process".
func outcomeWords(d profile.Decision) string {
	if d.Action == profile.ActErrno {
		return "errno " + profile.ErrnoName(d.Errno)
	}
	return d.String()
}

// filterFlags maps a profile's "flags" to seccomp(2) flags. TSYNC is not
// needed: the shim's filter thread is the one that execve's.
func filterFlags(names []string) uint {
	var f uint
	for _, n := range names {
		switch n {
		case "SECCOMP_FILTER_FLAG_LOG":
			f |= unix.SECCOMP_FILTER_FLAG_LOG
		case "SECCOMP_FILTER_FLAG_SPEC_ALLOW":
			f |= unix.SECCOMP_FILTER_FLAG_SPEC_ALLOW
		}
	}
	return f
}

// recordEffective is what record mode compiles: every ABI of the host (so
// a 32-bit call is recorded, not killed as a foreign ABI), whatever the
// base lists.
func recordEffective(base *profile.Effective) *profile.Effective {
	var e profile.Effective
	if base != nil {
		e = *base
	} else {
		p := &profile.Profile{DefaultAction: profile.ActAllow}
		e = *p.Effective(profile.HostEnv())
	}
	seen := map[catalog.Arch]bool{}
	var arches []catalog.Arch
	for _, a := range append(profile.NativeArch().WithCompanions(), e.Arches...) {
		if !seen[a] {
			seen[a] = true
			arches = append(arches, a)
		}
	}
	e.Arches = arches
	return &e
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}

// Events returns the run's event channel. It is closed after the Verdict.
func (r *Run) Events() <-chan Event { return r.events }

// Pid is the target's process id (0 when it never started).
func (r *Run) Pid() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.pid
}

// Stop ends the run: SIGTERM to the target's whole session, SIGKILL after
// the grace period. It returns once every process of the session is gone
// and the supervisor has exited. It is safe to call more than once and
// after the run ended.
func (r *Run) Stop() {
	r.requestStop()
	<-r.doneCh
}

// Wait blocks until the run is over and returns its verdict.
func (r *Run) Wait() Verdict {
	<-r.doneCh
	return r.verdict
}

// Done is closed when the run is over (Wait would not block).
func (r *Run) Done() <-chan struct{} { return r.doneCh }

// over reports whether the run has ended (its results are final). They
// are once the verdict is made, which is when the events end; the init
// may still be exiting, so this is not Done.
func (r *Run) over() bool {
	select {
	case <-r.finalCh:
		return true
	default:
		return false
	}
}

// Recorded is the minimal profile of a finished record-mode run: deny by
// default with EPERM, the ABIs seen, and an allow rule for every syscall
// used, with argument rules for the calls whose risk an argument decides
// (runner/record_args.go; not with Config.RecordNamesOnly), merged onto
// the base profile when Config.Effective was set. It
// is nil in the other modes, before the run ends, and when the command
// did not start.
func (r *Run) Recorded() *profile.Profile {
	if !r.over() {
		return nil
	}
	return r.recorded
}

// RecordedNames lists the syscalls the recorded profile allows that its
// base did not (every syscall used, without a base), sorted.
func (r *Run) RecordedNames() []string {
	if !r.over() {
		return nil
	}
	return slices.Clone(r.recordedNames)
}

// RecordedNotes says, for each recorded call whose arguments matter, how
// the recorded profile holds them ("socket is allowed only as
// socket(AF_UNIX, SOCK_STREAM)") or why it allows the call whole.
func (r *Run) RecordedNotes() []string {
	if !r.over() {
		return nil
	}
	return slices.Clone(r.recordedNotes)
}

// Counts returns, after a record or learn run, how often each syscall was
// called, keyed "name/arch" (for example "openat/x86_64"). The initial
// execve of the target counts once. It is nil in other modes and while
// the run is going.
func (r *Run) Counts() map[string]int {
	if !r.over() || r.rec == nil {
		return nil
	}
	return r.rec.countMap()
}

// Syscalls is Counts as a list, most called first.
func (r *Run) Syscalls() []SyscallCount {
	if !r.over() || r.rec == nil {
		return nil
	}
	return r.rec.list()
}

// Output returns the last Config.OutputLimit bytes the target wrote on a
// stream (nothing for a stream sent to Config.Stdout or Stderr).
func (r *Run) Output(s Stream) []byte {
	if s != Stdout && s != Stderr {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.streams[s-1].ring.bytes()
}

// Signal forwards sig to the target's main process (not to the rest of
// its tree: a shell forwards job-control signals itself). It does nothing
// once the target has ended.
//
// The signal goes through the target's init, which forwards whatever it
// can catch: SIGSTOP cannot be forwarded (send SIGTSTP), and SIGKILL ends
// the whole run.
func (r *Run) Signal(sig syscall.Signal) {
	r.signal(sig)
}
