package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/net/bpf"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/decompile"
)

// inspectReport is what inspect --json prints.
type inspectReport struct {
	PID      int              `json:"pid,omitempty"`
	File     string           `json:"file,omitempty"`
	Mode     string           `json:"mode"`
	Filters  []inspectFilter  `json:"filters"`
	Profile  *profile.Profile `json:"profile,omitempty"`
	Error    string           `json:"error,omitempty"`
	Warnings []string         `json:"warnings"`
	Checked  int              `json:"checked"`
}

type inspectFilter struct {
	Index        int `json:"index"`
	Instructions int `json:"instructions"`
	// Asm is the annotated program, with --asm or when no profile
	// expresses the filters.
	Asm []inspectAsm `json:"asm,omitempty"`
}

type inspectAsm struct {
	PC      int    `json:"pc"`
	Text    string `json:"text"`
	Comment string `json:"comment,omitempty"`
}

func newInspectCmd() *cobra.Command {
	var asJSON, asm bool
	var out, trace string
	cmd := &cobra.Command{
		Use:   "inspect PID|FILE [--json] [-o OUT] [--asm] [--trace 'SYSCALL [ARG...]']",
		Short: "Show the seccomp filters a running process is under, as a profile",
		Long: `Reads a live process's seccomp mode (/proc/PID/status) and every
filter stacked on it (PTRACE_SECCOMP_GET_FILTER: needs CAP_SYS_ADMIN, so run
as root; the workbench briefly attaches with ptrace and detaches), and
decompiles them into the profile they mean for this host: per ABI and
syscall, with the argument conditions each program tests, stacked filters
combined as the kernel combines them (the strongest action wins). The
profile is verified by running the original programs against it over every
syscall of every ABI and the values around every comparison; a filter a
profile cannot express (one that reads the instruction pointer, computes on
arguments ...) is reported with its instruction, and --asm shows the raw
programs annotated. --trace runs the raw programs on one call of this
host's ABI and shows every instruction each executes and the answer the
kernel settles on.

A FILE instead of a PID is a raw program (struct sock_filter array, as
export --format bpf writes it and bubblewrap --seccomp reads it), decompiled
the same way.

-o writes the recovered profile as Docker JSON (atomically).`,
		Example: `  sudo seccomp-workbench inspect 1234
  sudo seccomp-workbench inspect 1234 -o recovered.json
  seccomp-workbench inspect --asm filter.bpf`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out != "" {
				if err := profile.CheckWritable(out); err != nil {
					return err
				}
			}
			var call *inspectCall
			if trace != "" {
				c, err := parseInspectCall(trace)
				if err != nil {
					return usageError{fmt.Errorf("--trace: %w", err)}
				}
				call = c
			}
			proc, err := inspectTarget(args[0])
			if err != nil {
				return err
			}
			if call != nil {
				return printTrace(cmd.OutOrStdout(), proc, call)
			}
			rep := inspectReport{PID: proc.PID, File: proc.File, Mode: proc.Mode, Filters: []inspectFilter{}, Warnings: []string{}}
			res, derr := proc.Decompile()
			for i, f := range proc.Filters {
				fl := inspectFilter{Index: i, Instructions: len(f)}
				if asJSON && (asm || derr != nil) {
					for _, l := range cbpf.Disassemble(f) {
						fl.Asm = append(fl.Asm, inspectAsm{l.PC, l.Text, l.Comment})
					}
				}
				rep.Filters = append(rep.Filters, fl)
			}
			if derr == nil {
				rep.Profile, rep.Checked = res.Profile, res.Checked
				rep.Warnings = append(rep.Warnings, res.Warnings...)
			} else {
				rep.Error = derr.Error()
			}
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			if asJSON {
				enc := json.NewEncoder(stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				printInspect(stdout, rep, proc, asm || derr != nil)
			}
			if derr != nil {
				if out != "" {
					fmt.Fprintf(stderr, "seccomp-workbench: inspect: %s not written\n", out)
				}
				return exitError{code: exitFailed, msg: "inspect: " + strings.TrimPrefix(derr.Error(), "decompile: ")}
			}
			if out != "" {
				if err := profile.SaveFresh(out, res.Profile); err != nil {
					return err
				}
				fmt.Fprintf(stderr, "wrote the recovered profile to %s\n", out)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the report (mode, filters, recovered profile, warnings) as JSON")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write the recovered profile (Docker JSON) to FILE, atomically")
	cmd.Flags().BoolVar(&asm, "asm", false, "also print each filter's instructions, annotated")
	cmd.Flags().StringVar(&trace, "trace", "", "run the programs on one call, 'SYSCALL [ARG...]' (this host's ABI), and show each step")
	return cmd
}

// inspectTarget reads a process (PID or pid:PID), or a raw program file.
func inspectTarget(arg string) (*decompile.Process, error) {
	if pid, ok, err := decompile.ParsePID(arg); ok {
		if err != nil {
			return nil, usageError{err}
		}
		return decompile.ReadProcess(pid)
	}
	if pid, err := strconv.Atoi(arg); err == nil {
		if pid <= 0 {
			return nil, usagef("inspect: %q is not a process id", arg)
		}
		return decompile.ReadProcess(pid)
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return nil, fmt.Errorf("inspect: %w", err)
	}
	prog, err := decompile.ParseRaw(data)
	if err != nil {
		return nil, fmt.Errorf("inspect: %s: %w", arg, err)
	}
	return &decompile.Process{File: arg, Mode: decompile.ModeFilter, Count: 1, Filters: [][]bpf.RawInstruction{prog}}, nil
}

func printInspect(w io.Writer, rep inspectReport, proc *decompile.Process, asm bool) {
	if rep.File != "" {
		fmt.Fprintf(w, "%s: a raw seccomp program\n", rep.File)
	} else {
		fmt.Fprintf(w, "process %d: seccomp mode %s, %s\n", rep.PID, rep.Mode, plural(len(rep.Filters), "filter"))
	}
	for i, f := range rep.Filters {
		fmt.Fprintf(w, "  filter %d: %s\n", f.Index, plural(f.Instructions, "instruction"))
		if asm {
			for _, l := range strings.SplitAfter(cbpf.FormatAsmLines(cbpf.Disassemble(proc.Filters[i])), "\n") {
				if l != "" {
					fmt.Fprint(w, "    ", l)
				}
			}
		}
	}
	if rep.Profile != nil {
		fmt.Fprint(w, describeRecovered(rep.Profile))
		if rep.Checked > 0 {
			fmt.Fprintf(w, "verified against the original programs on %d inputs\n", rep.Checked)
		}
	}
	for _, warn := range rep.Warnings {
		fmt.Fprintln(w, "warning:", warn)
	}
}

// describeRecovered summarises a profile: the default, the ABIs, then each
// rule's action, names and conditions.
func describeRecovered(p *profile.Profile) string {
	var b strings.Builder
	eff := p.Effective(profile.HostEnv())
	def := profile.Decision{Action: eff.DefaultAction, Errno: eff.DefaultErrno}
	fmt.Fprintf(&b, "recovered profile: default %s on %s, %s\n", def, profile.JoinArches(eff.Arches), plural(len(p.Syscalls), "rule"))
	host := profile.NativeArch()
	for _, r := range p.Syscalls {
		d := profile.Decision{Action: r.Action}
		if r.ErrnoRet != nil {
			d.Errno = *r.ErrnoRet
		}
		names := r.AllNames()
		list := strings.Join(names, " ")
		if len(names) > 12 {
			list = strings.Join(names[:12], " ") + fmt.Sprintf(" … (%d calls)", len(names))
		}
		cond := ""
		if len(r.Args) > 0 {
			cond = " when " + profile.FormatConditions(r.Args, host)
		}
		fmt.Fprintf(&b, "  %s%s: %s\n", d, cond, list)
	}
	return b.String()
}

// inspectCall is one call --trace runs the programs on.
type inspectCall struct {
	name string
	nr   int64
	args [6]uint64
}

func parseInspectCall(s string) (*inspectCall, error) {
	f := strings.Fields(s)
	if len(f) == 0 || len(f) > 7 {
		return nil, fmt.Errorf("want 'SYSCALL [ARG...]' with at most 6 arguments")
	}
	host := profile.NativeArch()
	nr, err := profile.ResolveSyscall(host, f[0])
	if err != nil {
		return nil, err
	}
	c := &inspectCall{name: f[0], nr: nr}
	for i, a := range f[1:] {
		if c.args[i], err = profile.ParseArg(host, a); err != nil {
			return nil, fmt.Errorf("argument %d: %w", i, err)
		}
	}
	return c, nil
}

// printTrace runs each stacked program on the call, newest first as the
// kernel does, and prints its steps and the answer that wins.
func printTrace(w io.Writer, proc *decompile.Process, c *inspectCall) error {
	host := profile.NativeArch()
	data := cbpf.KernelData(host, c.nr, c.args)
	rets := make([]uint32, len(proc.Filters))
	for i := len(proc.Filters) - 1; i >= 0; i-- {
		prog := proc.Filters[i]
		ret, steps, err := cbpf.Trace(prog, data)
		if err != nil {
			return fmt.Errorf("inspect: filter %d: %w", i, err)
		}
		rets[i] = ret
		fmt.Fprintf(w, "filter %d, %s on %s with args %s:\n", i, c.name, host, profile.FormatArgs(c.args))
		fmt.Fprint(w, cbpf.FormatTrace(cbpf.Disassemble(prog), steps))
		fmt.Fprintf(w, "  → %s\n", profile.FromRet(ret))
	}
	if len(rets) == 0 {
		fmt.Fprintln(w, "no filter: the call runs")
		return nil
	}
	fmt.Fprintf(w, "the kernel's answer: %s\n", profile.FromRet(decompile.Combine(rets)))
	return nil
}
