package main

import "github.com/spf13/cobra"

// newRecordCmd is filled in by the work on its issue.
func newRecordCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "record",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usagef("'record' is not built yet")
		},
	}
}
