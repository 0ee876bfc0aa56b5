package main

// Flag values several subcommands share: ABI lists and the shell
// completion of flags whose values come from a fixed set.

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// archNames lists the supported ABIs in the catalog's order.
func archNames() []string {
	var s []string
	for _, a := range catalog.Arches() {
		s = append(s, string(a))
	}
	return s
}

// archList is archNames for flag help: "x86_64,x86,...".
func archList() string { return strings.Join(archNames(), ",") }

// parseArchFlags reads repeated and comma-separated --arch values, in
// order, without duplicates.
func parseArchFlags(vals []string) ([]catalog.Arch, error) {
	var out []catalog.Arch
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if strings.TrimSpace(s) == "" {
				return nil, usagef("--arch: empty architecture name: use one of %s", archList())
			}
			a, err := catalog.ParseArch(s)
			if err != nil {
				return nil, usageError{fmt.Errorf("--arch: %w", err)}
			}
			if !slices.Contains(out, a) {
				out = append(out, a)
			}
		}
	}
	return out, nil
}

// completeWords completes a flag with one of words and never a file name.
func completeWords(words []string) cobra.CompletionFunc {
	return cobra.FixedCompletions(words, cobra.ShellCompDirectiveNoFileComp)
}
