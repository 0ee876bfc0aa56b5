package lint

import (
	"strings"
	"testing"

	"github.com/seccomp-workbench/seccomp-workbench/catalog"
	"github.com/seccomp-workbench/seccomp-workbench/profile"
	"github.com/seccomp-workbench/seccomp-workbench/profile/compile"
)

// wantFinding matches a finding by code, severity, rule and syscall, and
// requires each of msg (in Message or Hint) when given.
type wantFinding struct {
	code    string
	sev     Severity
	rule    int
	syscall string
	msg     []string
}

func (w wantFinding) match(f Finding) bool {
	if f.Code != w.code || f.Severity != w.sev || f.Rule != w.rule || f.Syscall != w.syscall {
		return false
	}
	for _, m := range w.msg {
		if !strings.Contains(f.Message+" | "+f.Hint, m) {
			return false
		}
	}
	return true
}

// A few rules every "it runs" profile needs, so that empty-allowlist does
// not fire in cases about something else.
const basics = `{"names": ["read", "write", "exit_group", "execve"], "action": "SCMP_ACT_ALLOW"}`

const x86All = `"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"]`

func TestLintChecks(t *testing.T) {
	x86 := testEnv(catalog.X86_64)
	arm := testEnv(catalog.AArch64)
	cases := []lintCase{
		// unknown-syscall
		{"typo", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["opne"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"unknown-syscall", SevError, 1, "opne", []string{"not a syscall on x86_64, x86, x32, aarch64, arm, riscv64, s390x, ppc64le, mips,", "did you mean open?", "catalog open"}}}, nil},
		// MIPS o32's indirect call, which Podman's default names.
		{"syscall is MIPS o32's", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["syscall"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"unknown-syscall", "absent-on-arch"}},
		{"unknown in a rule for another host", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["bogus_call"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["s390x"]}}]}`,
			[]wantFinding{{"unknown-syscall", SevError, 1, "bogus_call", nil}}, nil},

		// unknown-key
		{"arg for args", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "arg": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`,
			[]wantFinding{{"unknown-key", SevWarning, 1, "", []string{`key "arg" is read by neither`, "applies whatever the arguments", `did you mean "args"?`}}}, nil},
		{"arg beside args", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}], "arg": []}]}`,
			[]wantFinding{{"unknown-key", SevWarning, 1, "", []string{`did you mean "args"?`}}}, nil},
		{"defaultErrnoRett", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRett": 38, ` + x86All + `, "syscalls": [` + basics + `]}`,
			[]wantFinding{{"unknown-key", SevWarning, -1, "", []string{`key "defaultErrnoRett"`, "the default errno is EPERM", `did you mean "defaultErrnoRet"?`}}}, nil},
		{"key deep inside", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "vaule": 5, "op": "SCMP_CMP_EQ"}]}]}`,
			[]wantFinding{{"unknown-key", SevWarning, 1, "", []string{`key "vaule" in args[0]`, `did you mean "value"?`}}}, nil},
		{"a key like no other", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "x-owner": "web team", ` + x86All + `, "syscalls": [` + basics + `]}`,
			[]wantFinding{{"unknown-key", SevWarning, -1, "", []string{`key "x-owner"`, `into a "comment"`}}}, nil},

		// errno-name
		{"Podman's defaultErrno alone", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS", ` + x86All + `, "syscalls": [` + basics + `]}`,
			[]wantFinding{{"errno-name", SevWarning, -1, "", []string{"Podman answers ENOSYS, Docker and runc EPERM", `"defaultErrnoRet": 38`}}}, []string{"unknown-key"}},
		{"Podman's errno agrees", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, "defaultErrno": "ENOSYS", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "EPERM"}]}`,
			nil, []string{"errno-name", "unknown-key", "redundant-rule"}},
		{"Podman's errno disagrees", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "errno": "EACCES"}]}`,
			[]wantFinding{{"errno-name", SevWarning, 0, "", []string{`errno is "EACCES", and errnoRet is 1`, "Podman answers EACCES, Docker and runc EPERM"}}}, nil},

		// int-upper-half
		{"Docker 2022: socket unless AF_VSOCK", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["clone"], "action": "SCMP_ACT_ALLOW"}, {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]}]}`,
			[]wantFinding{{"int-upper-half", SevWarning, 2, "socket", []string{"on x86_64 the kernel reads argument 0 (int family) as 32 bits", "socket(0x100000028) as socket(0x28)", "profile denies (errno(EPERM))", "by syscalls[2]", `"valueTwo": 40`}}}, nil},
		{"Docker today: ranges around AF_VSOCK", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["clone"], "action": "SCMP_ACT_ALLOW"}, {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_LT"}]}, {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_GT"}]}]}`,
			[]wantFinding{{"int-upper-half", SevWarning, 3, "socket", []string{"socket(0x100000028) as socket(0x28)"}}}, nil},
		{"deny-list: AF_VSOCK denied by ==", x86, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_AARCH64"], "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]}]}`,
			[]wantFinding{{"int-upper-half", SevWarning, -1, "socket", []string{"on x86_64", "socket(0x100000028) as socket(0x28)", "by the default action"}}}, nil},
		{"masked on the low 32 bits", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 4294967295, "valueTwo": 40, "op": "SCMP_CMP_MASKED_EQ"}]}]}`,
			nil, []string{"int-upper-half"}},
		{"high values denied first", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["clone"], "action": "SCMP_ACT_ALLOW"}, {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_GT"}]}, {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]}]}`,
			nil, []string{"int-upper-half"}},
		{"an allowed value only fails closed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["personality"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}]}`,
			nil, []string{"int-upper-half"}},
		{"a 64-bit argument", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["clone"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 268435456, "valueTwo": 268435456, "op": "SCMP_CMP_MASKED_EQ"}]}, {"names": ["mmap"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 1, "value": 4096, "op": "SCMP_CMP_EQ"}]}]}`,
			nil, []string{"int-upper-half"}},
		{"32-bit ABIs pass 32 bits", x86, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"], "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]}]}`,
			nil, []string{"int-upper-half"}},
		{"through the multiplexer on ppc64le", testEnv(catalog.PPC64LE), `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_PPC64LE"], "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"int-upper-half", SevWarning, -1, "socketcall", []string{"on ppc64le the kernel reads argument 0 (int call) as 32 bits", "socketcall(0x100000001) as socketcall(0x1)"}}}, nil},

		// ipc-version
		{"semget denied, ipc with a version is not", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["semget", "shmat"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"ipc-version", SevWarning, -1, "ipc", []string{"on x86 the profile denies semget and shmat, but ipc(2 | 1<<16) is let through (by the default action)", `"valueTwo": 2`}}}, nil},
		{"ipc denied too", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["semget", "ipc"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"ipc-version"}},
		{"an allowed IPC call fails closed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["semget"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"ipc-version"}},

		// absent-on-arch
		{"open on aarch64", arm, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_AARCH64"], "syscalls": [` + basics + `, {"names": ["open"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"absent-on-arch", SevWarning, 1, "open", []string{"not a syscall on aarch64", "openat", "add openat or openat2 to this rule"}}}, nil},
		{"open with openat on aarch64", arm, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_AARCH64"], "syscalls": [` + basics + `, {"names": ["open", "openat"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"absent-on-arch"}},
		{"denying open on aarch64 leaves openat", arm, `{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_AARCH64"], "syscalls": [{"names": ["open"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"absent-on-arch", SevWarning, 0, "open", []string{"errno(EPERM) does not reach"}}}, nil},
		{"arch-only name without family", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["riscv_flush_icache"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"absent-on-arch", "unknown-syscall"}},

		// family-split
		{"mkdirat denied, mkdir allowed", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"family-split", SevWarning, 0, "mkdirat", []string{"but mkdir, which does the same job, is allowed on x86_64, x86, x32", "deny mkdir as well"}}}, nil},
		{"both denied", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"family-split"}},
		{"deny rule in an allow-list", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["mkdir"], "action": "SCMP_ACT_ALLOW"}, {"names": ["mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
			[]wantFinding{{"family-split", SevWarning, 2, "mkdirat", []string{"denied (errno(EACCES), by syscalls[2]) but mkdir"}}}, nil},
		{"allow-list merely omits mkdirat and readv", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["mkdir"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"family-split"}},
		{"API group is no family of substitutes", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["shmget", "io_uring_setup", "timer_create"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"family-split"}},
		{"a getter does not stand in for a setter", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["setrlimit", "prlimit64", "ulimit"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"family-split"}},
		{"prlimit64 undoes a setrlimit denial", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["setrlimit"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"family-split", SevWarning, 0, "setrlimit", []string{"prlimit64"}}}, nil},
		{"sibling allowed only for some arguments", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["creat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30}, {"names": ["open", "openat"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 3, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}]}]}`,
			nil, []string{"family-split"}},
		{"sibling denied for some arguments", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["creat", "openat2"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30}, {"names": ["open"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30, "args": [{"index": 1, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]}, {"names": ["openat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 30, "args": [{"index": 2, "value": 64, "valueTwo": 64, "op": "SCMP_CMP_MASKED_EQ"}]}]}`,
			nil, []string{"family-split"}},
		{"less risky sibling is no bypass", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["process_vm_writev"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"family-split"}},
		{"capability gates the job", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["adjtimex", "clock_adjtime"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"family-split"}},
		{"legacy call Docker leaves out", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["stat", "fstat", "lstat", "newfstatat", "statx", "stat64", "fstat64", "lstat64", "fstatat64"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"family-split"}},

		// clone3-errno and enosys-fallback
		{"clone3 gets the default because openat2 is newer", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["clone", "openat2"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"clone3-errno", SevError, -1, "clone3", []string{"gets errno(EPERM) (by the default action) on x86_64, x86, x32 while clone is allowed", `"errnoRet": 38`}}},
			[]string{"no-enosys-default"}},
		{"clone3 denied by a rule", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
			[]wantFinding{{"clone3-errno", SevError, 0, "clone3", []string{"errno(EACCES) (by syscalls[0])"}}}, nil},
		{"clone3 killed", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["clone3"], "action": "SCMP_ACT_KILL_PROCESS"}]}`,
			[]wantFinding{{"clone3-errno", SevError, 0, "clone3", []string{"gets kill_process"}}}, nil},
		{"clone3 ENOSYS", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["clone", "openat2"], "action": "SCMP_ACT_ALLOW"}, {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}]}`,
			nil, []string{"clone3-errno", "no-enosys-default"}},
		{"clone3 denied, clone too", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["openat2"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"clone3-errno"}},
		{"faccessat2 gets EPERM", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["faccessat", "epoll_pwait2"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"enosys-fallback", SevWarning, -1, "faccessat2", []string{"while faccessat is allowed", "faccessat() fails"}}}, nil},

		// no-enosys-default
		{"clone3 left to the stub", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [` + basics + `, {"names": ["clone"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"no-enosys-default", SevWarning, -1, "clone3", []string{"on x86_64, x86 only from the stub", "default errno(EPERM)"}}},
			[]string{"clone3-errno"}},
		// x32's execve is 520 (in the range of x32's own calls above 512),
		// so naming it takes clone3 (435) out of the stub on x32.
		{"x32 execve outnumbers clone3", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["clone"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{
				{"no-enosys-default", SevWarning, -1, "clone3", []string{"on x86_64, x86 only"}},
				// A warning: few systems run x32 programs.
				{"clone3-errno", SevWarning, -1, "clone3", []string{"on x32 while clone", "x32 only"}},
			}, nil},
		{"ENOSYS default needs no stub", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38, ` + x86All + `, "syscalls": [` + basics + `, {"names": ["clone"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"no-enosys-default", "clone3-errno"}},
		{"allow default needs no stub", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"no-enosys-default", "clone3-errno"}},

		// x86-abis-unhandled
		{"x86_64 alone", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [` + basics + `]}`,
			[]wantFinding{{"x86-abis-unhandled", SevWarning, -1, "", []string{"architectures lists x86_64 but not x86 or x32", "int 0x80", "bad-arch", "SCMP_ARCH_X86 and SCMP_ARCH_X32"}}}, nil},
		{"x86_64 and x86", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], "syscalls": [` + basics + `]}`,
			[]wantFinding{{"x86-abis-unhandled", SevWarning, -1, "", []string{"but not x32"}}}, nil},
		{"no architectures on x86_64", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [` + basics + `]}`,
			[]wantFinding{{"x86-abis-unhandled", SevWarning, -1, "", []string{"names no architectures, so only native x86_64 calls are filtered, not x86 or x32 ones"}}}, nil},
		{"all three", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `]}`,
			nil, []string{"x86-abis-unhandled"}},
		{"aarch64 host", arm, `{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [` + basics + `]}`,
			nil, []string{"x86-abis-unhandled"}},

		// critical-allowed
		{"bpf allowed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["bpf"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"critical-allowed", SevWarning, 1, "bpf", []string{"critical tier"}}}, nil},
		{"io_uring allowed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["io_uring_setup"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"critical-allowed", SevWarning, 1, "io_uring_setup", []string{"bypass"}}}, nil},
		{"conditionally allowed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}]}]}`,
			[]wantFinding{{"critical-allowed", SevWarning, 1, "ptrace", []string{"allowed for some arguments"}}}, nil},
		{"allow-by-default lists them once", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"critical-allowed", SevWarning, -1, "", []string{"critical-tier calls are allowed", "io_uring_setup", "never pass through seccomp"}}}, nil},

		// multiplexer
		{"socketcall allowed, socket denied", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["socketcall"], "action": "SCMP_ACT_ALLOW"}]}`,
			[]wantFinding{{"multiplexer", SevWarning, 1, "socketcall", []string{"allowed on x86 while", "socket", "every socket operation"}}}, nil},
		{"socketcall and socket calls allowed", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_ERRNO"}]}`,
			nil, []string{"multiplexer"}},
		{"socketcall by operation", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["socketcall"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`,
			nil, []string{"multiplexer"}},
		{"ipc allowed, shmget denied", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["shmget"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"multiplexer", SevWarning, -1, "ipc", []string{"shmget is denied", "System V IPC"}}}, nil},
		{"socketcall allowed, socket only for some families", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["socketcall"], "action": "SCMP_ACT_ALLOW"}, {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]}]}`,
			[]wantFinding{{"multiplexer", SevWarning, 1, "socketcall", []string{"allowed on x86 while socket (for some arguments), bind"}}}, []string{"multiplexer-conditions"}},

		// multiplexer-conditions
		{"socket's conditions do not reach socketcall", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]}, {"names": ["connect"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 2, "value": 16, "op": "SCMP_CMP_EQ"}]}]}`,
			[]wantFinding{
				{"multiplexer-conditions", SevWarning, 1, "socket", []string{"on x86 this rule lets socket through only for some arguments", "socketcall(1) as well", "condition on argument 0 is dropped", `"value": 1, "op": "SCMP_CMP_EQ"`}},
				{"multiplexer-conditions", SevWarning, 2, "connect", []string{"socketcall(3)", "test socketcall's own arguments there, not connect's"}},
			}, nil},
		{"semget's conditions on ipc", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["semget"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 1, "op": "SCMP_CMP_EQ"}]}]}`,
			[]wantFinding{{"multiplexer-conditions", SevWarning, 1, "semget", []string{"ipc(2)", "in other positions"}}}, nil},
		{"socketcall decided first", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["socketcall"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}, {"names": ["socket"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]}]}`,
			nil, []string{"multiplexer-conditions"}},
		{"a conditional denial fails closed", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]}]}`,
			nil, []string{"multiplexer-conditions"}},
		{"x86_64 alone has no multiplexers", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [` + basics + `, {"names": ["socketcall", "ipc"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"multiplexer", "absent-on-arch"}},

		// notify-default and notify-runner
		{"notify default", x86, `{"defaultAction": "SCMP_ACT_NOTIFY", ` + x86All + `, "syscalls": [` + basics + `]}`,
			[]wantFinding{{"notify-default", SevError, -1, "", []string{"runc and youki refuse it"}}}, nil},
		{"notify on write and sendmsg", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": [{"names": ["write", "sendmsg", "exit_group", "mkdir"], "action": "SCMP_ACT_NOTIFY"}]}`,
			[]wantFinding{
				{"notify-runner", SevError, 0, "write", []string{"runc"}},
				{"notify-runner", SevError, 0, "sendmsg", []string{"passed to the supervisor with sendmsg"}},
				{"notify-runner", SevWarning, 0, "exit_group", []string{"cannot exit", "ENOSYS"}},
			}, nil},

		// redundant-rule and shadowed-rule
		{"errno rule in errno profile", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["reboot"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"redundant-rule", SevWarning, 1, "", []string{"errno(EPERM), is the default action's"}}}, nil},
		{"different errno is not redundant", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["reboot"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
			nil, []string{"redundant-rule"}},
		{"carve-out before a later rule", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "args": [{"index": 0, "value": 16, "op": "SCMP_CMP_EQ"}]}, {"names": ["socket"], "action": "SCMP_ACT_ALLOW"}]}`,
			nil, []string{"redundant-rule", "shadowed-rule"}},
		{"highest-numbered call", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["mseal"], "action": "SCMP_ACT_ERRNO"}]}`,
			[]wantFinding{{"redundant-rule", SevWarning, 1, "", []string{"ENOSYS stub"}}}, nil},
		{"allow after allow", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}`,
			[]wantFinding{{"shadowed-rule", SevWarning, 1, "read", []string{"never used: syscalls[0] already decides read"}}}, nil},
		{"partly shadowed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["read", "pread64"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}`,
			[]wantFinding{{"shadowed-rule", SevWarning, 1, "read", []string{"never reaches this rule: syscalls[0] decides it first"}}}, nil},
		{"two names shadowed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["read", "write", "pread64"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5}]}`,
			[]wantFinding{{"shadowed-rule", SevWarning, 1, "", []string{"read, write never reach this rule: syscalls[0] decides them first", "remove them"}}}, nil},
		{"shadowed only where both apply", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["read"], "action": "SCMP_ACT_ERRNO", "errnoRet": 5, "includes": {"arches": ["arm64"]}}]}`,
			nil, []string{"shadowed-rule"}},

		// duplicate-arg
		{"two conditions on arg 1", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 5, "op": "SCMP_CMP_GT"}, {"index": 1, "value": 10, "op": "SCMP_CMP_LT"}]}]}`,
			[]wantFinding{{"duplicate-arg", SevWarning, 1, "", []string{"args[0] and args[1] both test argument 1", "any one of them holds"}}}, nil},
		{"conditions on different args", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [` + basics + `, {"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_GT"}, {"index": 1, "value": 10, "op": "SCMP_CMP_LT"}]}]}`,
			nil, []string{"duplicate-arg"}},

		// empty-allowlist
		{"nothing allowed", x86, `{"defaultAction": "SCMP_ACT_ERRNO", ` + x86All + `, "syscalls": [{"names": ["reboot"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`,
			[]wantFinding{{"empty-allowlist", SevError, -1, "", []string{"not even the execve"}}}, nil},
		{"nothing allowed on this host", x86, `{"defaultAction": "SCMP_ACT_KILL_PROCESS", ` + x86All + `, "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}`,
			[]wantFinding{{"empty-allowlist", SevError, -1, "", []string{"the default action is kill_process and no rule that applies on this host"}}}, nil},
		{"allow default is never empty", x86, `{"defaultAction": "SCMP_ACT_ALLOW", ` + x86All + `, "syscalls": []}`,
			nil, []string{"empty-allowlist"}},

		// unsupported-arch
		{"loongarch", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_LOONGARCH64"], "syscalls": [` + basics + `]}`,
			[]wantFinding{{"unsupported-arch", SevWarning, -1, "", []string{"SCMP_ARCH_LOONGARCH64: libseccomp 2.5.4 has no table for it"}}}, nil},
		{"mips is compiled", x86, `{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_MIPSEL"], "syscalls": [` + basics + `]}`,
			nil, []string{"unsupported-arch"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { checkLintCase(t, tc) })
	}
}

// lintCase is a profile and the findings linting it must and must not give.
type lintCase struct {
	name    string
	env     profile.Env
	profile string
	want    []wantFinding
	// not lists codes that must not appear.
	not []string
}

func checkLintCase(t *testing.T, tc lintCase) {
	t.Helper()
	p, err := profile.Parse("test.json", []byte(tc.profile))
	if err != nil {
		t.Fatal(err)
	}
	got := Lint(p, tc.env)
	for _, w := range tc.want {
		found := false
		for _, f := range got {
			found = found || w.match(f)
		}
		if !found {
			t.Errorf("missing %s %s rule %d %q containing %q; got:\n%s", w.sev, w.code, w.rule, w.syscall, w.msg, dump(got))
		}
	}
	for _, f := range got {
		for _, c := range tc.not {
			if f.Code == c {
				t.Errorf("unexpected %s", f)
			}
		}
		if f.Message == "" || f.Hint == "" || strings.Contains(f.Message+f.Hint, "\n") {
			t.Errorf("finding without a one-line message and hint: %#v", f)
		}
	}
}

func dump(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString("  " + f.String() + "\n")
	}
	return b.String()
}

// TestLintDuplicateArgCompile checks duplicate-arg's claim against the
// linked libseccomp: a rule with two conditions on one argument compiles,
// verifies, and lets a call through when either condition holds.
func TestLintDuplicateArgCompile(t *testing.T) {
	for _, ops := range [][2]profile.Operator{{profile.OpGreaterThan, profile.OpLessThan}, {profile.OpEqualTo, profile.OpEqualTo}, {profile.OpNotEqual, profile.OpNotEqual}, {profile.OpMaskedEqual, profile.OpMaskedEqual}} {
		p, err := profile.Parse("dup.json", []byte(`{"defaultAction": "SCMP_ACT_ERRNO", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [`+basics+
			`, {"names": ["mmap"], "action": "SCMP_ACT_ALLOW", "args": [{"index": 1, "value": 5, "valueTwo": 1, "op": "`+string(ops[0])+
			`"}, {"index": 1, "value": 10, "valueTwo": 2, "op": "`+string(ops[1])+`"}]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		e := p.Effective(testEnv(catalog.X86_64))
		prog, err := compile.Build(e, profile.Options{})
		if err != nil {
			t.Fatalf("%v: %v", ops, err)
		}
		// Some value satisfies one condition and not the other.
		a, b := e.Source.Syscalls[1].Args[0], e.Source.Syscalls[1].Args[1]
		for _, v := range []uint64{0, 1, 2, 3, 5, 6, 10, 11, 1 << 40} {
			one := mustDecide(t, prog, v).Action.LetsThrough()
			if want := holds(a, v) || holds(b, v); one != want {
				t.Errorf("%v: mmap(0, %#x): allowed %v, want %v (either condition)", ops, v, one, want)
			}
		}
	}
}

func mustDecide(t *testing.T, prog *compile.Program, arg1 uint64) profile.Decision {
	t.Helper()
	d, err := prog.Run(catalog.X86_64, 9, [6]uint64{0, arg1})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func holds(c *profile.Arg, v uint64) bool {
	switch c.Op {
	case profile.OpGreaterThan:
		return v > c.Value
	case profile.OpLessThan:
		return v < c.Value
	case profile.OpEqualTo:
		return v == c.Value
	case profile.OpNotEqual:
		return v != c.Value
	case profile.OpMaskedEqual:
		return v&c.Value == c.ValueTwo&c.Value
	}
	return false
}

func TestLintDockerDefaultHasNoErrors(t *testing.T) {
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range []profile.Env{testEnv(catalog.X86_64), testEnv(catalog.AArch64), profile.HostEnv(),
		{Host: catalog.X86_64, Kernel: profile.Kernel{Major: 5, Minor: 4}, Caps: append(profile.DockerDefaultCaps(), "CAP_SYS_ADMIN", "CAP_SYS_PTRACE")}} {
		for _, f := range Lint(p, env) {
			if f.Severity == SevError {
				t.Errorf("%s on %v: %s", "docker-default", env.Host, f)
			}
		}
	}
}

func TestLintSorted(t *testing.T) {
	p, err := profile.Parse("t.json", []byte(`{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": [
		{"names": ["mkdirat", "nosuch"], "action": "SCMP_ACT_ERRNO"},
		{"names": ["write"], "action": "SCMP_ACT_NOTIFY"},
		{"names": ["getpid"], "action": "SCMP_ACT_ALLOW"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	got := Lint(p, testEnv(catalog.X86_64))
	var keys []string
	for _, f := range got {
		keys = append(keys, string(f.Severity)+" "+f.Code+" "+f.Subject())
	}
	want := []string{
		"error unknown-syscall nosuch",
		"error notify-runner write",
		"warning critical-allowed profile",
		"warning x86-abis-unhandled profile",
		"warning family-split mkdirat",
		"warning redundant-rule syscalls[2]",
	}
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Errorf("order:\n%s\nwant:\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
}

// BenchmarkLintDockerDefault: lint runs on every edit in the workbench, so
// its cost on the largest common profile matters.
func BenchmarkLintDockerDefault(b *testing.B) {
	p, err := profile.Open("preset:docker-default")
	if err != nil {
		b.Fatal(err)
	}
	env := testEnv(catalog.X86_64)
	for b.Loop() {
		Lint(p, env)
	}
}
