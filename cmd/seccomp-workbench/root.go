package main

import (
	"io"

	"github.com/spf13/cobra"
)

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "seccomp-workbench [PROFILE]",
		Short: "An interactive workbench for Linux seccomp profiles",
		Long: `seccomp-workbench opens a profile (a file or preset:NAME; default
preset:docker-default), lets you browse the syscall catalog by risk, change
what the filter does with each call, run a real command under exactly that
filter and see which syscalls were denied, then export the profile.`,
		Args:          cobra.MaximumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return openWorkbench(cmd, args)
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.AddCommand(
		newCatalogCmd(),
		newPresetsCmd(),
		newCheckCmd(),
		newExplainCmd(),
		newExportCmd(),
		newDiffCmd(),
		newRunCmd(),
		newRecordCmd(),
		newShimCmd(),
	)
	wrapArgs(root)
	return root
}

// wrapArgs makes every positional-argument error a usage error (exit 2).
func wrapArgs(c *cobra.Command) {
	if c.Args != nil {
		orig := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			if err := orig(cmd, args); err != nil {
				return usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}
