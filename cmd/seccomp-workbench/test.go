package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/progcache"
	"github.com/seccomp-workbench/seccomp-workbench/runner"
	"github.com/seccomp-workbench/seccomp-workbench/scenario"
)

func newTestCmd() *cobra.Command {
	var (
		profiles     []string
		jobs         int
		asJSON       bool
		junit        string
		filter       string
		capsArg      string
		isolate      string
		allowUnknown bool
	)
	cmd := &cobra.Command{
		Use:   "test SCENARIOS [--profile P]... [--jobs N] [--json] [--junit FILE] [--filter REGEX]",
		Short: "Run a scenario file's commands under profiles and check their expectations",
		Long: `Runs every scenario of a scenario file (YAML) under each profile: the
file's own 'profile:' (relative to the file), or the --profile flags (a
matrix when there are several). Each run gets a scratch directory of its
own; --jobs runs bounds how many run at once (default: the CPUs). One line
per scenario × profile says ✔ or ✘ and, below a ✘, which expectation
failed and why. Exits 0 when every expectation held, 1 otherwise, 2 for a
bad file or flag.`,
		Example: `  seccomp-workbench test testdata/scenarios/lockdown.yaml
  seccomp-workbench test app.yaml --profile old.json --profile new.json --junit report.xml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if jobs < 0 {
				return usagef("test: --jobs %d: give a positive number (0 = the CPUs)", jobs)
			}
			var re *regexp.Regexp
			if filter != "" {
				var err error
				if re, err = regexp.Compile(filter); err != nil {
					return usagef("test: --filter %q: %v", filter, err)
				}
			}
			caps, err := profile.ParseCaps(capsArg)
			if err != nil {
				return usagef("test: %v", err)
			}
			iso, err := runner.ParseIsolation(isolate)
			if err != nil {
				return usagef("test: --isolate: %v", err)
			}
			f, err := scenario.Load(args[0])
			if err != nil {
				return usageError{err}
			}
			names, paths := profiles, profiles
			if len(names) == 0 {
				if f.Profile == "" {
					return usagef("test: %s names no profile: give --profile P or add 'profile: FILE' to it", args[0])
				}
				p := f.Profile
				if !strings.HasPrefix(p, "preset:") && !filepath.IsAbs(p) {
					p = filepath.Join(f.Dir, p)
				}
				names, paths = []string{f.Profile}, []string{p}
			}
			env := profile.HostEnv()
			env.Caps = caps
			var targets []scenario.Target
			for i, n := range names {
				p, err := openProfile(cmd.ErrOrStderr(), paths[i])
				if err != nil {
					return usageError{err}
				}
				targets = append(targets, scenario.Target{Name: n, Effective: p.Effective(env)})
			}
			if junit != "" {
				if err := checkWritable(junit); err != nil {
					return usagef("test: --junit %s: %v", junit, err)
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o := scenario.Options{Jobs: jobs, Filter: re, Caps: caps, Isolate: iso, AllowUnknown: allowUnknown}
			errw := cmd.ErrOrStderr()
			o.Programs = progcache.FromEnv(func(msg string) { fmt.Fprintln(errw, "seccomp-workbench: "+msg) })
			defer o.Programs.Close()
			showProgress := !asJSON && isTerminal(errw)
			if showProgress {
				o.Progress = func(p scenario.Progress) { drawProgress(errw, p) }
			}
			rs := scenario.RunAll(ctx, f, targets, o)
			if showProgress {
				fmt.Fprint(errw, "\r\x1b[K")
			}
			if len(rs) == 0 {
				return usagef("test: --filter %q keeps none of the %d scenarios: loosen it", filter, len(f.Scenarios))
			}
			out := cmd.OutOrStdout()
			if asJSON {
				err = scenario.WriteJSON(out, rs)
			} else {
				err = scenario.WriteText(out, rs, colorEnabled(out))
			}
			if err != nil {
				return err
			}
			if junit != "" {
				var b bytes.Buffer
				if err := scenario.WriteJUnit(&b, rs); err != nil {
					return err
				}
				if err := profile.WriteFileAtomic(junit, b.Bytes(), 0o644); err != nil {
					return exitError{exitFailed, fmt.Sprintf("test: --junit %s: %v", junit, err)}
				}
			}
			for _, r := range rs {
				if !r.Passed {
					return exitError{code: exitFailed}
				}
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&profiles, "profile", nil, "run under this profile (repeatable: a matrix); default: the file's profile:")
	fl.IntVar(&jobs, "jobs", 0, "scenario runs at once (0 = the number of CPUs)")
	fl.BoolVar(&asJSON, "json", false, "print one JSON object per result, one per line")
	fl.StringVar(&junit, "junit", "", "also write JUnit XML to FILE")
	fl.StringVar(&filter, "filter", "", "run only the scenarios whose name matches REGEX")
	fl.StringVar(&capsArg, "caps", "docker", "capabilities the profiles are resolved for and a root target keeps: docker, all, none or CAP_X,...")
	fl.StringVar(&isolate, "isolate", "auto", "auto: own PID and mount namespaces where the kernel allows; none: share the workbench's")
	fl.BoolVar(&allowUnknown, "allow-unknown", false, "run profiles whose rules name syscalls that exist on no ABI")
	_ = cmd.RegisterFlagCompletionFunc("isolate", completeWords([]string{"auto", "none"}))
	return cmd
}

// checkWritable fails early when path's directory cannot take a new file,
// so a long batch does not end in a report that cannot be saved.
func checkWritable(path string) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("is a directory: give a file name")
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".junit-check-")
	if err != nil {
		return err
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

func drawProgress(w io.Writer, p scenario.Progress) {
	what := ""
	if len(p.Running) > 0 {
		what = " running: " + p.Running[0]
		if len(p.Running) > 1 {
			what += fmt.Sprintf(" (+%d)", len(p.Running)-1)
		}
	}
	line := fmt.Sprintf("[%d/%d]%s", p.Done, p.Total, what)
	if len(line) > 100 {
		line = line[:100]
	}
	fmt.Fprintf(w, "\r\x1b[K%s", line)
}
