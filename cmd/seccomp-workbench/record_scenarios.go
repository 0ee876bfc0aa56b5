package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/scenario"
)

// recordScenarios is record --scenarios: exit 0 written, 1 when a
// scenario could not be recorded, 125 when OUT cannot be written.
func recordScenarios(cmd *cobra.Command, path string, base *profile.Effective, baseName, out string, into *mergeTarget, namesOnly bool, engine runner.Engine) error {
	if err := profile.CheckWritable(out); err != nil {
		return exitError{exitRunFail, "record: -o " + err.Error()}
	}
	f, err := scenario.Load(path)
	if err != nil {
		return exitError{exitFailed, err.Error()}
	}
	ctx, stop := interruptContext()
	defer stop()
	stderr := cmd.ErrOrStderr()
	// Every scenario is recorded by the same process, so auto picks one
	// engine for all; it is named once, as record names it.
	named := map[runner.Engine]bool{}
	used := func(_ string, e runner.Engine, why string) {
		if !named[e] {
			named[e] = true
			fmt.Fprintf(stderr, "seccomp-workbench: engine %s (%s)\n", e, why)
		}
	}
	p, counts, added, notes, err := scenario.Record(ctx, f, base, scenario.Options{NamesOnly: namesOnly, Engine: engine, EngineUsed: used})
	if err != nil {
		return exitError{exitFailed, "record: " + err.Error()}
	}
	printCounts(stderr, counts)
	if err := saveRecording(stderr, out, p, into, baseName, added, "the scenarios"); err != nil {
		return err
	}
	printNotes(stderr, notes)
	return nil
}
