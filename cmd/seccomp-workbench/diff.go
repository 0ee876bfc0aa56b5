package main

import "github.com/spf13/cobra"

// newDiffCmd is filled in by the work on its issue.
func newDiffCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "diff",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usagef("'diff' is not built yet")
		},
	}
}
