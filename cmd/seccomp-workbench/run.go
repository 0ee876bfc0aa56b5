package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

func newRunCmd() *cobra.Command {
	var (
		profileArg string
		mode       string
		timeout    time.Duration
		asJSON     bool
	)
	cmd := &cobra.Command{
		Use:   "run --profile PROFILE [--mode watch|enforce] [--timeout D] [--json] -- CMD [ARG...]",
		Short: "Run a command under a profile and report what the filter denied",
		Long: `Run a command under exactly the filter a profile compiles to, and report
each denied call (with its decoded arguments) and a verdict.

Modes: watch (default) applies the profile's outcomes and reports every
call it does not allow; enforce loads the filter exactly as production
would, and judges by the exit status alone.

The command's output passes through. Each denial is printed to stderr as
one line, and a summary line ends the run. With --json, stdout carries
JSON Lines events only (started, output, denied, logged, exited, verdict).

Exit status: the command's own; 128+N when signal N ended it (a seccomp
kill is SIGSYS: 159); 125 when the workbench failed; 126 when the command
cannot be executed (or the profile denies execve); 127 when it is not found.`,
		Example: `  seccomp-workbench run --profile preset:docker-default -- ls /
  seccomp-workbench run --profile my.json --mode enforce --timeout 5s -- ./server --selftest`,
		Args: needCommand("run --profile preset:docker-default -- ls /"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if profileArg == "" {
				return usagef("run: --profile is required: a profile file or preset:NAME")
			}
			m, err := runner.ParseMode(mode)
			if err != nil || (m != runner.ModeWatch && m != runner.ModeEnforce) {
				return usagef("run: --mode %q: use watch or enforce (recording has its own command: seccomp-workbench record)", mode)
			}
			if timeout < 0 {
				return usagef("run: --timeout %v: give a positive duration such as 5s", timeout)
			}
			p, err := profile.Open(profileArg)
			if err != nil {
				return exitError{exitRunFail, err.Error()}
			}
			return runCommand(cmd, runConfig{
				eff: p.Effective(profile.HostEnv()), mode: m, timeout: timeout, json: asJSON, argv: args,
			})
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false) // flags after the command belong to it
	f.StringVarP(&profileArg, "profile", "p", "", "profile file or preset:NAME (required)")
	f.StringVar(&mode, "mode", "watch", "watch or enforce")
	f.DurationVar(&timeout, "timeout", 0, "stop the command after this long (SIGTERM, then SIGKILL 2s later)")
	f.BoolVar(&asJSON, "json", false, "print JSON Lines events on stdout instead of the command's output")
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
	eff     *profile.Effective
	mode    runner.Mode
	timeout time.Duration
	json    bool
	argv    []string
}

// lockedWriter serialises writes from the target's copier and the
// denial lines when stderr is not a file.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// passThrough returns w itself when it is a file (handed to the target as
// is), else a writer safe to share.
func passThrough(w io.Writer) io.Writer {
	if f, ok := w.(*os.File); ok {
		return f
	}
	return &lockedWriter{w: w}
}

func runCommand(cmd *cobra.Command, rc runConfig) error {
	stdout, stderr := cmd.OutOrStdout(), passThrough(cmd.ErrOrStderr())
	cfg := runner.Config{Effective: rc.eff, Mode: rc.mode, Argv: rc.argv, Timeout: rc.timeout, Stdin: cmd.InOrStdin()}
	color := colorEnabled(cmd.ErrOrStderr())
	if rc.json {
		cfg.LosslessOutput = true
	} else {
		cfg.Stdout, cfg.Stderr = passThrough(stdout), stderr
		// Printed before the call returns, so each line precedes the
		// command's own complaint about the failure.
		cfg.OnDenial = func(d runner.Denial, logged bool) {
			fmt.Fprintln(stderr, denialLine(d, logged, color))
		}
	}
	ctx, stop := interruptContext()
	defer stop()
	r, err := runner.Start(ctx, cfg)
	if err != nil {
		return exitError{exitRunFail, err.Error()}
	}
	var v runner.Verdict
	if rc.json {
		v, err = jsonEvents(r, stdout)
	} else {
		v = textEvents(r, stderr, color)
	}
	if err != nil {
		// jsonEvents stopped the command and saw it end.
		return exitError{exitRunFail, "writing events: " + err.Error()}
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
	if logged {
		verb = paint(color, "33", "logged")
	}
	arch := ""
	if d.Arch != profile.NativeArch() {
		arch = " [" + string(d.Arch) + "]"
	}
	return fmt.Sprintf("seccomp: %s %s%s → %s [pid %d] x%d", verb, d.ArgText, arch, d.Outcome, d.Pid, d.Count)
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
	sgr := "31"
	if v.Result == runner.ResultPass {
		sgr = "32"
	}
	return "seccomp-workbench: " + paint(color, sgr, strings.ToUpper(v.Result)) + ": " + text
}

// JSON Lines records, field names per DESIGN.md's run --json contract.
type jsonStarted struct {
	Type string   `json:"type"`
	Pid  int      `json:"pid"`
	Argv []string `json:"argv"`
	Mode string   `json:"mode"`
	Time string   `json:"time"`
}

type jsonOutput struct {
	Type    string `json:"type"`
	Stream  string `json:"stream"`
	Data    string `json:"data"`
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
}

func denialRecord(typ string, d runner.Denial, update bool) jsonDenial {
	j := jsonDenial{
		Type: typ, ID: d.ID, Update: update, Syscall: d.Syscall, Arch: string(d.Arch), Nr: d.Nr,
		Pid: d.Pid, Tid: d.Tid, Args: d.Args, ArgText: d.ArgText, Action: d.Outcome.Action.Short(),
		Count: d.Count,
	}
	if d.Outcome.Action == profile.ActErrno {
		j.Errno, j.ErrnoName = d.Outcome.Errno, profile.ErrnoName(d.Outcome.Errno)
	}
	return j
}

// jsonEvents writes every event as one JSON line. A write error (a closed
// pipe) stops the command; the verdict is still returned.
func jsonEvents(r *runner.Run, w io.Writer) (runner.Verdict, error) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	var v runner.Verdict
	var werr error
	for ev := range r.Events() {
		var rec any
		switch e := ev.(type) {
		case runner.Started:
			rec = jsonStarted{"started", e.Pid, e.Argv, string(e.Mode), e.Time.Format(time.RFC3339Nano)}
		case runner.Output:
			rec = jsonOutput{"output", e.Stream.String(), e.Data, e.Lines, e.Dropped}
		case runner.Denied:
			rec = denialRecord("denied", e.Denial, e.Update)
		case runner.Logged:
			rec = denialRecord("logged", e.Denial, e.Update)
		case runner.Exited:
			rec = jsonExited{"exited", e.Code, e.Signal, e.Time.Format(time.RFC3339Nano)}
		case runner.Verdict:
			v = e
			denied := append([]string{}, e.Denied...)
			sort.Strings(denied)
			rec = jsonVerdict{"verdict", e.Result, e.ExitCode, e.Signal, denied, append([]string{}, e.NotImplemented...),
				e.Reason, e.Outcome, e.Duration.Milliseconds(), e.KilledIn, e.Stopped, append([]string{}, e.Notes...)}
		}
		if rec != nil && werr == nil {
			if werr = enc.Encode(rec); werr != nil {
				go r.Stop()
			}
		}
	}
	return v, werr
}
