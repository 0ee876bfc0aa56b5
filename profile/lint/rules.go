package lint

import (
	"fmt"
	"slices"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Checks about what the file says: names, argument conditions, arches,
// and rules that can never decide anything.

// unknownNames reports names that are a syscall on no supported ABI. It
// reads every rule of the file, not only those that apply to this host: a
// typo is a typo everywhere.
func (l *linter) unknownNames() {
	var all []string
	for i, r := range l.e.Source.Syscalls {
		for _, n := range r.AllNames() {
			// The generated tables answer without the catalog: a run
			// asks this of every name before it starts.
			if nums, ok := catalog.NumbersOf(n); ok && nums.Len() > 0 {
				continue
			}
			if all == nil {
				for _, a := range catalog.Arches() {
					all = append(all, string(a))
				}
			}
			msg := fmt.Sprintf("not a syscall on %s", orList(all))
			hint := "see seccomp-workbench catalog " + n
			if c := profile.NearestName(catalog.MustDefault(), n); c != "" {
				hint = fmt.Sprintf("did you mean %s? see seccomp-workbench catalog %s", c, c)
			}
			l.add(SevError, "unknown-syscall", i, n, msg, hint)
		}
	}
}

// duplicateArgs reports rules with two conditions on one argument. Read
// as written, the conditions of a rule are ANDed; but libseccomp keeps one
// comparison per argument and rule, so runc and crun (and this workbench,
// which loads profiles as they do) turn such a rule into one rule per
// condition: any one condition lets the rule apply. A range written as
// two comparisons of one argument ("GE 0" and "LT 8") then matches every
// value. The profile loads; it may not mean what it says.
func (l *linter) duplicateArgs() {
	for i, r := range l.e.Source.Syscalls {
		seen := map[uint]int{}
		for j, a := range r.Args {
			first, dup := seen[a.Index]
			if !dup {
				seen[a.Index] = j
				continue
			}
			l.add(SevWarning, "duplicate-arg", i, "",
				fmt.Sprintf("args[%d] and args[%d] both test argument %d, so runc and crun load each of the rule's %d conditions as a rule of its own: the rule applies when any one of them holds, not all",
					first, j, a.Index, len(r.Args)),
				"if all must hold, keep one condition per argument (SCMP_CMP_MASKED_EQ tests several bits at once; a range needs rules that leave the values outside it to a later rule or the default)")
			break
		}
	}
}

// emptyAllowList: a deny-by-default profile in which no rule lets
// anything through stops the program before it starts — its own execve
// is filtered.
func (l *linter) emptyAllowList() {
	if !l.e.DefaultAction.Denies() {
		return
	}
	for _, r := range l.e.Rules {
		if !r.Action.Denies() {
			return // it lets calls through, or hands them to another process
		}
	}
	what := "no rule allows anything"
	if len(l.e.Rules) < len(l.e.Source.Syscalls) {
		what = "no rule that applies on this host allows anything"
	}
	l.add(SevError, "empty-allowlist", -1, "",
		fmt.Sprintf("the default action is %s and %s: nothing can run, not even the execve that starts the program", l.e.DefaultDecision(), what),
		"allow what the program needs: start from preset:docker-default, or record a profile with seccomp-workbench record")
}

// unsupportedArches: valid Docker arches the linked libseccomp has no
// syscall table for (LoongArch, m68k, SuperH in 2.5.4). They stay in the
// file but are neither compiled nor verified. runc adds every ABI of the
// filter with seccomp_arch_add, which fails for these, and then refuses
// to start the container.
func (l *linter) unsupportedArches() {
	if len(l.e.Unsupported) == 0 {
		return
	}
	l.add(SevWarning, "unsupported-arch", -1, "",
		fmt.Sprintf("%s: libseccomp %s has no table for it: the workbench neither compiles nor verifies it, and runc built on this libseccomp cannot add the ABI and refuses the profile", strings.Join(l.e.Unsupported, ", "), profile.LinkedLibseccomp()),
		"drop it, or name it only in an archMap entry for its own host")
}

// x86ABIs: an x86_64 kernel also accepts 32-bit x86 calls (int 0x80, from
// any process, and whole i386 programs) and x32 calls. A filter's ABIs are
// checked first: a call from an ABI the filter does not list never reaches
// the rules and gets the bad-arch action, which kills the thread. That is
// sometimes the intent (systemd's SystemCallArchitectures=native), but it
// is easy to do by accident. The profile's own declaration is read, not
// e.Arches, so that check --arch x86_64 does not cause the finding.
func (l *linter) x86ABIs() {
	declared, _ := l.e.Source.Arches(l.e.Env.Host)
	has := map[catalog.Arch]bool{}
	for _, a := range declared {
		has[a] = true
	}
	if !has[catalog.X86_64] {
		return
	}
	var missing []string
	for _, a := range []catalog.Arch{catalog.X86, catalog.X32} {
		if !has[a] {
			missing = append(missing, string(a))
		}
	}
	if len(missing) == 0 {
		return
	}
	where := "architectures lists x86_64 but not " + strings.Join(missing, " or ")
	if len(l.e.Source.Architectures) == 0 && len(l.e.Source.ArchMap) == 0 {
		where = "the profile names no architectures, so only native x86_64 calls are filtered, not " + strings.Join(missing, " or ") + " ones"
	} else if len(l.e.Source.Architectures) == 0 {
		where = "the archMap entry for x86_64 lacks " + strings.Join(missing, " and ")
	}
	var who []string
	for _, m := range missing {
		if m == string(catalog.X86) {
			who = append(who, "int 0x80 from any process", "an i386 program")
		} else {
			who = append(who, "an x32 program")
		}
	}
	docker := make([]string, len(missing))
	for i, m := range missing {
		docker[i] = catalog.Arch(m).Docker()
	}
	l.add(SevWarning, "x86-abis-unhandled", -1, "",
		fmt.Sprintf("%s: a call through a missing ABI (%s) skips the rules and the thread is killed by the bad-arch action", where, orList(who)),
		fmt.Sprintf("add %s to apply the same rules there, or keep it if killing such calls is the intent", strings.Join(docker, " and ")))
}

// shadowed: the first applicable rule naming a call decides it when its
// conditions hold, so a rule after an unconditional one for the same name
// is never consulted for that name.
func (l *linter) shadowed() {
	decided := map[string]int{} // name → source index of the unconditional rule
	for _, r := range l.e.Rules {
		var dead []string
		by := map[int]bool{}
		for _, n := range r.Names {
			if at, ok := decided[n]; ok {
				dead = append(dead, n)
				by[at] = true
			}
		}
		if len(dead) > 0 {
			var at []string
			for _, r2 := range l.e.Rules {
				if by[r2.Index] {
					at = append(at, fmt.Sprintf("syscalls[%d]", r2.Index))
				}
			}
			sys, msg := "", ""
			if len(dead) == len(r.Names) {
				msg = fmt.Sprintf("never used: %s already decides %s unconditionally", orList(at), strings.Join(dead, ", "))
			} else {
				verb, pron := "never reaches", "it"
				if len(dead) > 1 {
					verb, pron = "never reach", "them"
				}
				msg = fmt.Sprintf("%s %s this rule: %s decides %s first, unconditionally", strings.Join(dead, ", "), verb, orList(at), pron)
				if len(dead) == 1 {
					msg = fmt.Sprintf("never reaches this rule: %s decides it first, unconditionally", orList(at))
				}
			}
			if len(dead) == 1 {
				sys = dead[0]
			}
			hint := "remove " + map[bool]string{true: "it", false: "them"}[len(dead) == 1] + " from this rule, or move the rule above the earlier one if it should win"
			if len(dead) == len(r.Names) {
				hint = "remove the rule, or move it above the earlier one if it should win"
			}
			l.add(SevWarning, "shadowed-rule", r.Index, sys, msg, hint)
		}
		if len(r.Args) == 0 {
			for _, n := range r.Names {
				if _, ok := decided[n]; !ok {
					decided[n] = r.Index
				}
			}
		}
	}
}

// redundant: a rule whose outcome is the default's changes nothing,
// unless a later rule for one of its names would otherwise decide. (A
// rule wholly shadowed by an earlier one is reported as such instead.)
func (l *linter) redundant() {
	def := l.e.DefaultDecision()
	decided := map[string]bool{}
	for k, r := range l.e.Rules {
		live := false
		for _, n := range r.Names {
			if !decided[n] {
				live = true
			}
		}
		if live && ruleDecision(r).Same(def) && !l.laterDiffers(k, def) {
			hint := "remove it"
			if n := l.holdsStubLimit(r); n != "" {
				hint = fmt.Sprintf("remove it, but note that %s is the highest-numbered call the profile names, so removing it lowers the limit above which the ENOSYS stub answers", n)
			}
			l.add(SevWarning, "redundant-rule", r.Index, "",
				fmt.Sprintf("this rule's outcome, %s, is the default action's: it changes nothing", def), hint)
		}
		if len(r.Args) == 0 {
			for _, n := range r.Names {
				decided[n] = true
			}
		}
	}
}

// laterDiffers: a rule after rule k names one of k's names with an outcome
// other than def, so rule k's conditions carve out an exception.
func (l *linter) laterDiffers(k int, def profile.Decision) bool {
	for _, r := range l.e.Rules[k+1:] {
		if ruleDecision(r).Same(def) {
			continue
		}
		for _, n := range r.Names {
			if l.e.Rules[k].Has(n) {
				return true
			}
		}
	}
	return false
}

// holdsStubLimit returns a name of r that is the highest number the
// profile names on some arch, when the ENOSYS stub is in play.
func (l *linter) holdsStubLimit(r profile.EffRule) string {
	for _, a := range l.e.Arches {
		max, ok := l.e.StubLimit(a)
		if !ok {
			continue
		}
		for _, n := range r.Names {
			if ent, ok := l.cat.Lookup(n); ok {
				if nr, ok := ent.Number(a); ok && nr == max {
					return n
				}
			}
		}
	}
	return ""
}

// absentOnArch: a name that is not a syscall on one of the profile's ABIs
// is skipped there. That is normal in multi-arch profiles (chown32 exists
// only on 32-bit ABIs) and only matters when the job is done by a
// different call on that ABI which the profile treats differently: open
// does not exist on aarch64, where programs use openat.
func (l *linter) absentOnArch() {
	for _, r := range l.e.Rules {
		want := ruleDecision(r)
		for _, n := range r.Names {
			ent, ok := l.cat.Lookup(n)
			if !ok || ent.Numbers.Len() == 0 || isMux(n) {
				continue // unknownNames, multiplexers
			}
			var arches []catalog.Arch
			var others []string
			for _, a := range l.e.Arches {
				if _, ok := ent.Number(a); ok {
					continue
				}
				var there []string
				covered := false
				for _, m := range ent.Family {
					if m == n {
						continue
					}
					t := l.treat(a, m)
					if !t.Exists {
						continue
					}
					there = append(there, m)
					if sameClass(want, t) {
						covered = true
					}
				}
				if len(there) == 0 || covered {
					continue
				}
				arches = append(arches, a)
				for _, m := range there {
					if !slices.Contains(others, m) {
						others = append(others, m)
					}
				}
			}
			if len(arches) == 0 {
				continue
			}
			l.add(SevWarning, "absent-on-arch", r.Index, n,
				fmt.Sprintf("not a syscall on %s; the job is done there by %s, which this rule's %s does not reach", profile.JoinArches(arches), orList(others), want),
				fmt.Sprintf("add %s to this rule", orList(others)))
		}
	}
}

// sameClass: t gets what a rule deciding want would give, loosely: both
// let the call through, both refuse it, or the same notify/trace.
func sameClass(want profile.Decision, t treatment) bool {
	switch {
	case want.Action.LetsThrough():
		return t.Allowed()
	case want.Action.Denies():
		return t.Decision.Action.Denies()
	}
	return want.Same(t.Decision)
}

func isMux(n string) bool {
	for _, m := range muxes {
		if m.name == n {
			return true
		}
	}
	return false
}
