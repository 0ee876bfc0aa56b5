package profile

import (
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
)

// What a filter means for numbers no syscall table holds (FilterABI,
// foreign); compile's Verify holds the compiled programs to it and
// TestOutOfTableNumbersKernel the kernel.
func TestDecideOutOfTable(t *testing.T) {
	const getpid = 39
	docs := map[string]string{
		"allow64": `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
			"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
		"deny3": `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "SCMP_ARCH_X86"],
			"syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}`,
		"allowx32": `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X32"],
			"syscalls": [{"names": ["getpid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
		"allowarm": `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_ARM"],
			"syscalls": [{"names": ["write"], "action": "SCMP_ACT_ALLOW"}]}`,
	}
	for _, c := range []struct {
		profile string
		arch    catalog.Arch
		nr      int64
		want    string
		rule    int
	}{
		// The upper half of the register is dropped: this is getpid.
		{"allow64", catalog.X86_64, 1<<32 | getpid, "errno(EACCES)", 0},
		// Bit 31 without the x32 bit: no ABI's; libseccomp kills.
		{"allow64", catalog.X86_64, 0x80000000 | getpid, "kill_thread", RuleBadArch},
		{"allow64", catalog.X86_64, -(1 << 31) | getpid, "kill_thread", RuleBadArch},
		// The x32 bit makes it x32's, whichever arch the caller names.
		{"allow64", catalog.X86_64, catalog.X32SyscallBit | getpid, "kill_thread", RuleBadArch},
		{"allow64", catalog.X32, 0xc0000000 | getpid, "kill_thread", RuleBadArch},
		// -1 is judged by x86_64's rules: the default.
		{"allow64", catalog.X86_64, -1, "allow", RuleDefault},
		{"allow64", catalog.X32, NrSkip, "allow", RuleDefault},
		// Deny by default: the stub answers first, on each ABI's side.
		{"deny3", catalog.X86_64, 0x80000000 | getpid, "errno(ENOSYS)", RuleNewer},
		{"deny3", catalog.X86_64, 0xc0000000 | getpid, "errno(ENOSYS)", RuleNewer},
		{"deny3", catalog.X86_64, -1, "errno(ENOSYS)", RuleNewer},
		{"deny3", catalog.X86_64, catalog.X32SyscallBit | 1, "allow", 0}, // x32 write
		{"deny3", catalog.X86, -1, "errno(ENOSYS)", RuleNewer},
		// x32 alone: its program takes bit 31 as its own.
		{"allowx32", catalog.X86_64, 0x80000000 | getpid, "allow", RuleDefault},
		{"allowx32", catalog.X86_64, getpid, "kill_thread", RuleBadArch},
		// arm's private range and what lies above it are not stubbed.
		{"allowarm", catalog.ARM, 0x0f0800, "errno(EPERM)", RuleDefault},
		{"allowarm", catalog.ARM, -1, "errno(EPERM)", RuleDefault},
		{"allowarm", catalog.ARM, 0x0effff, "errno(ENOSYS)", RuleNewer},
	} {
		p, err := Parse(c.profile+".json", []byte(docs[c.profile]))
		if err != nil {
			t.Fatal(err)
		}
		e := p.Effective(x86Env())
		d := e.Decide(c.arch, c.nr, [6]uint64{}, Options{})
		if d.String() != c.want || d.Rule != c.rule {
			t.Errorf("%s: %s %#x: %s (rule %d), want %s (rule %d)", c.profile, c.arch, uint64(c.nr), d, d.Rule, c.want, c.rule)
		}
	}
}
