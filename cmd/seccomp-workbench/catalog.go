package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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
				what := "the filters"
				if q.Text != "" {
					what = fmt.Sprintf("%q", q.Text)
				}
				return exitError{exitFailed, "no syscall matches " + what + ": shorten the query or drop a filter"}
			}
			return writeCatalogTable(out, ms, colorEnabled(out))
		},
	}
	f := cmd.Flags()
	f.StringVar(&archS, "arch", "", "only syscalls that exist on this arch ("+archList()+")")
	f.StringVar(&riskS, "risk", "", "only this risk tier (critical, high, medium, low)")
	f.StringVar(&catS, "category", "", "only this category (file, network, process, ...)")
	f.BoolVar(&asJSON, "json", false, "print a JSON array")
	var risks, cats []string
	for _, r := range catalog.Risks() {
		risks = append(risks, string(r))
	}
	for _, c := range catalog.Categories() {
		cats = append(cats, string(c))
	}
	_ = cmd.RegisterFlagCompletionFunc("arch", completeWords(archNames()))
	_ = cmd.RegisterFlagCompletionFunc("risk", completeWords(risks))
	_ = cmd.RegisterFlagCompletionFunc("category", completeWords(cats))
	return cmd
}

// writeCatalogTable prints one row per match. The risk words are painted
// after tabwriter has aligned the plain text: it counts the bytes of
// escape codes as width, so painted cells would skew the columns.
func writeCatalogTable(w io.Writer, ms []catalog.Match, color bool) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRISK\tCATEGORY\tDOCKER\tX86_64\tAARCH64\tDESCRIPTION")
	for _, m := range ms {
		e := m.Entry
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Name, e.Risk, e.Category,
			e.Docker, num(e, catalog.X86_64), num(e, catalog.AArch64), e.Description)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !color {
		_, err := w.Write(buf.Bytes())
		return err
	}
	lines := strings.SplitAfter(buf.String(), "\n")
	// Names are ASCII, so the RISK column starts at the same byte in
	// every line.
	at := strings.Index(lines[0], "RISK")
	for i, m := range ms {
		l, r := lines[i+1], string(m.Entry.Risk)
		lines[i+1] = l[:at] + paint(true, riskSGR[r], r) + l[at+len(r):]
	}
	_, err := io.WriteString(w, strings.Join(lines, ""))
	return err
}

func num(e *catalog.Entry, a catalog.Arch) string {
	if n, ok := e.Number(a); ok {
		return fmt.Sprint(n)
	}
	return "-"
}
