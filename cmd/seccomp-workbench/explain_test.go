package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// The goldens hold x86_64 programs (as libseccomp 2.5.4 lays them out)
// and --kernel pins the includes/excludes.
func TestExplainGolden(t *testing.T) {
	needX86_64(t)
	cases := []struct {
		golden string
		args   []string
	}{
		{"docker-default-openat-trace", []string{"openat", "--trace"}},
		{"docker-default-x86-socket-vsock-trace", []string{"socket", "40", "1", "--arch", "x86", "--trace"}},
		{"docker-default-personality", []string{"personality", "0"}},
		{"docker-default-clone3", []string{"clone3"}},
	}
	for _, c := range cases {
		t.Run(c.golden, func(t *testing.T) {
			args := append([]string{"explain", "preset:docker-default", "--kernel", "6.18"}, c.args...)
			code, out, errs := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			assertGolden(t, filepath.Join(testdataDir, "explain", c.golden+".golden"), out)
		})
	}
}

func TestExplainText(t *testing.T) {
	needX86_64(t)
	cases := []struct {
		args []string
		want []string
	}{
		{[]string{"add_key"}, []string{"add_key on x86_64 (248): errno(EPERM) — the default action\n", "risk: critical"}},
		{[]string{"personality", "0x1234"}, []string{"personality(0x1234) on x86_64 (135): errno(EPERM) — the default action\n"}},
		{[]string{"read"}, []string{"read on x86_64 (0): allow — rule syscalls[0] (names: accept, accept4, access, adjtimex, alarm, bind, ... "}},
		{[]string{"0x1f4"}, []string{"syscall_500 on x86_64 (500): errno(ENOSYS) — the number is above every syscall the profile names", "no syscall has number 500 on x86_64"}},
		// An ABI this x86_64 machine cannot run resolves on its own host,
		// unless --platform names the host.
		{[]string{"openat", "--arch", "aarch64"}, []string{"openat on aarch64 (56): allow — rule syscalls[0]", "resolved for host aarch64, kernel 6.18, Docker's default capabilities"}},
		{[]string{"getpid", "--arch", "aarch64", "--platform", "x86_64"}, []string{"getpid on aarch64 (172): kill_thread — killed: arch not in the filter (on host x86_64 it covers x86_64, x86, x32)", "resolved for host x86_64"}},
		{[]string{"getpid", "--arch", "x86"}, []string{"getpid on x86 (20): allow", "resolved for host x86_64, kernel 6.18"}},
		// Docker's default allows mount only with CAP_SYS_ADMIN, and
		// ptrace only from kernel 4.8 on.
		{[]string{"mount"}, []string{"mount on x86_64 (165): errno(EPERM) — the default action"}},
		{[]string{"mount", "--caps", "all"}, []string{"mount on x86_64 (165): allow — rule syscalls[", "resolved for host x86_64, kernel 6.18, all capabilities"}},
		{[]string{"mount", "--caps", "sys_admin"}, []string{"mount on x86_64 (165): allow", "capabilities CAP_SYS_ADMIN"}},
		{[]string{"ptrace"}, []string{"ptrace on x86_64 (101): allow"}},
		{[]string{"ptrace", "--kernel", "4.4"}, []string{"ptrace on x86_64 (101): errno(EPERM) — the default action", "resolved for host x86_64, kernel 4.4"}},
		{[]string{"getpid", "--arch", "mipsel64"}, []string{"getpid on mipsel64 (5038): allow", "resolved for host mipsel64"}},
		{[]string{"getpid", "--arch", "i386"}, []string{"getpid on x86 (20): allow — rule syscalls[0]"}},
		{[]string{"read", "--arch", "x32"}, []string{"read on x32 (0x40000000): allow"}},
		{[]string{"read", "--", "-1", "0", "0"}, []string{"read(0xffffffffffffffff, 0x0, 0x0) on x86_64 (0): allow"}},
		{[]string{"clone3", "--mode", "watch"}, []string{"clone3 on x86_64 (435): notify — rule syscalls[", "watch mode: the supervisor is told, then applies the profile's errno(ENOSYS)"}},
	}
	if !profile.LinkedKnows("listmount") {
		// runc built on this libseccomp drops the name.
		cases = append(cases, struct {
			args []string
			want []string
		}{[]string{"listmount"}, []string{"listmount on x86_64 (458): allow", "  runc:    libseccomp " + profile.LinkedLibseccomp() + " does not know the name, so runc built on it drops it", "gets errno(ENOSYS) from its ENOSYS stub"}})
	}
	for _, c := range cases {
		args := append([]string{"explain", "preset:docker-default", "--kernel", "6.18"}, c.args...)
		code, out, errs := runCLI(t, args...)
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

func explainJSONOf(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errs := runCLI(t, append([]string{"explain", "preset:docker-default", "--kernel", "6.18", "--json"}, args...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	return m
}

func keysOf(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// The field names are part of the CLI contract: scripts read them.
func TestExplainJSON(t *testing.T) {
	needX86_64(t)
	base := []string{"action", "arch", "args", "errno", "errno_name", "mode", "nr", "reason", "resolved_for", "rule", "rule_index", "syscall"}

	m := explainJSONOf(t, "personality", "0")
	if got := keysOf(m); !slices.Equal(got, base) {
		t.Errorf("keys %v, want %v", got, base)
	}
	if m["syscall"] != "personality" || m["arch"] != "x86_64" || m["nr"] != 135.0 || m["action"] != "allow" ||
		m["errno"] != 0.0 || m["errno_name"] != "" || m["reason"] != "rule" || m["mode"] != "enforce" {
		t.Errorf("personality(0): %v", m)
	}
	if args, _ := m["args"].([]any); len(args) != 6 || args[0] != 0.0 {
		t.Errorf("args %v", m["args"])
	}
	rule, _ := m["rule"].(map[string]any)
	if names, _ := rule["names"].([]any); len(names) != 1 || names[0] != "personality" || rule["action"] != "SCMP_ACT_ALLOW" {
		t.Errorf("rule %v", m["rule"])
	}
	if conds, _ := rule["args"].([]any); len(conds) != 1 {
		t.Errorf("rule args %v", rule["args"])
	} else if c, _ := conds[0].(map[string]any); c["index"] != 0.0 || c["value"] != 0.0 || c["op"] != "SCMP_CMP_EQ" {
		t.Errorf("rule condition %v", c)
	}
	if i, ok := m["rule_index"].(float64); !ok || i < 1 {
		t.Errorf("rule_index %v", m["rule_index"])
	}

	m = explainJSONOf(t, "add_key", "1", "0x2")
	if m["action"] != "errno" || m["errno"] != 1.0 || m["errno_name"] != "EPERM" || m["rule"] != nil ||
		m["rule_index"] != nil || m["reason"] != "default" {
		t.Errorf("add_key: %v", m)
	}
	if args, _ := m["args"].([]any); len(args) != 6 || args[0] != 1.0 || args[1] != 2.0 {
		t.Errorf("args %v", m["args"])
	}
	if _, ok := m["rule"]; !ok {
		t.Error(`"rule" must be present (null) for the default`)
	}

	m = explainJSONOf(t, "getpid", "--arch", "aarch64", "--platform", "x86_64")
	if m["action"] != "kill_thread" || m["reason"] != "bad_arch" || m["arch"] != "aarch64" {
		t.Errorf("aarch64 getpid: %v", m)
	}
	if !profile.LinkedKnows("listmount") {
		m = explainJSONOf(t, "listmount")
		rc, _ := m["runc_action"].(map[string]any)
		if m["action"] != "allow" || rc["action"] != "errno" || rc["errno_name"] != "ENOSYS" {
			t.Errorf("listmount: %v", m)
		}
	}
	if m = explainJSONOf(t, "getpid"); m["runc_action"] != nil {
		t.Errorf("getpid: %v", m)
	}
	m = explainJSONOf(t, "openat", "--arch", "aarch64", "--caps", "none")
	res, _ := m["resolved_for"].(map[string]any)
	if m["action"] != "allow" || res["platform"] != "aarch64" || res["kernel"] != "6.18" || fmt.Sprint(res["caps"]) != "[]" {
		t.Errorf("aarch64 openat: %v", m)
	}

	m = explainJSONOf(t, "clone3", "--mode", "watch")
	pa, _ := m["profile_action"].(map[string]any)
	if m["action"] != "notify" || m["mode"] != "watch" || pa["action"] != "errno" || pa["errno"] != 38.0 || pa["errno_name"] != "ENOSYS" {
		t.Errorf("watch clone3: %v", m)
	}

	m = explainJSONOf(t, "openat", "--trace")
	steps, _ := m["trace"].([]any)
	if len(steps) < 5 {
		t.Fatalf("trace %v", m["trace"])
	}
	first, _ := steps[0].(map[string]any)
	if got := keysOf(first); !slices.Equal(got, []string{"a", "comment", "insn", "jumped", "next", "pc", "x"}) {
		t.Errorf("trace step keys %v", got)
	}
	if first["insn"] != "ld   [4]" || first["comment"] != "arch" || first["a"] != float64(0xC000003E) || first["pc"] != 0.0 {
		t.Errorf("first step %v", first)
	}
	last, _ := steps[len(steps)-1].(map[string]any)
	if !strings.HasPrefix(last["insn"].(string), "ret") || last["comment"] != "ALLOW" || last["next"] != -1.0 {
		t.Errorf("last step %v", last)
	}
}

func TestExplainUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"read", "1", "0xzz"}, 2, `argument 2 (args[1]) "0xzz" is not a 64-bit number: use decimal or 0x-hex`},
		{[]string{"read", "1", "2", "3", "4", "5", "6", "7"}, 2, "accepts between 2 and 8 arg(s), received 9"},
		{[]string{"getpid", "0x100000000", "--arch", "x86"}, 2, `argument 1 (args[0]) "0x100000000" is not a 32-bit number`},
		{[]string{"read", "-1"}, 2, "put negative ARGs after --, as in: explain PROFILE SYSCALL -- -1"},
		{[]string{"open", "--arch", "aarch64"}, 2, "open does not exist on aarch64: use openat or openat2"},
		{[]string{"getpdi"}, 2, `unknown syscall "getpdi": did you mean getpid?`},
		{[]string{"read", "--arch", "loongarch64"}, 2, `--arch: unknown architecture "loongarch64"`},
		{[]string{"read", "--platform", "vax"}, 2, `--platform: unknown architecture "vax"`},
		{[]string{"read", "--caps", "sys_admn"}, 2, `--caps: "sys_admn" is not a capability`},
		{[]string{"read", "--mode", "record"}, 2, `--mode "record": use enforce or watch`},
		{[]string{"read", "--kernel", "six"}, 2, `--kernel: kernel version "six": want X.Y`},
	}
	for _, c := range cases {
		code, _, errs := runCLI(t, append([]string{"explain", "preset:docker-default"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	// A big-endian ABI is no error: the workbench's generator builds its
	// filter on this machine too.
	if code, out, errs := runCLI(t, "explain", "preset:docker-default", "read", "--arch", "mips"); code != 0 || !strings.Contains(out, "allow") {
		t.Errorf("read on mips: exit %d, %q %q", code, out, errs)
	}
	code, _, errs := runCLI(t, "explain", filepath.Join(t.TempDir(), "missing.json"), "read")
	if code != 1 || !strings.Contains(errs, "missing.json") {
		t.Errorf("missing profile: exit %d, %q", code, errs)
	}
	code, _, errs = runCLI(t, "explain", "preset:nope", "read")
	if code != 1 || !strings.Contains(errs, "no such preset") {
		t.Errorf("unknown preset: exit %d, %q", code, errs)
	}
}
