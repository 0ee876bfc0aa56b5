package main

import (
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

var negativeArgRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`in (-[0-9][0-9a-fA-Fx]*)$`) })

type explainFlags struct {
	arch  string
	trace bool
	json  bool
	mode  string
	host  hostFlags
}

func newExplainCmd() *cobra.Command {
	var fl explainFlags
	cmd := &cobra.Command{
		Use:   "explain PROFILE SYSCALL [ARG...]",
		Short: "Say what the compiled filter does with one syscall, and why",
		Long: `Compiles PROFILE (a file or preset:NAME), verifies it, runs
the program on one call exactly as the kernel would and reports the
outcome: the action, the errno, and the rule that matched or the default.

SYSCALL is a name (openat) or a number (257, 0x101). Up to six ARGs follow,
in decimal or 0x-hex; negative decimals (-1) go after "--". --arch picks
the ABI making the call (default: the host's); an ABI the filter does not
cover is a fair question too: the kernel kills the caller. --trace lists
every BPF instruction executed, annotated.

The profile is resolved (includes, excludes, archMap) for a host: this
one, or with --platform, --caps and --kernel the one named. An --arch this
machine cannot run (aarch64 on x86_64) resolves as on that arch's own
host unless --platform says otherwise. The answer names the host.`,
		Example: `  seccomp-workbench explain preset:docker-default openat
  seccomp-workbench explain preset:docker-default personality 0x1234 --trace
  seccomp-workbench explain profile.json getpid --arch x86 --json
  seccomp-workbench explain preset:docker-default close -- -1
  seccomp-workbench explain preset:docker-default openat --arch aarch64
  seccomp-workbench explain preset:docker-default mount --caps all --kernel 5.10`,
		Args: cobra.RangeArgs(2, 8),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExplain(cmd.OutOrStdout(), cmd.ErrOrStderr(), args, fl)
		},
	}
	// pflag reads "-1" as a flag: point at the "--" that makes it an ARG.
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		if m := negativeArgRE().FindStringSubmatch(err.Error()); m != nil {
			return usagef("%v: put negative ARGs after --, as in: explain PROFILE SYSCALL -- %s", err, m[1])
		}
		return usageError{err}
	})
	f := cmd.Flags()
	f.StringVar(&fl.arch, "arch", "", "the ABI making the call ("+archList()+"; default: the host's)")
	f.BoolVar(&fl.trace, "trace", false, "list the executed BPF instructions, annotated")
	f.BoolVar(&fl.json, "json", false, "print a JSON object")
	f.StringVar(&fl.mode, "mode", "enforce", "filter variant: enforce (as production loads it) or watch (denials notify the supervisor first)")
	fl.host.register(f)
	_ = cmd.RegisterFlagCompletionFunc("arch", completeWords(archNames()))
	_ = cmd.RegisterFlagCompletionFunc("mode", completeWords([]string{"enforce", "watch"}))
	return cmd
}

func runExplain(out, errw io.Writer, args []string, fl explainFlags) error {
	var arches []catalog.Arch
	if fl.arch != "" {
		a, err := catalog.ParseArch(fl.arch)
		if err != nil {
			return usageError{fmt.Errorf("--arch: %w", err)}
		}
		arches = []catalog.Arch{a}
	}
	env, err := fl.host.env(arches)
	if err != nil {
		return err
	}
	arch := env.Host
	if len(arches) > 0 {
		arch = arches[0]
	}
	mode, err := profile.ParseVariant(fl.mode)
	if err != nil || mode == profile.VariantRecord {
		return usagef("--mode %q: use enforce or watch", fl.mode)
	}
	nr, err := profile.ResolveSyscall(arch, args[1])
	if err != nil {
		return usageError{err}
	}
	var callArgs [6]uint64
	for i, s := range args[2:] {
		v, err := profile.ParseArg(arch, s)
		if err != nil {
			return usagef("argument %d (args[%d]) %v", i+1, i, err)
		}
		callArgs[i] = v
	}
	p, err := openProfile(errw, args[0])
	if err != nil {
		return err
	}
	e := p.Effective(env)
	prog, err := compile.Build(e, profile.Options{Variant: mode})
	if err != nil {
		return err
	}
	x, err := compile.Explain(prog, arch, nr, callArgs)
	if err != nil {
		return err
	}
	var asm []cbpf.AsmLine
	if fl.trace {
		asm = cbpf.Disassemble(prog.Insns)
	}
	if fl.json {
		return writeExplainJSON(out, x, mode, asm, env, runtimeDrop(e, x))
	}
	writeExplainText(out, x, e, len(args)-2, asm, colorEnabled(out))
	return nil
}

// explainJSON is the --json object; its field names are part of the CLI
// contract.
type explainJSON struct {
	Syscall   string        `json:"syscall"`
	Arch      catalog.Arch  `json:"arch"`
	Nr        int64         `json:"nr"`
	Args      []uint64      `json:"args"`
	Action    string        `json:"action"`
	Errno     uint          `json:"errno"`
	ErrnoName string        `json:"errno_name"`
	Rule      *profile.Rule `json:"rule"`
	RuleIndex *int          `json:"rule_index"`
	// Via names the call whose rule libseccomp also applied to this
	// multiplexer (socketcall, ipc).
	Via      string       `json:"via,omitempty"`
	Reason   string       `json:"reason"`
	Mode     string       `json:"mode"`
	Profile  *profileJSON `json:"profile_action,omitempty"`
	Resolved resolvedJSON `json:"resolved_for"`
	// Runc is what runc built on the linked libseccomp does instead,
	// when it drops the call's name.
	Runc  *profileJSON   `json:"runc_action,omitempty"`
	Trace []traceStepObj `json:"trace,omitempty"`
}

// resolvedJSON is the host a profile was resolved for.
type resolvedJSON struct {
	Platform catalog.Arch `json:"platform"`
	Kernel   string       `json:"kernel"`
	Caps     []string     `json:"caps"`
}

func resolvedFor(env profile.Env) resolvedJSON {
	caps := env.Caps
	if caps == nil {
		caps = []string{}
	}
	return resolvedJSON{Platform: env.Host, Kernel: env.Kernel.String(), Caps: caps}
}

// profileJSON is the profile's own outcome when a watch variant notifies
// instead.
type profileJSON struct {
	Action    string `json:"action"`
	Errno     uint   `json:"errno"`
	ErrnoName string `json:"errno_name"`
}

type traceStepObj struct {
	PC      int    `json:"pc"`
	Insn    string `json:"insn"`
	Comment string `json:"comment,omitempty"`
	A       uint32 `json:"a"`
	X       uint32 `json:"x"`
	Jumped  bool   `json:"jumped"`
	Next    int    `json:"next"`
}

// actionName gives the contract's action name (SCMP_ACT_KILL is
// kill_thread) and, for errno, the number and its name.
func actionName(d profile.Decision) (action string, errno uint, errnoName string) {
	action = d.Action.Short()
	if d.Action == profile.ActErrno {
		errno, errnoName = d.Errno, profile.ErrnoName(d.Errno)
	}
	return action, errno, errnoName
}

func reasonKey(x *compile.Explanation) string {
	switch x.Profile.Rule {
	case profile.RuleDefault:
		return "default"
	case profile.RuleBadArch:
		return "bad_arch"
	case profile.RuleNewer:
		return "newer_syscall"
	case profile.RuleShim:
		return "shim"
	}
	return "rule"
}

// runtimeDrop is what runc on the linked libseccomp does differently
// with the explained call, or nil.
func runtimeDrop(e *profile.Effective, x *compile.Explanation) *profile.RuntimeDrop {
	if profile.LinkedKnows(x.Syscall) {
		return nil
	}
	for _, d := range e.RuntimeDrops() {
		if d.Name == x.Syscall && d.Arch == x.Arch {
			return &d
		}
	}
	return nil
}

func writeExplainJSON(out io.Writer, x *compile.Explanation, mode profile.Variant, asm []cbpf.AsmLine, env profile.Env, drop *profile.RuntimeDrop) error {
	j := explainJSON{Syscall: x.Syscall, Arch: x.Arch, Nr: x.Nr, Args: x.Args[:],
		Rule: x.RuleSource, Reason: reasonKey(x), Mode: mode.String(), Via: x.Profile.Via, Resolved: resolvedFor(env)}
	if drop != nil {
		rj := &profileJSON{}
		rj.Action, rj.Errno, rj.ErrnoName = actionName(drop.Runtime)
		j.Runc = rj
	}
	j.Action, j.Errno, j.ErrnoName = actionName(x.Decision)
	if x.Rule != nil {
		i := x.Rule.Index
		j.RuleIndex = &i
	}
	if !x.Profile.Same(x.Decision) {
		pj := &profileJSON{}
		pj.Action, pj.Errno, pj.ErrnoName = actionName(x.Profile)
		j.Profile = pj
	}
	if asm != nil {
		j.Trace = []traceStepObj{}
		for _, s := range x.Steps {
			t := traceStepObj{PC: s.PC, A: s.A, X: s.X, Jumped: s.Jumped, Next: s.Next}
			if s.PC < len(asm) {
				t.Insn, t.Comment = asm[s.PC].Text, asm[s.PC].Comment
			}
			j.Trace = append(j.Trace, t)
		}
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(j)
}

var actionSGR = map[string]string{
	"allow": "32", "log": "32", "errno": "33", "notify": "36", "trace": "36",
	"trap": "31", "kill_process": "1;31", "kill_thread": "1;31",
}

func writeExplainText(out io.Writer, x *compile.Explanation, e *profile.Effective, nArgs int, asm []cbpf.AsmLine, color bool) {
	call := x.Syscall
	if nArgs > 0 {
		parts := make([]string, nArgs)
		for i := range parts {
			parts[i] = fmt.Sprintf("%#x", x.Args[i])
		}
		call += "(" + strings.Join(parts, ", ") + ")"
	}
	action, _, _ := actionName(x.Decision)
	outcome := paint(color, actionSGR[action], x.Decision.String())
	fmt.Fprintf(out, "%s on %s (%s): %s — %s\n", call, x.Arch, nrText(x.Nr), outcome, reasonText(x, e))
	if !x.Profile.Same(x.Decision) {
		fmt.Fprintf(out, "  watch mode: the supervisor is told, then applies the profile's %s\n", x.Profile)
	}
	if kernel, changed := profile.KernelArgs(x.Arch, x.Syscall, x.Args); len(changed) > 0 {
		// The filter saw all 64 bits; the kernel will not.
		d := e.Decide(x.Arch, x.Nr, kernel, profile.Options{})
		ps, _ := catalog.MustDefault().Params(x.Syscall)
		var names []string
		for _, i := range changed {
			if i < len(ps) {
				names = append(names, fmt.Sprintf("%s (%s)", ps[i].Name, ps[i].Type))
			}
		}
		fmt.Fprintf(out, "  kernel:  reads %s from the low 32 bits and runs %s%s, which the profile gives %s\n",
			strings.Join(names, ", "), x.Syscall, profile.FormatArgs(kernel), d)
	}
	if r := x.Rule; r != nil {
		if via := x.Profile.Via; via != "" {
			_, op, _ := catalog.MuxOp(via)
			fmt.Fprintf(out, "  via:     the rule names %s, and on %s libseccomp applies it to %s with args[0] == %d as well\n", via, x.Arch, x.Syscall, op)
		} else if len(r.Args) > 0 {
			fmt.Fprintf(out, "  when:    %s\n", conditionsText(r.Args))
			if r.ORed {
				fmt.Fprintf(out, "  ORed:    the rule tests one argument twice, so each of its conditions is a rule of its own (as runc and crun load it)\n")
			}
		}
		if src := x.RuleSource; src != nil {
			if f := filterText(src); f != "" {
				fmt.Fprintf(out, "  applies: %s\n", f)
			}
		}
		if r.Comment != "" {
			fmt.Fprintf(out, "  comment: %s\n", r.Comment)
		}
	}
	if d := runtimeDrop(e, x); d != nil {
		fmt.Fprintf(out, "  runc:    %s\n", d)
	}
	fmt.Fprintf(out, "  resolved for %s\n", e.Env)
	if ent, ok := catalog.MustDefault().Lookup(x.Syscall); ok {
		fmt.Fprintf(out, "  %s: %s\n", ent.Name, ent.Description)
		risk := paint(color, riskSGR[string(ent.Risk)], string(ent.Risk))
		if ent.Rationale != "" {
			fmt.Fprintf(out, "  risk: %s — %s\n", risk, ent.Rationale)
		} else {
			fmt.Fprintf(out, "  risk: %s\n", risk)
		}
	} else {
		fmt.Fprintf(out, "  no syscall has number %s on %s\n", nrText(x.Nr), x.Arch)
	}
	if asm != nil {
		fmt.Fprintf(out, "\ntrace: %d of the program's %d instructions executed\n", len(x.Steps), len(asm))
		for _, l := range strings.SplitAfter(cbpf.FormatTrace(asm, x.Steps), "\n") {
			if l != "" {
				fmt.Fprint(out, "  "+l)
			}
		}
	}
}

func nrText(nr int64) string {
	if nr >= catalog.X32SyscallBit {
		return fmt.Sprintf("%#x", nr)
	}
	return fmt.Sprint(nr)
}

// reasonText says why: the rule (with the first few of its names), the
// default, the bad-arch action or the newer-syscall stub.
func reasonText(x *compile.Explanation, e *profile.Effective) string {
	switch x.Profile.Rule {
	case profile.RuleDefault:
		return "the default action"
	case profile.RuleBadArch:
		var as []string
		for _, a := range e.Arches {
			as = append(as, string(a))
		}
		return fmt.Sprintf("killed: arch not in the filter (on host %s it covers %s)", e.Env.Host, strings.Join(as, ", "))
	case profile.RuleNewer:
		return "the number is above every syscall the profile names, so the filter answers ENOSYS (as runc does) and libc falls back to an older call"
	case profile.RuleShim:
		return "the runner's own fd handoff or exec"
	}
	if x.Rule == nil {
		return "a rule"
	}
	const show = 6
	names := x.Rule.Names
	list := strings.Join(names[:min(show, len(names))], ", ")
	if len(names) > show {
		list += fmt.Sprintf(", ... %d more", len(names)-show)
	}
	return fmt.Sprintf("rule syscalls[%d] (names: %s)", x.Rule.Index, list)
}

var opSymbols = map[profile.Operator]string{
	profile.OpNotEqual: "!=", profile.OpLessThan: "<", profile.OpLessEqual: "<=",
	profile.OpEqualTo: "==", profile.OpGreaterEqual: ">=", profile.OpGreaterThan: ">",
}

func conditionsText(args []*profile.Arg) string {
	parts := make([]string, len(args))
	for i, a := range args {
		if a.Op == profile.OpMaskedEqual {
			parts[i] = fmt.Sprintf("args[%d] & %#x == %#x", a.Index, a.Value, a.ValueTwo)
			continue
		}
		parts[i] = fmt.Sprintf("args[%d] %s %#x", a.Index, opSymbols[a.Op], a.Value)
	}
	return strings.Join(parts, " and ")
}

// filterText summarises the rule's includes/excludes (which decided that
// the rule applies on this host).
func filterText(r *profile.Rule) string {
	var parts []string
	add := func(word string, f *profile.Filter) {
		if f.Empty() {
			return
		}
		var s []string
		if len(f.Caps) > 0 {
			s = append(s, "caps "+strings.Join(f.Caps, ", "))
		}
		if len(f.Arches) > 0 {
			s = append(s, "arches "+strings.Join(f.Arches, ", "))
		}
		if f.MinKernel != "" {
			s = append(s, "kernel >= "+f.MinKernel)
		}
		parts = append(parts, word+" "+strings.Join(s, "; "))
	}
	add("includes", r.Includes)
	add("excludes", r.Excludes)
	return strings.Join(parts, "; ")
}
