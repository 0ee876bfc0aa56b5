package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
	"github.com/seccomp-workbench/seccomp-workbench/scenario"
)

func newMinimizeCmd() *cobra.Command {
	var (
		scenarios, prof, out, filter string
		jobs                         int
	)
	cmd := &cobra.Command{
		Use:   "minimize --scenarios FILE --profile P -o OUT [--jobs N] [--filter REGEX]",
		Short: "Find a smaller profile with which every scenario still meets its expectations",
		Long: `Removes what the scenarios do not need from a profile's allow rules:
syscall names, and single values of a rule whose conditions test one
argument several times (allow clone for these flags or those). It works
by group bisection: removing a whole chunk is tried first, a chunk whose
removal breaks a scenario is halved, down to single syscalls; --jobs
candidates are tried at once. A removed syscall gets the profile's
default action (or the next rule that names it).

The scenarios must pass twice under P before anything is removed. The
result is 1-minimal: removing any one thing kept breaks a scenario. A
scenario whose result flips for the same profile is reported as flaky and
what it touched is kept. The result is compiled, run through the
scenarios twice more, written atomically to OUT (checked writable first)
and reported as a diff against P. The scenarios see this environment,
so the result is minimal for it: a variable such as LANG changes what a
program calls (give what matters in the scenario's env).

Exit status: 0 written; 1 when the scenarios fail under P, a scenario was
flaky or the result did not verify; 2 for usage errors.`,
		Example: `  seccomp-workbench minimize --scenarios lockdown.yaml --profile preset:docker-default -o tight.json
  seccomp-workbench minimize --scenarios app.yaml --profile app.json -o app.min.json --jobs 4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if scenarios == "" {
				return usagef("minimize: --scenarios FILE is required: the scenario file the profile must keep passing")
			}
			if out == "" {
				return usagef("minimize: -o OUT is required: the file to write the smaller profile to")
			}
			if jobs < 0 {
				return usagef("minimize: --jobs %d: give a positive number of parallel runs", jobs)
			}
			if jobs == 0 {
				jobs = runtime.NumCPU()
			}
			var o scenario.Options
			if filter != "" {
				re, err := regexp.Compile(filter)
				if err != nil {
					return usagef("minimize: --filter %q: %v", filter, err)
				}
				o.Filter = re
			}
			return minimizeCommand(cmd, scenarios, prof, out, jobs, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&scenarios, "scenarios", "", "scenario file the result must pass (required)")
	f.StringVar(&prof, "profile", "", "profile to start from (file or preset:NAME; default: the file's profile)")
	f.StringVarP(&out, "output", "o", "", "file to write the smaller profile to (required)")
	f.IntVar(&jobs, "jobs", 0, "candidates run at once (default: the number of CPUs)")
	f.StringVar(&filter, "filter", "", "only the scenarios whose name matches this regular expression")
	return cmd
}

func minimizeCommand(cmd *cobra.Command, scenarios, prof, out string, jobs int, o scenario.Options) error {
	stderr := cmd.ErrOrStderr()
	if err := profile.CheckWritable(out); err != nil {
		return exitError{exitFailed, "minimize: -o " + err.Error()}
	}
	file, err := scenario.Load(scenarios)
	if err != nil {
		return exitError{exitFailed, err.Error()}
	}
	if prof == "" {
		if file.Profile == "" {
			return usagef("minimize: --profile P is required: %s names no profile", scenarios)
		}
		prof = file.Profile
		if !strings.HasPrefix(prof, "preset:") && !filepath.IsAbs(prof) {
			prof = filepath.Join(file.Dir, prof)
		}
	}
	p, err := openProfile(cmd.ErrOrStderr(), prof)
	if err != nil {
		return exitError{exitFailed, err.Error()}
	}
	start := p.Effective(profile.HostEnv())
	if _, err := compile.Build(start, profile.Options{}); err != nil {
		return exitError{exitFailed, fmt.Sprintf("minimize: %s does not compile: %v", prof, err)}
	}
	ctx, stop := interruptContext()
	defer stop()
	bar := newMinimizeBar(stderr)
	res, err := scenario.Minimize(ctx, start, scenario.ScenarioOracle(file, o), scenario.MinimizeOptions{Jobs: jobs, Progress: bar.update})
	bar.clear()
	switch {
	case errors.Is(err, scenario.ErrOriginalFails):
		return exitError{exitFailed, fmt.Sprintf("minimize: the scenarios do not pass under %s: %s", prof, strings.TrimPrefix(err.Error(), scenario.ErrOriginalFails.Error()+": "))}
	case err != nil:
		return exitError{exitFailed, "minimize: " + err.Error()}
	}
	// Verified: the result compiles (the scenarios just ran it twice).
	if _, err := compile.Build(res.Final, profile.Options{}); err != nil {
		return exitError{exitFailed, fmt.Sprintf("minimize: the result does not compile: %v (nothing written)", err)}
	}
	if err := profile.SaveFresh(out, res.Profile); err != nil {
		return exitError{exitFailed, err.Error()}
	}
	w := cmd.OutOrStdout()
	fewer := reportMinimize(w, start, res)
	fmt.Fprintf(w, "wrote %s: %d syscalls fewer, %d runs, %.1f seconds\n", out, fewer, res.Runs, res.Duration.Seconds())
	if len(res.Flaky) > 0 {
		for _, f := range res.Flaky {
			fmt.Fprintf(stderr, "seccomp-workbench: flaky: scenario %q gave different results for the same profile; kept %s\n", f.Scenario, f.Element)
		}
		return exitError{exitFailed, "minimize: flaky scenarios: the result keeps what they touched; make them deterministic and run again"}
	}
	return nil
}

// reportMinimize prints what was removed, as the semantic diff sees it,
// and returns the number of syscalls no longer allowed.
func reportMinimize(w io.Writer, start *profile.Effective, res *scenario.MinimizeResult) int {
	var removed, narrowed []string
	for _, c := range diff.Diff(start, res.Final) {
		if c.Scope != diff.ScopeSyscall {
			continue
		}
		d, _ := res.Final.DecideName(profile.NativeArch(), c.Syscall, [6]uint64{}, profile.Options{})
		if c.Kind == diff.Tightened && !d.Action.LetsThrough() {
			if !slices.Contains(removed, c.Syscall) { // once for all ABIs
				removed = append(removed, c.Syscall)
			}
		} else {
			narrowed = append(narrowed, c.String())
		}
	}
	if len(removed) > 0 {
		fmt.Fprintf(w, "removed: %s\n", strings.Join(removed, ", "))
	}
	for _, n := range narrowed {
		fmt.Fprintf(w, "also: %s\n", n)
	}
	var kept []string
	for _, el := range res.Kept {
		kept = append(kept, el.Desc)
	}
	fmt.Fprintf(w, "kept %d: %s\n", len(kept), strings.Join(kept, ", "))
	return len(removed)
}

// minimizeBar draws a progress line on a terminal, redrawn in place.
type minimizeBar struct {
	w  io.Writer
	on bool
}

func newMinimizeBar(w io.Writer) *minimizeBar { return &minimizeBar{w: w, on: isTerminal(w)} }

func (b *minimizeBar) update(p scenario.MinimizeProgress) {
	if !b.on {
		return
	}
	const width = 24
	total := p.Runs + p.EstRuns
	fill := 0
	if total > 0 {
		fill = width * p.Runs / total
	}
	fmt.Fprintf(b.w, "\r\x1b[K[%s%s] %d runs, %d/%d left, ~%d runs (~%s) to go",
		strings.Repeat("#", fill), strings.Repeat(".", width-fill), p.Runs, p.Left, p.Elements, p.EstRuns, p.EstTime.Round(time.Second))
}

func (b *minimizeBar) clear() {
	if b.on {
		fmt.Fprint(b.w, "\r\x1b[K")
	}
}
