package scenario

import (
	"context"
	"errors"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// ScenarioOracle is the Oracle of minimize: f's scenarios (those
// o.Filter keeps) run under the candidate, stopping at the first failure;
// it passes when every expectation is met. A run that could not be made
// (Result.Err) is a failure of the candidate — a profile too tight for
// the setup to work fails that way. Each candidate's scenarios run one
// at a time: Minimize already runs o.Jobs candidates at once.
func ScenarioOracle(f *File, o Options) Oracle {
	o.FailFast = true
	o.Jobs = 1
	o.Progress = nil
	return func(ctx context.Context, e *profile.Effective) (Outcome, error) {
		rs := RunAll(ctx, f, []Target{{Name: "candidate", Effective: e}}, o)
		if err := ctx.Err(); err != nil {
			return Outcome{}, err
		}
		if len(rs) == 0 {
			return Outcome{}, errors.New("no scenario to run: the file has none, or --filter keeps none")
		}
		for _, r := range rs {
			if !r.Passed {
				return Outcome{Failed: r.Scenario.Name}, nil
			}
		}
		return Outcome{Passed: true}, nil
	}
}
