package scenario

// The package's entry points. The bodies are placeholders until the
// implementation lands; their signatures are what cmd, tui and minimize
// build on.

import (
	"context"
	"errors"
	"io"
)

var errNotBuilt = errors.New("scenario: not built yet")

// Load reads and checks a scenario file. Errors name file:line:col, the
// bad value and what to write instead.
func Load(path string) (*File, error) { return nil, errNotBuilt }

// Parse is Load for data already read; path is used in errors and to
// resolve relative paths.
func Parse(path string, data []byte) (*File, error) { return nil, errNotBuilt }

// Run runs one scenario under one target in a fresh scratch directory
// (removed afterwards) and judges it. It never returns a zero Result:
// a run that could not be made is a failed Result with Err set.
func Run(ctx context.Context, f *File, s *Scenario, t Target, o Options) Result {
	return Result{Scenario: s, Profile: t.Name, Err: errNotBuilt, Failures: []string{errNotBuilt.Error()}}
}

// RunAll runs every scenario of f that o.Filter keeps under every target,
// at most o.Jobs at a time, and returns the results in file order, each
// scenario's targets in the order given. When o.FailFast is set, the
// first failure cancels the runs still going and skips the rest (their
// Results say "skipped").
func RunAll(ctx context.Context, f *File, targets []Target, o Options) []Result { return nil }

// WriteText writes one line per result ("✔ name @ profile (0.4s)", or ✘
// and the failures indented below it) and a summary line.
func WriteText(w io.Writer, rs []Result, color bool) error { return errNotBuilt }

// WriteJSON writes one JSON object per result, one per line.
func WriteJSON(w io.Writer, rs []Result) error { return errNotBuilt }

// WriteJUnit writes rs as JUnit XML: one testsuite per profile, one
// testcase per scenario, a <failure> per failed expectation.
func WriteJUnit(w io.Writer, rs []Result) error { return errNotBuilt }
