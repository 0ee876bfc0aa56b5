package main

import "github.com/spf13/cobra"

// newExplainCmd is filled in by the work on its issue.
func newExplainCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "explain",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usagef("'explain' is not built yet")
		},
	}
}
