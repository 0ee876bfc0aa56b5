package main

import "github.com/spf13/cobra"

// newPresetsCmd is filled in by the work on its issue.
func newPresetsCmd() *cobra.Command {
	return &cobra.Command{
		Use:    "presets",
		Short:  "(not built yet)",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return usagef("'presets' is not built yet")
		},
	}
}
