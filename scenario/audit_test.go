package scenario

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/runner"
)

const auditFile = `defaults: {mode: audit}
scenarios:
  - name: made anyway
    run: mkdir d && test -d d && mkdir d/e
    expect: {exit: 0, denied: [mkdir], output: "^$"}
  - name: would deny
    run: mkdir d
    expect: {not_denied: [mkdir]}
  - name: would deny nothing
    run: "true"
    expect: {result: pass, denied: [mkdir]}
  - name: exit as if unfiltered
    run: mkdir d || exit 7
    mode: audit
    expect: {exit: 7}
`

// A scenario file in audit mode: the denied calls run (the directory is
// made and the command exits 0), and denied/not_denied are judged against
// what the profile would have denied.
func TestAuditScenarios(t *testing.T) {
	dir := t.TempDir()
	pp := filepath.Join(dir, "p.json")
	if err := os.WriteFile(pp, []byte(mkdirDenied), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Parse(filepath.Join(dir, "s.yaml"), []byte(auditFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range f.Scenarios {
		if s.Mode != runner.ModeAudit {
			t.Fatalf("%s: mode %s", s.Name, s.Mode)
		}
	}
	rs := RunAll(context.Background(), f, []Target{target(t, pp)}, Options{})
	want := []string{
		"made anyway @ p.json: ok",
		`would deny @ p.json: not_denied: mkdir("d", 0777) would have been denied (errno EPERM; audit mode: it ran)`,
		"would deny nothing @ p.json: denied: mkdir would never have been denied (audit mode: the profile would deny nothing)",
		"exit as if unfiltered @ p.json: exit: got 0, want 7 (exit status 0; audit mode, nothing was denied; would deny: mkdir)",
	}
	if got := strings.Split(strings.TrimSpace(summary(rs)), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if v := rs[0].Verdict; v.Result != runner.ResultPass || len(v.Denied) != 0 || v.WouldDenyCounts["mkdir"] != 2 {
		t.Errorf("verdict %+v", v)
	}
	var text strings.Builder
	if err := WriteText(&text, rs[:1], false); err != nil || !strings.Contains(text.String(), "✔ made anyway @ p.json [audit: nothing denied]") {
		t.Errorf("text report %q (%v)", text.String(), err)
	}
	var js strings.Builder
	if err := WriteJSON(&js, rs[:1]); err != nil || !strings.Contains(js.String(), `"mode":"audit","would_deny":["mkdir"]`) ||
		!strings.Contains(js.String(), `"action":"errno EPERM","audit":true`) || !strings.Contains(js.String(), `"denied":[]`) {
		t.Errorf("JSON report %s (%v)", js.String(), err)
	}
}

// Minimize cannot learn from an audit scenario that only checks the exit
// status (it passes under any profile); one with not_denied guides it.
func TestAuditScenarioOracle(t *testing.T) {
	src := "scenarios:\n  - {name: blind, run: \"true\", mode: audit}\n  - {name: seeing, run: \"true\", mode: audit, expect: {not_denied: [\"*\"]}}\n"
	f, err := Parse("/x/s.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	allow := target(t, "preset:docker-default").Effective
	_, err = ScenarioOracle(f, Options{})(context.Background(), allow)
	if want := `/x/s.yaml:2:5: scenario "blind" runs in audit mode without not_denied`; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("oracle error %v, want %q…", err, want)
	}
	out, err := ScenarioOracle(f, Options{Filter: regexp.MustCompile("seeing")})(context.Background(), allow)
	if err != nil || !out.Passed {
		t.Fatalf("seeing: %+v %v", out, err)
	}
}
