package scenario

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// Record records every scenario of f that expects success (and that
// o.Filter keeps), one at a time, each with its setup, teardown, env,
// cwd and stdin in a scratch directory of its own as Run does, and merges
// the recordings into one profile: the union of the syscalls each run's
// recorded profile allows, for the union of the ABIs seen. Without a base
// that is deny by default with EPERM and one allow rule; with a base, the
// base is kept whole and one allow rule for what any run needed beyond it
// goes first. It returns the profile, the merged call counts (most used
// first) and the syscalls the allow rule names.
func Record(ctx context.Context, f *File, base *profile.Effective, o Options) (*profile.Profile, []runner.SyscallCount, []string, error) {
	names := map[string]bool{}
	counts := map[string]runner.SyscallCount{}
	var arches []catalog.Arch
	n := 0
	for _, s := range f.Scenarios {
		if !s.Expect.ExpectsSuccess() || (o.Filter != nil && !o.Filter.MatchString(s.Name)) {
			continue
		}
		n++
		run, err := recordOne(ctx, f, s, base, o)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s:%d:%d: scenario %q: %w", f.Path, s.Pos.Line, s.Pos.Col, s.Name, err)
		}
		for _, nm := range run.RecordedNames() {
			names[nm] = true
		}
		for _, c := range run.Syscalls() {
			k := c.Syscall + "/" + string(c.Arch)
			sum := counts[k]
			sum.Syscall, sum.Arch, sum.Count = c.Syscall, c.Arch, sum.Count+c.Count
			counts[k] = sum
			if !slices.Contains(arches, c.Arch) {
				arches = append(arches, c.Arch)
			}
		}
	}
	if n == 0 {
		return nil, nil, nil, fmt.Errorf("%s: no scenario expects success (record takes those): nothing to record", f.Path)
	}
	list := slices.SortedFunc(maps.Values(counts), func(a, b runner.SyscallCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Syscall+"/"+string(a.Arch), b.Syscall+"/"+string(b.Arch))
	})
	allowed := slices.Sorted(maps.Keys(names))
	arches = profile.HostFirst(arches, profile.NativeArch())
	if base == nil {
		eperm := uint(1)
		return &profile.Profile{
			DefaultAction: profile.ActErrno, DefaultErrnoRet: &eperm,
			Architectures: catalog.DockerNames(arches),
			Syscalls:      []*profile.Rule{{Names: allowed, Action: profile.ActAllow}},
		}, list, allowed, nil
	}
	p := base.Source.Clone()
	if len(allowed) > 0 {
		rule := &profile.Rule{Names: allowed, Action: profile.ActAllow, Comment: "recorded by seccomp-workbench"}
		p.Syscalls = append([]*profile.Rule{rule}, p.Syscalls...)
	}
	all := slices.Clone(base.Arches)
	for _, a := range arches {
		if !slices.Contains(all, a) {
			all = append(all, a)
		}
	}
	if len(all) > len(base.Arches) {
		p.Architectures = catalog.DockerNames(all)
	}
	return p, list, allowed, nil
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
	if r.Recorded() == nil {
		return nil, fmt.Errorf("the recording did not start: %s", v.Outcome)
	}
	if v.Result != runner.ResultPass {
		return nil, fmt.Errorf("it ended with %s while recorded, but it expects success: fix the scenario first", v.Outcome)
	}
	return r, nil
}
