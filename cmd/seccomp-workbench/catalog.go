package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

func newCatalogCmd() *cobra.Command {
	var archS, riskS, catS string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "catalog [QUERY]",
		Short: "Search the syscall catalog",
		Long: `Lists syscalls with their risk tier, category, Docker default verdict and
a description. QUERY matches names: exact and prefix matches first, then
substrings, then fuzzy matches.`,
		Example: `  seccomp-workbench catalog open
  seccomp-workbench catalog --risk critical --arch aarch64
  seccomp-workbench catalog --category network --json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := catalog.Default()
			if err != nil {
				return err
			}
			var q catalog.Query
			if len(args) == 1 {
				q.Text = args[0]
			}
			if archS != "" {
				if q.Arch, err = catalog.ParseArch(archS); err != nil {
					return usageError{fmt.Errorf("--arch: %w", err)}
				}
			}
			if riskS != "" {
				if q.Risk, err = catalog.ParseRisk(riskS); err != nil {
					return usageError{fmt.Errorf("--risk: %w", err)}
				}
			}
			if catS != "" {
				if q.Category, err = catalog.ParseCategory(catS); err != nil {
					return usageError{fmt.Errorf("--category: %w", err)}
				}
			}
			ms := cat.Search(q)
			out := cmd.OutOrStdout()
			if asJSON {
				es := make([]*catalog.Entry, len(ms))
				for i, m := range ms {
					es[i] = m.Entry
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(es)
			}
			if len(ms) == 0 {
				return exitError{code: exitFailed, msg: fmt.Sprintf("no syscall matches %q", q.Text)}
			}
			color := colorEnabled(out)
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "NAME\tRISK\tCATEGORY\tDOCKER\tX86_64\tAARCH64\tDESCRIPTION")
			for _, m := range ms {
				e := m.Entry
				// Pad before painting so escape codes do not skew the columns.
				risk := paint(color, riskSGR[string(e.Risk)], fmt.Sprintf("%-8s", e.Risk))
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, risk, e.Category,
					e.Docker, num(e, catalog.X86_64), num(e, catalog.AArch64), e.Description)
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&archS, "arch", "", "only syscalls that exist on this arch ("+archList()+")")
	f.StringVar(&riskS, "risk", "", "only this risk tier (critical, high, medium, low)")
	f.StringVar(&catS, "category", "", "only this category (file, network, process, ...)")
	f.BoolVar(&asJSON, "json", false, "print a JSON array")
	_ = cmd.RegisterFlagCompletionFunc("arch", fixedCompletion(archList))
	_ = cmd.RegisterFlagCompletionFunc("risk", fixedCompletion(func() string { return "critical,high,medium,low" }))
	_ = cmd.RegisterFlagCompletionFunc("category", fixedCompletion(func() string {
		var s []string
		for _, c := range catalog.Categories() {
			s = append(s, string(c))
		}
		return strings.Join(s, ",")
	}))
	return cmd
}

func num(e *catalog.Entry, a catalog.Arch) string {
	if n, ok := e.Number(a); ok {
		return fmt.Sprint(n)
	}
	return "-"
}

func archList() string {
	var s []string
	for _, a := range catalog.Arches() {
		s = append(s, string(a))
	}
	return strings.Join(s, ",")
}

func fixedCompletion(list func() string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return strings.Split(list(), ","), cobra.ShellCompDirectiveNoFileComp
	}
}
