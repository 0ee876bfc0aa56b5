package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// TestCheckGolden runs check on every testdata/lint/*.json and compares
// the text output with the .golden next to it (go test -run
// TestCheckGolden -update rewrites them). The profiles use no minKernel or
// capability the host could change; the instruction counts are those of
// libseccomp 2.5.4 on an x86_64 host.
func TestCheckGolden(t *testing.T) {
	needX86_64(t)
	files, err := filepath.Glob(filepath.Join(testdataDir, "lint", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no lint fixtures: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".json")
		t.Run(name, func(t *testing.T) {
			t.Setenv("NO_COLOR", "1")
			code, out, stderr := runCLI(t, "check", "--kernel", "6.18", f)
			got := out + fmt.Sprintf("exit status %d\n", code)
			if stderr != "" {
				got += "stderr: " + stderr
			}
			assertGolden(t, strings.TrimSuffix(f, ".json")+".golden", got)
		})
	}
}

func TestCheckDockerDefaultHasNoErrors(t *testing.T) {
	code, out, stderr := runCLI(t, "check", "preset:docker-default")
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s%s", code, out, stderr)
	}
	if strings.Contains(out, "error:") || !strings.Contains(out, "\n0 errors, ") && !strings.HasPrefix(out, "0 errors, ") {
		t.Errorf("docker-default reported errors:\n%s", out)
	}
	if !strings.Contains(out, "verified ") {
		t.Errorf("no verification in the summary:\n%s", out)
	}
}

// Podman's shipped default (containers-common's seccomp.json, which names
// MIPS o32's syscall and lists the MIPS ABIs in its archMap; the copy in
// testdata is containers/common's pkg/seccomp/seccomp.json at f437c58) and Docker's
// check clean for every little-endian host the catalog has; each run says
// which host it resolved for and compiles that host's ABIs.
func TestCheckHosts(t *testing.T) {
	needX86_64(t)
	podman := testdataDir + "/profiles/podman-default.json"
	for _, c := range []struct {
		args []string
		code int
		want []string
	}{
		{[]string{podman}, 0, []string{"resolved for host x86_64", "compiled", "for x86_64, x86, x32; verified"}},
		{[]string{podman, "--platform", "aarch64"}, 0, []string{"resolved for host aarch64", "for aarch64, arm; verified"}},
		{[]string{podman, "--platform", "mipsel64"}, 0, []string{"resolved for host mipsel64", "for mipsel64, mipsel, mipsel64n32; verified"}},
		{[]string{podman, "--arch", "mipsel"}, 0, []string{"resolved for host mipsel,", "for mipsel; verified"}},
		{[]string{"preset:docker-default", "--platform", "riscv64", "--caps", "all", "--kernel", "5.4"}, 0, []string{"resolved for host riscv64, kernel 5.4, all capabilities", "for riscv64; verified"}},
		{[]string{"preset:docker-default", "--platform", "ppc64le"}, 0, []string{"for ppc64le; verified"}},
		{[]string{"preset:docker-default", "--platform", "mipsel64n32"}, 0, []string{"for mipsel64n32, mipsel, mipsel64; verified"}},
		// --arch x86 is an ABI this x86_64 machine runs: still its host.
		{[]string{"preset:docker-default", "--arch", "x86"}, 0, []string{"resolved for host x86_64", "for x86; verified"}},
		// A big-endian host's filter: the workbench's generator builds it
		// here (libseccomp could not).
		{[]string{podman, "--platform", "s390x"}, 0, []string{"resolved for host s390x", "for s390x, s390; verified"}},
	} {
		code, out, stderr := runCLI(t, append([]string{"check"}, c.args...)...)
		if code != c.code {
			t.Errorf("check %v: exit %d, want %d:\n%s%s", c.args, code, c.code, out, stderr)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("check %v: output lacks %q:\n%s", c.args, w, out)
			}
		}
	}
	code, out, _ := runCLI(t, "check", "--json", "--platform", "aarch64", "--caps", "CAP_SYS_ADMIN", "--kernel", "6.1", podman)
	var res struct {
		Resolved struct {
			Platform, Kernel string
			Caps             []string
		} `json:"resolved_for"`
		Arches []string `json:"arches"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || code != 0 {
		t.Fatalf("check --json: exit %d, %v:\n%s", code, err, out)
	}
	if res.Resolved.Platform != "aarch64" || res.Resolved.Kernel != "6.1" || strings.Join(res.Resolved.Caps, ",") != "CAP_SYS_ADMIN" || strings.Join(res.Arches, ",") != "aarch64,arm" {
		t.Errorf("resolved_for %+v, arches %v", res.Resolved, res.Arches)
	}
}

// TestCheckPresetsHaveNoErrors: every embedded preset is offered as a
// starting point, so none may fail its own check.
func TestCheckPresetsHaveNoErrors(t *testing.T) {
	for _, p := range profile.Presets() {
		t.Run(p.Name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, "check", "preset:"+p.Name)
			if code != 0 {
				t.Errorf("check preset:%s exit %d:\n%s%s", p.Name, code, stdout, stderr)
			}
		})
	}
}

func TestCheckLibseccompBugIsRefused(t *testing.T) {
	code, out, _ := runCLI(t, "check", testdataDir+"/profiles/libseccomp-64bit-bug.json")
	if code != 1 {
		t.Fatalf("exit %d, want 1:\n%s", code, out)
	}
	// The workbench's own filter is right; libseccomp's, which runtimes
	// load, is not, and that is the error.
	first := strings.SplitN(out, "\n", 2)[0]
	for _, want := range []string{"error: mmap:", "with args (0xffffffff", "libseccomp 2.5.4 makes of it", "does allow", "the workbench's own filter is right", "GHSA-4q85-33p6-j5g6"} {
		if !strings.Contains(first, want) {
			t.Errorf("first line %q lacks %q", first, want)
		}
	}
	if !strings.Contains(out, "1 error, ") || !strings.Contains(out, "; verified ") {
		t.Errorf("summary does not say the workbench's filter verified with one error:\n%s", out)
	}
}

func TestCheckJSON(t *testing.T) {
	code, out, stderr := runCLI(t, "check", "--json", testdataDir+"/lint/mistakes.json")
	if code != 1 || stderr != "" {
		t.Fatalf("exit %d, stderr %q; want 1 and nothing", code, stderr)
	}
	var res struct {
		Profile  string `json:"profile"`
		Arches   []string
		Findings []struct {
			Severity, Code, Syscall, Message, Hint string
			Rule                                   *int
		}
		Compiled *struct {
			Instructions int            `json:"instructions"`
			PerArch      map[string]int `json:"per_arch"`
			Verified     bool           `json:"verified"`
			Cases        int            `json:"cases"`
		}
		OK *bool `json:"ok"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.OK == nil || *res.OK {
		t.Errorf("ok = %v, want false", res.OK)
	}
	if res.Compiled == nil || !res.Compiled.Verified || res.Compiled.Instructions == 0 || res.Compiled.Cases == 0 || res.Compiled.PerArch["x86"] == 0 {
		t.Errorf("compiled = %+v, want a verified program with x86 in per_arch", res.Compiled)
	}
	codes := map[string]string{}
	for _, f := range res.Findings {
		if f.Rule == nil || f.Message == "" || f.Hint == "" {
			t.Errorf("incomplete finding %+v", f)
		}
		codes[f.Code] = f.Severity
	}
	for code, sev := range map[string]string{"unknown-syscall": "error", "clone3-errno": "error", "family-split": "warning", "shadowed-rule": "warning", "multiplexer": "warning"} {
		if codes[code] != sev {
			t.Errorf("finding %s: severity %q, want %q (have %v)", code, codes[code], sev, codes)
		}
	}

	code, out, _ = runCLI(t, "check", "--json", "preset:docker-default")
	if code != 0 || !strings.Contains(out, `"ok": true`) {
		t.Errorf("docker-default --json: exit %d\n%s", code, out)
	}
	// Docker's AF_VSOCK block is bypassed through the upper half of
	// socket's int family: a warning, so check still passes.
	if !strings.Contains(out, `"code": "int-upper-half"`) || !strings.Contains(out, "socket(0x100000028) as socket(0x28)") {
		t.Errorf("docker-default: no AF_VSOCK upper-half finding\n%s", out)
	}
	// Two conditions on one argument: runc's reading (ORed) loads and
	// verifies, with a warning.
	code, out, _ = runCLI(t, "check", "--json", testdataDir+"/lint/duplicate-arg.json")
	if code != 0 || strings.Contains(out, `"compiled": null`) || !strings.Contains(out, `"code": "duplicate-arg"`) {
		t.Errorf("duplicate-arg --json: exit %d\n%s", code, out)
	}
}

func TestCheckArch(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--arch", "aarch64"}, "instructions for aarch64; verified"},
		{[]string{"--arch", "x86_64", "--arch", "i386"}, "instructions for x86_64, x86; verified"},
		{[]string{"--arch", "arm64,arm,arm64"}, "instructions for aarch64, arm; verified"},
	} {
		code, out, stderr := runCLI(t, append([]string{"check", "preset:docker-default"}, c.args...)...)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("check %v: exit %d, want 0 and %q:\n%s%s", c.args, code, c.want, out, stderr)
		}
		// Checking for an arm64 machine resolves Docker's arm-only rules
		// as Docker would there: no name is reported missing.
		if strings.Contains(out, "absent-on-arch") || strings.Contains(out, "not a syscall on") {
			t.Errorf("check %v reports names absent:\n%s", c.args, out)
		}
	}
	// The x86 ABI warning is about what the file declares, not --arch.
	_, out, _ := runCLI(t, "check", testdataDir+"/lint/clean.json", "--arch", "x86_64")
	if strings.Contains(out, "warning:") {
		t.Errorf("--arch x86_64 on a profile declaring all three x86 ABIs:\n%s", out)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"preset:docker-default", "--arch", "loongarch64"},
		{"preset:docker-default", "--platform", "vax"},
		{"preset:docker-default", "--caps", "cap_nope"},
		{"preset:docker-default", "--kernel", "x"},
		{"preset:docker-default", "--arch", ""},
		{"preset:docker-default", "--arch", "x86_64,"},
		{},
		{"a.json", "b.json"},
		{"preset:docker-default", "--bogus"},
	} {
		code, out, stderr := runCLI(t, append([]string{"check"}, args...)...)
		if code != 2 {
			t.Errorf("check %q: exit %d, want 2 (stdout %q)", args, code, out)
		}
		if !strings.HasPrefix(stderr, "seccomp-workbench: ") {
			t.Errorf("check %q: stderr %q", args, stderr)
		}
	}
	code, _, stderr := runCLI(t, "check", "preset:docker-default", "--arch", "loongarch64")
	if code != 2 || !strings.Contains(stderr, `--arch: unknown architecture "loongarch64": use one of`) {
		t.Errorf("bad --arch: exit %d, stderr %q", code, stderr)
	}
}

func TestCheckBadProfile(t *testing.T) {
	loong := writeFile(t, "loong.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_LOONGARCH64"], "syscalls": [{"names": ["read", "write", "exit_group", "execve"], "action": "SCMP_ACT_ALLOW"}]}`)
	code, out, _ := runCLI(t, "check", loong)
	if code != 1 || !strings.Contains(out, "error: profile: nothing to compile: none of the profile's architectures (SCMP_ARCH_LOONGARCH64)") || !strings.Contains(out, "; not compiled") {
		t.Errorf("loongarch-only profile: exit %d\n%s", code, out)
	}
	// A big-endian ABI: the workbench's generator builds it on this
	// machine too; ABIs of both byte orders cannot share a filter.
	mips := writeFile(t, "mips.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_MIPS"], "syscalls": [{"names": ["read", "write", "exit_group", "execve"], "action": "SCMP_ACT_ALLOW"}]}`)
	code, out, _ = runCLI(t, "check", mips)
	if code != 0 || !strings.Contains(out, "for mips; verified") {
		t.Errorf("mips-only profile: exit %d\n%s", code, out)
	}
	mixed := writeFile(t, "mixed.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_MIPS"], "syscalls": [{"names": ["read", "write", "exit_group", "execve"], "action": "SCMP_ACT_ALLOW"}]}`)
	code, out, _ = runCLI(t, "check", mixed)
	if code != 1 || !strings.Contains(out, "x86_64 and mips cannot share a filter (different byte order") {
		t.Errorf("x86_64 and mips: exit %d\n%s", code, out)
	}

	bad := writeFile(t, "bad.json", "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": [\n    {\"names\": [\"read\"], \"action\": \"SCMP_ACT_NOPE\"}\n  ]\n}\n")
	for _, c := range []struct{ arg, want string }{
		{bad, "bad.json:4:"},
		{filepath.Join(t.TempDir(), "missing.json"), "missing.json"},
		{"preset:no-such-preset", "no such preset"},
	} {
		code, out, stderr := runCLI(t, "check", c.arg)
		if code != 1 || out != "" {
			t.Errorf("check %s: exit %d, stdout %q; want 1 and nothing", c.arg, code, out)
		}
		if !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("check %s: stderr %q, want one line with %q", c.arg, stderr, c.want)
		}
	}
}

// A profile libseccomp cannot compile (a conditional rule at the default
// action ahead of a later rule) is no error for the workbench's own
// filter, which keeps the order; check warns that runtimes built on
// libseccomp refuse it.
func TestCheckWarnsWhatLibseccompRefuses(t *testing.T) {
	f := writeFile(t, "carve.json", `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
		{"names": ["read", "write", "execve", "exit_group", "personality"], "action": "SCMP_ACT_ALLOW"}]}`)
	code, out, _ := runCLI(t, "check", f)
	if code != 0 || !strings.Contains(out, "warning: profile: libseccomp "+profile.LinkedLibseccomp()+" cannot compile this profile, so runtimes built on it (runc, crun, Docker) refuse it: syscalls[0]: its conditions keep some personality calls at the default action") ||
		!strings.Contains(out, "; verified ") {
		t.Errorf("exit %d:\n%s", code, out)
	}
}
