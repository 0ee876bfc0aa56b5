package compile

import (
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/cbpf"
)

// Explanation says what a compiled filter does with one syscall
// invocation, and why.
type Explanation struct {
	Syscall string
	Arch    catalog.Arch
	Nr      int64
	Args    [6]uint64
	// Decision is what the compiled program returned; Explain checks that
	// it equals the profile's meaning (Decide) and takes Rule from there.
	Decision profile.Decision
	// Profile is the profile's own outcome, in enforce mode: it differs
	// from Decision only when the program is a watch or record variant,
	// whose denials all notify first.
	Profile profile.Decision
	// Rule is the effective rule that decided, nil when the default, the
	// bad-arch action or the newer-syscall stub did.
	Rule *profile.EffRule
	// RuleSource is that rule as written in the profile.
	RuleSource *profile.Rule
	// Steps are the executed instructions, first to the return.
	Steps []cbpf.Step
}

// Explain runs prog on one call, as the kernel would see it, and explains
// the outcome. On x32, a number without the x32 bit gets it: x32 calls
// carry it in seccomp_data.nr. Arguments of a 32-bit ABI must fit in 32
// bits.
func Explain(prog *Program, arch catalog.Arch, nr int64, args [6]uint64) (*Explanation, error) {
	if _, ok := arch.Info(); !ok {
		return nil, fmt.Errorf("explain: unknown architecture %q: use one of %s", arch, profile.JoinArches(catalog.Arches()))
	}
	if nr < 0 || nr > 0x7fffffff {
		return nil, fmt.Errorf("explain: syscall number %d is out of range: use 0..0x7fffffff", nr)
	}
	if arch == catalog.X32 {
		nr |= catalog.X32SyscallBit
	}
	if arch.Is32Bit() {
		for i, a := range args {
			if a>>32 != 0 {
				return nil, fmt.Errorf("explain: args[%d] = %#x does not fit in 32 bits: %s passes 32-bit arguments", i, a, arch)
			}
		}
	}
	ret, steps, err := cbpf.Trace(prog.Insns, cbpf.KernelData(arch, nr, args))
	if err != nil {
		return nil, fmt.Errorf("explain: %w", err)
	}
	e := prog.Effective
	want := e.Decide(arch, nr, args, prog.Options)
	got := profile.FromRet(ret)
	if !want.Same(got) {
		// Verification did not try these arguments. Say what is known
		// to cause such a difference, as verification would have.
		verr := &VerifyError{Mismatches: []Mismatch{{arch, nr, want.Syscall, args, want, got}}}
		verr.classify(e)
		return nil, fmt.Errorf("explain: %s on %s with args %s: the compiled filter does %s but the profile means %s, with arguments verification did not try; %s",
			want.Syscall, arch, profile.FormatArgs(args), got, want, verr.Hint())
	}
	x := &Explanation{
		Syscall:  want.Syscall,
		Arch:     arch,
		Nr:       nr,
		Args:     args,
		Decision: want,
		Profile:  want,
		Steps:    steps,
	}
	if prog.Options.Variant != profile.VariantEnforce {
		x.Profile = e.Decide(arch, nr, args, profile.Options{NoENOSYS: prog.Options.NoENOSYS})
	}
	if i := x.Profile.Rule; i >= 0 && i < len(e.Rules) {
		x.Rule = &e.Rules[i]
		if e.Source != nil && x.Rule.Index < len(e.Source.Syscalls) {
			x.RuleSource = e.Source.Syscalls[x.Rule.Index]
		}
	}
	return x, nil
}

// ExplainName is Explain with the syscall given by name or number (see
// ResolveSyscall).
func ExplainName(prog *Program, arch catalog.Arch, syscall string, args [6]uint64) (*Explanation, error) {
	nr, err := profile.ResolveSyscall(arch, syscall)
	if err != nil {
		return nil, err
	}
	return Explain(prog, arch, nr, args)
}
