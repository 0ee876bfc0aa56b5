package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

const toolsScenarios = "../../testdata/scenarios/minimize/tools.yaml"

// TestMinimizeCLI minimizes the 40-syscall start profile against real
// scenarios (real commands under real filters) and checks the result:
// written, smaller, still passing under test, and missing what the tools
// never call.
func TestMinimizeCLI(t *testing.T) {
	needX86_64(t)
	out := filepath.Join(t.TempDir(), "min.json")
	stdout, stderr, code := workbenchExec(t, "", "minimize", "--scenarios", toolsScenarios,
		"--profile", "../../testdata/scenarios/minimize/start.json", "-o", out, "--jobs", "2")
	if code != 0 {
		t.Fatalf("minimize: exit %d\n%s%s", code, stdout, stderr)
	}
	if !regexp.MustCompile(`(?m)^wrote .*min\.json: \d+ syscalls fewer, \d+ runs, [0-9.]+ seconds$`).MatchString(stdout) {
		t.Errorf("no summary line:\n%s", stdout)
	}
	removed := regexp.MustCompile(`(?m)^removed: (.*)$`).FindStringSubmatch(stdout)
	if removed == nil {
		t.Fatalf("no removed line:\n%s", stdout)
	}
	gone := strings.Split(removed[1], ", ")
	for _, n := range []string{"mkdir", "socket", "connect", "kill", "setsid", "rename"} {
		if !slices.Contains(gone, n) {
			t.Errorf("%s not removed: %v", n, gone)
		}
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	kept := p.Syscalls[0].Names
	for _, n := range []string{"execve", "read", "write"} {
		if !slices.Contains(kept, n) {
			t.Errorf("%s removed, but every tool needs it: %v", n, kept)
		}
	}
	stdout, stderr, code = workbenchExec(t, "", "test", toolsScenarios, "--profile", out)
	if code != 0 {
		t.Errorf("test under the result: exit %d\n%s%s", code, stdout, stderr)
	}
}

func TestMinimizeCLIErrors(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "min.json")
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"minimize", "--profile", "preset:docker-default", "-o", out}, 2, "--scenarios FILE is required"},
		{[]string{"minimize", "--scenarios", toolsScenarios, "--profile", "preset:docker-default"}, 2, "-o OUT is required"},
		{[]string{"minimize", "--scenarios", toolsScenarios, "-o", out}, 2, "--profile P is required"},
		{[]string{"minimize", "--scenarios", toolsScenarios, "--profile", "preset:docker-default", "-o", out, "--filter", "("}, 2, "--filter"},
		{[]string{"minimize", "--scenarios", toolsScenarios, "--profile", "preset:docker-default", "-o", filepath.Join(dir, "no", "such", "x.json")}, 1, "minimize: -o "},
		// A start that allows only read fails every tool.
		{[]string{"minimize", "--scenarios", toolsScenarios, "--profile", writeProfile(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`), "-o", out}, 1, "the scenarios do not pass under "},
	} {
		stdout, stderr, code := workbenchExec(t, "", tc.args...)
		if code != tc.code || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, want %d and %q (stdout %q)", tc.args, code, stderr, tc.code, tc.want, stdout)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a failed minimize wrote OUT")
	}
}

// TestRecordScenariosCLI records the tools scenarios and runs test under
// the result.
func TestRecordScenariosCLI(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tools.json")
	stdout, stderr, code := workbenchExec(t, "", "record", "--scenarios", toolsScenarios, "-o", out)
	if code != 0 || !strings.Contains(stderr, "seccomp-workbench: wrote "+out) {
		t.Fatalf("record --scenarios: exit %d\n%s%s", code, stdout, stderr)
	}
	// The engine is named once for all the scenarios, as record names it.
	if n := strings.Count(stderr, "seccomp-workbench: engine "); n != 1 {
		t.Errorf("record --scenarios named the engine %d times, want once:\n%s", n, stderr)
	}
	p, err := profile.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	names := p.Syscalls[0].Names
	// cat reads its stdin, ls lists data/ made by setup: getdents64 only
	// comes from ls, so every scenario was recorded into one profile.
	for _, n := range []string{"execve", "read", "write", "getdents64"} {
		if !slices.Contains(names, n) {
			t.Errorf("%s not recorded: %v", n, names)
		}
	}
	if slices.Contains(names, "mount") {
		t.Error("the scenario that expects failure was recorded")
	}
	stdout, stderr, code = workbenchExec(t, "", "test", toolsScenarios, "--profile", out)
	if code != 0 {
		t.Errorf("test under the recording: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, _, code := workbenchExec(t, "", "record", "--scenarios", toolsScenarios, "-o", out, "--", "ls"); code != 2 {
		t.Errorf("--scenarios with a command: exit %d, want 2", code)
	}
}
