package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
	"github.com/seccomp-workbench/seccomp-workbench/profile/progcache"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

func newRunCmd() *cobra.Command {
	var (
		profileArg   string
		mode         string
		capsArg      string
		isolate      string
		timeout      time.Duration
		asJSON       bool
		allowUnknown bool
		failOnDenial bool
		noCache      bool
	)
	cmd := &cobra.Command{
		Use:   "run --profile PROFILE [--mode watch|enforce|audit] [--caps C] [--isolate auto|none] [--timeout D] [--fail-on-denial] [--allow-unknown] [--no-cache] [--json] -- CMD [ARG...]",
		Short: "Run a command under a profile and report what the filter denied",
		Long: `Run a command under exactly the filter a profile compiles to, and report
each denied call (with its decoded arguments) and a verdict.

Modes: watch (default) applies the profile's outcomes and reports every
call it does not allow; enforce loads the filter exactly as production
would, and judges by the exit status alone; audit denies nothing: every
call runs as if there were no filter, and each one the profile would
have denied, killed or trapped is reported ("would deny", with its
arguments and the outcome it would have had), so a new profile can be
tried on a live workload without breaking it. An audit run proves
nothing about enforcement: its verdict is the command's own, plus the
list of what would have been denied. Calls the profile logs
(SCMP_ACT_LOG) are reported as logged in watch and audit mode alike.

The profile is resolved for the capability set --caps names (docker:
Docker's default set, the default; all; none; or a list such as
CAP_NET_ADMIN,CAP_SYS_PTRACE), and a target run as root keeps only those
capabilities. --isolate auto (the default) runs the target in PID and
mount namespaces of its own where the kernel allows it; none shares the
workbench's.

A profile whose rules name a syscall that exists on none of the ABIs is
refused (check reports the same names), unless --allow-unknown is given.

The command's output passes through. Each denial is printed to stderr as
one line, and a summary line ends the run. With --json, stdout carries
JSON Lines events only (started, output, denied, logged, exited, verdict;
in audit mode would_deny instead of denied, and the verdict's would_deny);
an output event whose bytes are not valid UTF-8 carries them exactly in
data_b64 (base64) beside data.

On a terminal (stdin and stdout), the command gets a terminal of its own,
as with docker run -it: ctrl-c, ctrl-z, window sizes and /dev/tty work
inside it. SIGINT, SIGTERM and SIGHUP to the workbench are passed to the
command (a third SIGINT stops it); ctrl-z suspends the whole run.

Exit status: the command's own; 128+N when signal N ended it (a seccomp
kill is SIGSYS: 159); 125 when the workbench failed (also when it can no
longer write its own output, a closed pipe: the command is stopped); 126
when the command cannot be executed (or the profile denies execve); 127
when it is not found. With --fail-on-denial, 1 when calls were denied (in
audit mode: would have been denied) but the command otherwise succeeded.

In enforce mode a filter built and verified before is taken from the
program cache ($XDG_CACHE_HOME/seccomp-workbench, else
~/.cache/seccomp-workbench); --no-cache or SECCOMP_WORKBENCH_CACHE=off
builds it afresh, SECCOMP_WORKBENCH_CACHE=verbose says what the cache did.`,
		Example: `  seccomp-workbench run --profile preset:docker-default -- ls /
  seccomp-workbench run --profile my.json --mode enforce --timeout 5s -- ./server --selftest
  seccomp-workbench run --profile my.json --fail-on-denial --caps none -- ./ci-job.sh
  seccomp-workbench run --profile new.json --mode audit -- ./server --selftest`,
		Args: needCommand("run --profile preset:docker-default -- ls /"),
		RunE: func(cmd *cobra.Command, args []string) error {
			runner.Warm()
			if profileArg == "" {
				return usagef("run: --profile is required: a profile file or preset:NAME")
			}
			m, err := runner.ParseMode(mode)
			if err != nil || (m != runner.ModeWatch && m != runner.ModeEnforce && m != runner.ModeAudit) {
				return usagef("run: --mode %q: use watch, enforce or audit (recording has its own command: seccomp-workbench record)", mode)
			}
			if timeout < 0 {
				return usagef("run: --timeout %v: give a positive duration such as 5s", timeout)
			}
			caps, err := profile.ParseCaps(capsArg)
			if err != nil {
				return usagef("run: %v", err)
			}
			iso, err := runner.ParseIsolation(isolate)
			if err != nil {
				return usagef("run: --isolate: %v", err)
			}
			if failOnDenial && m == runner.ModeEnforce {
				// The production filter answers denied calls itself; no
				// one sees them, so the flag could never fire.
				return usagef("run: --fail-on-denial needs watch or audit mode: in enforce mode the workbench does not see denied calls")
			}
			p, err := openProfile(cmd.ErrOrStderr(), profileArg)
			if err != nil {
				return exitError{exitRunFail, err.Error()}
			}
			env := profile.HostEnv()
			env.Caps = caps
			return runCommand(cmd, runConfig{
				eff: p.Effective(env), mode: m, caps: caps, isolate: iso, timeout: timeout, json: asJSON,
				allowUnknown: allowUnknown, failOnDenial: failOnDenial, argv: args, noCache: noCache,
			})
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags after the command belong to it
	f.StringVarP(&profileArg, "profile", "p", "", "profile file or preset:NAME (required)")
	f.StringVar(&mode, "mode", "watch", "watch, enforce or audit (nothing is denied: reports what would be)")
	f.StringVar(&capsArg, "caps", "docker", "capabilities the profile is resolved for and a root target keeps: docker, all, none or CAP_X,CAP_Y,...")
	f.StringVar(&isolate, "isolate", "auto", "auto: own PID and mount namespaces where the kernel allows; none: share the workbench's")
	f.DurationVar(&timeout, "timeout", 0, "stop the command after this long (SIGTERM, then SIGKILL 2s later)")
	f.BoolVar(&asJSON, "json", false, "print JSON Lines events on stdout instead of the command's output")
	f.BoolVar(&allowUnknown, "allow-unknown", false, "run a profile whose rules name syscalls that exist on no ABI (their rules are left out)")
	f.BoolVar(&failOnDenial, "fail-on-denial", false, "exit 1 when calls were denied (audit: would be) and the command otherwise succeeded (watch or audit mode)")
	f.BoolVar(&noCache, "no-cache", false, "compile and verify the filter even when the program cache has it")
	_ = cmd.RegisterFlagCompletionFunc("mode", completeWords([]string{"watch", "enforce", "audit"}))
	_ = cmd.RegisterFlagCompletionFunc("isolate", completeWords([]string{"auto", "none"}))
	_ = cmd.RegisterFlagCompletionFunc("caps", completeWords(append([]string{"docker", "all", "none"}, profile.AllCaps()...)))
	return cmd
}

// needCommand requires the command to run after the flags; example
// shows a whole command line.
func needCommand(example string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usagef("%s: no command given: put it after --, for example: %s", cmd.Name(), example)
		}
		return nil
	}
}

// interruptContext is cancelled by SIGINT, SIGTERM or SIGHUP: the runner
// then stops the command and everything it started, and the workbench
// still reports the verdict instead of dying with the signal.
func interruptContext() (context.Context, context.CancelFunc) {
	return signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
}

type runConfig struct {
	eff          *profile.Effective
	mode         runner.Mode
	caps         []string
	isolate      runner.Isolation
	timeout      time.Duration
	json         bool
	allowUnknown bool
	failOnDenial bool
	noCache      bool
	argv         []string
}

// ownOutput is a stream the workbench itself writes to during a run (the
// events, denial lines, the summary, and the target's output when the
// stream is not a file the target can be given). Writes are serialised.
// The first write error — a closed pipe, a full disk — is kept, later
// writes are dropped, and fail is called once, so that the run is stopped
// rather than going on with no one to tell.
type ownOutput struct {
	mu   sync.Mutex
	w    io.Writer
	name string
	err  error
	fail func()
}

func (o *ownOutput) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err != nil {
		o.err = err
		if o.fail != nil {
			o.fail()
		}
	}
	return n, err
}

// failed is the first write error, as a one-line reason (nil if none).
func (o *ownOutput) failed() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.err == nil {
		return nil
	}
	return fmt.Errorf("cannot write to %s (%v)", o.name, o.err)
}

// passThrough returns what the target gets for a stream: the stream
// itself when it is a file (so the target writes to it directly, and a
// closed pipe is the target's own business, as in a shell pipeline), else
// own, through which the workbench copies the output.
func passThrough(w io.Writer, own *ownOutput) io.Writer {
	if f, ok := w.(*os.File); ok {
		return f
	}
	return own
}

// catchSIGPIPE stops Go from killing the workbench when it writes to a
// closed pipe on fd 1 or 2: the write returns EPIPE instead, and the run
// ends with a verdict and exit status 125. It holds until the process
// exits, since the last message is written after the command returns.
// The signal is caught, not ignored: an ignored signal stays ignored
// across execve, and the target must get the default disposition.
func catchSIGPIPE() {
	signal.Notify(make(chan os.Signal, 1), syscall.SIGPIPE)
}

func runCommand(cmd *cobra.Command, rc runConfig) error {
	catchSIGPIPE()
	// Signals are forwarded to the target (run_tty.go); the context ends
	// the run only when the workbench cannot write its own output.
	ctx, abort := context.WithCancel(context.Background())
	defer abort()
	att := attach(cmd, rc.json) // a terminal of its own, signals forwarded: run_tty.go
	defer att.close()
	stdout := &ownOutput{w: cmd.OutOrStdout(), name: "stdout", fail: abort}
	stderrOwn := &ownOutput{w: cmd.ErrOrStderr(), name: "stderr", fail: abort}
	stderr := att.stderr(stderrOwn)
	cfg := runner.Config{
		Effective: rc.eff, Mode: rc.mode, Argv: rc.argv, Timeout: rc.timeout, Stdin: cmd.InOrStdin(),
		Caps: rc.caps, Isolate: rc.isolate, AllowUnknown: rc.allowUnknown,
	}
	if !rc.noCache {
		cfg.Programs = progcache.FromEnv(func(msg string) { fmt.Fprintln(stderr, "seccomp-workbench: "+msg) })
		defer cfg.Programs.Close()
	}
	color := colorEnabled(cmd.ErrOrStderr())
	if rc.json {
		// Every byte goes out as an Output event; nothing reads Output().
		cfg.LosslessOutput, cfg.OutputLimit = true, -1
	} else {
		cfg.Stdout, cfg.Stderr = passThrough(stdout.w, stdout), passThrough(stderrOwn.w, stderrOwn)
		// Printed before the call returns, so each line precedes the
		// command's own complaint about the failure.
		cfg.OnDenial = func(d runner.Denial, logged bool) {
			fmt.Fprintln(stderr, denialLine(d, logged, color))
		}
	}
	if rc.allowUnknown {
		// Without --allow-unknown the runner refuses such a profile.
		if fs := lint.UnknownSyscalls(rc.eff); len(fs) > 0 {
			// Suspicious but asked for: say what the filter leaves out.
			fmt.Fprintln(stderr, "seccomp-workbench: warning:", (&runner.UnknownSyscallsError{Findings: fs}).Error())
		}
	}
	if rc.mode == runner.ModeAudit && !rc.json {
		// The command runs as if unfiltered: say so before anything else.
		fmt.Fprintln(stderr, "seccomp-workbench: audit mode: nothing is denied; calls the profile would deny are reported and run")
	}
	r, err := att.start(ctx, cfg)
	if err != nil {
		var unknown *runner.UnknownSyscallsError
		if errors.As(err, &unknown) {
			unknown.Override = "--allow-unknown"
		}
		return exitError{exitRunFail, err.Error()}
	}
	var v runner.Verdict
	if rc.json {
		v = jsonEvents(r, stdout)
	} else {
		v = textEvents(r, stderr, color)
	}
	for _, o := range []*ownOutput{stdout, stderrOwn} {
		if err := o.failed(); err != nil {
			// The verdict could not be (fully) told.
			msg := err.Error()
			if v.Stopped {
				msg += ": the command was stopped"
			}
			return exitError{exitRunFail, msg}
		}
	}
	if rc.failOnDenial && v.ExitCode == 0 && (len(v.Denied) > 0 || len(v.WouldDeny) > 0) {
		return exitError{exitFailed, ""}
	}
	if v.ExitCode != 0 {
		return exitError{v.ExitCode, ""}
	}
	return nil
}

// textEvents follows the run: new denials were printed as they happened
// (Config.OnDenial); at the end come the totals of rows that repeated and
// the summary.
func textEvents(r *runner.Run, w io.Writer, color bool) runner.Verdict {
	rows := map[int]runner.Denial{}
	var order []int
	var v runner.Verdict
	for ev := range r.Events() {
		var d runner.Denial
		switch e := ev.(type) {
		case runner.Denied:
			d = e.Denial
		case runner.Logged:
			d = e.Denial
		case runner.WouldDeny:
			d = e.Denial
		case runner.Verdict:
			v = e
			continue
		default:
			continue
		}
		if _, seen := rows[d.ID]; !seen {
			order = append(order, d.ID)
		}
		rows[d.ID] = d
	}
	for _, id := range order {
		if d := rows[id]; d.Count > 1 {
			fmt.Fprintln(w, denialLine(d, d.Outcome.Action == profile.ActLog, color)+" (total)")
		}
	}
	fmt.Fprintln(w, summaryLine(v, rows, color))
	for _, n := range v.Notes {
		fmt.Fprintln(w, "seccomp-workbench: note: "+n)
	}
	return v
}

func denialLine(d runner.Denial, logged bool, color bool) string {
	verb := paint(color, "31", "denied")
	switch {
	case logged:
		verb = paint(color, "33", "logged")
	case d.Audit:
		verb = paint(color, "33", "audit: would deny")
	}
	arch := ""
	if d.Arch != profile.NativeArch() {
		arch = " [" + string(d.Arch) + "]"
	}
	ran := ""
	if d.Audit {
		ran = ", ran"
	}
	return fmt.Sprintf("seccomp: %s %s%s → %s%s [pid %d] x%d", verb, d.ArgText, arch, d.Outcome, ran, d.Pid, d.Count)
}

func summaryLine(v runner.Verdict, rows map[int]runner.Denial, color bool) string {
	counts := map[string]int{}
	for _, d := range rows {
		if d.Outcome.Action != profile.ActLog {
			counts[d.Syscall] += d.Count
		}
	}
	text := v.Outcome
	for _, l := range []struct {
		label string
		names []string
	}{{"denied", v.Denied}, {"answered ENOSYS (programs fall back)", v.NotImplemented}} {
		if len(l.names) == 0 {
			continue
		}
		var parts []string
		for _, n := range l.names {
			parts = append(parts, fmt.Sprintf("%s (%d)", n, counts[n]))
		}
		text += "; " + l.label + ": " + strings.Join(parts, ", ")
	}
	label := strings.ToUpper(v.Result)
	sgr := "31"
	if v.Result == runner.ResultPass {
		sgr = "32"
	}
	if v.Mode == runner.ModeAudit {
		// Nothing was denied; the verdict is the command's own.
		label = "AUDIT " + label
		text += "; " + v.AuditText()
		if v.Result == runner.ResultPass && len(v.WouldDeny) > 0 {
			sgr = "33"
		}
	}
	return "seccomp-workbench: " + paint(color, sgr, label) + ": " + text
}

// JSON Lines records of run --json (README.md, Commands); the field names
// are part of the CLI contract: scripts read them.
type jsonStarted struct {
	Type string   `json:"type"`
	Pid  int      `json:"pid"`
	Argv []string `json:"argv"`
	Mode string   `json:"mode"`
	Time string   `json:"time"`
	// Isolation says how the target is kept apart from the workbench.
	Isolation string `json:"isolation,omitempty"`
}

type jsonOutput struct {
	Type   string `json:"type"`
	Stream string `json:"stream"`
	Data   string `json:"data"`
	// DataB64 is set only when Data is not valid UTF-8: the exact bytes.
	DataB64 string `json:"data_b64,omitempty"`
	Lines   int    `json:"lines"`
	Dropped int64  `json:"dropped,omitempty"`
}

type jsonDenial struct {
	Type      string    `json:"type"`
	ID        int       `json:"id"`
	Update    bool      `json:"update"`
	Syscall   string    `json:"syscall"`
	Arch      string    `json:"arch"`
	Nr        int64     `json:"nr"`
	Pid       int       `json:"pid"`
	Tid       int       `json:"tid"`
	Args      [6]uint64 `json:"args"`
	ArgText   string    `json:"arg_text"`
	Action    string    `json:"action"`
	Errno     uint      `json:"errno"`
	ErrnoName string    `json:"errno_name,omitempty"`
	Count     int       `json:"count"`
	// Audit marks a would_deny record: the call ran, and Action and
	// Errno are what the profile would have done.
	Audit bool `json:"audit,omitempty"`
}

type jsonExited struct {
	Type     string `json:"type"`
	ExitCode int    `json:"exit_code"`
	Signal   string `json:"signal"`
	Time     string `json:"time"`
}

type jsonVerdict struct {
	Type       string   `json:"type"`
	Result     string   `json:"result"`
	ExitCode   int      `json:"exit_code"`
	Signal     string   `json:"signal"`
	Denied     []string `json:"denied"`
	ENOSYS     []string `json:"enosys"`
	Reason     string   `json:"reason"`
	Outcome    string   `json:"outcome"`
	DurationMS int64    `json:"duration_ms"`
	KilledIn   string   `json:"killed_in,omitempty"`
	Stopped    bool     `json:"stopped,omitempty"`
	// Notes: where watch mode's outcome may differ from enforce mode's.
	Notes []string `json:"notes"`
	Mode  string   `json:"mode"`
	// Audit mode only: nothing was denied; what would have been.
	Audit       bool            `json:"audit,omitempty"`
	WouldDeny   *[]string       `json:"would_deny,omitempty"`
	WouldCounts *map[string]int `json:"would_deny_counts,omitempty"`
	WouldENOSYS *[]string       `json:"would_enosys,omitempty"`
}

func denialRecord(typ string, d runner.Denial, update bool) jsonDenial {
	j := jsonDenial{
		Type: typ, ID: d.ID, Update: update, Syscall: d.Syscall, Arch: string(d.Arch), Nr: d.Nr,
		Pid: d.Pid, Tid: d.Tid, Args: d.Args, ArgText: d.ArgText, Action: d.Outcome.Action.Short(),
		Count: d.Count, Audit: d.Audit,
	}
	if d.Outcome.Action == profile.ActErrno {
		j.Errno, j.ErrnoName = d.Outcome.Errno, profile.ErrnoName(d.Outcome.Errno)
	}
	return j
}

func verdictRecord(e runner.Verdict, denied []string) jsonVerdict {
	j := jsonVerdict{Type: "verdict", Result: e.Result, ExitCode: e.ExitCode, Signal: e.Signal, Denied: denied,
		ENOSYS: append([]string{}, e.NotImplemented...), Reason: e.Reason, Outcome: e.Outcome,
		DurationMS: e.Duration.Milliseconds(), KilledIn: e.KilledIn, Stopped: e.Stopped,
		Notes: append([]string{}, e.Notes...), Mode: string(e.Mode)}
	if e.Mode == runner.ModeAudit {
		would, enosys, counts := append([]string{}, e.WouldDeny...), append([]string{}, e.WouldNotImplement...), map[string]int{}
		for n, c := range e.WouldDenyCounts {
			counts[n] = c
		}
		j.Audit, j.WouldDeny, j.WouldENOSYS, j.WouldCounts = true, &would, &enosys, &counts
	}
	return j
}

// jsonEvents writes every event as one JSON line to w. A write error
// (a closed pipe) has stopped the command (ownOutput); the events that
// follow are read and dropped.
func jsonEvents(r *runner.Run, w *ownOutput) runner.Verdict {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var v runner.Verdict
	var line []byte
	for ev := range r.Events() {
		var rec any
		switch e := ev.(type) {
		case runner.Started:
			rec = jsonStarted{"started", e.Pid, e.Argv, string(e.Mode), e.Time.Format(time.RFC3339Nano), e.Isolation}
		case runner.Output:
			if w.failed() == nil {
				line = appendOutputRecord(line[:0], e)
				_, _ = w.Write(line)
			}
		case runner.Denied:
			rec = denialRecord("denied", e.Denial, e.Update)
		case runner.Logged:
			rec = denialRecord("logged", e.Denial, e.Update)
		case runner.WouldDeny:
			// A type of its own: a reader of "denied" must not count
			// a call that ran.
			rec = denialRecord("would_deny", e.Denial, e.Update)
		case runner.Exited:
			rec = jsonExited{"exited", e.Code, e.Signal, e.Time.Format(time.RFC3339Nano)}
		case runner.Verdict:
			v = e
			denied := append([]string{}, e.Denied...)
			sort.Strings(denied)
			rec = verdictRecord(e, denied)
		}
		if rec != nil && w.failed() == nil {
			_ = enc.Encode(rec)
		}
	}
	return v
}

// outputRecord is an output event in JSON. JSON strings are Unicode, so
// encoding/json would replace each byte that is not UTF-8 with U+FFFD;
// such a batch also carries its exact bytes in data_b64.
func outputRecord(e runner.Output) jsonOutput {
	j := jsonOutput{Type: "output", Stream: e.Stream.String(), Data: e.Data, Lines: e.Lines, Dropped: e.Dropped}
	if !utf8.ValidString(e.Data) {
		j.DataB64 = base64.StdEncoding.EncodeToString([]byte(e.Data))
	}
	return j
}
