package main

import "github.com/spf13/cobra"

// newShimCmd is filled in by the work on its issue.
func newShimCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "shim",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usagef("'shim' is not built yet")
		},
	}
}
