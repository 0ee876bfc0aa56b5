package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/lint"
)

// maxMismatchLines caps the verification disagreements printed one per
// line; the rest are counted in one more line (--json lists up to
// maxMismatchJSON).
const (
	maxMismatchLines = 5
	maxMismatchJSON  = 100
)

func newCheckCmd() *cobra.Command {
	var archS []string
	var asJSON bool
	var host hostFlags
	cmd := &cobra.Command{
		Use:   "check PROFILE",
		Short: "Lint a profile, then compile and verify its filter",
		Long: `Checks a profile as it applies on a host (includes, excludes and archMap
resolved for this machine's arch, the running kernel and Docker's default
capabilities, or what --platform, --kernel and --caps say): unknown or
misplaced syscall names, denials that a sibling call undoes, glibc's
ENOSYS fallbacks, critical calls allowed, multiplexers, notify on calls a
supervisor handoff needs, dead and redundant rules. Then it compiles the
filter and verifies the BPF against the profile's meaning in an emulator,
and does the same with the filter libseccomp makes of it (what runc, crun
and Docker load). Exits 1 when anything is an error.

PROFILE is preset:NAME or a file: Docker/OCI JSON, an OCI config.json, a
SeccompProfile (FILE#NAME picks one), a systemd unit or Firecracker JSON
(FILE#THREAD). --arch (repeatable, or comma-separated)
checks and compiles exactly those ABIs instead of the profile's own; an
--arch this machine cannot run resolves as on that arch's own host unless
--platform says otherwise. The summary names the host it resolved for.`,
		Example: `  seccomp-workbench check preset:docker-default
  seccomp-workbench check my-profile.json --arch x86_64 --arch aarch64
  seccomp-workbench check my-profile.json --json
  seccomp-workbench check preset:docker-default --platform aarch64 --kernel 5.10 --caps all`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arches, err := parseArchFlags(archS)
			if err != nil {
				return err
			}
			env, err := host.env(arches)
			if err != nil {
				return err
			}
			p, err := openProfile(cmd.ErrOrStderr(), args[0])
			if err != nil {
				return err
			}
			res := runCheck(args[0], p, env, arches)
			out := cmd.OutOrStdout()
			if asJSON {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(res); err != nil {
					return err
				}
			} else {
				res.writeText(out, colorEnabled(out))
			}
			if !res.OK {
				return exitError{code: exitFailed}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&archS, "arch", nil, "check and compile only this ABI (repeatable: "+archList()+")")
	f.BoolVar(&asJSON, "json", false, `print {"findings": [...], "compiled": {...}, "ok": bool}`)
	host.register(f)
	_ = cmd.RegisterFlagCompletionFunc("arch", completeWords(archNames()))
	_ = cmd.RegisterFlagCompletionFunc("platform", completeWords(archNames()))
	return cmd
}

// checkResult is check's outcome; its JSON form is the --json output.
type checkResult struct {
	Profile  string         `json:"profile"`
	Resolved resolvedJSON   `json:"resolved_for"`
	Arches   []catalog.Arch `json:"arches"`
	Findings []lint.Finding `json:"findings"`
	Compiled *compiledInfo  `json:"compiled"`
	OK       bool           `json:"ok"`

	env profile.Env
}

// compiledInfo describes the compiled filter; it is null in the JSON when
// compiling failed.
type compiledInfo struct {
	Instructions int                  `json:"instructions"`
	Prelude      int                  `json:"prelude"`
	PerArch      map[catalog.Arch]int `json:"per_arch"`
	ByNumber     []string             `json:"by_number"`
	Verified     bool                 `json:"verified"`
	Cases        int                  `json:"cases"`
	Mismatches   int                  `json:"mismatches"`
}

// runCheck lints, compiles (enforce mode) and verifies p for env. When
// arches is not empty it replaces the ABIs the profile declares.
func runCheck(name string, p *profile.Profile, env profile.Env, arches []catalog.Arch) *checkResult {
	e := p.Effective(env)
	if len(arches) > 0 {
		// Exactly these ABIs: the profile's others, supported or not,
		// are out of this check.
		e.Arches, e.Unsupported = arches, nil
	}
	res := &checkResult{Profile: name, Resolved: resolvedFor(env), Arches: e.Arches, env: env}
	var errs, warns []lint.Finding
	for _, f := range lint.LintEffective(e) {
		if f.Severity == lint.SevError {
			errs = append(errs, f)
		} else {
			warns = append(warns, f)
		}
	}
	build := compileAndVerify(e, res)
	res.Findings = append(append(append([]lint.Finding{}, errs...), build...), warns...)
	res.OK = len(errs) == 0
	for _, f := range build {
		res.OK = res.OK && f.Severity != lint.SevError
	}
	return res
}

// compileAndVerify compiles e as production loads it and verifies the
// program; it fills res.Compiled and returns the failures as findings.
func compileAndVerify(e *profile.Effective, res *checkResult) []lint.Finding {
	if len(e.Arches) == 0 {
		return []lint.Finding{{
			Severity: lint.SevError, Code: "compile-failed", Rule: -1,
			Message: fmt.Sprintf("nothing to compile: none of the profile's architectures (%s) is one the workbench supports", strings.Join(e.Unsupported, ", ")),
			Hint:    "add a supported architecture such as SCMP_ARCH_X86_64, or check for one with --arch",
		}}
	}
	opts := profile.Options{Variant: profile.VariantEnforce}
	// What run and export load: Build's program, libseccomp's when the
	// workbench's generator cannot make a verified one. When neither
	// verifies, the findings are about the workbench's own.
	prog, err := compile.Build(e, opts)
	var fallback []lint.Finding
	if err == nil && prog.Stats.Fallback != "" {
		fallback = []lint.Finding{{
			Severity: lint.SevWarning, Code: "generator-fallback", Rule: -1,
			Message: "the filter is libseccomp's, verified the same way: " + prog.Stats.Fallback,
			Hint:    "report this with the profile",
		}}
	}
	if err != nil {
		prog, err = compile.Compile(e, opts)
	}
	if err != nil {
		f := lint.Finding{
			Severity: lint.SevError, Code: "compile-failed", Rule: -1,
			Message: "the filter cannot be compiled: " + err.Error(),
		}
		if strings.Contains(err.Error(), "syscalls[") {
			f.Hint = "fix that rule; the lint findings above say how when they can"
		}
		return []lint.Finding{f}
	}
	perArch, err := prog.PerArch()
	if err != nil {
		perArch = nil // the whole program compiled; a per-ABI size is only informative
	}
	c := &compiledInfo{
		Instructions: prog.Stats.Instructions, Prelude: prog.Stats.Prelude,
		PerArch: perArch, ByNumber: prog.Stats.ByNumber,
	}
	if c.ByNumber == nil {
		c.ByNumber = []string{}
	}
	res.Compiled = c
	cases, err := compile.VerifyCount(prog)
	var verr *compile.VerifyError
	switch {
	case err == nil:
		c.Verified = true
		c.Cases = cases
		if fallback != nil {
			return fallback
		}
		return libseccompPeer(e, opts)
	case errors.As(err, &verr):
		c.Cases = verr.Checked
		fs, n := mismatchFindings(e, verr)
		c.Mismatches = n
		return fs
	default:
		return []lint.Finding{{
			Severity: lint.SevError, Code: "verify-failed", Rule: -1,
			Message: err.Error(), Hint: "report this with the profile",
		}}
	}
}

// libseccompPeer checks the program libseccomp makes of the profile: the
// workbench loads its own, but runc, crun and Docker compile the same
// file with libseccomp. A filter of libseccomp's that is not what the
// profile means is an error; one it cannot build at all, a warning (a
// cross-endian ABI, which this machine's libseccomp cannot build, aside).
func libseccompPeer(e *profile.Effective, opts profile.Options) []lint.Finding {
	lib := "libseccomp " + profile.LinkedLibseccomp()
	peer, err := compile.CompileLibseccomp(e, opts)
	if err != nil {
		if strings.Contains(err.Error(), "byte order") {
			return nil
		}
		return []lint.Finding{{
			Severity: lint.SevWarning, Code: "libseccomp-refuses", Rule: -1,
			Message: fmt.Sprintf("%s cannot compile this profile, so runtimes built on it (runc, crun, Docker) refuse it: %v", lib, err),
			Hint:    "the workbench's own filter (run, export) is not affected",
		}}
	}
	var verr *compile.VerifyError
	if err := compile.Verify(peer); !errors.As(err, &verr) {
		return nil
	}
	m := verr.Mismatches[0]
	more := ""
	if n := len(verr.Mismatches) - 1; n > 0 {
		more = fmt.Sprintf(" (and %d more inputs)", n)
	}
	rule := -1
	if m.Want.Rule >= 0 && m.Want.Rule < len(e.Rules) {
		rule = e.Rules[m.Want.Rule].Index
	}
	return []lint.Finding{{
		Severity: lint.SevError, Code: "libseccomp-mismatch", Rule: rule, Syscall: m.Syscall,
		Message: fmt.Sprintf("on %s with args %s the profile means %s but the filter %s makes of it, which runc, crun and Docker load, does %s%s; the workbench's own filter is right",
			m.Arch, profile.FormatArgs(m.Args), m.Want, lib, m.Got, more),
		Hint: verr.Hint(),
	}}
}

// mismatchFindings turns verification disagreements into error findings,
// the first maxMismatchJSON of them; n counts the distinct inputs.
func mismatchFindings(e *profile.Effective, verr *compile.VerifyError) (out []lint.Finding, n int) {
	seen := map[string]bool{}
	for _, m := range verr.Mismatches {
		// The verifier may try the same input twice (two rules' boundary
		// values can coincide); report each input once.
		key := fmt.Sprint(m.Arch, m.Nr, m.Args)
		if seen[key] {
			continue
		}
		seen[key] = true
		if n++; len(out) == maxMismatchJSON {
			continue
		}
		rule := -1
		if m.Want.Rule >= 0 && m.Want.Rule < len(e.Rules) {
			rule = e.Rules[m.Want.Rule].Index
		}
		out = append(out, lint.Finding{
			Severity: lint.SevError, Code: "verify-mismatch", Rule: rule, Syscall: m.Syscall,
			Message: fmt.Sprintf("on %s with args %s the profile means %s but the compiled filter does %s",
				m.Arch, profile.FormatArgs(m.Args), m.Want, m.Got),
			Hint: verr.Hint(),
		})
	}
	return out, n
}

func (r *checkResult) counts() (errs, warns int) {
	for _, f := range r.Findings {
		if f.Severity == lint.SevError {
			errs++
		} else {
			warns++
		}
	}
	if r.Compiled != nil && r.Compiled.Mismatches > maxMismatchJSON {
		errs += r.Compiled.Mismatches - maxMismatchJSON
	}
	return errs, warns
}

// writeText prints one finding per line, then the summary. Verification
// disagreements beyond the first few are counted in one line; the hint,
// the same for all of them, is printed once.
func (r *checkResult) writeText(w io.Writer, color bool) {
	mism := 0
	for _, f := range r.Findings {
		if f.Code == "verify-mismatch" {
			mism++
			if mism > maxMismatchLines {
				continue
			}
			if mism > 1 {
				f.Hint = ""
			}
		}
		sgr := "33"
		if f.Severity == lint.SevError {
			sgr = "1;31"
		}
		line := f.String()
		fmt.Fprintln(w, paint(color, sgr, string(f.Severity))+line[len(f.Severity):])
	}
	if r.Compiled != nil && r.Compiled.Mismatches > maxMismatchLines {
		fmt.Fprintf(w, "%s: verify: %d more inputs disagree (--json lists up to %d)\n",
			paint(color, "1;31", "error"), r.Compiled.Mismatches-maxMismatchLines, maxMismatchJSON)
	}
	errs, warns := r.counts()
	summary := fmt.Sprintf("%s, %s", plural(errs, "error"), plural(warns, "warning"))
	arches := make([]string, len(r.Arches))
	for i, a := range r.Arches {
		arches[i] = string(a)
	}
	switch c := r.Compiled; {
	case c == nil:
		summary += "; not compiled"
	case c.Verified:
		summary += fmt.Sprintf("; compiled %d instructions for %s; verified %d cases", c.Instructions, strings.Join(arches, ", "), c.Cases)
	default:
		summary += fmt.Sprintf("; compiled %d instructions for %s; verification failed on %d of %d cases", c.Instructions, strings.Join(arches, ", "), c.Mismatches, c.Cases)
	}
	fmt.Fprintln(w, "resolved for "+r.env.String())
	fmt.Fprintln(w, summary)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
