package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

func diffFixture(name string) string { return filepath.Join(testdataDir, "diff", name) }

func TestDiffCommand(t *testing.T) {
	code, out, errs := runCLI(t, "diff", "--kernel", "6.18", "preset:docker-default", "preset:docker-default")
	if code != 0 || !strings.HasSuffix(out, "\nno difference in meaning\n") {
		t.Errorf("identical: exit %d, %q %s", code, out, errs)
	}
	code, out, _ = runCLI(t, "diff", "--kernel", "6.18", "--platform", "x86_64", diffFixture("allow-mkdir.json"), diffFixture("deny-mkdir.json"))
	want := "mkdir (x86_64, x86): allow → errno(EPERM)\nmkdirat (x86_64, x86): allow → errno(EPERM)\nresolved for host x86_64, kernel 6.18, Docker's default capabilities\n2 changes: 0 loosened, 2 tightened, 0 changed\n"
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

// Both profiles are resolved for the host --platform, --caps and --kernel
// name.
func TestDiffResolvedFor(t *testing.T) {
	base := writeFile(t, "base.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"], "syscalls": [{"names": ["read", "write", "exit_group", "clone3"], "action": "SCMP_ACT_ALLOW"}]}`)
	cond := writeFile(t, "cond.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"], "syscalls": [{"names": ["read", "write", "exit_group", "clone3"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["mount"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}},
		{"names": ["getpid"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}},
		{"names": ["getppid"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "7.0"}}]}`)
	for _, c := range []struct {
		flags []string
		want  []string
		not   []string
	}{
		{[]string{"--platform", "x86_64", "--kernel", "6.18"}, []string{"no difference in meaning", "resolved for host x86_64, kernel 6.18, Docker's default capabilities"}, nil},
		{[]string{"--platform", "x86_64", "--caps", "all", "--kernel", "6.18"}, []string{"mount (x86_64, aarch64): errno(EPERM) → allow", "1 change: 1 loosened"}, []string{"getpid"}},
		{[]string{"--platform", "aarch64", "--kernel", "6.18"}, []string{"getpid (x86_64, aarch64): errno(EPERM) → allow", "resolved for host aarch64"}, []string{"mount"}},
		{[]string{"--platform", "x86_64", "--kernel", "7.1"}, []string{"getppid (x86_64, aarch64): errno(EPERM) → allow", "kernel 7.1"}, []string{"mount", "getpid "}},
	} {
		code, out, errs := runCLI(t, append(append([]string{"diff"}, c.flags...), base, cond)...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", c.flags, code, errs)
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.flags, w, out)
			}
		}
		for _, n := range c.not {
			if strings.Contains(out, n) {
				t.Errorf("%v: output has %q:\n%s", c.flags, n, out)
			}
		}
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
