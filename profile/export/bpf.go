package export

import (
	"fmt"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// exportProgram compiles e as production loads it (enforce mode, the
// ENOSYS stub on) and verifies it, then renders the program.
func exportProgram(e *profile.Effective, f Format, o ExportOptions) ([]byte, []string, error) {
	prog, err := compile.Build(e, profile.Options{Variant: profile.VariantEnforce})
	if err != nil {
		return nil, nil, err
	}
	var notes []string
	if f == FormatBPF {
		if len(e.Source.Flags) > 0 {
			notes = append(notes, fmt.Sprintf("flags %s are arguments to seccomp(2), not part of the program: the loader decides them (bubblewrap uses none)", strings.Join(e.Source.Flags, ", ")))
		}
		if usesNotify(e) {
			notes = append(notes, "notify rules need a supervisor listening on the filter's fd; loaded without one (as bubblewrap loads it), those calls fail with ENOSYS")
		}
		if e.Source.ListenerPath != "" {
			notes = append(notes, "listenerPath is for container runtimes: a raw program cannot carry it")
		}
	}
	switch f {
	case FormatBPF:
		return prog.Bytes(), notes, nil
	case FormatPFC:
		pfc, err := prog.PFC()
		if err != nil {
			return nil, nil, err
		}
		return []byte(pfcHeader(prog, o) + pfc), notes, nil
	}
	return []byte(asmHeader(prog, o) + cbpf.FormatAsmLines(cbpf.Disassemble(prog.Insns))), notes, nil
}

// asmHeader says what the listing is; unlike PFC, it shows the whole
// program, the workbench's own instructions included.
func asmHeader(prog *compile.Program, o ExportOptions) string {
	src := o.Source
	if src == "" {
		src = "the profile"
	}
	return fmt.Sprintf("; seccomp BPF for %s, as exported by seccomp-workbench (enforce mode, for %s):\n"+
		"; resolved for %s.\n"+
		"; %d instructions, %d of them the workbench's own checks (ahead of libseccomp's program for each ABI), the rest libseccomp's.\n",
		src, profile.JoinArches(prog.Effective.Arches), prog.Effective.Env, len(prog.Insns), prog.Stats.Prelude)
}

func usesNotify(e *profile.Effective) bool {
	if e.DefaultAction.Canon() == profile.ActNotify {
		return true
	}
	for _, r := range e.Rules {
		if r.Action.Canon() == profile.ActNotify {
			return true
		}
	}
	return false
}

// pfcHeader explains what libseccomp's PFC leaves out: the instructions
// the workbench places before libseccomp's program.
func pfcHeader(prog *compile.Program, o ExportOptions) string {
	e := prog.Effective
	var b strings.Builder
	src := o.Source
	if src == "" {
		src = "the profile"
	}
	fmt.Fprintf(&b, "# libseccomp pseudo filter code for %s, as exported by seccomp-workbench\n", src)
	fmt.Fprintf(&b, "# (enforce mode, for %s), resolved for %s.\n", profile.JoinArches(e.Arches), e.Env)
	if prog.Stats.Prelude == 0 {
		b.WriteString("# The compiled filter is exactly this code: the workbench adds no checks of its own.\n#\n")
		return b.String()
	}
	fmt.Fprintf(&b, "# The compiled filter runs the workbench's own checks (%d instructions) ahead of\n", prog.Stats.Prelude)
	b.WriteString("# libseccomp's code for each ABI; PFC does not show them:\n")
	cat := catalog.MustDefault()
	for _, n := range compile.ByNumber(prog) {
		ent, _ := cat.Lookup(n.Name)
		var where []string
		for _, a := range e.Arches {
			if nr, ok := ent.Number(a); ok {
				where = append(where, fmt.Sprintf("%s %d", a, nr))
			}
		}
		if len(where) == 0 {
			continue
		}
		fmt.Fprintf(&b, "#   %s -> %s, by number (%s): libseccomp %s does not know it\n",
			n.Name, n.Decision, strings.Join(where, ", "), profile.LinkedLibseccomp())
	}
	if !prog.Options.NoENOSYS {
		for _, a := range e.Arches {
			if max, ok := e.StubLimit(a); ok {
				above := fmt.Sprint(max)
				if a == catalog.X32 {
					above = fmt.Sprintf("%#x (the x32 bit + %d)", max, max&^catalog.X32SyscallBit)
				}
				fmt.Fprintf(&b, "#   %s: syscall numbers above %s -> errno(ENOSYS), so that programs fall back\n", a, above)
				b.WriteString("#     from syscalls newer than the profile (runc does the same)\n")
			}
		}
	}
	if len(e.Arches) > 1 {
		b.WriteString("#   a dispatch on seccomp_data.arch (and x32's bit) to one libseccomp program\n")
		b.WriteString("#     per ABI; this code shows the same rules as one filter of all of them\n")
	}
	b.WriteString("# The runner's exemption for its own shim is compiled only for watch and record\n")
	b.WriteString("# runs, never into an export.\n#\n")
	return b.String()
}
