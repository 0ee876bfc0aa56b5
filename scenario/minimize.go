package scenario

// Test-driven minimisation: a profile's allow rules are cut down to what
// an oracle (the scenarios) still accepts, by delta debugging over the
// rules' elements.

import (
	"context"
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// Outcome is an oracle's answer for one candidate.
type Outcome struct {
	Passed bool
	// Failed names the scenario that failed (when !Passed).
	Failed string
}

// Oracle says whether every scenario still meets its expectations under
// a candidate. An error means the answer could not be had at all (not
// that the candidate failed) and stops the minimisation.
type Oracle func(ctx context.Context, candidate *profile.Effective) (Outcome, error)

// Element is one removable piece of an allow rule: a syscall name, or
// one condition of a rule whose conditions are ORed (several tests of
// one argument: "allow clone when arg0 == A or arg0 == B").
type Element struct {
	Rule    int    // index in Profile.Syscalls
	Syscall string // set for a name element
	Arg     int    // index in the rule's Args for a condition element, else -1
	Desc    string // "read", "clone arg0 == 0x11"
}

func (el Element) String() string { return el.Desc }

// MinimizeOptions tune Minimize.
type MinimizeOptions struct {
	Jobs int // candidates tested at once; <1 = 1
	// Progress, when set, is called from one goroutine at a time after
	// every oracle run.
	Progress func(MinimizeProgress)
}

// MinimizeProgress is where a minimisation is.
type MinimizeProgress struct {
	Runs     int // oracle runs so far
	Elements int // elements at the start
	Left     int // elements still kept
	// EstRuns is an estimate of the runs still to come (an upper bound
	// for an oracle whose answers are consistent), EstTime of their
	// wall time at the speed seen so far.
	EstRuns int
	EstTime time.Duration
	Elapsed time.Duration
}

// Flaky is an element kept because the scenarios gave different answers
// for the same candidate.
type Flaky struct {
	Element  Element
	Scenario string // the scenario whose result flipped
}

// MinimizeResult is what Minimize found.
type MinimizeResult struct {
	Profile  *profile.Profile   // the smaller profile (a new copy)
	Final    *profile.Effective // Profile for the env minimised in
	Removed  []Element
	Kept     []Element
	Flaky    []Flaky
	Runs     int
	Duration time.Duration
}

// ErrOriginalFails is wrapped by Minimize's error when the scenarios do
// not pass under the profile it started from.
var ErrOriginalFails = errors.New("the scenarios do not pass under the starting profile")

// ErrFlakyFinal is wrapped when the final candidate does not pass on a
// re-run: the scenarios are flaky and the result cannot be trusted.
var ErrFlakyFinal = errors.New("the minimised profile did not pass again: the scenarios are flaky")

// Elements lists the removable elements of e's allow rules (the rules
// that apply in e's env), in profile order.
func Elements(e *profile.Effective) []Element {
	var out []Element
	seen := map[int]bool{}
	for _, er := range e.Rules {
		if seen[er.Index] {
			continue // an ORed rule appears once per condition
		}
		seen[er.Index] = true
		r := e.Source.Syscalls[er.Index]
		if r.Action.Canon() != profile.ActAllow {
			continue
		}
		for _, n := range r.AllNames() {
			out = append(out, Element{Rule: er.Index, Syscall: n, Arg: -1, Desc: n})
		}
		if !profile.RepeatsIndex(r.Args) {
			// ANDed conditions: dropping one would allow more.
			continue
		}
		names := strings.Join(r.AllNames(), ",")
		for i, a := range r.Args {
			out = append(out, Element{Rule: er.Index, Arg: i, Desc: fmt.Sprintf("%s %s", names, condText(a))})
		}
	}
	return out
}

func condText(a *profile.Arg) string {
	switch a.Op {
	case profile.OpMaskedEqual:
		return fmt.Sprintf("arg%d & %#x == %#x", a.Index, a.Value, a.ValueTwo)
	}
	ops := map[profile.Operator]string{
		profile.OpNotEqual: "!=", profile.OpLessThan: "<", profile.OpLessEqual: "<=",
		profile.OpEqualTo: "==", profile.OpGreaterEqual: ">=", profile.OpGreaterThan: ">",
	}
	return fmt.Sprintf("arg%d %s %#x", a.Index, ops[a.Op], a.Value)
}

// Without returns a copy of p with the elements drop removed: a removed
// name falls to the rules after it or the default action; a rule left
// without names, or an ORed rule left without conditions, goes. An ORed
// rule whose remaining conditions no longer test one argument twice is
// split into one rule per condition, which keeps them ORed.
func Without(p *profile.Profile, drop []Element) *profile.Profile {
	q := p.Clone()
	names := map[int]map[string]bool{}
	args := map[int]map[int]bool{}
	for _, el := range drop {
		if el.Arg >= 0 {
			if args[el.Rule] == nil {
				args[el.Rule] = map[int]bool{}
			}
			args[el.Rule][el.Arg] = true
		} else {
			if names[el.Rule] == nil {
				names[el.Rule] = map[string]bool{}
			}
			names[el.Rule][el.Syscall] = true
		}
	}
	var rules []*profile.Rule
	for i, r := range q.Syscalls {
		if dn := names[i]; dn != nil {
			if dn[r.Name] {
				r.Name = ""
			}
			r.Names = slices.DeleteFunc(r.Names, func(n string) bool { return dn[n] })
			if r.Name == "" && len(r.Names) == 0 {
				continue
			}
		}
		da := args[i]
		if da == nil {
			rules = append(rules, r)
			continue
		}
		var kept []*profile.Arg
		for j, a := range r.Args {
			if !da[j] {
				kept = append(kept, a)
			}
		}
		if len(kept) == 0 {
			continue // no condition left: the rule matches nothing
		}
		if len(kept) == 1 || profile.RepeatsIndex(kept) {
			r.Args = kept
			rules = append(rules, r)
			continue
		}
		for _, a := range kept {
			c := p.Clone().Syscalls[i] // a fresh copy per condition
			c.Args = []*profile.Arg{a}
			rules = append(rules, c)
		}
	}
	q.Syscalls = rules
	return q
}

// minimizer is one Minimize call's state.
type minimizer struct {
	ctx    context.Context
	start  *profile.Effective
	oracle Oracle
	o      MinimizeOptions
	els    []Element
	began  time.Time

	mu    sync.Mutex
	runs  int
	flaky []Flaky
	// failedAlone holds the elements whose removal alone failed during
	// the bisection, with the scenario that failed.
	failedAlone map[int]string
}

// Minimize finds a smaller profile than start that the oracle still
// accepts, by group bisection over Elements(start): removing a chunk of
// elements is tried; when the scenarios still pass the chunk goes, when
// they fail it is halved and each half is tried, down to single
// elements. Up to o.Jobs chunks are tried at once, each against the
// candidate as it stands; chunks that pass together are removed together
// (checked by one more run when there are several). A last pass tries
// each element kept once more against the final candidate, so for an
// oracle that answers consistently the result is 1-minimal: removing any
// one element kept makes it fail. For k needed elements of n this takes
// about 2k·log2(n/k) runs instead of n one at a time.
//
// The scenarios are run twice under start first and must pass both
// times. When the last pass finds that an element can go after all, the
// answer has flipped if its removal failed before (with more allowed);
// else the removal is run again and must pass again. A flipped answer
// means the scenario is flaky: the element is kept and reported in
// Flaky, never removed on one lucky run. The result is run
// twice at the end and must pass both times (else ErrFlakyFinal).
func Minimize(ctx context.Context, start *profile.Effective, oracle Oracle, o MinimizeOptions) (*MinimizeResult, error) {
	if o.Jobs < 1 {
		o.Jobs = 1
	}
	m := &minimizer{ctx: ctx, start: start, oracle: oracle, o: o, els: Elements(start), began: time.Now(), failedAlone: map[int]string{}}
	for range 2 {
		out, err := m.run(start, len(m.els), 0)
		if err != nil {
			return nil, err
		}
		if !out.Passed {
			return nil, fmt.Errorf("%w: %s failed", ErrOriginalFails, out.Failed)
		}
	}
	cur := make([]int, len(m.els)) // indexes into m.els still kept
	for i := range cur {
		cur[i] = i
	}
	queue := split(cur, max(2, min(o.Jobs, len(cur))))
	for len(queue) > 0 {
		batch := queue[:min(o.Jobs, len(queue))]
		queue = queue[len(batch):]
		next, failed, err := m.tryBatch(cur, batch, m.estimate(queue, len(batch), len(cur)))
		if err != nil {
			return nil, err
		}
		cur = next
		for _, ch := range failed {
			if len(ch) > 1 {
				queue = append(queue, split(ch, 2)...)
			}
		}
	}
	cur, err := m.confirm(cur)
	if err != nil {
		return nil, err
	}
	res := &MinimizeResult{Profile: Without(start.Source, m.dropped(cur))}
	res.Final = res.Profile.Effective(start.Env)
	for range 2 {
		out, err := m.run(res.Final, len(cur), 0)
		if err != nil {
			return nil, err
		}
		if !out.Passed {
			return nil, fmt.Errorf("%w: %s failed", ErrFlakyFinal, out.Failed)
		}
	}
	keep := map[int]bool{}
	for _, i := range cur {
		keep[i] = true
	}
	for i, el := range m.els {
		if keep[i] {
			res.Kept = append(res.Kept, el)
		} else {
			res.Removed = append(res.Removed, el)
		}
	}
	res.Flaky, res.Runs, res.Duration = m.flaky, m.runs, time.Since(m.began)
	return res, nil
}

// confirm tries removing each element of cur alone, against cur as it
// stands, until a pass removes nothing. A removal that passes is run
// again before it is taken: a different answer marks the scenario
// flaky and keeps the element.
func (m *minimizer) confirm(cur []int) ([]int, error) {
	flaky := map[int]bool{}
	for {
		var singles [][]int
		for _, i := range cur {
			if !flaky[i] {
				singles = append(singles, []int{i})
			}
		}
		removed := false
		for b := 0; b < len(singles); b += m.o.Jobs {
			batch := singles[b:min(b+m.o.Jobs, len(singles))]
			var live [][]int
			for _, ch := range batch {
				if slices.Contains(cur, ch[0]) {
					live = append(live, ch)
				}
			}
			outs, err := m.runAll(cur, live, len(singles)-b+2)
			if err != nil {
				return nil, err
			}
			for i, ch := range live {
				if !outs[i].Passed {
					continue
				}
				if name, ok := m.failedAlone[ch[0]]; ok {
					// It failed before with more allowed: the
					// answer flipped.
					flaky[ch[0]] = true
					m.flaky = append(m.flaky, Flaky{Element: m.els[ch[0]], Scenario: name})
					continue
				}
				again, err := m.run(m.candidate(minus(cur, ch)), len(cur), len(singles)-b+2)
				if err != nil {
					return nil, err
				}
				if !again.Passed {
					flaky[ch[0]] = true
					m.flaky = append(m.flaky, Flaky{Element: m.els[ch[0]], Scenario: again.Failed})
					continue
				}
				cur = minus(cur, ch)
				removed = true
			}
		}
		if !removed {
			return cur, nil
		}
	}
}

// runAll runs the candidates cur minus each chunk at once.
func (m *minimizer) runAll(cur []int, chunks [][]int, est int) ([]Outcome, error) {
	outs := make([]Outcome, len(chunks))
	errs := make([]error, len(chunks))
	var wg sync.WaitGroup
	for i, ch := range chunks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = m.run(m.candidate(minus(cur, ch)), len(cur), est-i)
		}()
	}
	wg.Wait()
	return outs, errors.Join(errs...)
}

// tryBatch tests removing each chunk from cur at once; it returns the
// elements still kept afterwards and the chunks whose removal failed.
func (m *minimizer) tryBatch(cur []int, batch [][]int, est int) (next []int, failed [][]int, err error) {
	outs, err := m.runAll(cur, batch, est)
	if err != nil {
		return nil, nil, err
	}
	var pass []int
	for i, ch := range batch {
		if outs[i].Passed {
			pass = append(pass, i)
		} else {
			failed = append(failed, ch)
			if len(ch) == 1 {
				m.failedAlone[ch[0]] = outs[i].Failed
			}
		}
	}
	if len(pass) == 0 {
		return cur, failed, nil
	}
	joint := cur
	for _, i := range pass {
		joint = minus(joint, batch[i])
	}
	if len(pass) > 1 {
		out, err := m.run(m.candidate(joint), len(cur), est)
		if err != nil {
			return nil, nil, err
		}
		if !out.Passed {
			// The removals interact: take the first alone and try the
			// others again later.
			for _, i := range pass[1:] {
				failed = append(failed, batch[i])
			}
			return minus(cur, batch[pass[0]]), failed, nil
		}
	}
	return joint, failed, nil
}

func (m *minimizer) run(e *profile.Effective, left, est int) (Outcome, error) {
	out, err := m.oracle(m.ctx, e)
	if err == nil {
		err = m.ctx.Err()
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.runs++
	if m.o.Progress != nil {
		el := time.Since(m.began)
		p := MinimizeProgress{Runs: m.runs, Elements: len(m.els), Left: left, EstRuns: max(est, 0), Elapsed: el}
		if m.runs > 0 {
			// Runs go o.Jobs at a time.
			per := el / time.Duration(m.runs)
			p.EstTime = per * time.Duration(p.EstRuns)
		}
		m.o.Progress(p)
	}
	return out, err
}

// estimate guesses the runs to come: this batch, and for each chunk
// queued a bisection down to about one needed element (2·log2 of its
// size, plus one), then the last pass over what is kept and the final
// check.
func (m *minimizer) estimate(queue [][]int, batch, size int) int {
	est := batch
	for _, ch := range queue {
		est += 1 + 2*bits.Len(uint(len(ch)-1))
	}
	return est + min(size, len(queue)+batch) + 2
}

func (m *minimizer) candidate(keep []int) *profile.Effective {
	return Without(m.start.Source, m.dropped(keep)).Effective(m.start.Env)
}

func (m *minimizer) dropped(keep []int) []Element {
	k := map[int]bool{}
	for _, i := range keep {
		k[i] = true
	}
	var out []Element
	for i, el := range m.els {
		if !k[i] {
			out = append(out, el)
		}
	}
	return out
}

// split cuts s into n chunks of nearly equal length.
func split(s []int, n int) [][]int {
	out := make([][]int, 0, n)
	for i := range n {
		lo, hi := i*len(s)/n, (i+1)*len(s)/n
		if hi > lo {
			out = append(out, s[lo:hi])
		}
	}
	return out
}

func minus(s, drop []int) []int {
	return slices.DeleteFunc(slices.Clone(s), func(v int) bool { return slices.Contains(drop, v) })
}
