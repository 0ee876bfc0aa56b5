package scenario

import (
	"context"
	"errors"
	"fmt"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// ScenarioOracle is the Oracle of minimize: f's scenarios (those
// o.Filter keeps) run under the candidate, stopping at the first failure;
// it passes when every expectation is met. A run that could not be made
// (Result.Err) is a failure of the candidate — a profile too tight for
// the setup to work fails that way. Each candidate's scenarios run one
// at a time: Minimize already runs o.Jobs candidates at once.
//
// An audit-mode scenario without not_denied passes under any profile
// (nothing is denied in audit mode), so it cannot guide the search: the
// oracle refuses it rather than let every rule be removed.
func ScenarioOracle(f *File, o Options) Oracle {
	o.FailFast = true
	o.Jobs = 1
	o.Progress = nil
	var blind error
	for _, s := range f.Scenarios {
		if s.Mode == runner.ModeAudit && len(s.Expect.NotDenied) == 0 && (o.Filter == nil || o.Filter.MatchString(s.Name)) {
			blind = fmt.Errorf("%s:%d:%d: scenario %q runs in audit mode without not_denied: it passes under any profile, so it cannot tell what is needed: add not_denied: [\"*\"] or use mode: watch or enforce",
				f.Path, s.Pos.Line, s.Pos.Col, s.Name)
			break
		}
	}
	return func(ctx context.Context, e *profile.Effective) (Outcome, error) {
		if blind != nil {
			return Outcome{}, blind
		}
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
