package main

import "github.com/spf13/cobra"

// newRunCmd is filled in by the work on its issue.
func newRunCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "run",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usagef("'run' is not built yet")
		},
	}
}
