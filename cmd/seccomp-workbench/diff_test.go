package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func diffFixture(name string) string { return filepath.Join(testdataDir, "diff", name) }

func TestDiffCommand(t *testing.T) {
	code, out, errs := runCLI(t, "diff", "preset:docker-default", "preset:docker-default")
	if code != 0 || out != "no difference in meaning\n" {
		t.Errorf("identical: exit %d, %q %s", code, out, errs)
	}
	code, out, _ = runCLI(t, "diff", diffFixture("allow-mkdir.json"), diffFixture("deny-mkdir.json"))
	want := "mkdir (x86_64, x86): allow → errno(EPERM)\nmkdirat (x86_64, x86): allow → errno(EPERM)\n2 changes: 0 loosened, 2 tightened, 0 changed\n"
	if code != 0 || out != want {
		t.Errorf("allow vs deny mkdir: exit %d\n%s\nwant\n%s", code, out, want)
	}
	// A plain diff exits 0 even when the profiles differ.
	needX86_64(t)
	code, out, _ = runCLI(t, "diff", "preset:docker-default", "preset:deny-critical")
	if code != 0 || !strings.HasPrefix(out, "default action: errno(EPERM) → allow\n") || !strings.Contains(out, "ptrace (x86_64, x86, x32): allow → errno(EPERM)\n") {
		t.Errorf("docker-default vs deny-critical: exit %d\n%.400s", code, out)
	}
}

func TestDiffSubsetExitCodes(t *testing.T) {
	allow, deny := diffFixture("allow-mkdir.json"), diffFixture("deny-mkdir.json")
	code, out, _ := runCLI(t, "diff", "--subset", allow, deny)
	if code != 0 || !strings.Contains(out, "allows nothing that") {
		t.Errorf("stricter B: exit %d, %q", code, out)
	}
	code, out, errs := runCLI(t, "diff", "--subset", deny, allow)
	if code != 1 {
		t.Errorf("looser B: exit %d, want 1 (%s)", code, errs)
	}
	if !strings.Contains(out, "mkdir (x86_64, x86): errno(EPERM) → allow\n") || !strings.Contains(out, "allows what") {
		t.Errorf("looser B should list what it allows:\n%s", out)
	}
	if errs != "" {
		t.Errorf("--subset failure printed an error: %q", errs)
	}
	// Argument-dependent: mode-mkdir denies only mkdir(_, 0777).
	code, _, _ = runCLI(t, "diff", "--subset", allow, diffFixture("mode-mkdir.json"))
	if code != 0 {
		t.Errorf("mode-mkdir is stricter than allow-mkdir: exit %d", code)
	}
	code, out, _ = runCLI(t, "diff", "--subset", diffFixture("mode-mkdir.json"), allow)
	if code != 1 || !strings.Contains(out, "mkdir (x86_64, x86): errno(EPERM) when arg1 == 0x1ff; else allow → allow") {
		t.Errorf("allow-mkdir is looser than mode-mkdir: exit %d\n%s", code, out)
	}
}

func TestDiffJSON(t *testing.T) {
	code, out, _ := runCLI(t, "diff", "--json", diffFixture("allow-mkdir.json"), diffFixture("deny-mkdir.json"))
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var cs []map[string]any
	if err := json.Unmarshal([]byte(out), &cs); err != nil || len(cs) != 2 {
		t.Fatalf("not a JSON array of 2 changes: %v\n%s", err, out)
	}
	c := cs[0]
	if c["syscall"] != "mkdir" || c["a"] != "allow" || c["b"] != "errno(EPERM)" || c["kind"] != "tightened" || c["scope"] != "syscall" {
		t.Errorf("change = %v", c)
	}
	if arches, _ := c["arches"].([]any); len(arches) != 2 || arches[0] != "x86_64" {
		t.Errorf("arches = %v", c["arches"])
	}
	code, out, _ = runCLI(t, "diff", "--json", "--subset", diffFixture("allow-mkdir.json"), diffFixture("deny-mkdir.json"))
	if code != 0 || strings.TrimSpace(out) != "[]" {
		t.Errorf("empty subset as JSON: exit %d %q", code, out)
	}
}

func TestDiffUsageErrors(t *testing.T) {
	if code, _, errs := runCLI(t, "diff", "preset:docker-default"); code != 2 || !strings.Contains(errs, "accepts 2 arg") {
		t.Errorf("one profile: exit %d %s", code, errs)
	}
	if code, _, errs := runCLI(t, "diff", "preset:docker-default", "nope.json"); code != 1 || !strings.Contains(errs, "nope.json: no such file") {
		t.Errorf("missing file: exit %d %s", code, errs)
	}
}
