// Package scenario reads lockdown scenario files and runs them: each
// scenario is a command with expectations ("curl must fail with socket
// denied", "the service must answer"), run under a profile by the runner
// in a scratch directory of its own, and judged against what really
// happened.
//
// The pipeline of one `test`:
//
//	Load ── File{Scenarios} ── Plan(file, targets) ── Jobs (scenario × profile)
//	   │                                                   │ bounded by Options.Jobs
//	   ▼                                                   ▼
//	file:line:col errors        scratch dir ── setup (unfiltered) ── runner.Start ── teardown
//	                                                   │ verdict, denials, output
//	                                                   ▼
//	                                   Judge(expect, observation) ── Result{Failures}
//	                                                   │
//	                       text lines / JSON lines / JUnit XML (report.go)
package scenario

import (
	"regexp"
	"time"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/progcache"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// File is a parsed scenario file.
type File struct {
	// Path is the file as given; Dir is its directory, against which
	// relative cwd values are resolved (and exported as $SCENARIO_DIR).
	Path, Dir string
	// Profile is the file's default profile argument ("" = none): a
	// path relative to Dir or preset:NAME.
	Profile   string
	Scenarios []*Scenario
}

// Pos is a place in a scenario file.
type Pos struct{ Line, Col int }

// Scenario is one command and what must hold when it runs.
type Scenario struct {
	Name string
	Pos  Pos // where the scenario starts in the file
	// Argv is the command; a `run:` line becomes [/bin/sh, -c, LINE].
	Argv  []string
	Shell bool // it came from `run:`
	Env   []string
	// Cwd is the working directory (absolute; "" = the run's scratch
	// directory).
	Cwd     string
	Stdin   string
	Timeout time.Duration
	// Mode is ModeEnforce, ModeWatch or ModeAudit. In audit mode nothing
	// is denied: denied and not_denied are judged against the calls the
	// profile would have denied, and exit, signal and result see the
	// command's own status, as if unfiltered.
	Mode runner.Mode
	// Setup and Teardown are shell lines run outside the filter, before
	// and after the command, in the same directory and environment.
	Setup, Teardown string
	Expect          Expect
}

// Expect is what must hold after a scenario's run. Zero fields are not
// checked; a scenario with no `expect` gets Exit = 0.
type Expect struct {
	Result      string // runner.ResultPass, ResultFail, ResultKilled, ResultTimeout
	Exit        *int
	Signal      string // "SIGSYS"
	Denied      []string
	NotDenied   []string // "*" = nothing may be denied
	Output      *regexp.Regexp
	Stderr      *regexp.Regexp
	MaxDuration time.Duration
}

// NeedsDenials reports whether checking e needs to see denied calls
// (watch or audit mode): denied or not_denied are set.
func (e Expect) NeedsDenials() bool { return len(e.Denied) > 0 || len(e.NotDenied) > 0 }

// ExpectsSuccess reports whether e describes a run that should work: no
// expectation of failure, denial, kill or timeout, and exit 0 if any.
// record --scenarios records these.
func (e Expect) ExpectsSuccess() bool {
	return (e.Result == "" || e.Result == runner.ResultPass) && (e.Exit == nil || *e.Exit == 0) &&
		e.Signal == "" && len(e.Denied) == 0
}

// Target is one profile a file is run under.
type Target struct {
	// Name is how results name it: the PROFILE argument as given.
	Name      string
	Effective *profile.Effective
}

// Options tune a batch of runs.
type Options struct {
	Jobs int // concurrent scenario runs; 0 = the number of CPUs
	// Filter keeps the scenarios whose name matches (nil = all).
	Filter *regexp.Regexp
	// Caps, Isolate and AllowUnknown are passed to every run as the run
	// command's flags would.
	Caps         []string
	Isolate      runner.Isolation
	AllowUnknown bool
	// Engine is how recordings observe calls (runner.Config.Engine).
	Engine runner.Engine
	// FailFast stops a batch at its first failure (minimize uses it).
	FailFast bool
	// Programs is the program cache the runs take enforce-mode filters
	// from (runner.Config.Programs); nil compiles every run's.
	Programs *progcache.Cache
	// Progress, when set, is called (from one goroutine at a time) each
	// time a run starts or ends.
	Progress func(Progress)
	// NamesOnly: Record writes whole syscalls, no argument rules.
	NamesOnly bool
	// EngineUsed, when set, is told which engine recorded each scenario and
	// why (Record).
	EngineUsed func(scenario string, e runner.Engine, why string)
}

// Progress is where a batch is.
type Progress struct {
	Done, Total, Failed int
	Running             []string // "scenario @ profile" of the runs going on
	Last                *Result  // the result that just ended, if any
}

// Result is one scenario run under one profile and how it was judged.
type Result struct {
	Scenario *Scenario
	Profile  string // Target.Name
	// Passed: every expectation held and the run could be made.
	Passed bool
	// Failures say which expectation failed and why, one line each:
	// `denied: socket was not denied`, `exit: got 1, want 0`,
	// `not_denied: mkdir(AT_FDCWD, "/x", 0777) was denied (errno EPERM)`,
	// `output: no line matches "bin"`.
	Failures []string
	// Err is set when the run could not be made at all (setup failed,
	// the filter did not compile); Failures then holds that too.
	Err error

	Verdict  runner.Verdict
	Denials  []runner.Denial // the run's denial rows (watch mode)
	Stdout   string          // the tail the runner kept
	Stderr   string
	Duration time.Duration
}
