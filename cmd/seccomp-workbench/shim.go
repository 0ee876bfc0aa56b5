package main

import (
	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// newShimCmd is the hidden subcommand the runner re-executes this binary
// with: it installs the filter and execve's the command (see runner.ShimMain).
func newShimCmd() *cobra.Command {
	return &cobra.Command{
		Use:                runner.ShimArg,
		Short:              "internal: install a seccomp filter and run a command (used by run and record)",
		Hidden:             true,
		DisableFlagParsing: true,
		Run: func(*cobra.Command, []string) {
			runner.ShimMain()
		},
	}
}
