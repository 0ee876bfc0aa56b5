package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/merge"
)

func newMergeCmd() *cobra.Command {
	var (
		out   string
		check bool
		host  hostFlags
	)
	cmd := &cobra.Command{
		Use:   "merge PROFILE... -o OUT | merge --check PROFILE...",
		Short: "Combine profiles into one that lets through what any of them does",
		Long: `Combines profiles by what they mean, not how they are written: the
merged profile lets a call through (allow or log) exactly when at least one
of the profiles does, for every syscall of every ABI and every argument
value, and denies the rest as the first profile denies them. Argument
rules are kept (conditions ORed as separate rules, duplicates and rules
another one already covers left out); a deny rule that takes part of a
call away before an allow rule of the same profile is carried over as
negated conditions.

What the profiles disagree on is reported, one warning a line, on stderr:
different default actions (the first that denies is kept; a profile that
allows by default has its let-through calls listed by name, so the merged
profile still denies by default), ABIs one of them does not filter (the
merged one filters the union, and each profile's rules apply on all of
them), the same call denied differently (EPERM here, kill_process there:
the first profile's answer is kept), and anything the merged profile
cannot say exactly ("not exact: ..."). The merged profile is then checked
call by call against the inputs.

The profiles are resolved for one host (this machine, Docker's default
capabilities and the running kernel, or what --platform, --caps and
--kernel say): includes and excludes are applied and the merged profile,
like an export, has none. All profiles are read before OUT is written, and
OUT is written atomically, so OUT may be one of them (merge a.json b.json
-o a.json adds b.json to a.json).

With --check nothing is written: exit 0 when the first profile already
lets through everything the others do, else 1 and a line for each call of
each other profile that the first lacks.`,
		Example: `  seccomp-workbench merge run1.json run2.json -o app.json
  seccomp-workbench merge preset:docker-default extra.json -o docker-plus.json
  seccomp-workbench merge --check app.json run3.json   # exit 1 if run3 needs more`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("merge: give at least two profiles (got %d): usage: %s", len(args), cmd.UseLine())
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case check && out != "":
				return usagef("merge: --check writes nothing: drop -o %s", out)
			case !check && out == "":
				return usagef("merge: -o OUT is required: the file to write the merged profile to (or --check to compare)")
			}
			env, err := host.env(nil)
			if err != nil {
				return err
			}
			var inputs []merge.Input
			for _, a := range args {
				p, err := openProfile(cmd.ErrOrStderr(), a)
				if err != nil {
					return usageError{fmt.Errorf("merge: %w", err)}
				}
				inputs = append(inputs, merge.Input{Name: a, E: p.Effective(env)})
			}
			if check {
				return mergeCheck(cmd.OutOrStdout(), inputs, env)
			}
			if err := profile.CheckWritable(out); err != nil {
				return usageError{fmt.Errorf("merge: -o %w", err)}
			}
			res, err := merge.Merge(inputs)
			if err != nil {
				return err
			}
			w := cmd.ErrOrStderr()
			for _, n := range res.Notes {
				fmt.Fprintln(w, "seccomp-workbench: warning:", n)
			}
			if err := profile.SaveFresh(out, res.Profile); err != nil {
				return exitError{exitFailed, err.Error()}
			}
			exact := "it lets through what any of them does"
			if len(res.Inexact) > 0 {
				exact = fmt.Sprintf("not exact for %s (see above)", plural(len(res.Inexact), "call"))
			}
			fmt.Fprintf(w, "seccomp-workbench: wrote %s: %s merged into %s, resolved for %s; %s\n",
				out, plural(len(inputs), "profile"), plural(len(res.Profile.Syscalls), "rule"), env, exact)
			return nil
		},
	}
	host.register(cmd.Flags())
	_ = cmd.RegisterFlagCompletionFunc("platform", completeWords(archNames()))
	cmd.Flags().StringVarP(&out, "output", "o", "", "file to write the merged profile to (may be one of the inputs)")
	cmd.Flags().BoolVar(&check, "check", false, "write nothing: exit 1 if the first profile does not let through everything the others do")
	return cmd
}

// mergeCheck is merge --check: which calls of the other profiles the
// first lacks.
func mergeCheck(w io.Writer, inputs []merge.Input, env profile.Env) error {
	a := inputs[0]
	lacks := merge.Lacks(a, inputs[1:])
	total := 0
	var short []string
	for i, cs := range lacks {
		if len(cs) == 0 {
			continue
		}
		o := inputs[1+i].Name
		short = append(short, fmt.Sprintf("%s: %d", o, len(cs)))
		fmt.Fprintf(w, "%s lacks what %s lets through:\n", a.Name, o)
		for _, c := range cs {
			fmt.Fprintln(w, "  "+c.String())
		}
		total += len(cs)
	}
	fmt.Fprintln(w, "resolved for "+env.String())
	var others []string
	for _, in := range inputs[1:] {
		others = append(others, in.Name)
	}
	if total == 0 {
		verb := "do"
		if len(others) == 1 {
			verb = "does"
		}
		fmt.Fprintf(w, "%s lets through everything %s %s\n", a.Name, andList(others), verb)
		return nil
	}
	fmt.Fprintf(w, "%s does not let through everything the others do: %s (%s)\n", a.Name, plural(total, "difference"), strings.Join(short, ", "))
	return exitError{code: exitFailed}
}

// andList is "a", "a and b", "a, b and c".
func andList(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// mergeTarget is record --merge-into: the profile OUT held before the
// run, read first so that a file that is not a profile stops record
// before the command runs. It is nil when OUT does not exist yet (the
// recording is written as it is) or --merge-into was not given.
type mergeTarget struct {
	path string
	prev *profile.Profile
}

func openMergeTarget(out string, on bool) (*mergeTarget, error) {
	if !on {
		return nil, nil
	}
	if _, err := os.Stat(out); errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	p, err := profile.Load(out)
	if err != nil {
		return nil, exitError{exitRunFail, "record: --merge-into: " + err.Error()}
	}
	return &mergeTarget{path: out, prev: p}, nil
}

// saveRecording writes a recording to out, merged into what out held when
// into is set (out's profile first, so its denials are kept), and says
// what it wrote.
func saveRecording(w io.Writer, out string, p *profile.Profile, into *mergeTarget, baseName string, added []string, user string) error {
	if into == nil {
		if err := profile.SaveFresh(out, p); err != nil {
			return exitError{exitRunFail, err.Error()}
		}
		wroteRecording(w, out, baseName, added, user)
		return nil
	}
	env := profile.HostEnv()
	res, err := merge.Merge([]merge.Input{
		{Name: out, E: into.prev.Effective(env)},
		{Name: "the recording", E: p.Effective(env)},
	})
	if err != nil {
		return exitError{exitRunFail, "record: --merge-into: " + err.Error()}
	}
	for _, n := range res.Notes {
		fmt.Fprintln(w, "seccomp-workbench: warning:", n)
	}
	if err := profile.SaveFresh(out, res.Profile); err != nil {
		return exitError{exitRunFail, err.Error()}
	}
	fmt.Fprintf(w, "seccomp-workbench: wrote %s: what %s used merged into the profile it held (%s)\n", out, user, plural(len(res.Profile.Syscalls), "rule"))
	return nil
}
