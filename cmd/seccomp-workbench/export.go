package main

import "github.com/spf13/cobra"

// newExportCmd is filled in by the work on its issue.
func newExportCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "export",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usagef("'export' is not built yet")
		},
	}
}
