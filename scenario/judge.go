package scenario

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// Observation is what a run did, as far as judging needs it.
type Observation struct {
	Verdict  runner.Verdict
	Denials  []runner.Denial
	Stdout   string
	Stderr   string
	Duration time.Duration
}

// Judge compares what a run did with e and returns one line per
// expectation that did not hold (none: every one held). In audit mode
// (Verdict.Mode) nothing was denied: denied and not_denied are judged
// against what the profile would have denied, and say so.
func Judge(e Expect, o Observation) []string {
	var out []string
	v := o.Verdict
	audit := v.Mode == runner.ModeAudit
	if e.Result != "" && v.Result != e.Result {
		out = append(out, fmt.Sprintf("result: got %s (%s), want %s", v.Result, reason(v), e.Result))
	}
	if e.Exit != nil && (v.ExitCode != *e.Exit || v.Result == runner.ResultError && *e.Exit == 0) {
		out = append(out, fmt.Sprintf("exit: got %d, want %d (%s)", v.ExitCode, *e.Exit, reason(v)))
	}
	if e.Signal != "" && v.Signal != e.Signal {
		got := v.Signal
		if got == "" {
			got = "no signal"
		}
		out = append(out, fmt.Sprintf("signal: got %s, want %s (%s)", got, e.Signal, reason(v)))
	}
	denied := deniedSet(o)
	never, was := "was never denied", "was denied"
	if audit {
		never, was = "would never have been denied", "would have been denied"
	}
	for _, name := range e.Denied {
		if !denied[name] {
			out = append(out, fmt.Sprintf("denied: %s %s (%s)", name, never, deniedList(denied, audit)))
		}
	}
	for _, name := range e.NotDenied {
		for _, d := range o.Denials {
			if name == "*" || d.Syscall == name {
				why := outcomeText(d)
				if d.Audit {
					why += "; audit mode: it ran"
				}
				out = append(out, fmt.Sprintf("not_denied: %s %s (%s)", callText(d), was, why))
				if name != "*" {
					break
				}
			}
		}
		if name != "*" && len(o.Denials) == 0 && denied[name] {
			out = append(out, fmt.Sprintf("not_denied: %s %s", name, was))
		}
	}
	if f := matchFailure("output", e.Output, o.Stdout, "stdout"); f != "" {
		out = append(out, f)
	}
	if f := matchFailure("stderr", e.Stderr, o.Stderr, "stderr"); f != "" {
		out = append(out, f)
	}
	if e.MaxDuration > 0 && o.Duration > e.MaxDuration {
		out = append(out, fmt.Sprintf("max_duration: took %s, limit %s", o.Duration.Round(100*time.Millisecond), e.MaxDuration))
	}
	return out
}

func reason(v runner.Verdict) string {
	if v.Reason != "" {
		return v.Reason
	}
	if v.Outcome != "" {
		return v.Outcome
	}
	return "exit status " + fmt.Sprint(v.ExitCode)
}

func deniedSet(o Observation) map[string]bool {
	m := map[string]bool{}
	for _, n := range o.Verdict.Denied {
		m[n] = true
	}
	for _, n := range o.Verdict.WouldDeny {
		m[n] = true
	}
	for _, d := range o.Denials {
		m[d.Syscall] = true
	}
	return m
}

func deniedList(m map[string]bool, audit bool) string {
	if audit {
		if len(m) == 0 {
			return "audit mode: the profile would deny nothing"
		}
		return "audit mode: would deny: " + strings.Join(slices.Sorted(maps.Keys(m)), ", ")
	}
	if len(m) == 0 {
		return "nothing was denied"
	}
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return "denied: " + strings.Join(names, ", ")
}

func callText(d runner.Denial) string {
	if d.ArgText != "" {
		return d.ArgText
	}
	return d.Syscall + "(...)"
}

func outcomeText(d runner.Denial) string {
	if d.Outcome.Action.TakesErrno() {
		return "errno " + profile.ErrnoName(d.Outcome.Errno)
	}
	return d.Outcome.Action.Short()
}

func matchFailure(key string, re *regexp.Regexp, text, stream string) string {
	if re == nil || re.MatchString(text) {
		return ""
	}
	lines := strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		lines++
	}
	unit := "lines"
	if lines == 1 {
		unit = "line"
	}
	return fmt.Sprintf("%s: no match for %q in %d %s of %s", key, re.String(), lines, unit, stream)
}
