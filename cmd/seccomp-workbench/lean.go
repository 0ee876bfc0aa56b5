//go:build lean

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

// The lean build (make build's bin/seccomp-workbench) links neither the
// TUI, nor the OCI registry client, nor the eBPF recorder's cilium/ebpf.
// Go runs every linked package's init before main, and theirs (terminal
// width tables, clipboard tool lookups, registry reference regexps, BTF
// and feature probes' tables) are milliseconds of every run; cilium/ebpf
// alone, its inits and its size, about 0.3 ms of a program that only
// starts and exits. The workbench itself, push and pull are handed,
// arguments and all, to the full build installed beside this one, and so
// is record where its engine may be the eBPF recorder.
const fullBinary = "seccomp-workbench-full"

func openWorkbench(cmd *cobra.Command, _ []string) error { return handOver(cmd) }

func newPushCmd() *cobra.Command { return handedOver(pushUse, pushShort) }

func newPullCmd() *cobra.Command { return handedOver(pullUse, pullShort) }

// recordElsewhere hands record to the full build when its engine may be
// the eBPF recorder, which this build does not link, so that the engine
// chosen is the full build's; with notify, asked for or the only one
// here, it records itself.
func recordElsewhere(cmd *cobra.Command, e runner.Engine) error {
	if e == runner.EngineNotify || runner.EBPFWhyNot() != "" {
		return nil
	}
	return handOver(cmd)
}

// handedOver is a command the full build parses, help and shell
// completion included: with flag parsing off, cobra asks
// ValidArgsFunction for flags as well as arguments, and the full build
// answers the same __complete request.
func handedOver(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:                use,
		Short:              short,
		DisableFlagParsing: true,
		RunE:               func(cmd *cobra.Command, _ []string) error { return handOver(cmd) },
		ValidArgsFunction: func(cmd *cobra.Command, _ []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cobra.CompErrorln(handOver(cmd).Error())
			return nil, cobra.ShellCompDirectiveError
		},
	}
}

// handOver replaces this process with the full build, given this
// process's own arguments; it returns only when that cannot start.
func handOver(cmd *cobra.Command) error {
	what := "the workbench"
	if cmd.HasParent() {
		what = cmd.Name()
	}
	exe, err := os.Executable()
	if err == nil {
		path := filepath.Join(filepath.Dir(exe), fullBinary)
		err = syscall.Exec(path, append([]string{path}, os.Args[1:]...), os.Environ())
		err = fmt.Errorf("%s: %w", path, err)
	}
	return exitError{exitFailed, fmt.Sprintf("%s is in %s, which this lean build starts from its own directory: %v (build both with 'make build')", what, fullBinary, err)}
}
