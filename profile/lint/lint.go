// Package lint finds what is wrong or suspicious in a profile as it
// applies to one host: unknown names, rules that can never decide,
// families split between allow and deny, calls whose fallback the
// profile breaks, critical calls let through. Each check is a method of
// linter, run in turn by LintEffective; findings carry a stable code.
package lint

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Severity says whether a finding makes the profile wrong (error) or only
// suspicious (warning). An error means the filter will not do what its
// author expects on a platform that runs the ABI concerned (a name that
// is no syscall, a fallback glibc cannot reach, a program that cannot
// start); everything else — a bypass worth knowing of, a libseccomp or
// runtime quirk, an ABI few systems run — is a warning.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
)

// Finding is one lint result. Code is a stable kebab-case identifier that
// scripts and tests may match on; Message says what is wrong and Hint what
// to do, each on one line.
type Finding struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	// Rule is the index in Profile.Syscalls, -1 when the finding is not
	// about one rule.
	Rule int `json:"rule"`
	// Syscall is "" when the finding is not about one syscall.
	Syscall string `json:"syscall,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint"`
}

// Subject is what the finding is about, for one-line output: the syscall,
// else the rule ("syscalls[3]"), else "profile".
func (f Finding) Subject() string {
	switch {
	case f.Syscall != "":
		return f.Syscall
	case f.Rule >= 0:
		return fmt.Sprintf("syscalls[%d]", f.Rule)
	}
	return "profile"
}

// String renders "severity: subject: message (hint)".
func (f Finding) String() string {
	s := fmt.Sprintf("%s: %s: %s", f.Severity, f.Subject(), f.Message)
	if f.Hint != "" {
		s += " (" + f.Hint + ")"
	}
	return s
}

// Lint checks p as it applies to env: the rules includes/excludes select
// for env, on the ABIs the profile declares. Compile and Verify failures
// are not findings; callers report them separately.
func Lint(p *profile.Profile, env profile.Env) []Finding {
	return LintEffective(p.Effective(env))
}

// LintEffective is Lint on an already resolved profile, so that a caller
// that narrows e.Arches (check --arch) lints exactly what it compiles.
// Checks about what the file declares (its architectures, argument
// conditions, names) read e.Source; checks about meaning use e's rules and
// arches.
func LintEffective(e *profile.Effective) []Finding {
	l := &linter{e: e, cat: catalog.MustDefault(), treated: map[catalog.Arch]map[string]profile.Treatment{}}
	l.unknownNames()
	l.unknownKeys()
	l.errnoNames()
	l.duplicateArgs()
	l.emptyAllowList()
	l.unsupportedArches()
	l.x86ABIs()
	l.shadowed()
	l.redundant()
	l.absentOnArch()
	l.familySplit()
	l.clone3()
	l.fallbacks()
	l.noENOSYS()
	l.critical()
	l.multiplexers()
	l.muxConditions()
	l.upperHalf()
	l.ipcVersion()
	l.notify()
	l.runtimeNeeds()
	l.runtimeDrops()
	SortFindings(l.out)
	return l.out
}

// UnknownSyscalls is lint's unknown-syscall check alone: the names, in
// any rule of the file, that are a syscall on no supported ABI. check
// reports them as errors; a run refuses such a profile with the same
// findings, since the filter would simply leave those rules out.
func UnknownSyscalls(e *profile.Effective) []Finding {
	if e == nil || e.Source == nil {
		return nil
	}
	l := &linter{e: e} // unknownNames needs no catalog for known names
	l.unknownNames()
	return l.out
}

// SortFindings orders errors first, then by rule index (profile-level
// findings, -1, first), then syscall, code and message.
func SortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if a.Severity != b.Severity {
			return a.Severity == SevError
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Syscall != b.Syscall {
			return a.Syscall < b.Syscall
		}
		if a.Code != b.Code {
			return a.Code < b.Code
		}
		return a.Message < b.Message
	})
}

type linter struct {
	e   *profile.Effective
	cat *catalog.Catalog
	out []Finding
	// treated holds the Treatments of each ABI a check asked about.
	treated map[catalog.Arch]map[string]profile.Treatment
}

func (l *linter) add(sev Severity, code string, rule int, syscall, msg, hint string) {
	l.out = append(l.out, Finding{Severity: sev, Code: code, Rule: rule, Syscall: syscall, Message: msg, Hint: hint})
}

// treatment is the profile's Treatment of one call on one ABI; a call
// the ABI lacks has the zero one.
type treatment = profile.Treatment

func (l *linter) treat(arch catalog.Arch, name string) treatment {
	ts, ok := l.treated[arch]
	if !ok {
		ts = l.e.Treatments(arch)
		l.treated[arch] = ts
	}
	if t := ts[name]; t.Exists {
		return t
	}
	return treatment{}
}

// decidedBy names what produced a decision: a rule or the default.
func (l *linter) decidedBy(d profile.Decision) (rule int, text string) {
	switch d.Rule {
	case profile.RuleNewer:
		return -1, "the ENOSYS stub for calls newer than the profile"
	case profile.RuleDefault:
		return -1, "the default action"
	}
	if d.Rule >= 0 && d.Rule < len(l.e.Rules) {
		idx := l.e.Rules[d.Rule].Index
		return idx, fmt.Sprintf("syscalls[%d]", idx)
	}
	return -1, "the default action"
}

func ruleDecision(r profile.EffRule) profile.Decision {
	d := profile.Decision{Action: r.Action}
	if a := r.Action.Canon(); a == profile.ActErrno || a == profile.ActTrace {
		d.Errno = r.Errno
	}
	return d
}

// orList joins names as "a, b or c".
func orList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}

// andList joins names as "a, b and c".
func andList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func appendOnce[T comparable](s []T, v T) []T {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
