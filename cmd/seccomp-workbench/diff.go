package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile/diff"
)

// diffSGR colours a change by what it does to the filter.
var diffSGR = map[string]string{
	diff.Loosened:  "31",
	diff.Tightened: "32",
	diff.Changed:   "33",
}

func newDiffCmd() *cobra.Command {
	var subset, asJSON bool
	var host hostFlags
	cmd := &cobra.Command{
		Use:   "diff PROFILE_A PROFILE_B [--subset] [--json]",
		Short: "Compare what two profiles do, syscall by syscall",
		Long: `Compares the meaning of two profiles, not their text: for
every syscall of the catalog on every ABI both filter, what each profile
does with it — for all-zero arguments and for values on both sides of
every argument condition either profile has. One line per change, with the
ABIs it happens on, then a summary. Changes of the default action and of
the filtered ABIs are listed first.

  loosened   B allows (allow or log) something A does not
  tightened  A allows something B does not
  changed    both deny, differently (errno(EPERM) → kill_process), or
             allow → log, or it depends on the arguments

diff exits 0 whether or not the profiles differ (like a report; use
--subset to fail on a difference). With --subset only the changes by which
B allows something A denies are listed, and the exit status is 1 when
there is any: "is B at least as strict as A?".

Both profiles are resolved for one host: this machine, Docker's default
capabilities and the running kernel, or what --platform, --caps and
--kernel say. The summary names it.`,
		Example: `  seccomp-workbench diff preset:docker-default my.json
  seccomp-workbench diff --subset preset:docker-default my.json   # exit 1 if my.json is looser`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openProfile(cmd.ErrOrStderr(), args[0])
			if err != nil {
				return err
			}
			b, err := openProfile(cmd.ErrOrStderr(), args[1])
			if err != nil {
				return err
			}
			env, err := host.env(nil)
			if err != nil {
				return err
			}
			ea, eb := a.Effective(env), b.Effective(env)
			var changes []diff.Change
			if subset {
				changes = diff.Subset(ea, eb)
			} else {
				changes = diff.Diff(ea, eb)
			}
			out := cmd.OutOrStdout()
			if asJSON {
				if changes == nil {
					changes = []diff.Change{}
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(changes); err != nil {
					return err
				}
			} else {
				color := colorEnabled(out)
				for _, c := range changes {
					fmt.Fprintln(out, paint(color, diffSGR[c.Kind], c.String()))
				}
				fmt.Fprintln(out, "resolved for "+env.String())
				fmt.Fprintln(out, diffSummary(changes, subset, args[0], args[1]))
			}
			if subset && len(changes) > 0 {
				return exitError{code: exitFailed}
			}
			return nil
		},
	}
	host.register(cmd.Flags())
	_ = cmd.RegisterFlagCompletionFunc("platform", completeWords(archNames()))
	cmd.Flags().BoolVar(&subset, "subset", false, "list only what B allows and A denies; exit 1 if there is anything")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the changes as a JSON array")
	return cmd
}

func diffSummary(cs []diff.Change, subset bool, a, b string) string {
	if subset {
		if len(cs) == 0 {
			return fmt.Sprintf("%s allows nothing that %s denies", b, a)
		}
		return fmt.Sprintf("%s allows what %s denies: %s", b, a, plural(len(cs), "change"))
	}
	if len(cs) == 0 {
		return "no difference in meaning"
	}
	n := map[string]int{}
	for _, c := range cs {
		n[c.Kind]++
	}
	return fmt.Sprintf("%s: %d loosened, %d tightened, %d changed", plural(len(cs), "change"),
		n[diff.Loosened], n[diff.Tightened], n[diff.Changed])
}
