package main

import "github.com/spf13/cobra"

// newCheckCmd is filled in by the work on its issue.
func newCheckCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "check",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usagef("'check' is not built yet")
		},
	}
}
