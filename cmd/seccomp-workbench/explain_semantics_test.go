package main

import (
	"strings"
	"testing"
)

// explain from the CLI follows the model: the multiplexer rewrite on x86,
// ORed conditions on a repeated index, Podman's errno names.
func TestExplainSemantics(t *testing.T) {
	needX86_64(t)
	file := writeFile(t, "p.json", `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS",
		"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"],
		"syscalls": [
			{"names": ["read", "socket"], "action": "SCMP_ACT_ALLOW"},
			{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [
				{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`)
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"socketcall", "1", "--arch", "x86"}, []string{"socketcall(0x1) on x86 (102): allow — rule syscalls[0]", "via:     the rule names socket, and on x86 libseccomp applies it to socketcall with args[0] == 1 as well"}},
		{[]string{"socketcall", "2", "--arch", "x86"}, []string{"socketcall(0x2) on x86 (102): errno(ENOSYS) — the default action"}},
		{[]string{"socketcall", "1", "--arch", "x86", "--json"}, []string{`"via": "socket"`, `"action": "allow"`}},
		{[]string{"personality", "8"}, []string{"personality(0x8) on x86_64 (135): allow — rule syscalls[1]", "when:    args[0] == 0x8", "ORed:"}},
		{[]string{"personality", "4"}, []string{"errno(ENOSYS) — the default action"}},
		{[]string{"getuid", "--json"}, []string{`"errno": 38`, `"errno_name": "ENOSYS"`}},
	} {
		code, out, errs := runCLI(t, append([]string{"explain", file}, c.args...)...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", c.args, code, errs)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", c.args, w, out)
			}
		}
	}
}

// A file cut short says where it ends and what is still open.
func TestCheckTruncatedFile(t *testing.T) {
	file := writeFile(t, "cut.json", "{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [\n  {\"names\": [\"read\"]")
	code, _, errs := runCLI(t, "check", file)
	want := file + `:3:21: invalid JSON: the file ends inside an object opened at 3:3, inside the "syscalls" array opened at 2:14, inside the profile object opened at 1:1`
	if code == 0 || !strings.Contains(errs, want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
		t.Errorf("exit %d, stderr %q; want %q", code, errs, want)
	}
}

// explain says what the kernel makes of an int argument's upper half.
func TestExplainUpperHalf(t *testing.T) {
	needX86_64(t)
	code, out, errs := runCLI(t, "explain", "preset:docker-default", "--kernel", "6.18", "socket", "0x100000028", "1", "0")
	want := "  kernel:  reads family (int) from the low 32 bits and runs socket(0x28, 0x1), which the profile gives errno(EPERM)\n"
	if code != 0 || !strings.Contains(out, "socket(0x100000028, 0x1, 0x0) on x86_64 (41): allow") || !strings.Contains(out, want) {
		t.Errorf("exit %d: %s%s", code, out, errs)
	}
	// Nothing to say when the upper half is clear.
	if _, out, _ := runCLI(t, "explain", "preset:docker-default", "--kernel", "6.18", "socket", "40", "1", "0"); strings.Contains(out, "kernel:") {
		t.Errorf("socket(40): %s", out)
	}
}
