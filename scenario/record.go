package scenario

import (
	"context"
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// Record records every scenario of f that expects success (and that
// o.Filter keeps), one at a time, each with its setup, teardown, env,
// cwd and stdin in a scratch directory of its own as Run does, and merges
// the recordings into one profile: the union of the syscalls each run's
// recorded profile allows, for the union of the ABIs seen. Without a base
// that is deny by default with EPERM, one allow rule and the argument
// rules for the values any run saw (unless o.NamesOnly); with a base, the
// base is kept whole and the rules for what any run needed beyond it go
// first. It returns the profile, the merged call counts (most used
// first), the syscalls the added rules allow and the notes on how the
// argument rules hold the calls whose arguments matter
// (runner.MergeRecordedNotes).
func Record(ctx context.Context, f *File, base *profile.Effective, o Options) (*profile.Profile, []runner.SyscallCount, []string, []string, error) {
	var runs []*runner.Run
	for _, s := range f.Scenarios {
		if !s.Expect.ExpectsSuccess() || (o.Filter != nil && !o.Filter.MatchString(s.Name)) {
			continue
		}
		run, err := recordOne(ctx, f, s, base, o)
		if err != nil {
			return nil, nil, nil, nil, fmt.Errorf("%s:%d:%d: scenario %q: %w", f.Path, s.Pos.Line, s.Pos.Col, s.Name, err)
		}
		runs = append(runs, run)
	}
	if len(runs) == 0 {
		return nil, nil, nil, nil, fmt.Errorf("%s: no scenario expects success (record takes those): nothing to record", f.Path)
	}
	p, counts, names, err := runner.MergeRecorded(runs)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	notes, err := runner.MergeRecordedNotes(runs)
	return p, counts, names, notes, err
}

// recordOne makes one scenario's recording, prepared the way Run
// prepares a run (scratch directory, $SCENARIO_* variables, setup and
// teardown outside the filter).
func recordOne(ctx context.Context, f *File, s *Scenario, base *profile.Effective, o Options) (*runner.Run, error) {
	st, err := newStage(ctx, f, s)
	if err != nil {
		return nil, err
	}
	defer st.close()
	cfg := st.config(base, runner.ModeRecord, o)
	r, err := runner.Start(ctx, cfg)
	if err != nil {
		return nil, err
	}
	for range r.Events() {
	}
	v := r.Wait()
	if err := r.RecordError(); err != nil {
		return nil, err
	}
	if e, why := r.RecordEngine(); o.EngineUsed != nil {
		o.EngineUsed(s.Name, e, why)
	}
	if r.Recorded() == nil {
		return nil, fmt.Errorf("the recording did not start: %s", v.Outcome)
	}
	if v.Result != runner.ResultPass {
		return nil, fmt.Errorf("it ended with %s while recorded, but it expects success: fix the scenario first", v.Outcome)
	}
	return r, nil
}
