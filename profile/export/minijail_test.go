package export

import (
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
)

// TestMinijailLines pins how each kind of rule becomes a policy line.
// minijail0 is not packaged for Debian 12, so no consumer checks the
// policy here; the lines follow minijail0(5).
func TestMinijailLines(t *testing.T) {
	p, err := profile.Parse("t", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13, "syscalls": [
		{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]},
		{"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]},
		{"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 4, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}, {"index": 1, "value": 4096, "op": "SCMP_CMP_GE"}]},
		{"names": ["ioctl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 1, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["fcntl"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 3, "valueTwo": 1, "op": "SCMP_CMP_MASKED_EQ"}]},
		{"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38},
		{"names": ["getpid"], "action": "SCMP_ACT_LOG"},
		{"names": ["ptrace"], "action": "SCMP_ACT_TRAP"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	out, notes, err := Export(p, x86Env(), FormatMinijail, ExportOptions{Arches: []catalog.Arch{catalog.X86_64}})
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"read: 1\n", "write: 1\n",
		"personality: arg0 == 0x0 || arg0 == 0x8; return 13\n",
		"mmap: arg2 in 0xfffffffffffffffb && arg1 >= 0x1000; return 13\n",
		"ioctl: arg1 & 0x1; return 13\n",
		"clone3: return 38\n",
		"getpid: 1\n",
	} {
		if !strings.Contains(string(out), line) {
			t.Errorf("policy lacks %q:\n%s", line, out)
		}
	}
	for _, no := range []string{"fcntl:", "ptrace:"} {
		if strings.Contains(string(out), "\n"+no) {
			t.Errorf("policy has a %s line:\n%s", no, out)
		}
	}
	all := strings.Join(notes, "\n")
	for _, n := range []string{
		"the profile's default is errno(EACCES); minijail kills a call the policy does not name",
		"fcntl: allow when arg1 & 0x3 == 0x1; else errno(EACCES); the policy cannot say a masked comparison",
		"getpid: log; the policy cannot say logging",
		"ptrace: trap; the policy cannot say its other outcomes",
	} {
		if !strings.Contains(all, n) {
			t.Errorf("notes lack %q:\n%s", n, all)
		}
		if !strings.Contains(string(out), "#   - "+n) {
			t.Errorf("the policy's comments lack %q", n)
		}
	}
	if _, _, err := Export(mustOpen(t, "preset:deny-critical"), x86Env(), FormatMinijail, ExportOptions{}); err == nil || !strings.Contains(err.Error(), "a minijail policy is an allow-list") {
		t.Errorf("a deny-list: %v", err)
	}
}
