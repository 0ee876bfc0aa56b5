package main

import "github.com/spf13/cobra"

// defaultProfile is what the workbench opens without an argument.
const defaultProfile = "preset:docker-default"

// addWorkbenchFlags adds the flags of the workbench itself (the root
// command without a subcommand).
func addWorkbenchFlags(root *cobra.Command) {
	root.Flags().String("scenarios", "", "a scenario file to show in the scenarios pane, re-run after every verified edit")
}
