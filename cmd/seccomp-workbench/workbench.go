package main

import (
	"github.com/spf13/cobra"
)

// openWorkbench opens the interactive workbench on a profile.
func openWorkbench(cmd *cobra.Command, args []string) error {
	return usagef("the interactive workbench is not built yet; try 'seccomp-workbench catalog'")
}
