package main

import (
	"errors"
	"io"

	"github.com/spf13/cobra"
)

// subcommands are the root's commands, in help order, by the name each
// one's Use starts with.
var subcommands = []struct {
	name  string
	build func() *cobra.Command
}{
	{"catalog", newCatalogCmd},
	{"presets", newPresetsCmd},
	{"check", newCheckCmd},
	{"explain", newExplainCmd},
	{"export", newExportCmd},
	{"diff", newDiffCmd},
	{"merge", newMergeCmd},
	{"run", newRunCmd},
	{"record", newRecordCmd},
	{"test", newTestCmd},
	{"minimize", newMinimizeCmd},
	{"push", newPushCmd},
	{"pull", newPullCmd},
	{"inspect", newInspectCmd},
}

// newRootCmd builds the command tree for args. When args start with a
// subcommand's name, only that subcommand is built: cobra would find no
// other, and a run starts without constructing the flags and texts of
// thirteen commands it does not use. Anything else (no subcommand,
// help, completion, a mistyped name) gets the whole tree.
func newRootCmd(args []string, stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "seccomp-workbench [PROFILE]",
		Short: "An interactive workbench for Linux seccomp profiles",
		Long: `seccomp-workbench opens a profile (preset:NAME, or a file: Docker/OCI JSON,
an OCI config.json, a SeccompProfile, a systemd unit or Firecracker JSON,
FILE#NAME for one of several; default preset:docker-default), lets you browse the syscall catalog by risk, change
what the filter does with each call, run a real command under exactly that
filter and see which syscalls were denied, then export the profile.`,
		Args:          cobra.MaximumNArgs(1),
		SilenceUsage:  true,
		SilenceErrors: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			return openWorkbench(cmd, args)
		},
	}
	addWorkbenchFlags(root)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	only := ""
	if len(args) > 0 {
		only = args[0]
	}
	for _, sc := range subcommands {
		if sc.name == only {
			root.AddCommand(sc.build())
			// Nor cobra's completion command (five commands and their
			// flags, built at Execute): only "completion" as the first
			// argument reaches it, and that builds the whole tree.
			root.CompletionOptions.DisableDefaultCmd = true
			wrapArgs(root)
			return root
		}
	}
	for _, sc := range subcommands {
		root.AddCommand(sc.build())
	}
	wrapArgs(root)
	return root
}

// wrapArgs makes every positional-argument error a usage error (exit 2)
// and has cobra's own ones ("accepts 1 arg(s), received 0") say which
// subcommand and what it takes.
func wrapArgs(c *cobra.Command) {
	if c.Args != nil {
		orig := c.Args
		c.Args = func(cmd *cobra.Command, args []string) error {
			err := orig(cmd, args)
			var ue usageError
			switch {
			case err == nil || errors.As(err, &ue):
				return err
			case cmd.HasParent():
				return usagef("%s: %v: usage: %s", cmd.Name(), err, cmd.UseLine())
			}
			return usageError{err}
		}
	}
	for _, sub := range c.Commands() {
		wrapArgs(sub)
	}
}
