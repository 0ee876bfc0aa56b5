//go:build !lean

package main

import (
	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile/source"
	"github.com/seccomp-workbench/seccomp-workbench/tui"
)

// openWorkbench opens the interactive workbench on a profile.
func openWorkbench(cmd *cobra.Command, args []string) error {
	ref := defaultProfile
	if len(args) == 1 {
		ref = args[0]
	}
	op, err := source.Open(ref)
	if err != nil {
		// Open's errors say what, where and what to do already.
		return exitError{exitFailed, err.Error()}
	}
	p := op.Profile
	scen, _ := cmd.Flags().GetString("scenarios")
	// A bad scenario file is the pane's one-line error, not a refusal to
	// open the workbench: the profile can still be edited.
	o := tui.Options{Profile: p, Source: ref, Scenarios: scen, Import: op}
	if op.Format == source.FormatDocker {
		o.Path = ref
	}
	if err := tui.Run(o); err != nil {
		return exitError{exitFailed, err.Error()}
	}
	return nil
}
