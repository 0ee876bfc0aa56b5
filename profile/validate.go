package profile

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// pathError is a validation error at a JSON path (keys and indexes), which
// Parse turns into line:col.
type pathError struct {
	path []any
	msg  string
}

func (e *pathError) Error() string { return e.msg }

func perr(path []any, format string, a ...any) error {
	return &pathError{path: path, msg: fmt.Sprintf(format, a...)}
}

var operatorNames = map[Operator]string{
	OpNotEqual: "!=", OpLessThan: "<", OpLessEqual: "<=", OpEqualTo: "==",
	OpGreaterEqual: ">=", OpGreaterThan: ">", OpMaskedEqual: "&",
}

// dockerArches are all SCMP_ARCH_* names Docker accepts; the workbench
// compiles the subset the catalog has numbers for.
var dockerArches = []string{
	"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_ARM",
	"SCMP_ARCH_AARCH64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS64N32",
	"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64", "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",
	"SCMP_ARCH_PPC64", "SCMP_ARCH_PPC64LE", "SCMP_ARCH_S390", "SCMP_ARCH_S390X",
	"SCMP_ARCH_PARISC", "SCMP_ARCH_PARISC64", "SCMP_ARCH_RISCV64", "SCMP_ARCH_LOONGARCH64",
	"SCMP_ARCH_M68K", "SCMP_ARCH_SH", "SCMP_ARCH_SHEB",
}

var knownFlags = []string{
	"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_NEW_LISTENER",
	"SECCOMP_FILTER_FLAG_TSYNC_ESRCH",
}

// maxErrno is MAX_ERRNO: the kernel only treats -1..-4095 as errors.
const maxErrno = 4095

// kernelVersion reports whether s is "X.Y", decimal digits both.
func kernelVersion(s string) bool {
	x, y, ok := strings.Cut(s, ".")
	return ok && allBytes(x, isDigit) && allBytes(y, isDigit)
}

// capName reports whether s looks like a capability: CAP_ and one or
// more of A-Z and _.
func capName(s string) bool {
	rest, ok := strings.CutPrefix(s, "CAP_")
	return ok && allBytes(rest, func(b byte) bool { return b >= 'A' && b <= 'Z' || b == '_' })
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// allBytes reports whether s is not empty and every byte is ok.
func allBytes(s string, ok func(byte) bool) bool {
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return s != ""
}

func knownList(s []string) string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func (p *Profile) validate() error {
	if p.DefaultAction == "" {
		return perr(nil, `"defaultAction" is missing: set it to SCMP_ACT_ERRNO (deny by default) or SCMP_ACT_ALLOW`)
	}
	if !p.DefaultAction.Known() {
		return perr([]any{"defaultAction"}, "unknown action %q in defaultAction: use one of %s", p.DefaultAction, knownList(actionKeys()))
	}
	if p.DefaultErrnoRet != nil && (*p.DefaultErrnoRet == 0 || *p.DefaultErrnoRet > maxErrno) {
		return perr([]any{"defaultErrnoRet"}, "defaultErrnoRet %d is out of range: an errno is 1..%d", *p.DefaultErrnoRet, maxErrno)
	}
	if err := validErrnoName(p.DefaultErrnoName, []any{"defaultErrno"}, "defaultErrno"); err != nil {
		return err
	}
	if len(p.Architectures) > 0 && len(p.ArchMap) > 0 {
		return perr([]any{"archMap"}, `both "architectures" and "archMap" are set: keep only one, as Docker requires`)
	}
	for i, a := range p.Architectures {
		if !slices.Contains(dockerArches, a) {
			return perr([]any{"architectures", i}, "unknown architecture %q: use one of %s", a, knownList(dockerArches))
		}
	}
	for i, m := range p.ArchMap {
		if !slices.Contains(dockerArches, m.Arch) {
			return perr([]any{"archMap", i, "architecture"}, "unknown architecture %q: use one of %s", m.Arch, knownList(dockerArches))
		}
		for j, s := range m.SubArches {
			if !slices.Contains(dockerArches, s) {
				return perr([]any{"archMap", i, "subArchitectures", j}, "unknown architecture %q: use one of %s", s, knownList(dockerArches))
			}
		}
	}
	for i, f := range p.Flags {
		if !slices.Contains(knownFlags, f) {
			return perr([]any{"flags", i}, "unknown flag %q: use one of %s", f, knownList(knownFlags))
		}
	}
	for i, r := range p.Syscalls {
		if err := validateRule(i, r); err != nil {
			return err
		}
	}
	return nil
}

func validateRule(i int, r *Rule) error {
	at := func(more ...any) []any { return append([]any{"syscalls", i}, more...) }
	if r == nil {
		return perr(at(), "syscalls[%d] is null: remove it or give it names and an action", i)
	}
	if r.Name != "" && len(r.Names) > 0 {
		return perr(at("name"), `syscalls[%d] has both "name" and "names": keep only "names"`, i)
	}
	if len(r.AllNames()) == 0 {
		return perr(at(), `syscalls[%d] names no syscall: add "names": ["..."]`, i)
	}
	for j, n := range r.Names {
		if strings.TrimSpace(n) == "" {
			return perr(at("names", j), "syscalls[%d].names[%d] is empty", i, j)
		}
	}
	if r.Action == "" {
		return perr(at(), `syscalls[%d] has no "action": set one of %s`, i, knownList(actionKeys()))
	}
	if !r.Action.Known() {
		return perr(at("action"), "unknown action %q in syscalls[%d]: use one of %s", r.Action, i, knownList(actionKeys()))
	}
	if r.ErrnoRet != nil {
		if r.Action != ActErrno && r.Action != ActTrace {
			return perr(at("errnoRet"), "syscalls[%d] sets errnoRet with %s: errnoRet only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE", i, r.Action)
		}
		if r.Action == ActErrno && (*r.ErrnoRet == 0 || *r.ErrnoRet > maxErrno) {
			return perr(at("errnoRet"), "syscalls[%d].errnoRet %d is out of range: an errno is 1..%d", i, *r.ErrnoRet, maxErrno)
		}
	}
	if r.ErrnoName != "" {
		if r.Action != ActErrno && r.Action != ActTrace {
			return perr(at("errno"), "syscalls[%d] sets errno with %s: errno only goes with SCMP_ACT_ERRNO or SCMP_ACT_TRACE", i, r.Action)
		}
		if err := validErrnoName(r.ErrnoName, at("errno"), fmt.Sprintf("syscalls[%d].errno", i)); err != nil {
			return err
		}
	}
	for j, a := range r.Args {
		if a == nil {
			return perr(at("args", j), "syscalls[%d].args[%d] is null", i, j)
		}
		if a.Index > 5 {
			return perr(at("args", j, "index"), "syscalls[%d].args[%d].index %d is out of range: syscalls have arguments 0..5", i, j, a.Index)
		}
		if _, ok := operatorNames[a.Op]; !ok {
			return perr(at("args", j, "op"), "unknown comparison operator %q in syscalls[%d].args[%d]: use one of %s", a.Op, i, j, knownList(opKeys()))
		}
	}
	for _, f := range []struct {
		key string
		f   *Filter
	}{{"includes", r.Includes}, {"excludes", r.Excludes}} {
		if f.f == nil {
			continue
		}
		if f.f.MinKernel != "" && (!kernelVersion(f.f.MinKernel) || f.f.MinKernel == "0.0") {
			return perr(at(f.key, "minKernel"), "syscalls[%d].%s.minKernel %q is not a kernel version: write it as \"X.Y\", e.g. \"5.8\"", i, f.key, f.f.MinKernel)
		}
		for j, c := range f.f.Caps {
			if !capName(c) {
				return perr(at(f.key, "caps", j), "syscalls[%d].%s.caps[%d] %q is not a capability name like CAP_SYS_ADMIN", i, f.key, j, c)
			}
		}
	}
	return nil
}

// validErrnoName checks Podman's errno string as containers-common reads
// it (PodmanErrno): Podman refuses what it cannot read.
func validErrnoName(s string, path []any, what string) error {
	if s == "" {
		return nil
	}
	n, ok := PodmanErrno(s)
	if !ok {
		return perr(path, "%s %q is not an errno Podman can read: write a name as the kernel spells it (ENOSYS, EPERM) or a decimal number", what, s)
	}
	if n == 0 || n > maxErrno {
		return perr(path, "%s %q is out of range: an errno is 1..%d", what, s, maxErrno)
	}
	return nil
}

func opKeys() []string {
	var s []string
	for o := range operatorNames {
		s = append(s, string(o))
	}
	return s
}

// Validate checks p as Parse does, for a profile built in memory (an
// import from another format). ErrorPath says which field an error is
// about.
func (p *Profile) Validate() error { return p.validate() }

// ErrorPath is the JSON path (keys and indexes, as in
// ["syscalls", 2, "args", 0, "op"]) of the field a Validate error is
// about; nil when it is about the whole profile.
func ErrorPath(err error) []any {
	var pe *pathError
	if errors.As(err, &pe) {
		return pe.path
	}
	return nil
}
