package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

func newRecordCmd() *cobra.Command {
	var (
		out       string
		base      string
		scenarios string
		timeout   time.Duration
		mergeInto bool
		namesOnly bool
		engine    string
	)
	cmd := &cobra.Command{
		Use:   "record -o OUT [--base PROFILE] [--names-only] [--merge-into] [--timeout D] [--engine E] -- CMD [ARG...]\n  record --scenarios FILE -o OUT [--base PROFILE] [--names-only] [--merge-into] [--engine E]",
		Short: "Record the syscalls a command makes and write a minimal profile",
		Long: `Run a command with every syscall let through and counted (for the
command and everything it starts), print what it used, and write a profile
that allows exactly that: deny by default with EPERM, ENOSYS for syscalls
newer than any it names, and an allow rule listing the syscalls seen, for
the ABIs seen. With --base, the base profile is kept whole and an allow
rule for the syscalls it would have refused goes first.

For the calls where an argument decides what the call can do (socket's
family and type, clone's and unshare's flags, ioctl's request, prctl's
option, mmap's and mprotect's protection, kill's signal ... — catalog
--json lists them as risky_args), the profile allows only the values
seen: an equality rule per combination when at most 8 values of an
argument were seen, and for flag words a masked rule that lets no bit
through the recording did not see (clone: flags & ^SEEN == 0). An
argument seen with more values is not held, and a note says so, as it
does for clone3, whose flags are in memory where seccomp cannot read
them. The rules compare all 64 bits of 32-bit arguments, so a call with
the upper half set is denied rather than let past (lint's
int-upper-half finds nothing). --names-only writes whole syscalls, as
before argument rules. With --base, argument rules are added only for
the calls the base refused.

The profile also allows what every program may need but a short
recording rarely sees: restart_syscall (a call resumed after a stop and
continue), rt_sigreturn and sigreturn (the return from a signal handler),
exit and exit_group, as Docker's default profile does.

With --merge-into, a profile OUT already holds is kept and the
recording is merged into it (as merge OUT RECORDING -o OUT would: OUT's
denials are kept, the result lets through what either lets through), so
several runs build one profile; without a file at OUT it is written as
usual.

OUT is checked before the command runs (its directory must exist and take
a new file) and written atomically. The exit status is the command's (as
for run), 125 when OUT cannot be written; the profile is written whenever
the command started.

With --scenarios FILE, no command is given: every scenario of the file
that expects success is recorded in turn (with its setup, teardown, env,
cwd and stdin, in a scratch directory as test runs it), and the
recordings are merged into one profile allowing what any of them used.
A scenario that fails while recorded stops it (exit 1) and nothing is
written; test FILE --profile OUT then passes for those scenarios.

--engine picks how calls are observed: notify stops the command at every
call until the workbench has counted it; ebpf counts them in the kernel
with a BPF program on the syscall-entry tracepoint and does not stop the
command (only calls through another ABI, such as i386's int 0x80, still
go through the seccomp listener). ebpf needs CAP_BPF and CAP_PERFMON
(root has both); auto, the default, uses ebpf where it can and notify
elsewhere, and says which.`,
		Example: `  seccomp-workbench record -o ls.json -- ls /
  seccomp-workbench record -o app.json --base preset:docker-default -- ./app --selftest
  seccomp-workbench record --scenarios app.yaml -o app.json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if scenarios != "" {
				if len(args) > 0 {
					return usagef("record: --scenarios takes its commands from the file: drop %q", strings.Join(args, " "))
				}
				return nil
			}
			return needCommand("record -o out.json -- ls /")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			runner.Warm()
			if out == "" {
				return usagef("record: -o OUT is required: the file to write the profile to")
			}
			eng, err := runner.ParseEngine(engine)
			if err != nil {
				return usagef("record: --engine: %v", err)
			}
			if err := recordElsewhere(cmd, eng); err != nil {
				return err
			}
			if timeout < 0 {
				return usagef("record: --timeout %v: give a positive duration such as 5s", timeout)
			}
			into, err := openMergeTarget(out, mergeInto)
			if err != nil {
				return err
			}
			var eff *profile.Effective
			if base != "" {
				p, err := openProfile(cmd.ErrOrStderr(), base)
				if err != nil {
					return exitError{exitRunFail, err.Error()}
				}
				eff = p.Effective(profile.HostEnv())
			}
			if scenarios != "" {
				if timeout != 0 {
					return usagef("record: --timeout does not go with --scenarios: set timeout in the file")
				}
				return recordScenarios(cmd, scenarios, eff, base, out, into, namesOnly, eng)
			}
			return recordCommand(cmd, eff, base, out, into, timeout, namesOnly, eng, args)
		},
	}
	f := cmd.Flags()
	f.SetInterspersed(false)
	f.StringVarP(&out, "output", "o", "", "file to write the recorded profile to (required)")
	f.StringVar(&base, "base", "", "profile (file or preset:NAME) to merge the recording onto")
	f.StringVar(&scenarios, "scenarios", "", "record every scenario of this file that expects success, instead of a command")
	f.DurationVar(&timeout, "timeout", 0, "stop the command after this long")
	f.BoolVar(&mergeInto, "merge-into", false, "merge the recording into the profile OUT already holds (see merge), so that several runs build one profile")
	f.BoolVar(&namesOnly, "names-only", false, "allow whole syscalls: no rules on their arguments")
	f.StringVar(&engine, "engine", "auto", "how calls are observed: auto, notify or ebpf (needs CAP_BPF and CAP_PERFMON)")
	return cmd
}

func recordCommand(cmd *cobra.Command, base *profile.Effective, baseName, out string, into *mergeTarget, timeout time.Duration, namesOnly bool, engine runner.Engine, argv []string) error {
	// Find out now, not after the command ran, whether OUT can be written.
	if err := profile.CheckWritable(out); err != nil {
		return exitError{exitRunFail, "record: -o " + err.Error()}
	}
	catchSIGPIPE()
	ctx, stop := interruptContext()
	defer stop()
	ctx, abort := context.WithCancel(ctx)
	defer abort()
	stdout := &ownOutput{w: cmd.OutOrStdout(), name: "stdout", fail: abort}
	stderr := &ownOutput{w: cmd.ErrOrStderr(), name: "stderr", fail: abort}
	r, err := runner.Start(ctx, runner.Config{
		Effective: base, Mode: runner.ModeRecord, Argv: argv, Timeout: timeout, RecordNamesOnly: namesOnly, Engine: engine,
		Stdin: cmd.InOrStdin(), Stdout: passThrough(stdout.w, stdout), Stderr: passThrough(stderr.w, stderr),
	})
	if err != nil {
		return exitError{exitRunFail, err.Error()}
	}
	for range r.Events() {
	}
	v := r.Wait()
	if err := r.RecordError(); err != nil {
		return exitError{exitRunFail, "record: " + err.Error()}
	}
	p := r.Recorded()
	if p == nil {
		return exitError{v.ExitCode, v.Reason}
	}
	eng, why := r.RecordEngine()
	fmt.Fprintf(stderr, "seccomp-workbench: engine %s (%s)\n", eng, why)
	printCounts(stderr, r.Syscalls())
	if err := saveRecording(stderr, out, p, into, baseName, r.RecordedNames(), "the command"); err != nil {
		return err
	}
	printNotes(stderr, r.RecordedNotes())
	if v.Result != runner.ResultPass {
		fmt.Fprintf(stderr, "seccomp-workbench: note: the command ended with %s; the profile holds what it did until then\n", v.Outcome)
	}
	for _, o := range []*ownOutput{stdout, stderr} {
		if err := o.failed(); err != nil {
			return exitError{exitRunFail, err.Error()}
		}
	}
	if v.ExitCode != 0 {
		return exitError{v.ExitCode, ""}
	}
	return nil
}

func printCounts(w io.Writer, counts []runner.SyscallCount) {
	total := 0
	for _, c := range counts {
		total += c.Count
	}
	fmt.Fprintf(w, "seccomp-workbench: recorded %d calls of %d syscalls\n", total, len(counts))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SYSCALL\tARCH\tCOUNT")
	for _, c := range counts {
		fmt.Fprintf(tw, "%s\t%s\t%d\n", c.Syscall, c.Arch, c.Count)
	}
	tw.Flush()
}

// printNotes prints record's notes on the argument rules.
func printNotes(w io.Writer, notes []string) {
	for _, n := range notes {
		fmt.Fprintf(w, "seccomp-workbench: note: %s\n", n)
	}
}

// wroteRecording says what a recording written to out allows; user names
// what was recorded ("the command", "the scenarios").
func wroteRecording(w io.Writer, out, baseName string, added []string, user string) {
	switch {
	case baseName == "":
		fmt.Fprintf(w, "seccomp-workbench: wrote %s: %d syscalls allowed, everything else denied with EPERM\n", out, len(added))
	case len(added) == 0:
		fmt.Fprintf(w, "seccomp-workbench: wrote %s: %s already allows everything %s used\n", out, baseName, user)
	default:
		fmt.Fprintf(w, "seccomp-workbench: wrote %s: %s plus an allow rule for %s\n", out, baseName, strings.Join(added, ", "))
	}
}
