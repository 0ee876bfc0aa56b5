package tui

// The impact preview: the calls the last run made are kept with their
// arguments, and after every edit a command asks the edited profile's
// meaning (Effective.Decide, what the verified filter does in enforce
// mode) about each of them, so the user sees what a re-run would change
// before running it.

import (
	"fmt"
	"sort"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// call is one call the last run made: its ABI, name, arguments and how
// often. ArgsKnown is false for a recording's counts (the recorder
// keeps numbers, not arguments: zero arguments are asked about).
type call struct {
	Arch      catalog.Arch
	Syscall   string
	Args      [6]uint64
	Count     int
	ArgsKnown bool
}

// lastRun is what the preview compares with: the run's calls and the
// profile it ran under.
type lastRun struct {
	line  string
	calls []call
	eff   *profile.Effective
	// every: the run counted every call (record, learn); other runs
	// report only the calls that were not simply allowed.
	every bool
}

// impact is what an edit does to the last run's calls: denied now,
// allowed now, or denied another way (errno(EACCES) for errno(EPERM),
// kill for errno), each counted with repeats.
type impact struct {
	total               int
	deny, allow, change []nameCount
}

type nameCount struct {
	name  string
	count int
}

// impactMsg: the preview for generation gen.
type impactMsg struct {
	gen  int
	text string
}

func allowing(d profile.Decision) bool {
	return d.Action == profile.ActAllow || d.Action == profile.ActLog
}

// evalImpact asks then and now about every call. It is pure: the table
// test drives it without a run.
func evalImpact(calls []call, then, now *profile.Effective) impact {
	var im impact
	deny, allow, change := map[string]int{}, map[string]int{}, map[string]int{}
	for _, c := range calls {
		e, ok := catalog.MustDefault().Lookup(c.Syscall)
		if !ok {
			continue
		}
		nr, ok := e.Number(c.Arch)
		if !ok {
			continue
		}
		im.total += c.Count
		a := then.Decide(c.Arch, nr, c.Args, profile.Options{})
		b := now.Decide(c.Arch, nr, c.Args, profile.Options{})
		switch {
		case allowing(a) && !allowing(b):
			deny[c.Syscall] += c.Count
		case !allowing(a) && allowing(b):
			allow[c.Syscall] += c.Count
		case !a.Same(b):
			change[c.Syscall] += c.Count
		}
	}
	im.deny, im.allow, im.change = sorted(deny), sorted(allow), sorted(change)
	return im
}

// sorted lists the counts, most first, then by name.
func sorted(m map[string]int) []nameCount {
	out := make([]nameCount, 0, len(m))
	for n, c := range m {
		out = append(out, nameCount{n, c})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].count != out[j].count {
			return out[i].count > out[j].count
		}
		return out[i].name < out[j].name
	})
	return out
}

func sum(ns []nameCount) int {
	n := 0
	for _, x := range ns {
		n += x.count
	}
	return n
}

// names words a list as "mkdir ×2, socket", at most four names.
func names(ns []nameCount) string {
	var parts []string
	for i, x := range ns {
		if i == 4 {
			parts = append(parts, fmt.Sprintf("+%d more", len(ns)-4))
			break
		}
		if x.count > 1 {
			parts = append(parts, fmt.Sprintf("%s ×%d", x.name, x.count))
		} else {
			parts = append(parts, x.name)
		}
	}
	return strings.Join(parts, ", ")
}

func calls(n int) string {
	if n == 1 {
		return "1 call"
	}
	return fmt.Sprintf("%d calls", n)
}

// String words the preview: "this edit would deny 3 calls the last run
// made (mkdir ×2, socket)".
func (im impact) String() string {
	var parts []string
	if len(im.deny) > 0 {
		parts = append(parts, fmt.Sprintf("deny %s the last run made (%s)", calls(sum(im.deny)), names(im.deny)))
	}
	if len(im.allow) > 0 {
		parts = append(parts, fmt.Sprintf("allow %s it was denied (%s)", calls(sum(im.allow)), names(im.allow)))
	}
	if len(im.change) > 0 {
		parts = append(parts, fmt.Sprintf("deny %s another way (%s)", calls(sum(im.change)), names(im.change)))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("the edits change none of the %s the last run made", calls(im.total))
	}
	return "this edit would " + strings.Join(parts, "; ")
}

// impactCmd evaluates the last run's calls under eff (generation gen).
func impactCmd(gen int, last *lastRun, eff *profile.Effective) tea.Cmd {
	if last == nil {
		return nil
	}
	return func() tea.Msg {
		text := ""
		if len(last.calls) > 0 {
			text = evalImpact(last.calls, last.eff, eff).String()
		}
		if !last.every {
			if text != "" {
				text += " · "
			}
			text += "only the last run's denials are known (R records every call)"
		}
		return impactMsg{gen: gen, text: text}
	}
}

func (m Model) handleImpact(msg impactMsg) (Model, tea.Cmd) {
	if msg.gen != m.ed.Generation() {
		return m, nil // an older edit's preview
	}
	m.run.SetImpact(msg.text)
	if !m.statusErr && m.status != "" {
		// The status says what the edit was; the preview what it does.
		m.status += " · " + msg.text
	}
	return m, nil
}

// noteCall keeps a denied or logged call for the preview (a row's update
// carries its new total).
func (s *session) noteCall(d runner.Denial) {
	if s.calls == nil {
		s.calls = map[int]call{}
	}
	s.calls[d.ID] = call{Arch: d.Arch, Syscall: d.Syscall, Args: d.Args, Count: max(1, d.Count), ArgsKnown: true}
}

// lastRunOf gathers what the preview keeps of a finished run: its
// denials with their arguments, and for a recording or a learn run every
// call it counted.
func lastRunOf(ses *session) *lastRun {
	lr := &lastRun{line: ses.line, eff: ses.eff, every: ses.mode == runner.ModeRecord || ses.mode == runner.ModeLearn}
	seen := map[string]bool{}
	for _, c := range ses.calls {
		lr.calls = append(lr.calls, c)
		seen[c.Syscall+"/"+string(c.Arch)] = true
	}
	if ses.run != nil {
		for _, sc := range ses.run.Syscalls() {
			if !seen[sc.Syscall+"/"+string(sc.Arch)] {
				lr.calls = append(lr.calls, call{Arch: sc.Arch, Syscall: sc.Syscall, Count: sc.Count})
			}
		}
	}
	sort.Slice(lr.calls, func(i, j int) bool { return lr.calls[i].Syscall < lr.calls[j].Syscall })
	return lr
}
